"""The requests Encore understands, spelt out for the household's own library.

When Whisper's transcript of a request means nothing to the parser ("Clakings to
the sunrise"), the audio is decoded again, this time only along phrases the parser
can read ("Play Kingston Sunrise"): a beam search (:func:`grammar_search`) over a
token trie of :class:`Vocabulary` phrases. The best few phrases found are then
scored one at a time against the free transcript, as command rescoring scores its
phrases (``speaker.stt.choose_phrase``), so a phrase replaces the transcript only
when the audio supports it about as well and no phrase that means something else
comes close (``stt.grammar_margin``, ``stt.grammar_rival_margin``).

The phrases are the usual ways of asking a smart speaker for music (the music
commands Alexa and Google document), filled with the library's artists, albums,
titles and genres as the library spells them, the moods and decades the parser
knows, the household's profiles and playlists, plus the control phrasings of
:mod:`speaker.commands`. Every request verb ("play", "put on", ...) leads into one
shared trie of what can be asked for, so a large library costs one entry per name
and template, not per verb.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from recommender.records import LibraryNames
from speaker.commands import SHORT_COMMANDS
from speaker.intents_fuzzy import CONTROL_PHRASES

__all__ = ["TokenTrie", "Vocabulary", "grammar_search"]

VERBS = ("play", "put on", "i want to hear", "i'd like to hear", "play me", "can you play")
_ARTIST = ("{}", "some {}", "music by {}", "songs by {}", "something by {}",
           "some music by {}", "some songs by {}")
_ALBUM = ("the album {}", "the record {}", "{}")
_TITLE = ("the song {}", "the track {}", "{}")
_CREDITED = ("{} by {}", "the song {} by {}")
_GENRE = ("some {}", "some {} music", "{}", "{} music")
_MOODS = ("relaxing", "calm", "chill", "upbeat", "energetic", "happy", "sad", "party",
          "romantic", "mellow", "focus", "workout")
_MOOD = ("something {}", "some {} music", "{} music")
_DECADES = tuple(range(1950, 2030, 10))
_DECADE = ("music from the {}s", "songs from the {}s", "something from the {}s")
_YEAR = ("songs from {}", "music from {}")
_USER = ("music that {} likes", "something {} likes", "something for {}", "some songs for {}")
_PLAYLIST = ("my {} playlist", "the {} playlist")
_GENERAL = ("some music", "music", "something", "something i like", "something new",
            "my favourites")
_CONTROL = ("go back", "go back a track", "skip", "skip this", "skip this one", "next one",
            "go to the next song", "go to the next track", "pause it", "stop it", "resume",
            "keep playing", "turn it off", "stop everything", "unmute", "who is this",
            "who sings this", "what album is this", "what genre is this",
            "what was the last song", "repeat on", "repeat this", "forget it", "help")
_VOLUME = ("set the volume to {}", "turn the volume to {}", "volume {}")
_LEVELS = tuple(range(0, 101, 5))
_TIMER = ("set a sleep timer for {} minutes", "sleep timer {} minutes",
          "turn off the music in {} minutes", "stop the music in {} minutes")
_MINUTES = (5, 10, 15, 20, 25, 30, 40, 45, 60, 90, 120)
_TIMER_HOUR = ("set a sleep timer for an hour", "set the sleep timer for an hour",
               "turn off the music in an hour", "stop the music in an hour")


def _fill(templates: Iterable[str], values: Iterable[object]) -> list[str]:
    return [t.format(v) for v in values for t in templates]


def _names(values: Iterable[str]) -> list[str]:
    return [" ".join(v.split()) for v in values if v and v.strip()]


@dataclass(frozen=True)
class Vocabulary:
    """What a request can be: a verb followed by one of ``objects``, or one of
    ``commands`` alone. Names keep the library's spelling ("Area 51"), which is how
    Whisper writes them."""

    objects: tuple[str, ...]
    commands: tuple[str, ...]
    verbs: tuple[str, ...] = VERBS

    @classmethod
    def build(cls, names: LibraryNames, users: Sequence[str] = (),
              playlists: Sequence[str] = (),
              credits: Iterable[tuple[str, str, str]] = ()) -> Vocabulary:
        """``credits`` are (title, album, artist) of each track, for "the song X by Y"
        and "the album X by Y"."""
        genres = [g.lower() for g in _names(names.genres)]
        credited: list[str] = []
        for title, album, artist in credits:
            if not artist.strip():
                continue
            credited += [t.format(title, artist) for t in _CREDITED if title.strip()]
            if album.strip():
                credited.append(f"the album {album} by {artist}")
        objects = (_fill(_ARTIST, _names(names.artists)) + _fill(_ALBUM, _names(names.albums))
                   + _fill(_TITLE, _names(names.titles)) + _fill(_GENRE, genres)
                   + _fill(_MOOD, _MOODS) + _fill(_DECADE, _DECADES)
                   + _fill(_YEAR, range(1950, 2030))
                   + [f"some {g} from the {d}s" for g in genres for d in _DECADES]
                   + _fill(_USER, _names(u for u in users if u != "default"))
                   + _fill(_PLAYLIST, _names(playlists)) + list(_GENERAL)
                   + _names(credited))
        commands = [*SHORT_COMMANDS, *CONTROL_PHRASES, *_CONTROL, *_fill(_VOLUME, _LEVELS),
                    *_fill(_TIMER, _MINUTES), *_TIMER_HOUR,
                    *_fill(("add this to my {} playlist",), _names(playlists))]
        return cls(tuple(dict.fromkeys(objects)), tuple(dict.fromkeys(commands)))

    def __len__(self) -> int:
        """How many phrases the vocabulary spells out."""
        return len(self.verbs) * len(self.objects) + len(self.commands)


@dataclass(eq=False)
class _Node:
    children: dict[int, _Node] = field(default_factory=dict)
    end: bool = False
    """Whether a phrase ends here."""
    then: _Node | None = None
    """A trie that may follow from here too (the objects after a verb)."""

    def add(self, tokens: Sequence[int]) -> _Node:
        node = self
        for token in tokens:
            node = node.children.setdefault(token, _Node())
        return node

    def next(self) -> Iterator[tuple[int, _Node]]:
        yield from self.children.items()
        if self.then is not None:
            yield from self.then.children.items()


class TokenTrie:
    """A :class:`Vocabulary` as token sequences sharing their prefixes. Each phrase is
    added as Whisper starts a transcript with it: a leading space, the first word
    capitalised or not."""

    def __init__(self, vocabulary: Vocabulary, encode: Callable[[str], list[int]]) -> None:
        self.root = _Node()
        objects = _Node()
        for phrase in vocabulary.objects:
            objects.add(encode(" " + phrase)).end = True
        for phrase in vocabulary.verbs:
            for spelling in (phrase, phrase[:1].upper() + phrase[1:]):
                self.root.add(encode(" " + spelling)).then = objects
        for phrase in vocabulary.commands:
            for spelling in (phrase, phrase[:1].upper() + phrase[1:]):
                self.root.add(encode(" " + spelling)).end = True


def grammar_search(trie: TokenTrie, first: Any, step: Callable[[list[int], list[int]], Any],
                   eot: int, width: int, count: int,
                   max_tokens: int = 40) -> list[tuple[list[int], float]]:
    """Beam search restricted to ``trie``: the ``count`` best complete phrases, as
    (tokens, mean log-probability per token with the end of text counted), best first.

    ``first`` holds the log-probabilities of the first token (a 1-D torch tensor or
    numpy array); ``step(tokens, sources)`` continues beam ``sources[i]`` with
    ``tokens[i]`` and returns each new beam's log-probabilities of the next token, one
    row per beam. ``width`` beams are kept per step.
    """
    beams: list[tuple[_Node, list[int], float]] = [(trie.root, [], 0.0)]
    finished: list[tuple[list[int], float]] = []
    logprobs: Any = [first]
    for _ in range(max_tokens):
        candidates: list[tuple[float, int, int, _Node]] = []
        for i, (node, seq, score) in enumerate(beams):
            moves = list(node.next())
            picked = logprobs[i][[eot, *(token for token, _ in moves)]].tolist()
            if node.end:
                finished.append((seq, (score + picked[0]) / (len(seq) + 1)))
            candidates += [(score + value, i, token, child)
                           for value, (token, child) in zip(picked[1:], moves, strict=True)]
        candidates.sort(key=lambda c: -c[0])
        kept = candidates[:width]
        if not kept:
            break
        beams = [(child, [*beams[i][1], token], score) for score, i, token, child in kept]
        logprobs = step([token for _, _, token, _ in kept], [i for _, i, _, _ in kept])
    finished.sort(key=lambda f: -f[1])
    return finished[:count]
