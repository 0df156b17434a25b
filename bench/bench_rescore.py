"""Command rescoring: how often it rescues a garbled command, and how often it invents one.

When the parser understands nothing of a transcript, Encore rescores it against
the control phrases (``speaker.commands``) and keeps the best phrase if it is
within ``stt.rescore_margin`` nats per token of the free transcript. This bench
chooses that margin on its own material, never on the recorded corpus:

* commands: control requests phrased several ways, spoken by espeak-ng voices
  that the recorded corpus and the STT bench set do not use;
* out of domain: things people say to a speaker that are not music commands
  (weather, alarms, lights, questions, false starts), same voices. Any of these
  turned into a command is a wrong action.

For each margin (and each similarity floor, ``--floors``; rival margin
``--rival``) it reports commands rescued (unknown -> the right intent), commands
misled (unknown -> a wrong intent) and out-of-domain requests turned into a
command. Run: ``python -m bench.bench_rescore [--floors 0 60] [--rival 0.3] [--json]``.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from dataclasses import dataclass

from bench.voices import VOICES, Voice, speak
from bench.wake_audio import NEGATIVE_VOICES

__all__ = ["COMMANDS", "DEV_VOICES", "OUT_OF_DOMAIN", "main"]

DEV_VOICES: tuple[Voice, ...] = (
    *NEGATIVE_VOICES[len(VOICES):],  # the wake bench's extra voices: en-us-nyc, gbclan, ...
    Voice("en-us+m1", 150),
    Voice("en-gb+m4", 180, 45),
)
"""Not used by bench/voices.py VOICES (the corpus and the STT set)."""

COMMANDS: tuple[str, ...] = (
    "pause", "pause it", "stop", "stop the music please", "resume", "carry on playing",
    "skip", "next track", "go back a song", "turn it up", "turn the volume down",
    "louder", "quieter", "mute", "what's playing", "what song is this", "i like this",
    "i don't like this song", "shuffle on", "repeat this song", "more like this",
    "set a sleep timer for thirty minutes", "cancel the sleep timer", "set the volume to forty",
)

OUT_OF_DOMAIN: tuple[str, ...] = (
    "what's the weather like tomorrow", "set an alarm for seven in the morning",
    "turn on the kitchen lights", "tell me a joke", "what time is it",
    "add milk to the shopping list", "how tall is mount everest", "call my mother",
    "remind me to water the plants", "who won the game last night", "um never mind",
    "hang on a second", "what's the capital of france", "how do you spell necessary",
    "open the garage door", "is it going to rain today",
)

MARGINS = (0.0, 0.25, 0.5, 0.75, 1.0, 1.25, 1.5, 2.0)


@dataclass(frozen=True)
class Case:
    text: str
    voice: str
    expected: str
    """The intent the text means ("unknown" for out of domain)."""
    heard: str
    free_score: float
    phrases: tuple[str, ...]
    """Offered phrases (empty when the free transcript was understood)."""
    scores: tuple[float, ...]


def _cases() -> list[Case]:
    from speaker.commands import command_phrases
    from speaker.config import load
    from speaker.intents import parse
    from speaker.stt import Transcriber

    settings = load()
    stt = Transcriber(settings.stt, settings.data.models_dir)
    cases: list[Case] = []
    for voice in DEV_VOICES:
        for text in (*COMMANDS, *OUT_OF_DOMAIN):
            audio = speak(text, voice)
            heard = stt.transcribe(audio).text
            phrases = tuple(command_phrases(heard))
            scores = stt.phrase_scores(audio, [heard, *phrases]) if phrases else [0.0]
            expected = parse(text).intent if text in COMMANDS else "unknown"
            cases.append(Case(text, voice.label, expected, heard, scores[0], phrases,
                              tuple(scores[1:])))
    return cases


def _outcomes(cases: Sequence[Case], margin: float, floor: float = 0.0,
              rival: float = 0.0) -> dict[str, int]:
    """What rescoring does at ``margin`` when only phrases at least ``floor`` alike the
    free transcript compete (``stt.rescore_min_similarity``) and the best must lead
    phrases meaning something else by ``rival`` (``stt.rescore_rival_margin``)."""
    from speaker.commands import meaning
    from speaker.intents import clean, parse
    from speaker.intents_fuzzy import similarity
    from speaker.stt import choose_phrase

    out = {"understood": 0, "rescued": 0, "misled": 0, "left_unknown": 0, "invented": 0}
    for case in cases:
        if not case.phrases:
            if case.expected != "unknown":
                out["understood"] += parse(case.heard).intent == case.expected
            continue
        kept = [i for i, p in enumerate(case.phrases) if similarity(clean(case.heard), p) >= floor]
        chosen = choose_phrase(case.free_score, [case.phrases[i] for i in kept],
                               [case.scores[i] for i in kept], margin, rival, meaning)
        intent = parse(chosen).intent if chosen else "unknown"
        if case.expected == "unknown":
            out["invented"] += intent != "unknown"
        elif intent == case.expected:
            out["rescued"] += 1
        elif intent == "unknown":
            out["left_unknown"] += 1
        else:
            out["misled"] += 1
    return out


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--floors", type=float, nargs="+", default=[0.0, 60.0],
                        help="similarity floors (stt.rescore_min_similarity) to tabulate")
    parser.add_argument("--rival", type=float, default=0.0,
                        help="rival margin (stt.rescore_rival_margin), nats per token")
    args = parser.parse_args(list(argv) if argv is not None else None)
    cases = _cases()
    table = {(m, f): _outcomes(cases, m, f, args.rival) for f in args.floors for m in MARGINS}
    n_cmd = sum(c.expected != "unknown" for c in cases)
    n_ood = len(cases) - n_cmd
    if args.json:
        print(json.dumps({"commands": n_cmd, "out_of_domain": n_ood,
                          "rules": [{"margin": m, "floor": f, **v}
                                    for (m, f), v in table.items()]}))
        return 0
    print(f"{n_cmd} commands, {n_ood} out-of-domain requests, {len(DEV_VOICES)} voices\n")
    print("| margin (nats/token) | similarity floor | understood | rescued | misled "
          "| still unknown | out of domain made a command |")
    print("|---|---|---|---|---|---|---|")
    for (m, f), v in table.items():
        print(f"| {m:g} | {f:g} | {v['understood']} | {v['rescued']} | {v['misled']} | "
              f"{v['left_unknown']} | {v['invented']} / {n_ood} |")
    print("\nGarbled (offered phrases):")
    for c in cases:
        if c.phrases:
            best = max(range(len(c.phrases)), key=lambda i: c.scores[i])
            print(f"  [{c.voice}] {c.text!r} heard {c.heard!r} ({c.free_score:.2f}) best "
                  f"{c.phrases[best]!r} ({c.scores[best]:.2f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
