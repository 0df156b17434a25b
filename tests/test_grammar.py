"""The grammar search's vocabulary and its beam search over a token trie."""

from __future__ import annotations

import numpy as np
import pytest

from recommender.records import LibraryNames
from speaker.grammar import TokenTrie, Vocabulary, grammar_search
from speaker.intents import parse

NAMES = LibraryNames(artists=("Area 51", "Kingston Sunrise", "Delta Jim Porter"),
                     albums=("Island Time", "Streetlight Fever"),
                     titles=("Orbit", "Highway Ghost"),
                     genres=("Jazz", "Hip Hop", "Reggae"))


@pytest.fixture(scope="module")
def vocabulary() -> Vocabulary:
    return Vocabulary.build(NAMES, users=["default", "alex"], playlists=["running"],
                            credits=[("Highway Ghost", "Island Time", "Area 51")])


def test_every_request_the_grammar_spells_out_is_understood_by_the_parser(
        vocabulary: Vocabulary) -> None:
    for verb in vocabulary.verbs:
        for obj in vocabulary.objects:
            assert parse(f"{verb} {obj}").intent in ("play", "play_similar"), (verb, obj)
    for command in vocabulary.commands:
        assert parse(command).intent != "unknown", command
    assert len(vocabulary) == len(vocabulary.verbs) * len(vocabulary.objects) + len(
        vocabulary.commands)


@pytest.mark.parametrize(("verb", "obj", "slots"), [
    ("play", "Kingston Sunrise", {"artist": "kingston sunrise"}),
    ("put on", "the album Island Time", {"album": "island time"}),
    ("play", "the song Highway Ghost", {"track": "highway ghost"}),
    ("i want to hear", "some hip hop", {"genre": "hip hop"}),
    ("play", "music that alex likes", {"user": "alex"}),
    ("play", "my running playlist", {"playlist": "running"}),
    ("play", "Highway Ghost by Area 51", {"track": "highway ghost", "artist": "area 51"}),
    ("play", "the album Island Time by Area 51", {"album": "island time", "artist": "area 51"}),
])
def test_library_names_keep_their_spelling_and_read_as_their_kind(
        vocabulary: Vocabulary, verb: str, obj: str, slots: dict[str, str]) -> None:
    assert verb in vocabulary.verbs and obj in vocabulary.objects
    assert parse(f"{verb} {obj}").slots == slots


def test_the_household_profile_is_not_offered_as_a_listener(vocabulary: Vocabulary) -> None:
    assert not any("default" in obj for obj in vocabulary.objects)
    assert "set the volume to 45" in vocabulary.commands
    assert "add this to my running playlist" in vocabulary.commands


class WordModel:
    """A stand-in for Whisper: one token per word, sure of ``said`` and, at every step,
    surer still of a word no phrase contains."""

    def __init__(self, said: str) -> None:
        self.ids: dict[str, int] = {"<eot>": 0, " zebra": 1}
        self.said = self.encode(" " + said)

    def encode(self, text: str) -> list[int]:
        return [self.ids.setdefault(" " + word, len(self.ids)) for word in text.split()]

    def row(self, seq: list[int]) -> np.ndarray:
        row = np.full(1024, -12.0)
        row[1] = -0.01  # the model's favourite, outside the grammar
        if seq == self.said:
            row[0] = -0.1
        elif seq == self.said[: len(seq)]:
            row[self.said[len(seq)]] = -0.2
        return row

    def search(self, trie: TokenTrie, width: int = 4) -> list[tuple[str, float]]:
        beams: list[list[int]] = [[]]

        def step(tokens: list[int], sources: list[int]) -> np.ndarray:
            beams[:] = [[*beams[s], t] for t, s in zip(tokens, sources, strict=True)]
            return np.stack([self.row(b) for b in beams])

        words = {i: w for w, i in self.ids.items()}
        found = grammar_search(trie, self.row([]), step, eot=0, width=width, count=3)
        return [("".join(words[t] for t in tokens).strip(), score) for tokens, score in found]


@pytest.mark.parametrize("said", ["Put on Kingston Sunrise", "play the album Island Time",
                                  "Thumbs down", "set the volume to 45"])
def test_the_search_finds_what_was_said_and_nothing_outside_the_grammar(
        vocabulary: Vocabulary, said: str) -> None:
    model = WordModel(said)
    trie = TokenTrie(vocabulary, model.encode)
    found = model.search(trie)
    assert found[0][0] == said
    assert found[0][1] == pytest.approx(-(0.2 * len(said.split()) + 0.1)
                                        / (len(said.split()) + 1))
    assert all("zebra" not in text for text, _ in found)
    assert all(parse(text).intent != "unknown" for text, _ in found)


def test_a_phrase_outside_the_vocabulary_is_never_found(vocabulary: Vocabulary) -> None:
    model = WordModel("play the weather forecast")
    found = model.search(TokenTrie(vocabulary, model.encode))
    assert found and "play the weather forecast" not in [text for text, _ in found]
    assert all(score < -5.0 for _, score in found)  # the grammar's best fit is poor


def test_a_verb_leads_into_every_object(vocabulary: Vocabulary) -> None:
    for said in ("Can you play some songs by Area 51", "I'd like to hear songs from 1988"):
        model = WordModel(said)
        assert model.search(TokenTrie(vocabulary, model.encode))[0][0] == said


def test_a_verb_is_no_request_by_itself_but_leads_to_objects_and_commands_alike() -> None:
    vocabulary = Vocabulary(objects=("jazz", "the album Blue"), commands=("play the next song",),
                            verbs=("play",))
    for said in ("play jazz", "Play the album Blue", "play the next song"):
        model = WordModel(said)
        assert model.search(TokenTrie(vocabulary, model.encode))[0][0] == said
    model = WordModel("play")
    assert "play" not in [text for text, _ in model.search(TokenTrie(vocabulary, model.encode))]


def test_each_word_is_encoded_once() -> None:
    calls: list[str] = []
    model = WordModel("")

    def encode(text: str) -> list[int]:
        calls.append(text)
        return model.encode(text)

    names = [f"Band {i}" for i in range(50)]
    TokenTrie(Vocabulary.build(LibraryNames(tuple(names), (), (), ())), encode)
    assert len(calls) == len(set(calls))
    assert calls.count(" Band") == 1
