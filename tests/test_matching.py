"""Spoken names -> library display names (``speaker.matching.LibraryMatcher``)."""

from __future__ import annotations

import pytest

from speaker.intents import parse
from speaker.matching import LibraryMatcher, Match, best_name, name_key

ARTISTS = [
    "blink-182", "Panic! at the Disco", "The Beatles", "AC/DC", "Twenty One Pilots", "Miles Davis",
    "Nina Simone", "Santana", "Rihanna", "Nickelback", "Prince", "Imogen Heap", "Beyoncé",
    "Guns N' Roses", "R.E.M.", "Sigur Rós", "Nine Inch Nails", "David Bowie", "Led Zeppelin",
    "Fleetwood Mac", "Simon & Garfunkel", "Joni Mitchell",
]
ALBUMS = ["Kind of Blue", "Sgt. Pepper's Lonely Hearts Club Band", "OK Computer", "Back in Black",
          "1989", "Blue", "Rumours"]
TITLES = ["Like a Hurricane", "1999", "Hide and Seek", "So What", "Blue in Green", "Purple Rain",
          "Come Together", "Hurt"]
GENRES = ["Jazz", "Rock", "Hip-Hop", "Electronic", "Singer-Songwriter"]


@pytest.fixture(scope="module")
def matcher() -> LibraryMatcher:
    return LibraryMatcher(ARTISTS, ALBUMS, TITLES, GENRES)


@pytest.mark.parametrize(("slot", "spoken", "kind", "value"), [
    ("artist", "blink one eighty two", "artist", "blink-182"),
    ("artist", "blink 182", "artist", "blink-182"),
    ("artist", "panic at the disco", "artist", "Panic! at the Disco"),
    ("artist", "the beatles", "artist", "The Beatles"),
    ("artist", "beatles", "artist", "The Beatles"),
    ("artist", "beetles", "artist", "The Beatles"),
    ("artist", "ac/dc", "artist", "AC/DC"),
    ("artist", "acdc", "artist", "AC/DC"),
    ("artist", "a c d c", "artist", "AC/DC"),
    ("artist", "21 pilots", "artist", "Twenty One Pilots"),
    ("artist", "twenty one pilots", "artist", "Twenty One Pilots"),
    ("artist", "beyonce", "artist", "Beyoncé"),
    ("artist", "guns and roses", "artist", "Guns N' Roses"),
    ("artist", "r e m", "artist", "R.E.M."),
    ("artist", "sigur ross", "artist", "Sigur Rós"),
    ("artist", "9 inch nails", "artist", "Nine Inch Nails"),
    ("artist", "led zepplin", "artist", "Led Zeppelin"),
    ("artist", "fleetwood mack", "artist", "Fleetwood Mac"),
    ("artist", "simon and garfunkel", "artist", "Simon & Garfunkel"),
    ("artist", "bowie", "artist", "David Bowie"),
    ("artist", "davis miles", "artist", "Miles Davis"),
    ("track", "blue green", "track", "Blue in Green"),
    ("artist", "emogen heap", "artist", "Imogen Heap"),
    ("track", "nineteen ninety nine", "track", "1999"),
    ("track", "purple rain", "track", "Purple Rain"),
    ("track", "like a hurricane", "track", "Like a Hurricane"),
    ("album", "sgt. pepper's lonely hearts club band", "album",
     "Sgt. Pepper's Lonely Hearts Club Band"),
    ("album", "sergeant peppers lonely hearts club band", "album",
     "Sgt. Pepper's Lonely Hearts Club Band"),
    ("genre", "hip hop", "genre", "Hip-Hop"),
    ("genre", "singer songwriter", "genre", "Singer-Songwriter"),
    # cross-slot fallback: the parser's guess of kind is wrong, the library knows better
    ("artist", "kind of blue", "album", "Kind of Blue"),
    ("track", "ok computer", "album", "OK Computer"),
    ("track", "sgt. pepper's lonely hearts club band", "album",
     "Sgt. Pepper's Lonely Hearts Club Band"),
    ("album", "hide and seek", "track", "Hide and Seek"),
    ("track", "imogen heap", "artist", "Imogen Heap"),
])
def test_spoken_name_matches_library_name(matcher: LibraryMatcher, slot: str, spoken: str,
                                          kind: str, value: str) -> None:
    match = matcher.match_one(slot, spoken)
    assert match is not None, f"{spoken!r} found nothing"
    assert (match.slot, match.value) == (kind, value)
    assert match.spoken == spoken
    assert 0 <= match.score <= 100


