"""Dialogue for the requests a speaker hears besides the plain "play": clearing the queue,
stopping after the song, unmuting, taking a song off a playlist and listing them, the
newest album, an artist's radio, several artists, "say that again", courtesies,
"I don't like this artist", "play my most played songs", "how many songs do I have" and
"play track two of Midnight Standards", "something I haven't heard" and "a different
artist".
The same real stack as ``test_dialogue`` (demo library, SQLite
store, trained LightFM engine, real player on decoded files, real parser)."""

from __future__ import annotations

import pytest
import test_dialogue
from test_dialogue import Speaker

from recommender.store import Track
from speaker.dialogue import _CANT
from speaker.intents_other import TOPICS
from speaker.library_view import LibraryView
from speaker.player import Player
from speaker.transport_replies import describe

trained = test_dialogue.trained  # the fixtures, shared
speaker = test_dialogue.speaker


def test_clear_the_queue_plays_the_song_out_and_then_stops(speaker: Speaker) -> None:
    assert speaker.say("clear the queue") == "The queue is already empty."
    speaker.say("play the album velvet hours")  # two songs
    playing = speaker.player.now_playing
    assert playing is not None and speaker.player.queue
    assert speaker.say("clear the queue") == (
        "I've cleared the queue. The music stops after this song.")
    assert speaker.player.queue == () and speaker.player.now_playing == playing
    speaker.listen(40.0)  # past the end of the song: no refill from the recommender
    assert speaker.player.state == "stopped"
    assert speaker.say("what's next") == "Nothing is playing."
    speaker.say("play the album velvet hours")
    speaker.say("repeat on")
    assert speaker.say("clear the queue").endswith(
        "Repeat is on, so what has played comes round again.")


def test_stop_after_this_song_and_asking_about_it(speaker: Speaker) -> None:
    assert speaker.say("stop after this song") == (
        "Nothing is playing, so there's nothing to stop.")
    speaker.say("play four corners by blue lantern trio")  # a 14 s track
    speaker.listen(4.0)
    assert speaker.say("stop after this song") == "Okay, I'll stop the music after this song."
    assert speaker.say("how long is left on the sleep timer") == (
        "The music stops after this song, in 10 seconds.")
    speaker.listen(12.0)
    assert speaker.player.state == "stopped"
    assert [e.kind for e in speaker.store.events("alex")][-1] == "complete"
    speaker.say("play four corners by blue lantern trio")
    speaker.say("make this the last song")
    assert speaker.say("cancel the sleep timer") == "Okay, no sleep timer: the music plays on."
    speaker.listen(16.0)
    assert speaker.player.state == "playing"  # the station went on


