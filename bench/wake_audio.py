"""Audio for the wake-word benches: synthesised music, mixing, and the negative stream.

:func:`synth_music` (drums, bass, chords and a vibrato lead) and
:func:`mix_speech_music` make the "over music" conditions; :func:`negative_audio`
is the long stream of speech without the wake word (with sound-alike names, some
over music) and music alone that false accepts are counted on.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from bench.voices import VOICES, Voice, speak
from speaker.audio import RATE_HZ

__all__ = ["NEGATIVE_VOICES", "mix_speech_music", "negative_audio", "synth_music"]


NEGATIVE_VOICES: tuple[Voice, ...] = (
    *VOICES,
    Voice("en-us-nyc", 170),
    Voice("en-gb-x-gbclan", 155),
    Voice("en-gb-x-gbcwmd", 160),
    Voice("en-us+f4", 175, 65),
)

_SUBJECTS = ("my sister", "the neighbour", "our teacher", "the old man", "a friend of mine",
             "the band", "Harvey", "Alexis", "Alessia", "the driver", "my boss", "Marvin",
             "the children", "Jared", "Travis", "the service", "everyone at work")
_VERBS = ("said that", "thinks that", "told me that", "wrote that", "heard that",
          "asked whether", "wondered if", "promised that", "complained that")
_CLAUSES = ("the harvest was late this year", "the train will arrive at nine",
            "hey there is some music playing next door", "the jazz club closed on Tuesday",
            "the garden needs more water", "the concert was sold out",
            "play time is over for today", "the radio was far too loud",
            "the market opens early on Saturday", "service is included in the bill",
            "the jarring noise came from the kitchen", "nobody remembers the lyrics",
            "the guitar needs new strings", "a hard rain is going to fall",
            "the hay is stacked in the barn", "the marvellous view was worth it",
            "hey you should call your mother", "the album sounds better on vinyl",
            "the weather will turn cold tonight", "the volume knob is broken",
            "the carpenter fixed the door", "the party starts at eight",
            "the harvest festival had a brass band", "heavy traffic blocked the road")
_STANDALONE = ("hey there, play some music", "play some music please", "next song",
               "turn the volume down", "what time is it", "harvest moon by neil young",
               "hey, are you listening to me", "stop the music", "is anybody home",
               "hey mister, can you help me", "alexander played the piano",
               "the jar is on the shelf", "have you seen my keys", "hey jude is a song",
               "hey guys, dinner is ready", "service with a smile", "his name is Harvey",
               "they bought a new car", "a jarvis-free sentence about harvest")


def synth_music(seconds: float, seed: int = 0, rate_hz: int = RATE_HZ) -> np.ndarray:
    """Synthetic instrumental music, float32 mono peaking at 0.7.

    Drums (noise snare and hats, sine kick), a bass line, sustained chords and a
    vibrato lead that sounds a little like singing; tempo, key and timbres come
    from ``seed``.
    """
    rng = np.random.default_rng(seed)
    n = int(seconds * rate_hz)
    out = np.zeros(n, dtype=np.float64)
    beat = 60.0 / float(rng.uniform(70, 150))
    root = float(rng.uniform(40, 55))
    scale = np.array([0, 2, 4, 5, 7, 9, 11])
    progression = rng.choice([0, 3, 4, 5], size=16)
    timbre = rng.uniform(0.1, 1, 6) / np.arange(1, 7)
    lead_timbre = rng.uniform(0.2, 1, 8) / np.arange(1, 9)

    def midi_hz(m: float) -> float:
        return 440.0 * 2 ** ((m - 69) / 12)

    def tone(freq: float, dur_s: float, harmonics: np.ndarray | list[float], decay: float,
             vibrato: float = 0.0) -> np.ndarray:
        t = np.arange(int(dur_s * rate_hz)) / rate_hz
        phase = 2 * np.pi * freq * t + vibrato * np.sin(2 * np.pi * 5.5 * t) / 5.5
        sig = sum(a * np.sin((k + 1) * phase) for k, a in enumerate(harmonics))
        return np.asarray(sig * np.minimum(1, t / 0.01) * np.exp(-t * decay))

    def add(start: int, sig: np.ndarray, gain: float) -> None:
        sig = sig[: max(0, n - start)]
        out[start : start + len(sig)] += gain * sig

    t_s, i = 0.0, 0
    while t_s < seconds:
        s = int(t_s * rate_hz)
        degree = int(progression[(i // 4) % 16])
        if i % 2 == 0:
            add(s, tone(55, 0.25, [1.0], 18), 0.8)
        else:
            m = int(0.15 * rate_hz)
            add(s, rng.standard_normal(m) * np.exp(-np.arange(m) / rate_hz * 30), 0.3)
        m = int(0.05 * rate_hz)
        add(s + int(beat / 2 * rate_hz),
            rng.standard_normal(m) * np.exp(-np.arange(m) / rate_hz * 80), 0.1)
        add(s, tone(midi_hz(root + scale[degree % 7]), beat, [1, 0.5, 0.3], 3), 0.5)
        if i % 4 == 0:
            for d in (0, 2, 4):
                deg = degree + d
                add(s, tone(midi_hz(root + 24 + scale[deg % 7] + 12 * (deg // 7)), 4 * beat,
                            timbre, 0.8), 0.2)
        if rng.random() < 0.7:
            deg = int(rng.integers(0, 10))
            dur = beat * float(rng.choice([0.5, 1, 2]))
            add(s, tone(midi_hz(root + 36 + scale[deg % 7] + 12 * (deg // 7)), dur,
                        lead_timbre, 2, vibrato=6), 0.25)
        t_s += beat
        i += 1
    out /= max(float(np.max(np.abs(out))), 1e-9)
    return (0.7 * out).astype(np.float32)


def mix_speech_music(speech: np.ndarray, music: np.ndarray, snr_db: float | None,
                     lead_s: float = 1.0, tail_s: float = 1.0) -> np.ndarray:
    """``speech`` with ``lead_s``/``tail_s`` of padding, music underneath at ``snr_db``.

    The SNR compares the power of the speech itself (not of the padding) with
    the music's; ``snr_db=None`` gives clean speech with silent padding.
    """
    lead, tail = int(lead_s * RATE_HZ), int(tail_s * RATE_HZ)
    padded = np.concatenate([np.zeros(lead, np.float32), speech, np.zeros(tail, np.float32)])
    if snr_db is None:
        return padded
    bg = np.tile(music, int(np.ceil(len(padded) / len(music))))[: len(padded)]
    p_speech = float(np.mean(speech.astype(np.float64) ** 2)) or 1e-12
    p_music = float(np.mean(bg.astype(np.float64) ** 2)) or 1e-12
    mixed = padded + np.sqrt(p_speech / (p_music * 10 ** (snr_db / 10))) * bg
    peak = float(np.max(np.abs(mixed)))
    return (mixed * (0.95 / peak) if peak > 0.95 else mixed).astype(np.float32)


def _negative_sentences(rng: np.random.Generator, count: int) -> list[str]:
    out = []
    for _ in range(count):
        if rng.random() < 0.3:
            out.append(str(rng.choice(_STANDALONE)))
        else:
            out.append(f"{rng.choice(_SUBJECTS)} {rng.choice(_VERBS)} {rng.choice(_CLAUSES)}")
    return out


def negative_audio(rng: np.random.Generator, speech_minutes: float,
                   music_minutes: float) -> Iterator[tuple[np.ndarray, bool]]:
    """The negative stream, chunk by chunk: (float audio, is speech). Sentences without
    the wake word (a quarter over music at 15 dB, a quarter at 5 dB), then music alone."""
    speech_s = 0.0
    batch = 0
    while speech_s < speech_minutes * 60:
        voice = NEGATIVE_VOICES[batch % len(NEGATIVE_VOICES)]
        text = ". ".join(_negative_sentences(rng, 8)) + "."
        audio = speak(text, voice)
        snr = (None, None, 15.0, 5.0)[batch % 4]
        if snr is not None:
            music = synth_music(len(audio) / RATE_HZ + 1, int(rng.integers(1 << 30)))
            audio = mix_speech_music(audio, music, snr, lead_s=0.5, tail_s=0.5)
        else:
            audio = np.concatenate([audio, np.zeros(RATE_HZ // 2, np.float32)])
        yield audio, True
        speech_s += len(audio) / RATE_HZ
        batch += 1
    music_s = 0.0
    while music_s < music_minutes * 60:
        yield synth_music(60.0, int(rng.integers(1 << 30))) * float(rng.uniform(0.3, 1.0)), False
        music_s += 60.0
