"""Training material for the wake-word music head: voices, texts, music and noise.

Nothing here overlaps the test material (see :mod:`bench.train_wake_head`): the
voices combine espeak-ng base voices with variants no test uses, the texts are
this module's own, and :func:`train_music` is a different generator from the
bench's ``synth_music``.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy.signal import lfilter

from bench.voices import VOICES, Voice, speak
from speaker.audio import RATE_HZ

__all__ = ["BASES", "CONFUSABLE_NAMES", "HELD_OUT_NAMES", "NEG_TEXT", "REQUESTS",
           "TEST_VARIANTS", "TRAIN_NAMES", "TRAIN_VARIANTS", "WAKE_FORMS", "background", "mix",
           "noise", "train_music", "train_voices", "wake_speech"]


BASES = ("en-us", "en-gb", "en-gb-scotland", "en-gb-x-rp", "en-029", "en-us-nyc",
         "en-gb-x-gbclan", "en-gb-x-gbcwmd")
TEST_VARIANTS = ("f2", "f3", "f4", "m3")
TRAIN_VARIANTS = ("m1", "m2", "m4", "m5", "m6", "m7", "f1", "f5", "klatt", "klatt2",
                  "klatt3", "klatt4", "Andy", "annie", "belinda", "benjamin", "david", "ed",
                  "grandma", "john", "linda", "paul", "rob", "steph", "edward", "max",
                  "michel", "robert", "shelby", "victor")

REQUESTS = ("put on some blues", "play my running playlist", "louder please",
            "what is this song called", "next one", "play the new album by the killers",
            "turn the volume down a bit", "stop", "play something for dinner",
            "shuffle my favourites", "go back to the previous song", "who sings this",
            "play songs like this one", "resume", "play classical music",
            "set the volume to five")
WAKE_FORMS = ("hey jarvis", "hey jarvis", "hey jarvis", "hey, jarvis", "hey jarvis!")
NEG_TEXT = (
    "hey there how are you doing", "I parked the car in the garage", "hey travis come here",
    "jars of honey on the table", "the harvest moon rose slowly", "hey service please",
    "harvey is coming for dinner", "play the game with your brother", "hey marvin",
    "have you finished the report", "hey, can you hear me", "the jazz band played all night",
    "they travelled to paris last week", "a jarring sound from upstairs", "hey mum",
    "carve the turkey for us", "hey darling where are my shoes", "the archive is closed",
    "his name is mervyn", "hey harvey", "marvellous weather today", "hey jamie look at this",
    "she said hey to everyone", "the service was slow", "just a minute", "hey siri",
    "okay google", "alexa play music", "hey jude don't make it bad", "hey you",
    "turn left at the lights", "we should buy more coffee", "the kids are asleep",
    "put the kettle on", "what a lovely song", "my favourite band is on tour",
    "javelin throw at the olympics", "harbour views from the hotel", "hey charlie",
    "hey, travis, is that you", "the heavy rain stopped", "arvo tea with friends")


# Sound-alikes said like the wake word ("hey <name>, <request>"). Written after the first
# corpus run showed the head firing on short "hey <name>" confusables; the corpus's own
# phrases are deliberately left out. Every fourth name is held out for choosing the threshold.
CONFUSABLE_NAMES = (
    "harvey", "marvin", "garvey", "davis", "travis", "mavis", "jasmine", "jason", "jacob",
    "jackie", "janet", "jerry", "jesse", "jenny", "joanna", "jordan", "julia", "justin",
    "chelsea", "chester", "sharon", "shelby", "sergio", "carmen", "carlos", "marcus",
    "martha", "parker", "patrick", "barbara", "bernard", "javier", "jarrah", "jarrod",
    "jarrett", "jasper", "harvard", "elvis", "avis", "otis", "francis", "jeeves", "jenkins",
    "jersey", "gerald", "germaine", "jillian", "joseph", "judy", "jules", "giles", "georgia",
    "jamal", "james", "jane", "jade", "jonas", "julius", "cheryl", "chad", "chuck", "cherry",
    "shirley", "sheldon", "harry", "larry", "barry", "gary", "carrie", "java", "jazz",
    "jealousy", "genius", "gorgeous", "darling", "buddy", "just a second", "check this out",
    "join us", "chill out", "jump in", "jar", "jars", "jasmine tea", "marvellous", "nervous",
    "service", "gervase", "garvin", "jarman", "charming", "jamboree", "javelin", "jarring",
    "harvest", "hardest", "jobs", "jet", "champ", "chap", "chef", "chess", "jess", "jazzy")


HELD_OUT_NAMES = CONFUSABLE_NAMES[3::4]
"""Sound-alike names only the held-out voices say (for choosing thresholds)."""
TRAIN_NAMES = tuple(n for n in CONFUSABLE_NAMES if n not in HELD_OUT_NAMES)


def wake_speech(text: str, voice: Voice) -> np.ndarray:
    """The wake phrase in ``voice``, trimmed to its voiced part plus 25 ms each side."""
    wake = speak(text, voice)
    voiced = np.nonzero(np.abs(wake) > 0.01)[0]
    return wake[max(0, voiced[0] - 400) : voiced[-1] + 400]


def train_voices(rng: np.random.Generator, count: int) -> list[Voice]:
    """``count`` distinct training voices: base + untested variant, speed and pitch."""
    tested = {v.name for v in VOICES} | {"en-us-nyc", "en-gb-x-gbclan", "en-gb-x-gbcwmd",
                                          "en-us+f4"}
    out: list[Voice] = []
    seen: set[str] = set()
    while len(out) < count:
        name = f"{rng.choice(BASES)}+{rng.choice(TRAIN_VARIANTS)}"
        if name in seen or name in tested:
            continue
        seen.add(name)
        out.append(Voice(name, int(rng.integers(120, 200)), int(rng.integers(25, 80))))
    return out


def _one_pole(x: np.ndarray, a: float) -> np.ndarray:
    return np.asarray(lfilter([1 - a], [1, -a], x))


def train_music(seconds: float, rng: np.random.Generator) -> np.ndarray:
    """Synthetic music unlike the bench's: saw/square pads, plucks, a formant singer."""
    n = int(seconds * RATE_HZ)
    out = np.zeros(n)
    beat = 60.0 / rng.uniform(60, 170)
    key = rng.uniform(36, 52)
    minor = rng.random() < 0.5
    scale = np.array([0, 2, 3, 5, 7, 8, 10] if minor else [0, 2, 4, 5, 7, 9, 11])
    hz = lambda m: 440.0 * 2 ** ((m - 69) / 12)  # noqa: E731
    pattern = rng.integers(0, 2, size=(3, 16))  # kick, snare, hat on 16th notes
    pattern[0, 0] = 1

    def add(start: int, sig: np.ndarray, gain: float) -> None:
        sig = sig[: max(0, n - start)]
        out[start : start + len(sig)] += gain * sig

    def osc(freq: float, dur: float, odd_only: bool) -> np.ndarray:
        t = np.arange(int(dur * RATE_HZ)) / RATE_HZ
        sig = np.zeros_like(t)
        for k in range(1, int(min(20, 7000 / freq)) + 1):
            if odd_only and k % 2 == 0:
                continue
            sig += np.sin(2 * np.pi * freq * k * t + rng.uniform(0, 0.1)) / k
        env = np.minimum(1, t / 0.05) * np.minimum(1, (dur - t) / 0.1 + 0.01)
        return sig * env

    def pluck(freq: float, dur: float) -> np.ndarray:
        period = max(2, int(RATE_HZ / freq))
        buf = rng.uniform(-1, 1, period)
        m = int(dur * RATE_HZ)
        sig = np.empty(m)
        for i in range(0, m, period):
            seg = buf[: m - i]
            sig[i : i + len(seg)] = seg
            buf = 0.5 * (buf + np.roll(buf, 1)) * 0.996
        return sig

    def singer(freq: float, dur: float) -> np.ndarray:
        t = np.arange(int(dur * RATE_HZ)) / RATE_HZ
        f = freq * (1 + 0.02 * np.sin(2 * np.pi * rng.uniform(4, 7) * t))
        pulses = np.sign(np.sin(2 * np.pi * np.cumsum(f) / RATE_HZ)) + 0.05 * rng.standard_normal(
            len(t))
        formants = {"a": (800, 1200), "e": (450, 1900), "i": (300, 2300), "o": (500, 900),
                    "u": (330, 800)}
        f1, f2 = formants[str(rng.choice(list(formants)))]
        sig = np.zeros_like(t)
        for fc, bw in ((f1, 80.0), (f2, 120.0)):
            r = np.exp(-np.pi * bw / RATE_HZ)
            sig += lfilter([1 - r], [1, -2 * r * np.cos(2 * np.pi * fc / RATE_HZ), r * r],
                           pulses)
        return sig * np.minimum(1, t / 0.04) * np.minimum(1, (dur - t) / 0.05 + 0.01)

    sixteenth = beat / 4
    chord_len = 4 * beat * int(rng.choice([1, 2]))
    pad_odd = bool(rng.random() < 0.5)
    sing = rng.random() < 0.7
    i, t_s = 0, 0.0
    while t_s < seconds:
        s = int(t_s * RATE_HZ)
        step = i % 16
        if pattern[0, step] and rng.random() < 0.9:
            m = int(0.2 * RATE_HZ)
            tt = np.arange(m) / RATE_HZ
            add(s, np.sin(2 * np.pi * np.cumsum(60 + 90 * np.exp(-tt * 40)) / RATE_HZ)
                * np.exp(-tt * 15), 0.9)
        if pattern[1, step] and step % 4 == 2:
            m = int(0.12 * RATE_HZ)
            add(s, _one_pole(rng.standard_normal(m), 0.5) * np.exp(-np.arange(m) / m * 6), 0.4)
        if pattern[2, step]:
            m = int(0.03 * RATE_HZ)
            hat = np.diff(rng.standard_normal(m + 1))
            add(s, hat * np.exp(-np.arange(m) / m * 5), 0.08)
        if i % int(chord_len / sixteenth) == 0:
            degree = int(rng.integers(0, 7))
            for d in (0, 2, 4):
                deg = degree + d
                add(s, osc(hz(key + 12 + scale[deg % 7] + 12 * (deg // 7)), chord_len,
                           pad_odd), 0.12)
            add(s, osc(hz(key + scale[degree]), chord_len, False), 0.3)
        if step % 2 == 0 and rng.random() < 0.4:
            deg = int(rng.integers(0, 14))
            add(s, pluck(hz(key + 24 + scale[deg % 7] + 12 * (deg // 7)), 0.5), 0.25)
        if sing and step % 4 == 0 and rng.random() < 0.6:
            deg = int(rng.integers(0, 9))
            add(s, singer(hz(key + 24 + scale[deg % 7] + 12 * (deg // 7)),
                          beat * float(rng.choice([1, 2, 3]))), 0.3)
        t_s += sixteenth
        i += 1
    if rng.random() < 0.5:
        out = _one_pole(out, float(rng.uniform(0.3, 0.85)))
    if rng.random() < 0.5:
        delay = int(rng.uniform(0.1, 0.35) * RATE_HZ)
        echo = np.zeros_like(out)
        echo[delay:] = out[:-delay]
        out = out + float(rng.uniform(0.2, 0.5)) * echo
    out /= max(float(np.max(np.abs(out))), 1e-9)
    return (0.7 * out).astype(np.float32)


def noise(seconds: float, rng: np.random.Generator, voices: Sequence[Voice]) -> np.ndarray:
    n = int(seconds * RATE_HZ)
    kind = rng.integers(0, 4)
    if kind == 0:
        sig = rng.standard_normal(n)
    elif kind == 1:
        sig = lfilter([0.049922, -0.095993, 0.050612, -0.004408],
                      [1, -2.494956, 2.017265, -0.522190], rng.standard_normal(n))
    elif kind == 2:
        sig = _one_pole(rng.standard_normal(n), 0.98)
    else:
        sig = np.zeros(n)
        for _ in range(3):
            text = ". ".join(rng.choice(NEG_TEXT, 6))
            talk = speak(str(text), voices[int(rng.integers(len(voices)))])
            talk = np.tile(talk, int(np.ceil(n / len(talk))))[:n]
            sig += talk
    sig = sig / max(float(np.max(np.abs(sig))), 1e-9)
    return (0.7 * sig).astype(np.float32)


def background(seconds: float, rng: np.random.Generator, voices: Sequence[Voice]) -> np.ndarray:
    return train_music(seconds, rng) if rng.random() < 0.75 else noise(seconds, rng, voices)


def mix(speech: np.ndarray, bg: np.ndarray | None, snr_db: float, lead: int,
         rng: np.random.Generator) -> np.ndarray:
    """Background at ``snr_db`` under the speech after ``lead``; random level -12..0 dB."""
    gain = float(10 ** (rng.uniform(-12, 0) / 20))
    if bg is None:
        return (speech * gain).astype(np.float32)
    voiced = speech[lead:]
    p_s = float(np.mean(voiced.astype(np.float64) ** 2)) or 1e-12
    p_b = float(np.mean(bg.astype(np.float64) ** 2)) or 1e-12
    mixed = speech + np.sqrt(p_s / (p_b * 10 ** (snr_db / 10))) * bg[: len(speech)]
    peak = float(np.max(np.abs(mixed)))
    return (mixed * (0.95 / peak if peak > 0.95 else 1.0) * gain).astype(np.float32)
