"""Would a second, stricter tier for weak first-stage scores rescue missed wake words?

Replays ``bench/calibrate_wake_verify.py``'s cached training material (run it once with
``--cache DIR``) through :class:`speaker.wakeword.Trigger` with a lower music-head
threshold. Candidates the shipped first stage would also pass (stock >= 0.5 or head >=
0.9) are judged by the shipped rule; the extra ones only by Whisper's check margin
against a strict bar. Prints the false-reject rates per condition and the false
accepts for each (head threshold, bar). Run:

    python -m bench.wake_two_tier --cache DIR
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from bench.calibrate_wake_verify import CONDITIONS, _Clip, _load_clips, _Margins, _replay
from speaker.config import SttSettings, WakeSettings, load
from speaker.stt import Transcriber
from speaker.wake_verify import combined_score, wake_spellings

TIERS = ((0.9, 0.0), (0.7, -0.5), (0.7, -1.0), (0.5, -0.5), (0.5, -1.0), (0.5, -1.5),
         (0.3, -0.5), (0.3, -1.0))


def replay(clips: Sequence[_Clip], margins: _Margins, settings: WakeSettings, head_t: float,
           bar: float) -> tuple[list[float], int, int]:
    """(FRR per condition, false accepts, Whisper checks run) for one second tier."""

    def accept(stock: float, head: float, margin: float) -> bool:
        if stock >= settings.threshold or head >= settings.music_head_threshold:
            return combined_score(margin, head, settings.verify_head_bonus) >= (
                settings.verify_margin)
        return margin >= bar

    config = (settings.threshold, head_t, bar, 0.0)
    hits, false_accepts, _, _, checks = _replay(clips, margins, config, settings.refractory_s,
                                                accept)
    positives = sum(1 for c in clips if c.group == CONDITIONS[0][0])
    return [1 - hits.get(n, 0) / positives for n, _ in CONDITIONS], false_accepts, checks


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cache", type=Path, required=True,
                        help="the folder calibrate_wake_verify --cache filled")
    args = parser.parse_args(argv)
    clips = _load_clips(args.cache / "clips.npz")
    settings = WakeSettings()
    stt = Transcriber(SttSettings(), load().data.models_dir)
    margins = _Margins(stt, wake_spellings("hey_jarvis"), settings.verify_window_s)
    if (args.cache / "margins.npz").is_file():
        margins.load(args.cache / "margins.npz")
    print("| second-tier head threshold | bar | " + " | ".join(f"FRR {n}" for n, _ in CONDITIONS)
          + " | false accepts | checks |")
    print("|---|---|" + "---|" * len(CONDITIONS) + "---|---|")
    for head_t, bar in TIERS:
        rates, false_accepts, checks = replay(clips, margins, settings, head_t, bar)
        shown = "shipped only" if head_t >= settings.music_head_threshold else f"{bar:g}"
        print(f"| {head_t:g} | {shown} | " + " | ".join(f"{100 * r:.1f} %" for r in rates)
              + f" | {false_accepts} | {checks} |", flush=True)
    margins.save(args.cache / "margins.npz")
    return 0


if __name__ == "__main__":
    sys.exit(main())
