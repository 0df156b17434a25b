"""The tuning benches replay the product's own rules on recorded scores."""

from __future__ import annotations

from typing import Any

from bench import tune_grammar, tune_rehearing, tune_rescore


def _clip(expected: str, observed: str, calls: list[dict[str, Any]]) -> dict[str, Any]:
    return {"file": "c.flac", "kind": "positive", "expected": {"intent": expected, "slots": {}},
            "intent": observed, "calls": calls}


GARBLED = {"text": "Premium Strag", "lead": "", "free": -2.0,
           "scores": {"previous track": -2.3, "skip this track": -2.4, "thumbs down": -1.9}}


def test_rescoring_replay_applies_the_similarity_floor_and_the_rival_margin() -> None:
    clip = _clip("previous", "unknown", [GARBLED])
    # Without a floor the garbled audio fits "thumbs down" best: a wrong action.
    assert tune_rescore.decide(clip, 0.75, 0.0, 0.0) == "dislike"
    # With it only "previous track" and "skip this track" compete; 0.1 apart.
    assert tune_rescore.decide(clip, 0.75, 60.0, 0.0) == "previous"
    assert tune_rescore.decide(clip, 0.75, 60.0, 0.3) == "unknown"  # too close: ask again
    assert tune_rescore.decide(clip, 0.2, 60.0, 0.0) == "unknown"  # beyond the margin


def test_rescoring_sweep_counts_rescues_and_wrong_actions() -> None:
    rows = tune_rescore.sweep([_clip("previous", "unknown", [GARBLED])])
    by_rule = {(r["margin"], r["floor"], r["rival"]): r for r in rows}
    assert by_rule[(0.75, 0.0, 0.0)]["wrong"] == 1
    assert by_rule[(0.75, 60.0, 0.0)]["right"] == 1
    assert by_rule[(0.75, 60.0, 0.3)]["right"] == 0 == by_rule[(0.75, 60.0, 0.3)]["wrong"]


def test_second_model_sweep_keeps_only_sure_readable_transcripts() -> None:
    clips: list[dict[str, Any]] = [
        {"kind": "positive", "expected": "pause",
         "second": {"text": "Pause.", "logprob": -0.2, "intent": "pause"}},
        {"kind": "positive", "expected": "play",
         "second": {"text": "Turn it up.", "logprob": -0.7, "intent": "volume_up"}},
        {"kind": "negative", "expected": None,
         "second": {"text": "Stop.", "logprob": -1.2, "intent": "stop"}},
        {"kind": "positive", "expected": "next"},  # the first model understood it
    ]
    rows = {r["min_logprob"]: r for r in tune_rehearing.sweep(clips)}
    assert (rows[-0.4]["rescued"], rows[-0.4]["wrong"], rows[-0.4]["negatives_acted"]) == (1, 0, 0)
    assert (rows[-0.8]["rescued"], rows[-0.8]["wrong"]) == (1, 1)
    assert rows[-1.5]["negatives_acted"] == 1


def test_rehearing_sweep_of_one_kind_after_another() -> None:
    clips: list[dict[str, Any]] = [
        {"kind": "positive", "expected": "stop",  # both would rescue it: the first does
         "unprompted": {"text": "Stop everything.", "logprob": -0.8, "intent": "stop"},
         "second": {"text": "Stop.", "logprob": -0.1, "intent": "stop"}},
        {"kind": "positive", "expected": "pause",  # the first is unsure at -1.0
         "unprompted": {"text": "Pause it.", "logprob": -1.3, "intent": "pause"},
         "second": {"text": "Pause.", "logprob": -0.2, "intent": "pause"}},
    ]
    alone = {r["min_logprob"]: r for r in tune_rehearing.sweep(clips, "unprompted")}
    assert alone[-1.0]["rescued"] == 1 and alone[-1.5]["rescued"] == 2
    after = {r["min_logprob"]: r for r in
             tune_rehearing.sweep(clips, "second", after=("unprompted", -1.0))}
    assert after[-0.4]["rescued"] == 1  # only the clip the first left unread
    assert tune_rehearing._after("unprompted:-1.0") == ("unprompted", -1.0)


def _searched(expected: dict[str, Any] | None, calls: list[dict[str, Any]],
              kind: str = "positive") -> dict[str, Any]:
    return {"file": "g.flac", "kind": kind, "expected": expected, "intent": "unknown",
            "slots": {}, "calls": calls}