def test_a_song_still_being_decoded_has_no_length_yet(speaker: Speaker,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    # With background decoding a natural track change can be asked about before the
    # decoder has the new track's samples: the player knows the song, not its length.
    speaker.say("play four corners by blue lantern trio")
    speaker.say("stop after this song")
    monkeypatch.setattr(Player, "remaining_s", property(lambda self: None))
    assert speaker.say("how long is left") == (
        "This is Four Corners by Blue Lantern Trio. I don't know yet how long it is.")
    assert speaker.say("when does the music stop") == "The music stops after this song."


def test_unmute_brings_back_the_volume_from_before(speaker: Speaker) -> None:
    speaker.say("play some jazz")
    assert speaker.say("unmute") == f"The music isn't muted. Volume {speaker.player.volume}."
    speaker.say("set the volume to 40")
    assert speaker.say("mute") == "Volume 0."
    assert speaker.say("unmute") == "Unmuted. Volume 40."


def test_taking_a_song_off_a_playlist(speaker: Speaker) -> None:
    speaker.say("play four corners by blue lantern trio")
    first = speaker.player.now_playing
    assert first is not None
    speaker.say("add this to my workout playlist")
    speaker.say("play the album velvet hours")
    second = speaker.player.now_playing
    assert second is not None
    speaker.say("add this to my workout playlist")
    assert speaker.say("take this off my road trip playlist") == (
        "You don't have a playlist called road trip.")
    assert speaker.say("remove this song from my work out playlist") == (
        f"Took {second.title} off your workout playlist.")
    assert speaker.store.playlist_track_ids("alex", "workout") == [first.id]
    assert speaker.say("take this off my workout playlist") == (
        f"{second.title} isn't on your workout playlist.")
    assert speaker.say("take this off my favourites playlist").startswith(
        "Your favourites are the songs you like.")
    speaker.say("stop")
    assert speaker.say("take this off my workout playlist") == (
        "Nothing is playing, so there's nothing to take off a playlist.")


def test_the_newest_album_of_an_artist(speaker: Speaker) -> None:
    reply = speaker.say("play the latest album by nora vance")
    assert reply == ("Playing Nora Vance's newest album, Velvet Hours: "
                     "Velvet Hours by Nora Vance.")
    playing = speaker.player.now_playing
    assert playing is not None
    assert [t.title for t in (playing, *speaker.player.queue)][:2] == [
        "Velvet Hours", "Autumn Letters"]
    # each demo artist has one album: the first is the newest
    assert speaker.say("play nora vance's first album") == (
        "Playing Nora Vance's first album, Velvet Hours: Velvet Hours by Nora Vance.")


def test_playing_in_another_room_plays_here_and_says_so(speaker: Speaker) -> None:
    reply = speaker.say("play some jazz in the bedroom")
    assert reply.startswith("I can only play on this speaker. Playing some Jazz: ")
    assert speaker.player.now_playing is not None


def _track(id_: int, album: str, year: int | None, track_no: int, artist: str = "Ann") -> Track:
    return Track(id_, f"/m/{id_}.ogg", f"t{id_}", artist, album, artist, (), year, track_no, 10.0)


def test_newest_album_picks_the_latest_year_and_only_the_artists_tracks() -> None:
    view = LibraryView.build([
        _track(1, "Early", 1990, 1), _track(2, "Late", 2004, 2), _track(3, "Late", 2004, 1),
        _track(4, "Late", 2004, 3, artist="Guest"), _track(5, "Undated", None, 1),
    ])
    assert [t.id for t in view.album_by_year("ann")] == [3, 2]
    assert [t.id for t in view.album_by_year("ann", newest=False)] == [1]
    assert view.album_by_year("nobody") == []
    assert LibraryView.build([_track(5, "Undated", None, 1)]).album_by_year("Ann") == []


def test_an_artists_radio_mixes_their_songs_with_others_like_them(speaker: Speaker) -> None:
    reply = speaker.say("play nora vance radio")
    assert reply.startswith("Playing Nora Vance radio: ")
    played = [speaker.player.now_playing, *speaker.player.queue]
    artists = [t.artist for t in played if t is not None]
    assert artists[0] == "Nora Vance" and len(set(artists)) > 1
    assert speaker.dialogue.state.station.artist == "Nora Vance"  # refills go on with her
    # a radio of no artist in the library is no radio
    assert speaker.say("play the zzyzx radio").startswith("I couldn't find a playlist called")


def test_several_artists_take_turns(speaker: Speaker) -> None:
    # Whisper's capitals make the parser read the second name as a song by the first.
    for request in ("Play Nora Vance and Clara Whitfield.",
                    "play music by nora vance and clara whitfield"):
        assert speaker.say(request).startswith("Playing Nora Vance and Clara Whitfield: ")
        played = [t.artist for t in (speaker.player.now_playing, *speaker.player.queue) if t]
        assert played[:4] == ["Nora Vance", "Clara Whitfield"] * 2
    assert speaker.say("Play Nora Vance, Clara Whitfield and Dusty Tapes.").startswith(
        "Playing Nora Vance, Clara Whitfield and Dusty Tapes: ")
    # a song the library lacks is still said to be missing
    assert speaker.say("play the song zebra crossing by nora vance").startswith(
        "I couldn't find Zebra Crossing in your library.")


def test_what_playlists_do_i_have(speaker: Speaker) -> None:
    assert speaker.say("what playlists do i have").startswith("You have no playlists yet.")
    speaker.say("play some jazz")
    speaker.say("add this to my workout playlist")
    assert speaker.say("what playlists do i have") == "You have one playlist: workout."
    speaker.say("add this to my road trip playlist")
    speaker.say("add this to my chill playlist")
    assert speaker.say("what are my playlists") == (
        "You have 3 playlists: workout, road trip and chill.")


def test_say_that_again_repeats_the_last_answer(speaker: Speaker) -> None:
    assert speaker.say("say that again") == "I haven't said anything yet."
    first = speaker.say("play four corners by blue lantern trio")
    assert speaker.say("what did you say") == first
    asked = speaker.say("what's playing")
    assert speaker.say("say that again") == asked
    assert speaker.say("pardon") == asked
    assert speaker.player.now_playing is not None  # nothing else changed


def test_courtesies_change_nothing(speaker: Speaker) -> None:
    speaker.say("play some jazz")
    playing = speaker.player.now_playing
    assert speaker.say("thank you") == "You're welcome."
    assert speaker.say("good night") == "Good night."
    assert speaker.say("hello") == "Hello. Say, for example: play some jazz."
    assert speaker.player.now_playing == playing and speaker.player.state == "playing"


def test_play_this_song_again_starts_it_over(speaker: Speaker) -> None:
    speaker.say("play four corners by blue lantern trio")
    speaker.listen(5.0)
    assert speaker.say("play this song again") == "Starting it over."
    assert speaker.player.position_s < 0.1


def test_disliking_the_artist_leaves_all_their_songs_out_until_asked_for(
        speaker: Speaker) -> None:
    speaker.say("play the album midnight standards")
    artist = "Blue Lantern Trio"
    assert artist in {t.artist for t in speaker.player.queue}  # the rest of the album
    assert speaker.say("I don't like this artist") == (
        f"Okay, no more {artist}. I'll only play them when you ask for them by name.")
    now = speaker.player.now_playing
    assert now is not None and now.artist != artist  # skipped to someone else
    assert all(t.artist != artist for t in speaker.player.queue)
    theirs = {t.id for t in speaker.dialogue.library.by_artist(artist)}
    disliked = {e.track_id for e in speaker.store.events("alex") if e.kind == "dislike"}
    assert theirs and theirs <= disliked  # stored: it holds after a restart too
    for request in ("play some jazz", "play something", "play something relaxing"):
        speaker.say(request)
        playing = speaker.player.now_playing
        assert playing is not None
        assert all(t.artist != artist for t in (playing, *speaker.player.queue))
    assert speaker.say(f"play {artist}").startswith(f"Playing {artist}: ")  # by name: yes


def test_most_played_songs_are_the_ones_played_to_the_end_most_often(
        speaker: Speaker) -> None:
    reply = speaker.say("play my most played songs")
    playing = speaker.player.now_playing
    assert playing is not None
    assert reply == f"Playing your most played songs: {describe(playing)}."
    # alex's seeded history: Smoke Rings and Lantern Hill played to the end 9 times each
    assert playing.title in ("Smoke Rings", "Lantern Hill")
    top = [playing.title, *(t.title for t in speaker.player.queue)][:5]
    assert set(top) == {"Smoke Rings", "Lantern Hill", "Weightless", "Late Night Walk",
                        "Nocturne for Anna"}
    assert speaker.say("play my most played songs for Sam").startswith("Okay, Sam. Playing your ")
    assert speaker.player.now_playing.title in ("Signal Lost", "Radio Static")  # type: ignore[union-attr]
    reply = speaker.say("play my top songs for Jo")  # a new profile has no history yet
    assert reply.endswith("No song has played to the end yet, so here's something you "
                          f"might like. Playing {describe(speaker.player.now_playing)}.")


def test_questions_about_the_library_count_and_name_what_it_holds(speaker: Speaker) -> None:
    tracks = [t for t in speaker.store.tracks() if not t.gone and t.duplicate_of is None]
    artists = {t.artist for t in tracks}
    albums = {t.album for t in tracks}
    total = (f"Your library has {len(tracks)} songs by {len(artists)} artists, "
             f"on {len(albums)} albums.")
    assert len(tracks) == 35 and len(artists) == 13  # the demo library's
    assert speaker.say("how many songs do I have") == total
    reply = speaker.say("what artists do I have in my library")
    assert reply.startswith(f"{total} Artists: ") and reply.endswith(", and 8 more.")
    named = reply.split("Artists: ")[1].split(", and")[0].split(", ")
    songs = {a: sum(t.artist == a for t in tracks) for a in artists}
    assert len(named) == 5 and set(named) <= artists
    assert min(songs[a] for a in named) >= max(songs[a] for a in artists - set(named))
    assert speaker.say("what genres do I have").startswith(f"{total} Genres: ")
    assert speaker.player.state == "stopped"  # a question plays nothing


def test_an_empty_library_says_how_to_fill_it() -> None:
    assert LibraryView.build([]).summary("artists") == (
        "Your music library is empty. Scan a music folder with: encore library scan.")


def test_a_track_of_an_album_by_its_number_plays_the_album_on_from_there(
        speaker: Speaker) -> None:
    album = speaker.dialogue.library.by_album("Midnight Standards")
    assert [t.track_no for t in album] == list(range(1, len(album) + 1)) and len(album) >= 3
    assert speaker.say("play track two of midnight standards") == (
        f"Playing Midnight Standards, track 2: {describe(album[1])}.")
    assert speaker.player.queue[:len(album) - 2] == tuple(album[2:])
    assert speaker.say("play the first song on this album") == (
        f"Playing Midnight Standards, track 1: {describe(album[0])}.")
    assert speaker.say("play track nine of midnight standards") == (
        "I couldn't find track 9 of Midnight Standards in your library. "
        f"Here's something close: {describe(album[0])}.")


def test_two_genres_take_turns(speaker: Speaker) -> None:
    reply = speaker.say("play some jazz and blues")
    first = speaker.player.now_playing
    assert isinstance(first, Track) and reply == f"Playing Jazz and Blues: {describe(first)}."
    played = [first, *speaker.player.queue][:4]
    genres = [t.genres for t in played]  # type: ignore[attr-defined]
    assert all(g in (("Jazz",), ("Blues",)) for g in genres) and genres[0] != genres[1]


def test_something_i_havent_heard_leaves_out_every_song_the_profile_has_played(
        speaker: Speaker) -> None:
    catalog = {t.id for t in speaker.store.tracks() if not t.gone and t.duplicate_of is None}
    heard = set(speaker.store.recent_track_ids("alex", len(catalog) + 1))
    assert heard and heard < catalog  # alex's seeded history
    reply = speaker.say("play something I haven't heard")
    playing = speaker.player.now_playing
    assert playing is not None
    assert reply == f"Playing {describe(playing)}. You haven't heard it before."
    assert not {t.id for t in [playing, *speaker.player.queue]} & heard
    reply = speaker.say("play some jazz I haven't heard")
    playing = speaker.player.now_playing
    assert playing is not None and "Jazz" in playing.genres  # type: ignore[attr-defined]
    assert playing.id not in heard and reply.endswith(" You haven't heard it before.")
    speaker.say("play something relaxing I haven't heard")  # a mood: refills leave them out
    assert speaker.dialogue.state.station.exclude_track_ids >= heard
    # once every song has played, it says so and plays what it would have
    for track_id in catalog - heard:
        speaker.store.add_event("alex", "complete", track_id)
    reply = speaker.say("play something I've never heard before")
    assert reply.startswith("I couldn't find anything you haven't heard in your library. "
                            "Here's something close: ")
    assert speaker.player.now_playing is not None


def test_something_i_havent_heard_in_a_while_leaves_out_the_last_month(
        speaker: Speaker) -> None:
    tracks = sorted(t.id for t in speaker.store.tracks() if not t.gone and t.duplicate_of is None)
    now = speaker.store.now()
    for track_id in tracks[:12]:  # these played 40 days ago, the others today
        speaker.store.add_event("pat", "complete", track_id, t=now - 40 * 86400)
    for track_id in tracks[12:]:
        speaker.store.add_event("pat", "complete", track_id, t=now - 3600)
    reply = speaker.say("play something I haven't heard in a while for pat")
    assert reply.endswith(" You haven't heard it in a while.")
    played = [t.id for t in (speaker.player.now_playing, *speaker.player.queue) if t]
    assert len(played) == 10 and set(played) < set(tracks[:12])
    for _ in range(8):  # the refill goes on with the other two first
        speaker.say("next")
    upcoming = [t.id for t in speaker.player.queue]
    assert upcoming == [played[9], *upcoming[1:3]]
    assert set(upcoming[1:3]) == set(tracks[:12]) - set(played)


def test_a_different_artist_skips_to_someone_elses_songs(speaker: Speaker) -> None:
    assert speaker.say("play a different artist") == "Nothing is playing."
    speaker.say("play Nora Vance")
    assert speaker.player.now_playing is not None
    assert speaker.player.now_playing.artist == "Nora Vance"
    reply = speaker.say("play a different artist")
    playing = speaker.player.now_playing
    assert playing is not None and playing.artist != "Nora Vance"
    assert reply == f"Here's someone else: {describe(playing)}."
    assert [t for t in speaker.player.queue if t.artist == "Nora Vance"] == []
    speaker.say("play some jazz")
    jazz = speaker.player.now_playing
    assert jazz is not None
    speaker.say("next artist")  # still jazz, by someone else
    playing = speaker.player.now_playing
    assert playing is not None and playing.artist != jazz.artist
    assert "Jazz" in playing.genres  # type: ignore[attr-defined]
    # the demo library has two jazz artists: theirs come back only after the other's
    after = [t.artist == jazz.artist for t in speaker.player.queue]
    assert not after[0] and after == sorted(after)
    # from her radio (the queue mixes her songs with others'), refills leave her out too
    speaker.say("play Nora Vance radio")
    assert speaker.dialogue.state.station.artist == "Nora Vance"
    speaker.say("play a different artist")
    station = speaker.dialogue.state.station
    assert station.artist is None and station.like_artist == "Nora Vance"
    assert speaker.player.now_playing is not None
    assert "Nora Vance" not in {t.artist for t in [speaker.player.now_playing,
                                                    *speaker.player.queue]}


def test_a_different_artist_in_a_one_artist_library_says_so_and_plays_on(
        speaker: Speaker) -> None:
    others = [t.id for t in speaker.store.tracks() if t.artist != "Nora Vance"]
    speaker.store.mark_gone(others)
    speaker.engine.refresh_catalog()
    speaker.dialogue.refresh_library()
    speaker.say("play Nora Vance")
    playing = speaker.player.now_playing
    assert playing is not None
    queued = list(speaker.player.queue)
    assert speaker.say("play a different artist") == (
        "I have nothing by anyone other than Nora Vance to play.")
    assert speaker.player.now_playing == playing and speaker.player.state == "playing"
    assert list(speaker.player.queue) == queued  # her songs stay: nothing else to play


def test_a_different_artist_when_everyone_else_is_disliked(speaker: Speaker) -> None:
    others = [t for t in speaker.store.tracks() if t.artist != "Nora Vance"]
    for track in others:
        speaker.engine.feedback("alex", "dislike", track.id)
    speaker.say("play Nora Vance")
    queued = list(speaker.player.queue)
    assert speaker.say("play a different artist") == (
        "I have nothing by anyone other than Nora Vance to play.")
    playing = speaker.player.now_playing
    assert playing is not None and playing.artist == "Nora Vance"
    assert list(speaker.player.queue) == queued  # her songs stay: nothing else to play


def test_the_time_and_what_encore_cant_do(speaker: Speaker) -> None:
    assert speaker.say("what time is it") == "It's 9:30 PM."  # the fixture's wall clock
    assert speaker.say("what day is it") == "It's Sunday, November 29."
    assert speaker.say("what's the weather like") == (
        "Sorry, I can't tell you the weather. I play music from your library: say, for "
        "example, play some jazz.")
    assert speaker.say("turn on the lights").startswith("Sorry, I can't control other devices.")
    assert speaker.player.now_playing is None  # not a song called "The Lights"
    assert set(_CANT) == set(TOPICS)  # a reply for every topic the parser knows


def test_radio_podcasts_and_audiobooks_are_not_in_the_library(speaker: Speaker) -> None:
    for request in ("play BBC Radio 4", "play the radio", "play my audiobook",
                    "play a podcast", "play the news"):
        assert speaker.say(request) == ("Sorry, I can't play radio, podcasts, audiobooks or "
                                        "the news. I play the music in your library."), request
        assert speaker.player.now_playing is None
    assert speaker.say("play Nora Vance radio").startswith("Playing Nora Vance radio: ")
    # songs the library lacks are still songs
    for request in ("play Good News", "play Video Killed the Radio Star"):
        assert speaker.say(request).startswith("I couldn't find "), request


def test_disliking_an_artist_or_a_song_by_name(speaker: Speaker) -> None:
    seeded = len(speaker.store.events("alex"))
    assert speaker.say("I don't like Nora Vance") == (
        "Okay, no more Nora Vance. I'll only play them when you ask for them by name.")
    disliked = {e.track_id for e in speaker.store.events("alex")[seeded:]}
    assert disliked == {t.id for t in speaker.dialogue.library.by_artist("Nora Vance")}
    speaker.say("play some jazz")
    assert speaker.player.now_playing is not None
    assert all(t.artist != "Nora Vance" for t in [speaker.player.now_playing,
                                                   *speaker.player.queue])
    playing = speaker.player.now_playing
    assert speaker.say(f"never play {playing.title} again") == (
        f"Okay, I won't play {playing.title} again.")
    assert speaker.player.now_playing != playing  # it was playing: skipped
    assert speaker.say("I hate jazz") == (
        "I can't leave out all Jazz. Say: I don't like this song, while one plays.")
    assert speaker.say("I don't like Zzyzx Quartet") == (
        "I couldn't find Zzyzx Quartet in your library.")
    # a lasting dislike needs the name, not a guess at it
    assert speaker.say("I don't like the tapes") == (
        "I'm not sure which you mean. Say the whole name, for example: "
        "I don't like Dusty Tapes.")
    assert not any(e.kind == "dislike" and e.track_id in {
        t.id for t in speaker.dialogue.library.by_artist("Dusty Tapes")}
        for e in speaker.store.events("alex")[seeded:])


def test_how_many_times_a_song_has_played_and_an_artists_album_by_pronoun(
        speaker: Speaker) -> None:
    speaker.say("play Nora Vance for pat")  # a new profile: this is its first play
    playing = speaker.player.now_playing
    assert playing is not None
    assert speaker.say("how many times have I played this") == (
        f"This is {describe(playing)}. It's the first time this profile has played it.")
    speaker.store.add_event("pat", "play_start", playing.id)
    assert speaker.say("have I heard this before").endswith(" has played it twice.")
    speaker.store.add_event("pat", "play_start", playing.id)
    assert speaker.say("how often have we listened to this song").endswith(
        " has played it 3 times.")
    assert speaker.say("play her first album").startswith(
        "Playing Nora Vance's first album, Velvet Hours: ")


def test_adding_music_to_a_playlist_by_name_and_asking_whats_on_it(speaker: Speaker) -> None:
    assert speaker.say("what's on my road trip playlist") == (
        "You don't have a playlist called road trip.")
    assert speaker.say("make a new playlist called road trip") == (
        "A playlist starts with its first song. While a song you want on it plays, say: add "
        "this to my road trip playlist.")
    assert speaker.store.playlists("alex") == []  # nothing made without a song
    assert speaker.say("add Smoke Rings to my road trip playlist") == (
        "Added Smoke Rings by Blue Lantern Trio to your road trip playlist. That's a new "
        "playlist.")
    assert speaker.say("what's on my road trip playlist") == (
        "Your road trip playlist has one song: Smoke Rings by Blue Lantern Trio.")
    # a title with "in" in it; a name that is a song and its album is the song
    assert speaker.say("add Prelude in C to my road trip playlist").startswith(
        "Added Prelude in C by ")
    assert speaker.say("add Velvet Hours to my road trip playlist") == (
        "Added Velvet Hours by Nora Vance to your road trip playlist.")
    assert speaker.say("add the album Slow Tides to my road trip playlist") == (
        "Added the album Slow Tides (3 songs) to your road trip playlist.")
    assert speaker.say("put Blue Lantern Trio on my road trip playlist") == (
        "Added 3 songs by Blue Lantern Trio to your road trip playlist.")  # one was on it
    assert speaker.say("add Smoke Rings to my road trip playlist") == (
        "Smoke Rings by Blue Lantern Trio is already on your road trip playlist.")
    library = speaker.dialogue.library
    expected = [*library.by_title("Smoke Rings"), *library.by_title("Prelude in C"),
                *library.by_title("Velvet Hours"), *library.by_album("Slow Tides"),
                *[t for t in library.by_artist("Blue Lantern Trio") if t.title != "Smoke Rings"]]
    assert speaker.store.playlist_track_ids("alex", "road trip") == [t.id for t in expected]
    assert speaker.say("what's on my road trip playlist") == (
        f"Your road trip playlist has {len(expected)} songs: "
        + ", ".join(describe(t) for t in expected[:3]) + f" and {len(expected) - 3} more.")
    assert speaker.say("add Zzyzx Quartet to my road trip playlist") == (
        "I couldn't find Zzyzx Quartet in your library.")
    assert speaker.say("add some jazz to my road trip playlist").startswith(
        "I can add a song, an album or an artist.")
    assert speaker.say("add the last song to my road trip playlist").startswith(
        "Sorry, I didn't catch that.")  # names nothing: never the song playing
    # favourites are likes
    assert speaker.say("add Orbit to my favourites playlist") == (
        "Added Orbit by Solar Drift to your favourites.")
    orbit = library.by_title("Orbit")[0]
    assert speaker.store.events("alex")[-1].kind == "like"
    assert speaker.store.events("alex")[-1].track_id == orbit.id


def test_a_seeded_history_counts_as_plays(speaker: Speaker) -> None:
    """alex's seeded history has completes and skips but no starts: each is a play."""
    smoke_rings = speaker.dialogue.library.by_title("Smoke Rings")[0]
    ended = sum(1 for e in speaker.store.events("alex")
                if e.track_id == smoke_rings.id and e.kind in ("complete", "skip"))
    assert ended >= 9
    speaker.say("play Smoke Rings")  # and now once more
    assert speaker.say("how many times have I played this").endswith(
        f"This profile has played it {ended + 1} times.")


def test_playing_at_a_volume(speaker: Speaker) -> None:
    reply = speaker.say("play some jazz quietly")
    assert reply.startswith("Playing some Jazz: ") and reply.endswith(". Volume 30.")
    assert speaker.player.volume == 30
    assert speaker.say("play Nora Vance at volume 6").endswith(". Volume 60.")
    assert speaker.player.volume == 60 and speaker.player.now_playing is not None
    playing = speaker.player.now_playing
    assert playing.artist == "Nora Vance"
    # with music on, "play it at volume 4" only sets the volume, and the timer with it
    assert speaker.say("play it at volume 4") == "Volume 40."
    assert speaker.player.now_playing == playing
    assert speaker.say("play for an hour at volume 5") == (
        "Volume 50. Okay, I'll stop the music in 60 minutes.")
    assert speaker.player.now_playing == playing and speaker.player.sleep_left_s == 3600


def test_most_played_song_and_artist(speaker: Speaker) -> None:
    library = speaker.dialogue.library
    velvet, autumn = (library.by_title(t)[0] for t in ("Velvet Hours", "Autumn Letters"))
    smoke = library.by_title("Smoke Rings")[0]
    speaker.dialogue.state.user = "pat"  # a new profile
    assert speaker.say("what's my most played song") == "No song has played to the end yet."
    speaker.store.add_event("pat", "complete", autumn.id)
    assert speaker.say("what's my most played song") == (
        f"Your most played song is {describe(autumn)}, played to the end once.")
    for track in (velvet, smoke, velvet, smoke, velvet, smoke):
        speaker.store.add_event("pat", "complete", track.id)
    assert speaker.say("what's my most played song") == (  # a tie names both
        f"Your most played songs are {describe(velvet)} and {describe(smoke)}, each played "
        "to the end 3 times.")
    assert speaker.say("who's my favourite artist") == (
        "Your most played artist is Nora Vance, played to the end 4 times.")
    speaker.store.add_event("pat", "complete", smoke.id)
    assert speaker.say("what's my most played song") == (
        f"Your most played song is {describe(smoke)}, played to the end 4 times.")