@pytest.mark.parametrize(("slot", "spoken"), [
    ("artist", "nirvana"), ("artist", "madonna"), ("artist", "radiohead"), ("artist", "queen"),
    ("artist", "the killers"), ("artist", "coldplay"), ("artist", "princess"),
    ("artist", "santa"), ("track", "yesterday"), ("album", "nevermind"), ("genre", "techno"),
    ("genre", "classical"), ("artist", "the"), ("artist", "me"),
])
def test_unrelated_names_do_not_match(matcher: LibraryMatcher, slot: str, spoken: str) -> None:
    assert matcher.match_one(slot, spoken) is None


def test_match_resolves_parsed_slots_by_library_kind(matcher: LibraryMatcher) -> None:
    parsed = parse("play Like A Hurricane by Panic at the disco")
    found = matcher.match(parsed.slots)
    assert found["artist"].value == "Panic! at the Disco"
    assert found["track"].value == "Like a Hurricane"


def test_playlist_guess_falls_back_to_library_names(matcher: LibraryMatcher) -> None:
    """A bare name with a genre word is parsed as a playlist; the library knows the band."""
    parsed = parse("play panic at the disco")
    assert parsed.slots == {"playlist": "panic at the disco"}
    found = matcher.match(parsed.slots)
    assert found["artist"].value == "Panic! at the Disco"
    assert matcher.match({"playlist": "punk essentials"}) == {}


def test_match_leaves_out_names_not_in_library(matcher: LibraryMatcher) -> None:
    assert matcher.match(parse("play nirvana").slots) == {}
    assert matcher.match({"year": 1980, "decade": True, "service": "spotify"}) == {}


def test_same_kind_from_two_slots_keeps_the_better(matcher: LibraryMatcher) -> None:
    found = matcher.match({"artist": "kind of blue", "album": "kind of blu"})
    assert list(found) == ["album"]
    assert found["album"].spoken == "kind of blue"
    assert found["album"].score == 100.0


def test_candidates_offer_something_close_below_threshold(matcher: LibraryMatcher) -> None:
    close = matcher.candidates("artist", "nirvana", limit=3)
    assert len(close) == 3
    assert all(isinstance(m, Match) and m.score < matcher.threshold for m in close)
    assert [m.score for m in close] == sorted((m.score for m in close), reverse=True)
    with pytest.raises(ValueError, match="unknown slot"):
        matcher.candidates("playlist", "x")


def test_empty_library_matches_nothing() -> None:
    empty = LibraryMatcher([], [], [], [])
    assert empty.match({"artist": "miles davis"}) == {}
    assert empty.candidates("artist", "miles davis") == []


def test_threshold_is_validated() -> None:
    with pytest.raises(ValueError, match="threshold"):
        LibraryMatcher([], [], [], [], threshold=120)


def test_name_key_folds_spelling_variants_together() -> None:
    assert name_key("Blink-182") == name_key("blink one eighty two") == "blink 182"
    assert name_key("The Beatles") == name_key("beatles")
    assert name_key("Beyoncé") == "beyonce"


def test_reordered_words_alone_do_not_reach_the_threshold() -> None:
    """Regression: "sunday morning" matched the title "Morning Study" (88.9) by word order."""
    matcher = LibraryMatcher([], [], ["Morning Study"], [])
    assert matcher.match_one("track", "sunday morning") is None


def test_match_dict_form() -> None:
    match = Match("artist", "beetles", "The Beatles", 95.0)
    assert match.to_dict() == {"slot": "artist", "spoken": "beetles", "value": "The Beatles",
                               "score": 95.0}


def test_misheard_genre_taken_for_an_artist_still_finds_the_genre(
        matcher: LibraryMatcher) -> None:
    # Whisper hears "play some jazz" as "Place some Jess": parsed as an artist.
    found = matcher.match({"artist": "jess"})
    assert {k: m.value for k, m in found.items()} == {"genre": "Jazz"}


def test_best_name_picks_one_of_a_few_names_or_none() -> None:
    names = ["Workout", "Dinner Party", "Sunday Morning"]
    assert best_name("work out", names) == "Workout"
    assert best_name("dinner party", names) == "Dinner Party"
    assert best_name("road trip", names) is None
    assert best_name("workout", []) is None