KINGSTON = {"text": "Clakings to the sunrise.", "free": -1.5,
            "scores": {"Play Kingston Sunrise": -1.9, "Can you play Kingston Sunrise": -2.0,
                       "I don't like this": -2.6}}


def test_grammar_replay_applies_the_margin_and_the_rival_margin() -> None:
    clip = _searched({"intent": "play", "slots": {"artist": "kingston sunrise"}}, [KINGSTON])
    # Both "play" phrases mean the same; the nearest rival trails by 0.7 nats/token.
    intent, slots, chosen = tune_grammar.decide(clip, tune_grammar.rule(0.75, 0.5))
    assert (intent, slots, chosen) == ("play", {"artist": "kingston sunrise"},
                                       "Play Kingston Sunrise")
    rule = tune_grammar.rule
    assert tune_grammar.decide(clip, rule(0.75, 1.0))[2] == ""  # not clear enough of the rival
    assert tune_grammar.decide(clip, rule(0.25, 0.5))[2] == ""  # too far below the transcript
    assert tune_grammar.decide(clip, rule(0.75, 0.5), searches=0)[2] == ""


def test_grammar_replay_lets_a_phrase_like_the_transcript_lead_by_less() -> None:
    clip = _searched({"intent": "play", "slots": {"artist": "kingston sunrise"}}, [KINGSTON])
    # "Clakings to the sunrise" and "play kingston sunrise" are 77 % alike (words or sounds).
    assert tune_grammar.decide(clip, tune_grammar.rule(0.75, 1.0, 0.5, 70.0))[2] != ""
    assert tune_grammar.decide(clip, tune_grammar.rule(0.75, 1.0, 0.5, 80.0))[2] == ""
    assert tune_grammar.decide(clip, tune_grammar.rule(0.75, 1.0, 0.8, 70.0))[2] == ""


def test_grammar_sweep_counts_rescues_wrong_actions_and_negatives() -> None:
    clips = [_searched({"intent": "play", "slots": {"artist": "kingston sunrise"}}, [KINGSTON]),
             _searched({"intent": "pause", "slots": {}}, [KINGSTON]),
             _searched(None, [KINGSTON], kind="negative")]
    rows = {(r["margin"], r["rival"]): r for r in tune_grammar.sweep(clips)
            if r["similarity"] > 100}
    row = rows[(0.75, 0.5)]
    assert (row["rescued"], row["wrong"], row["negatives_acted"]) == (1, 1, 1)
    assert rows[(0.75, 1.0)]["rescued"] == 0 == rows[(0.75, 1.0)]["wrong"]
    similar = {(r["similar_rival"], r["similarity"]): r for r in tune_grammar.sweep(clips)
               if r["similarity"] <= 100}
    assert similar[(0.5, 70.0)]["rescued"] == 1 and similar[(0.5, 70.0)]["margin"] == 0.75
    assert similar[(0.5, 70.0)]["rival"] == 1.5


def test_the_mel_bonus_replay_adds_the_bonus_to_the_shipped_check() -> None:
    from bench.wake_mel_bonus import accepts
    from speaker.config import WakeSettings

    shipped = WakeSettings()  # margin + 2 x head >= -2.0
    only_mel = (0.02, 0.0, 1.0, -2.74)  # a candidate only the mel network was sure of
    assert not accepts(only_mel, 0.0, shipped) and not accepts(only_mel, 0.6, shipped)
    assert accepts(only_mel, 0.75, shipped)
    assert accepts((0.9, 0.5, 0.0, -2.9), 0.0, shipped)  # the head's bonus as shipped


def test_the_unknown_names_corpus_expects_what_the_parser_reads() -> None:
    from bench.make_unknown_names import REQUESTS
    from speaker.intents import parse

    for text, slots in REQUESTS:
        assert (parse(text).intent, parse(text).slots) == ("play", slots), text


def test_the_mel_bonus_replay_counts_what_each_bonus_would_accept_on_negatives() -> None:
    from bench.wake_mel_bonus import false_accepts
    from speaker.config import WakeSettings

    runs = [{"hours": 10.0, "candidates": [[0.002, 0.98, 0.73, -3.83],  # accepted as shipped
                                           [0.01, 0.0, 1.0, -3.2], [0.0, 0.1, 0.9, -4.5]]},
            {"hours": 5.0, "candidates": []}]
    assert false_accepts(runs, 0.0, WakeSettings()) == (1, 15.0)
    assert false_accepts(runs, 1.3, WakeSettings()) == (2, 15.0)  # -3.2 + 1.3 > -2.0
