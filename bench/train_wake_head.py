"""Train the music head for ``hey_jarvis`` (``speaker/assets/hey_jarvis_music_head.npz``).

The head is a one-hidden-layer network over the same 16 x 96 openWakeWord embedding
window the stock model scores (see :mod:`speaker.wake_head`). Training data is made
here and never overlaps the test material:

* voices: espeak-ng base voices combined with variants no test uses (``+m1``,
  ``+klatt3``, ``+Andy`` ...) at other speeds and pitches; every voice of
  ``bench.voices.VOICES``, ``bench.bench_wake.NEGATIVE_VOICES`` and
  ``audio_assets/corpus_voices.py`` (plus its Piper voice, not used at all) is
  excluded, and no test variant (``f2 f3 f4 m3``) is used with any base voice;
* music: :func:`train_music`, a different generator from the bench's
  ``synth_music`` (other instruments: band-limited saw/square pads, plucked
  Karplus-Strong arpeggios, swept kicks, a formant-synthesised "singer"; other
  drum patterns; random low-pass and echo), seeds drawn from this script's own
  generator; the library tracks are never read; plus white/pink/brown noise and
  babble of training voices;
* text: its own requests, its own negative sentences, and "hey <name>, <request>"
  sound-alikes from :data:`CONFUSABLE_NAMES` (a quarter of the names held out).

Voices are split once into training and held-out voices; the head threshold is
chosen on the held-out voices' clips (false accepts on held-out negatives first,
then recall over music), never on the bench or the corpus.

Run: ``python -m bench.train_wake_head`` (about 20 min on one core); it prints the
SHA-256 to pin in ``speaker/wake_head.py`` and the held-out table.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy.signal import lfilter

from bench.voices import VOICES, Voice, speak
from speaker.audio import FRAME_SAMPLES, RATE_HZ, Frame, to_int16
from speaker.config import WakeSettings
from speaker.wake_head import WakeHead, head_path, save_head
from speaker.wakeword import WakeWordDetector

__all__ = ["CONFUSABLE_NAMES", "TRAIN_VARIANTS", "main", "train_music", "train_voices"]

logger = logging.getLogger(__name__)

STEP_S = FRAME_SAMPLES / RATE_HZ
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


def _noise(seconds: float, rng: np.random.Generator, voices: Sequence[Voice]) -> np.ndarray:
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


def _background(seconds: float, rng: np.random.Generator, voices: Sequence[Voice]) -> np.ndarray:
    return train_music(seconds, rng) if rng.random() < 0.75 else _noise(seconds, rng, voices)


def _mix(speech: np.ndarray, bg: np.ndarray | None, snr_db: float, lead: int,
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


@dataclass
class _Clip:
    windows: np.ndarray  # (frames, 16, 96)
    stock: np.ndarray  # (frames,)
    label: np.ndarray  # 1 positive, 0 negative, -1 ignore
    group: str  # "pos-clean", "pos-music", "neg"


def _stream(detector: WakeWordDetector, pcm: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    detector.reset()
    wins, stock = [], []
    for start in range(0, len(pcm) - FRAME_SAMPLES + 1, FRAME_SAMPLES):
        detector.process(Frame(pcm[start : start + FRAME_SAMPLES], start / RATE_HZ, "train"))
        wins.append(detector.windows(1)[0])
        stock.append(detector.last_score)
    return np.asarray(wins, np.float16), np.asarray(stock, np.float32)


def _positive(detector: WakeWordDetector, voice: Voice, rng: np.random.Generator,
              voices: Sequence[Voice], snr_db: float | None) -> _Clip:
    wake = speak(str(rng.choice(WAKE_FORMS)), voice)
    voiced = np.nonzero(np.abs(wake) > 0.01)[0]
    wake = wake[max(0, voiced[0] - 400) : voiced[-1] + 400]
    gap = np.zeros(int(rng.uniform(0.05, 0.4) * RATE_HZ), np.float32)
    request = speak(str(rng.choice(REQUESTS)), voice) if rng.random() < 0.8 else gap
    lead_s = float(rng.uniform(0.6, 2.5))
    lead = int(lead_s * RATE_HZ)
    speech = np.concatenate([np.zeros(lead, np.float32), wake, gap, request,
                             np.zeros(RATE_HZ, np.float32)])
    wake_end_s = lead_s + len(wake) / RATE_HZ
    bg = None if snr_db is None else _background(len(speech) / RATE_HZ + 1, rng, voices)
    pcm = to_int16(_mix(speech, bg, snr_db or 0.0, lead, rng))
    wins, stock = _stream(detector, pcm)
    ends = (np.arange(len(stock)) + 1) * STEP_S
    label = np.zeros(len(stock), np.int8)
    label[(ends > lead_s) & (ends < wake_end_s + 1.6)] = -1
    label[(ends >= wake_end_s) & (ends <= wake_end_s + 0.56)] = 1
    return _Clip(wins, stock, label, "pos-clean" if snr_db is None else "pos-music")


def _negative(detector: WakeWordDetector, voice: Voice, rng: np.random.Generator,
              voices: Sequence[Voice]) -> _Clip:
    kind = rng.random()
    if kind < 0.25:
        audio = _background(float(rng.uniform(20, 40)), rng, voices)
        audio = audio * float(rng.uniform(0.2, 1.0))
    else:
        text = ". ".join(str(t) for t in rng.choice(NEG_TEXT, 6))
        audio = np.concatenate([np.zeros(RATE_HZ // 2, np.float32), speak(text, voice),
                                np.zeros(RATE_HZ // 2, np.float32)])
        if kind > 0.45:
            bg = _background(len(audio) / RATE_HZ + 1, rng, voices)
            audio = _mix(audio, bg, float(rng.uniform(-5, 20)), RATE_HZ // 2, rng)
    wins, stock = _stream(detector, to_int16(audio))
    return _Clip(wins, stock, np.zeros(len(stock), np.int8), "neg")


def _confusable(detector: WakeWordDetector, voice: Voice, rng: np.random.Generator,
                voices: Sequence[Voice], name: str, snr_db: float | None) -> _Clip:
    form = rng.integers(0, 4)
    request = str(rng.choice(REQUESTS))
    text = (f"hey {name}, {request}", f"hey {name}", f"{name}, {request}",
            f"oh hey {name}")[form]
    lead = int(rng.uniform(0.5, 1.5) * RATE_HZ)
    speech = np.concatenate([np.zeros(lead, np.float32), speak(text, voice),
                             np.zeros(RATE_HZ, np.float32)])
    bg = None if snr_db is None else _background(len(speech) / RATE_HZ + 1, rng, voices)
    wins, stock = _stream(detector, to_int16(_mix(speech, bg, snr_db or 0.0, lead, rng)))
    return _Clip(wins, stock, np.zeros(len(stock), np.int8), "neg")


def _confusables(voices: Sequence[Voice], names: Sequence[str], count: int,
                 seed: int) -> list[_Clip]:
    rng = np.random.default_rng(seed)
    detector = WakeWordDetector(WakeSettings(music_head=False))
    return [_confusable(detector, voices[k % len(voices)], rng, voices,
                        names[int(rng.integers(len(names)))],
                        None if k % 2 == 0 else float(rng.uniform(-5, 20)))
            for k in range(count)]


def _dataset(voices: Sequence[Voice], n_pos: int, n_neg: int, seed: int) -> list[_Clip]:
    rng = np.random.default_rng(seed)
    detector = WakeWordDetector(WakeSettings(music_head=False))
    clips = []
    for k in range(n_pos):
        snr = None if k % 4 == 0 else float(rng.uniform(-5, 20))
        clips.append(_positive(detector, voices[k % len(voices)], rng, voices, snr))
    for k in range(n_neg):
        clips.append(_negative(detector, voices[k % len(voices)], rng, voices))
    return clips


def _save_clips(path: Path, train: list[_Clip], held: list[_Clip]) -> None:
    clips = train + held
    np.savez(path, windows=np.concatenate([c.windows for c in clips]),
             stock=np.concatenate([c.stock for c in clips]),
             label=np.concatenate([c.label for c in clips]),
             lengths=np.array([len(c.stock) for c in clips]),
             groups=np.array([c.group for c in clips]), n_train=np.int64(len(train)))


def _load_clips(path: Path) -> tuple[list[_Clip], list[_Clip]]:
    with np.load(path, allow_pickle=False) as data:
        bounds = np.concatenate([[0], np.cumsum(data["lengths"])])
        windows, stock, label = data["windows"], data["stock"], data["label"]
        clips = [_Clip(windows[a:b], stock[a:b], label[a:b], str(g))
                 for a, b, g in zip(bounds[:-1], bounds[1:], data["groups"], strict=True)]
        n_train = int(data["n_train"])
    return clips[:n_train], clips[n_train:]


def _fit(clips: list[_Clip], hidden: int, epochs: int, seed: int,
         neg_emphasis: float = 4.0) -> WakeHead:
    """Train on every labelled window; positives weigh 1/``neg_emphasis`` of balance."""
    import torch

    torch.set_num_threads(1)
    torch.manual_seed(seed)
    x = np.concatenate([c.windows[c.label >= 0] for c in clips]).reshape(-1, 1536)
    y = np.concatenate([c.label[c.label >= 0] for c in clips]).astype(np.float32)
    x32 = x.astype(np.float32)
    mean = x32.mean(axis=0)
    scale = 1.0 / (x32.std(axis=0) + 1e-3)
    xt = torch.from_numpy((x32 - mean) * scale)
    yt = torch.from_numpy(y)
    lin1, lin2 = torch.nn.Linear(1536, hidden), torch.nn.Linear(hidden, 1)
    net = torch.nn.Sequential(lin1, torch.nn.ReLU(), torch.nn.Dropout(0.3), lin2)
    opt = torch.optim.AdamW(net.parameters(), lr=1e-3, weight_decay=1e-2)
    pos_weight = torch.tensor(float((y == 0).sum()) / max(1.0, float(y.sum())) / neg_emphasis)
    loss_fn = torch.nn.BCEWithLogitsLoss(pos_weight=pos_weight)
    gen = torch.Generator().manual_seed(seed)
    for epoch in range(epochs):
        net.train()
        order = torch.randperm(len(xt), generator=gen)
        total = 0.0
        for i in range(0, len(order), 256):
            idx = order[i : i + 256]
            opt.zero_grad()
            loss = loss_fn(net(xt[idx]).squeeze(1), yt[idx])
            loss.backward()
            opt.step()
            total += loss.item() * len(idx)
        logger.info("epoch %d loss %.4f", epoch, total / len(xt))
    net.eval()
    return WakeHead(wake_model="hey_jarvis", mean=mean, scale=scale,
                    w1=lin1.weight.detach().numpy().T.copy(), b1=lin1.bias.detach().numpy(),
                    w2=lin2.weight.detach().numpy()[0].copy(),
                    b2=float(lin2.bias.detach().numpy()[0]))


def _run_score(scores: np.ndarray, frames: int) -> np.ndarray:
    """Per step, the lowest head score of the last ``frames`` steps (as the detector does)."""
    out = scores.copy()
    for lag in range(1, frames):
        out[lag:] = np.minimum(out[lag:], scores[:-lag])
        out[:lag] = 0.0
    return out


def _report(head: WakeHead, clips: list[_Clip], stock_threshold: float, frames: int,
            thresholds: Sequence[float]) -> None:
    neg_hours = sum(len(c.stock) for c in clips if c.group == "neg") * STEP_S / 3600
    print(f"held-out: {sum(c.group != 'neg' for c in clips)} positives, "
          f"{neg_hours:.2f} h negatives")
    print(f"| detector ({frames} steps) | FRR clean | FRR music/noise | false accepts |")
    print("|---|---|---|---|")
    scored = [(c, _run_score(head.score(c.windows.astype(np.float32)), frames))
              for c in clips]
    for t in (None, *thresholds):
        cells = []
        for group in ("pos-clean", "pos-music"):
            group_clips = [(c, h) for c, h in scored if c.group == group]
            miss = sum(not _fires(c, h, stock_threshold, t, c.label != 0)
                       for c, h in group_clips)
            cells.append(f"{miss}/{len(group_clips)}")
        fa = sum(_accepts(c, h, stock_threshold, t) for c, h in scored if c.group == "neg")
        name = "stock" if t is None else f"stock or head >= {t:.3f}"
        print(f"| {name} | {cells[0]} | {cells[1]} | {fa} |")


def _fires(clip: _Clip, head: np.ndarray, stock_t: float, head_t: float | None,
           mask: np.ndarray) -> bool:
    hit = clip.stock >= stock_t
    if head_t is not None:
        hit = hit | (head >= head_t)
    hit[:5] = False
    return bool(np.any(hit & mask))


def _accepts(clip: _Clip, head: np.ndarray, stock_t: float, head_t: float | None) -> int:
    hit = clip.stock >= stock_t
    if head_t is not None:
        hit = hit | (head >= head_t)
    hit[:5] = False
    count, quiet = 0, -1
    for i in np.nonzero(hit)[0].tolist():
        if i >= quiet:
            count += 1
            quiet = i + int(2.0 / STEP_S)
    return count


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="train_wake_head", description=__doc__.split("\n")[0])
    parser.add_argument("--voices", type=int, default=72, help="training-side voices")
    parser.add_argument("--held-out-voices", type=int, default=16)
    parser.add_argument("--positives", type=int, default=1200)
    parser.add_argument("--negatives", type=int, default=600,
                        help="negative clips (~17 s each; held-out: half as many)")
    parser.add_argument("--confusables", type=int, default=800,
                        help="'hey <name>' negative clips (held-out: half as many)")
    parser.add_argument("--hidden", type=int, default=64)
    parser.add_argument("--neg-emphasis", type=float, default=64.0,
                        help="positives weigh 1/this of a balanced loss")
    parser.add_argument("--frames", type=int, default=2,
                        help="consecutive 80 ms steps the head must agree on")
    parser.add_argument("--epochs", type=int, default=12)
    parser.add_argument("--seed", type=int, default=20261128)
    parser.add_argument("--out", type=Path, default=head_path("hey_jarvis"))
    parser.add_argument("--cache", type=Path, default=None,
                        help="reuse/store extracted features in this .npz")
    args = parser.parse_args(list(argv) if argv is not None else None)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    rng = np.random.default_rng(args.seed)
    voices = train_voices(rng, args.voices + args.held_out_voices)
    train_v, held_v = voices[: args.voices], voices[args.voices :]
    if args.cache is not None and args.cache.is_file():
        train, held = _load_clips(args.cache)
    else:
        logger.info("rendering and embedding training clips")
        train = _dataset(train_v, args.positives, args.negatives, args.seed + 1)
        logger.info("rendering and embedding held-out clips")
        held = _dataset(held_v, args.positives // 4, args.negatives // 2, args.seed + 2)
        if args.cache is not None:
            _save_clips(args.cache, train, held)
    if args.confusables > 0:
        logger.info("rendering and embedding confusables")
        held_names = CONFUSABLE_NAMES[3::4]
        train_names = tuple(n for n in CONFUSABLE_NAMES if n not in held_names)
        train += _confusables(train_v, train_names, args.confusables, args.seed + 3)
        held += _confusables(held_v, held_names, args.confusables // 2, args.seed + 4)
    head = _fit(train, args.hidden, args.epochs, args.seed, args.neg_emphasis)
    _report(head, held, WakeSettings().threshold, args.frames,
            (0.5, 0.8, 0.9, 0.95, 0.98, 0.99, 0.995, 0.999))
    digest = save_head(args.out, head)
    print(f"wrote {args.out} sha256 {digest}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
