"""The requests Encore understands, spelt out for the household's own library.

When Whisper's transcript of a request means nothing to the parser ("Clakings to
the sunrise"), the audio is decoded again, this time only along phrases the parser
can read ("Play Kingston Sunrise"): a beam search (:func:`grammar_search`) over a
token trie of :class:`Vocabulary` phrases. The best few phrases found are then
scored one at a time against the free transcript, as command rescoring scores its
phrases (``speaker.stt.choose_grammar_phrase``), so a phrase replaces the transcript
only when the audio supports it about as well and no phrase that means something else
comes close (``stt.grammar_margin``, ``stt.grammar_rival_margin``; closer if the phrase
also looks or sounds like the transcript).

The phrases are the usual ways of asking a smart speaker for music (the music
commands Alexa and Google document), filled with the library's artists, albums,
titles and genres as the library spells them, the moods and decades the parser
knows, the household's profiles and playlists, plus the control phrasings of
:mod:`speaker.commands`. Every request verb ("play", "put on", ...) leads into one
shared trie of what can be asked for, so a large library costs one entry per name
and template, not per verb.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from recommender.records import LibraryNames
from speaker.commands import SHORT_COMMANDS
from speaker.intents_fuzzy import CONTROL_PHRASES

__all__ = ["State", "TokenTrie", "Vocabulary", "grammar_search"]

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


MAX_TOKENS = 40
"""Longest phrase searched, in tokens; longer objects (a very long title) are left out."""


def _fill(templates: Iterable[str], values: Iterable[object]) -> list[str]:
    return [t.format(v) for v in values for t in templates]


def _names(values: Iterable[str]) -> list[str]:
    return [" ".join(v.split()) for v in values if v and v.strip()]


@dataclass(frozen=True)
class Vocabulary:
    """What a request can be: a verb followed by one of ``objects``, or one of
    ``commands`` alone. Names keep the library's spelling ("Area 51"), which is how
    Whisper writes them; genres are lower-cased (words, not names: "some jazz")."""

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
                   + _fill(_USER, _names(u for u in users  # the parser reads one-word names
                                         if u != "default" and len(u.split()) == 1))
                   + _fill(_PLAYLIST, _names(playlists)) + list(_GENERAL)
                   + _names(credited))
        commands = [*SHORT_COMMANDS, *CONTROL_PHRASES, *_CONTROL, *_fill(_VOLUME, _LEVELS),
                    *_fill(_TIMER, _MINUTES), *_TIMER_HOUR,
                    *_fill(("add this to my {} playlist",), _names(playlists))]
        return cls(tuple(dict.fromkeys(objects)), tuple(dict.fromkeys(commands)))

    def __len__(self) -> int:
        """How many phrases the vocabulary spells out."""
        return len(self.verbs) * len(self.objects) + len(self.commands)


State = tuple[int, int, int, int]
"""Where a beam is in a :class:`TokenTrie`: (table, first row, end row, tokens read)."""


def _table(sequences: Sequence[Sequence[int]]) -> tuple[np.ndarray, np.ndarray]:
    """Token sequences as rows of one int32 array, padded with -1 (at least one per row)
    and sorted, so the phrases sharing a prefix are one run of rows; and the order
    (``rows[i]`` is ``sequences[order[i]]``)."""
    rows = np.full((len(sequences), max(map(len, sequences), default=0) + 1), -1, np.int32)
    for i, seq in enumerate(sequences):
        rows[i, : len(seq)] = seq
    order = np.lexsort(rows.T[::-1]) if len(rows) else np.zeros(0, np.int64)
    return rows[order], order


class TokenTrie:
    """A :class:`Vocabulary` as token sequences sharing their prefixes: two sorted
    tables, one of the verbs and commands, one of the objects every verb leads into.
    Each phrase is added as Whisper starts a transcript with it: a leading space, the
    first word capitalised or not. Each word is encoded once (Whisper's tokenizer never
    joins a space-led word to the next), so a library of 10,000 tracks takes seconds,
    not minutes, and a few megabytes."""

    def __init__(self, vocabulary: Vocabulary, encode: Callable[[str], list[int]]) -> None:
        words: dict[str, list[int]] = {}

        def tokens(phrase: str) -> list[int]:
            out: list[int] = []
            for word in phrase.split():
                if word not in words:
                    words[word] = encode(" " + word)
                out += words[word]
            return out

        def spellings(phrases: Iterable[str]) -> list[list[int]]:
            return [tokens(spelling) for p in phrases
                    for spelling in dict.fromkeys((p, p[:1].upper() + p[1:]))]

        verbs, commands = spellings(vocabulary.verbs), spellings(vocabulary.commands)
        heads, order = _table([*verbs, *commands])
        self._leads = (order < len(verbs)).astype(bool)
        """Per row of the first table: whether it is a verb (the objects follow)."""
        objects = [seq for seq in map(tokens, vocabulary.objects) if len(seq) <= MAX_TOKENS]
        self._tables = (heads, _table(objects)[0])
        self.root: State = (0, 0, len(heads), 0)
        self._objects = self._children(1, 0, len(self._tables[1]), 0)
        """Where every verb leads: the first tokens of the objects."""

    def _children(self, table: int, lo: int, hi: int, depth: int) -> list[tuple[int, State]]:
        column = self._tables[table][lo:hi, depth]
        start = int(np.searchsorted(column, 0))  # rows that end here sort first (-1)
        if start == len(column):
            return []
        cuts = [start, *(start + 1 + np.flatnonzero(np.diff(column[start:]))).tolist(),
                len(column)]
        return [(int(column[a]), (table, lo + a, lo + b, depth + 1))
                for a, b in itertools.pairwise(cuts)]

    def moves(self, state: State) -> list[tuple[int, State]]:
        """The tokens that may come next, each with the state it leads to."""
        table, lo, hi, depth = state
        moves = self._children(table, lo, hi, depth)
        ended = self._tables[table][lo:hi, depth] < 0
        if table == 0 and bool(np.any(ended & self._leads[lo:hi])):  # a verb ends here
            moves += self._objects
        return moves

    def ends(self, state: State) -> bool:
        """Whether a whole phrase ends here."""
        table, lo, hi, depth = state
        ended = self._tables[table][lo:hi, depth] < 0
        return bool(np.any(ended & ~self._leads[lo:hi])) if table == 0 else bool(np.any(ended))


def grammar_search(trie: TokenTrie, first: Any, step: Callable[[list[int], list[int]], Any],
                   eot: int, width: int, count: int,
                   max_tokens: int = MAX_TOKENS) -> list[tuple[list[int], float]]:
    """Beam search restricted to ``trie``: the ``count`` best complete phrases, as
    (tokens, mean log-probability per token with the end of text counted), best first.

    ``first`` holds the log-probabilities of the first token (a 1-D torch tensor or
    numpy array); ``step(tokens, sources)`` continues beam ``sources[i]`` with
    ``tokens[i]`` and returns each new beam's log-probabilities of the next token, one
    row per beam. ``width`` beams are kept per step.
    """
    beams: list[tuple[State, list[int], float]] = [(trie.root, [], 0.0)]
    finished: list[tuple[list[int], float]] = []
    logprobs: Any = [first]
    for _ in range(max_tokens):
        candidates: list[tuple[float, int, int, State]] = []
        for i, (state, seq, score) in enumerate(beams):
            moves = trie.moves(state)
            picked = logprobs[i][[eot, *(token for token, _ in moves)]].tolist()
            if trie.ends(state):
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
