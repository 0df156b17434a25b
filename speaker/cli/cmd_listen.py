"""``encore listen``: print wake-word detections and the transcripts of the requests after them.

For trying the front end on a Pi: microphone (or files with ``--input``) ->
wake word -> end of speech -> Whisper, one line per event. Nothing is played
and no intent is acted on.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from speaker.config import Settings

if TYPE_CHECKING:
    from speaker.wakeword import Detection


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "listen", help="print wake-word detections and transcripts from the microphone")
    parser.add_argument("--input", nargs="+", type=Path, metavar="FILE",
                        help="read these WAV/FLAC/OGG files instead of the microphone")
    parser.add_argument("--gap-s", type=float, default=2.0, metavar="SECONDS",
                        help="silence after each input file, in seconds (default 2)")
    parser.add_argument("--realtime", action="store_true",
                        help="pace --input files in real time like a microphone")
    parser.add_argument("--no-transcribe", action="store_true",
                        help="only print detections and request lengths (no Whisper)")
    parser.set_defaults(handler=_listen)


def _stamp(t_s: float) -> str:
    return f"[{t_s:8.2f} s]"


def _scores(detection: Detection) -> str:
    """The detection's scores: the stock model's, then the music networks' if on."""
    return (f"score {detection.score:.2f}, head {detection.head_score:.2f}, "
            f"mel {detection.mel_score:.2f}")


def _listen(args: argparse.Namespace, settings: Settings) -> int:
    from speaker.audio import Source, WavSource
    from speaker.devices import MicrophoneSource
    from speaker.vad import RequestCapture
    from speaker.wake_gate import WakeGate, run_now
    from speaker.wake_verify import WakeVerifier
    from speaker.wakeword import WakeWordDetector

    source: Source
    if args.input:
        source = WavSource(args.input, gap_s=args.gap_s, realtime=args.realtime)
    else:
        source = MicrophoneSource(settings.audio.input_device)
    with source:
        detector = WakeWordDetector(settings.wake)
        capture = RequestCapture(settings.vad)
        transcriber: Any = None
        verifier: WakeVerifier | None = None
        if not args.no_transcribe:
            from speaker.stt import Transcriber

            transcriber = Transcriber(settings.stt, settings.data.models_dir)
            if settings.wake.verify:
                verifier = WakeVerifier(transcriber, settings.wake, detector.name)
        elif settings.wake.verify:
            print("Wake check off with --no-transcribe: detections are the first stage "
                  "alone (more false wakes than the speaker has).", flush=True)
        gate = WakeGate(detector, verifier, run_now, settings.wake.verify_window_s)
        where = "the input files" if args.input else "the microphone"
        print(f"Listening on {where} for '{detector.name}' "
              f"(threshold {settings.wake.threshold}); Ctrl-C stops.", flush=True)
        current = ""
        for frame in source.frames():
            if frame.input != current and args.input:
                current = frame.input
                print(f"{_stamp(frame.t_s)} file {current}", flush=True)
            if capture.active:
                result = capture.feed(frame)
                if result is None:
                    continue
                if result.timed_out:
                    print(f"{_stamp(result.end_t_s)} no request heard "
                          f"(nothing within {settings.vad.start_timeout_s:g} s)", flush=True)
                    continue
                cut = " (cut at vad.max_request_s)" if result.truncated else ""
                if transcriber is None:
                    print(f"{_stamp(result.end_t_s)} request of {result.speech_s:.2f} s{cut}",
                          flush=True)
                    continue
                started = time.perf_counter()
                text = transcriber.transcribe(result.audio).text
                took = time.perf_counter() - started
                print(f"{_stamp(result.end_t_s)} request of {result.speech_s:.2f} s{cut}: "
                      f"{text!r} (transcribed in {took:.2f} s)", flush=True)
                continue
            detection = gate.listen(frame)
            if detection is not None and gate.enabled:
                verdict = gate.check_now(detection).verdict
                if not verdict.accepted:
                    print(f"{_stamp(detection.t_s)} {detection.model} fired ({_scores(detection)})"
                          f" but Whisper did not hear it (margin "
                          f"{verdict.margin:.2f}, with the head's bonus {verdict.score:.2f} < "
                          "wake.verify_margin)", flush=True)
                    continue
            if detection is not None:
                gate.ring.clear()
                print(f"{_stamp(detection.t_s)} wake word {detection.model} "
                      f"({_scores(detection)})", flush=True)
                capture.start(detection.t_s)
    return 0
