"""Speech to text with openai-whisper, tuned for short spoken commands on a small CPU.

openai-whisper pads every request to 30 s and spends most of its time encoding
silence. The fast path here encodes only the real audio plus ``pad_s`` of
silence (the encoder's positional embedding sliced to match), runs the linear
layers and the logits projection with dynamic int8 weights, and decodes
(greedy, or a small beam) with a length cap tied to the audio duration. Without the padding
Whisper tends to repeat itself, so repeated phrases are also collapsed.

Silence and music give an empty transcript: an energy gate skips the model on
near-silent input, and Whisper's own no-speech probability rejects the rest.

A transcript the caller cannot understand can be rescored against a list of
command phrases (``transcribe(..., commands=...)``; see :mod:`speaker.commands`):
Whisper's own log-probability of each phrase given the same audio decides whether
"Premium Strag" was really "previous track". If none fits, the audio is decoded again
along the requests the household's library makes possible (:mod:`speaker.grammar`),
and the best of those is judged the same way ("Clakings to the sunrise" -> "Play
Kingston Sunrise").
"""

from __future__ import annotations

import logging
import math
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from speaker.commands import meaning, unread
from speaker.config import SttSettings
from speaker.grammar import TokenTrie, Vocabulary, grammar_search
from speaker.intents import clean
from speaker.intents_fuzzy import similarity
from speaker.models import load_checkpoint
from speaker.transcript_text import build_prompt, collapse_repeated_phrase, collapse_repeats
from speaker.whisper_build import build_model, float32_except, int8_linear, quantize_linears

if TYPE_CHECKING:
    import torch

__all__ = ["RATE_HZ", "CommandPhrases", "Transcriber", "TranscriptResult", "build_prompt",
           "choose_grammar_phrase", "choose_phrase", "collapse_repeated_phrase", "collapse_repeats"]

logger = logging.getLogger(__name__)

RATE_HZ = 16000
HOP_SAMPLES = 160
# Encoder frames are two mel hops; keep inputs a whole number of them.
_ALIGN_SAMPLES = 2 * HOP_SAMPLES
MAX_AUDIO_S = 30.0
SILENCE_DBFS = -50.0
"""Input whose loudest 20 ms window is quieter than this is silence; the model is skipped."""
TOKENS_PER_S = 8.0
"""Decoded-length cap: fast speech is about 5 tokens/s, so 8/s (+ slack) never cuts words."""
_TOKEN_SLACK = 8
_LOGPROB_THRESHOLD = -1.0
_GRAMMAR_FOUND = 32
"""How many complete phrases the grammar search returns, best first."""
_GRAMMAR_MEANINGS = 4
"""Of those, the best phrase of each of the first this many meanings is scored against the
free transcript (more changed nothing on the development corpora; each costs a pass)."""


@dataclass(frozen=True)
class TranscriptResult:
    """One transcription: text (empty for silence/music) and its cost."""

    text: str
    seconds: float
    """Wall time spent transcribing, in seconds."""
    audio_seconds: float
    """Length of the input audio, in seconds."""
    no_speech_prob: float
    """Whisper's probability (0-1) that the audio holds no speech; 1.0 when gated by energy."""
    heard: str = ""
    """The free transcript when ``text`` is a command phrase chosen by rescoring, else ""."""
    avg_logprob: float = -math.inf
    """Mean log-probability per token of Whisper's own (free) transcript, in nats;
    -inf when the model was skipped (silence)."""


CommandPhrases = Callable[[str], Sequence[str]]
"""Given a free transcript, the command phrases to rescore it against ((): it is understood)."""


def choose_phrase(free_score: float, phrases: Sequence[str], scores: Sequence[float],
                  margin: float, rival_margin: float = 0.0,
                  key: Callable[[str], str] = str) -> str:
    """The best-scoring phrase if it is within ``margin`` nats per token of the free
    transcript's score and at least ``rival_margin`` ahead of every phrase that means
    something else (another ``key``), else "" (keep the free transcript)."""
    if not phrases:
        return ""
    best = max(range(len(phrases)), key=lambda i: scores[i])
    if free_score - scores[best] > margin:
        return ""
    wanted = key(phrases[best])
    rival = max((s for p, s in zip(phrases, scores, strict=True) if key(p) != wanted),
                default=-math.inf)
    return phrases[best] if scores[best] - rival >= rival_margin else ""


def choose_grammar_phrase(free_score: float, text: str, phrases: Sequence[str],
                          scores: Sequence[float], settings: SttSettings) -> str:
    """The grammar search's phrase that replaces the transcript ``text`` (unread, or a
    play of a name the library lacks), or "".

    The best phrase must be within ``stt.grammar_margin`` of the free transcript and
    ``stt.grammar_rival_margin`` ahead of every phrase meaning something else; or, if it
    looks or sounds like what Whisper wrote (``stt.grammar_min_similarity``, 0-100, as in
    :func:`speaker.intents_fuzzy.similarity`), only ``stt.grammar_similar_rival_margin``
    ahead: two views of the audio that agree need less of a lead."""
    chosen = choose_phrase(free_score, phrases, scores, settings.grammar_margin,
                           settings.grammar_rival_margin, meaning)
    if chosen or settings.grammar_min_similarity > 100.0:
        return chosen
    chosen = choose_phrase(free_score, phrases, scores, settings.grammar_margin,
                           settings.grammar_similar_rival_margin, meaning)
    if chosen and similarity(clean(text), clean(chosen)) >= settings.grammar_min_similarity:
        return chosen
    return ""


def _loudest_dbfs(audio: np.ndarray) -> float:
    window = 320
    usable = len(audio) // window * window
    if usable == 0:
        power = float(np.mean(audio.astype(np.float64) ** 2)) if len(audio) else 0.0
    else:
        frames = audio[:usable].astype(np.float64).reshape(-1, window)
        power = float(np.max(np.mean(frames**2, axis=1)))
    return 10.0 * math.log10(max(power, 1e-12))


class Transcriber:
    """Loads one Whisper checkpoint once and transcribes 16 kHz mono float32 audio.

    Calls are serialised with a lock, so one worker thread (or several) may share it.
    torch's process-wide thread count is ``settings.threads`` while encoding and 1
    while decoding token by token.
    """

    def __init__(self, settings: SttSettings, models_dir: Path,
                 clock: Callable[[], float] = time.perf_counter) -> None:
        import torch
        import torch.nn as nn
        import whisper

        self._settings = settings
        self._clock = clock
        self._lock = threading.Lock()
        self._trie: tuple[Vocabulary, TokenTrie] | None = None
        torch.set_num_threads(settings.threads)
        model = build_model(load_checkpoint(models_dir, settings.model), settings.model)
        self._whisper = whisper
        self._model = model
        self._dims = model.dims
        self.tokenizer = whisper.tokenizer.get_tokenizer(
            model.is_multilingual, num_languages=model.num_languages,
            language="en" if model.is_multilingual else None, task="transcribe")
        embedding = model.decoder.token_embedding
        self._projection: nn.Module
        if settings.quantize:
            quantize_linears(model)
            self._projection = int8_linear(embedding.weight, None)
            # Token lookups stay float16 (the sum with the float32 positions promotes).
            float32_except(model, embedding)
        else:
            model.float()
            self._projection = nn.Linear(self._dims.n_text_state, self._dims.n_vocab, bias=False)
            self._projection.weight = embedding.weight
        tok = self.tokenizer
        mask = torch.zeros(self._dims.n_vocab)
        # Every special token except end-of-text, every timestamp, and Whisper's
        # non-speech symbols (speaker tags, music notes, brackets).
        mask[tok.eot + 1:] = -math.inf
        mask[list(tok.non_speech_tokens)] = -math.inf
        self._mask = mask
        self._first_mask = mask.clone()
        self._first_mask[[*tok.encode(" "), tok.eot]] = -math.inf
        self._cross: set[nn.Module] = {m for block in model.decoder.blocks
                                       for m in (block.cross_attn.key, block.cross_attn.value)}
        """The decoder's cross-attention key/value layers: their cached keys/values are
        the audio's, the same for every phrase and every beam."""

    @property
    def model_name(self) -> str:
        return self._settings.model

    def transcribe(self, audio: np.ndarray, prompt: str = "",
                   commands: CommandPhrases | None = None, lead: str = "") -> TranscriptResult:
        """Transcribe ``audio`` (float32, 16 kHz, mono); ``prompt`` biases names' spelling.

        With ``commands``, a free transcript that ``commands`` returns phrases for (one
        it does not understand) is rescored: each phrase's log-probability given the
        same audio is compared with the free transcript's, and the best phrase replaces
        the text ("Premium Strag" -> "previous track") if it is within
        ``stt.rescore_margin`` nats per token of it and ``stt.rescore_rival_margin``
        ahead of any phrase that means something else (:func:`choose_phrase`). The free
        transcript is kept in :attr:`TranscriptResult.heard`.

        ``lead`` is words the audio is known to open with (the wake word, when the
        audio starts before it): the transcript is forced to begin with them, and
        only what follows is returned.
        """
        samples = np.asarray(audio, dtype=np.float32).reshape(-1)
        audio_s = len(samples) / RATE_HZ
        start = self._clock()
        if len(samples) == 0 or _loudest_dbfs(samples) < SILENCE_DBFS:
            return TranscriptResult("", self._clock() - start, audio_s, 1.0)
        with self._lock:
            text, no_speech, heard, logprob = self._run(samples, prompt, commands, lead)
        return TranscriptResult(text, self._clock() - start, audio_s, no_speech, heard, logprob)

    def phrase_scores(self, audio: np.ndarray, phrases: Sequence[str]) -> list[float]:
        """Mean log-probability per token (end of text included) of each phrase given
        ``audio``, without a prompt: how well each phrase explains what was said."""
        import torch

        samples = np.asarray(audio, dtype=np.float32).reshape(-1)
        with self._lock, torch.inference_mode():
            return self._score(self._encode(self._mel(samples)), phrases)

    def prefix_margin(self, audio: np.ndarray, spellings: Sequence[str]) -> float:
        """How close Whisper comes to starting its transcript of ``audio`` with one of
        ``spellings`` (e.g. "Hey Jarvis", "Hey, Jarvis"): for the best spelling, the mean
        over its tokens of log P(token) - max log P(any token), each step forced along
        the spelling. 0 means greedy decoding would write exactly that; the more negative,
        the less Whisper believes it. Nothing is forced after the spelling, so the
        request that follows the wake word does not count against it."""
        import torch

        samples = np.asarray(audio, dtype=np.float32).reshape(-1)
        if len(samples) == 0 or _loudest_dbfs(samples) < SILENCE_DBFS:
            return -math.inf
        tok = self.tokenizer
        prefix = [*tok.sot_sequence, tok.no_timestamps]
        best = -math.inf
        with self._lock, torch.inference_mode():
            encoded = self._encode(self._mel(samples))
            for spelling in spellings:
                seq = tok.encode(" " + " ".join(spelling.split()))
                if not seq:
                    continue
                cache, hooks = self._model.install_kv_cache_hooks()
                try:
                    tokens = torch.tensor([[*prefix, *seq]])
                    rows = list(range(len(prefix) - 1, tokens.shape[1] - 1))
                    logits = self._logits(tokens, encoded, cache, rows, offset=0)[0]
                finally:
                    for hook in hooks:
                        hook.remove()
                logprobs = torch.log_softmax(logits + self._mask, dim=-1)
                picked = logprobs.gather(-1, torch.tensor(seq).unsqueeze(-1))[:, 0]
                best = max(best, float((picked - logprobs.max(-1).values).mean()))
        return best

    def _score(self, audio: torch.Tensor, phrases: Sequence[str],
               lead_tokens: Sequence[int] = ()) -> list[float]:
        """One phrase at a time: the int8 layers quantise activations per batch, so in a
        batch a phrase's score would depend on the other phrases beside it. The
        ``lead_tokens`` are forced before each phrase and not scored."""
        import torch

        tok = self.tokenizer
        prefix = [*tok.sot_sequence, tok.no_timestamps, *lead_tokens]
        room = self._dims.n_text_ctx - len(prefix) - 1
        cache, hooks = self._model.install_kv_cache_hooks()
        scores: list[float] = []
        try:
            for phrase in phrases:
                for module in [m for m in cache if m not in self._cross]:
                    del cache[module]  # keep the audio's keys/values, drop the last phrase's
                seq = [*tok.encode(" " + " ".join(phrase.split()))[:room], tok.eot]
                tokens = torch.tensor([[*prefix, *seq]])
                rows = list(range(len(prefix) - 1, tokens.shape[1] - 1))
                logits = self._logits(tokens, audio, cache, rows, offset=0)[0]
                logprobs = torch.log_softmax(logits + self._mask, dim=-1)
                picked = logprobs.gather(-1, torch.tensor(seq).unsqueeze(-1))
                scores.append(float(picked.sum()) / len(seq))
        finally:
            for hook in hooks:
                hook.remove()
        return scores

    def _lead_tokens(self, lead: str) -> list[int]:
        words = " ".join(lead.split())
        return self.tokenizer.encode(" " + words) if words else []

    def _rescore(self, audio: torch.Tensor, text: str, phrases: Sequence[str],
                 lead_tokens: Sequence[int] = (), grammar: bool = False) -> str:
        settings = self._settings
        scores = self._score(audio, [text, *phrases], lead_tokens)
        if grammar:
            chosen = choose_grammar_phrase(scores[0], text, phrases, scores[1:], settings)
        else:
            chosen = choose_phrase(scores[0], phrases, scores[1:], settings.rescore_margin,
                                   settings.rescore_rival_margin, meaning)
        if logger.isEnabledFor(logging.DEBUG):
            ranked = sorted(zip(scores[1:], phrases, strict=True), reverse=True)[:3]
            logger.debug("rescored %r (%.2f nats/token) against %s (best %s): %r", text,
                         scores[0], "the grammar" if grammar else "similar commands",
                         ", ".join(f"{p!r} {s:.2f}" for s, p in ranked), chosen)
        return chosen

    def prepare(self, vocabulary: Vocabulary) -> None:
        """Build the token trie of ``vocabulary`` now rather than at the first unclear
        request (under a second for a 10,000-track library here)."""
        with self._lock:
            self._trie_of(vocabulary)

    def _trie_of(self, vocabulary: Vocabulary) -> TokenTrie:
        if self._trie is None or self._trie[0] != vocabulary:
            self._trie = (vocabulary, TokenTrie(vocabulary, self.tokenizer.encode))
        return self._trie[1]

    def grammar_phrases(self, audio: torch.Tensor, vocabulary: Vocabulary,
                        lead_tokens: Sequence[int] = ()) -> list[str]:
        """The requests of ``vocabulary`` that best explain the encoded ``audio``, best
        first: the likeliest phrase of each of the first ``_GRAMMAR_MEANINGS`` meanings
        found (:func:`speaker.commands.meaning`). Not locked, and it needs
        ``torch.inference_mode()``: :meth:`transcribe` calls it under its lock; benches
        and tests call it directly on one thread."""
        import torch

        trie = self._trie_of(vocabulary)
        tok = self.tokenizer
        cache, hooks = self._model.install_kv_cache_hooks()

        def step(tokens: list[int], sources: list[int]) -> torch.Tensor:
            self._reorder(cache, sources)
            logits = self._logits(torch.tensor([[t] for t in tokens]), audio, cache, [-1])
            return torch.log_softmax(logits[:, 0] + self._mask, dim=-1)

        torch.set_num_threads(1)  # small steps, as in decoding
        try:
            prefix = [*tok.sot_sequence, tok.no_timestamps, *lead_tokens]
            first = self._logits(torch.tensor([prefix]), audio, cache, [-1])[0, 0]
            found = grammar_search(trie, torch.log_softmax(first + self._mask, dim=-1),
                                   step, tok.eot, self._settings.grammar_width, _GRAMMAR_FOUND)
        finally:
            torch.set_num_threads(self._settings.threads)
            for hook in hooks:
                hook.remove()
        phrases: dict[str, str] = {}  # meaning -> its likeliest phrase
        for tokens, _ in found:
            text = tok.decode(tokens).strip()
            if not unread(text):
                phrases.setdefault(meaning(text), text)
        return list(phrases.values())[:_GRAMMAR_MEANINGS]

    def _mel(self, samples: np.ndarray) -> torch.Tensor:
        import torch

        limit = int(MAX_AUDIO_S * RATE_HZ)
        if len(samples) > limit:
            logger.warning("audio of %.1f s cut to Whisper's %.0f s window",
                           len(samples) / RATE_HZ, MAX_AUDIO_S)
            samples = samples[:limit]
        if self._settings.fast:
            total = len(samples) + int(self._settings.pad_s * RATE_HZ)
            total = min(limit, -(-total // _ALIGN_SAMPLES) * _ALIGN_SAMPLES)
        else:
            total = limit
        padded = np.zeros(total, dtype=np.float32)
        padded[: len(samples)] = samples
        mel = self._whisper.log_mel_spectrogram(torch.from_numpy(padded), self._dims.n_mels)
        return mel.unsqueeze(0)

    def _encode(self, mel: torch.Tensor) -> torch.Tensor:
        """openai-whisper's AudioEncoder.forward with the positional embedding sliced."""
        import torch.nn.functional as F

        encoder = self._model.encoder
        x = F.gelu(encoder.conv1(mel))
        x = F.gelu(encoder.conv2(x)).permute(0, 2, 1)
        x = x + encoder.positional_embedding[: x.shape[1]]
        for block in encoder.blocks:
            x = block(x)
        return encoder.ln_post(x)

    def _logits(self, tokens: torch.Tensor, audio: torch.Tensor, cache: dict[Any, Any],
                rows: list[int], offset: int | None = None) -> torch.Tensor:
        """Decoder forward for new ``tokens`` at position ``offset`` (default: after what
        ``cache`` holds); logits only at ``rows`` of them."""
        decoder = self._model.decoder
        if offset is None:
            offset = next(iter(cache.values())).shape[1] if cache else 0
        x = decoder.token_embedding(tokens)
        x = x + decoder.positional_embedding[offset: offset + tokens.shape[-1]]
        for block in decoder.blocks:
            x = block(x, audio, mask=decoder.mask, kv_cache=cache)
        return self._projection(decoder.ln(x[:, rows])).float()

    def _prefix(self, prompt: str) -> tuple[list[int], int]:
        tok = self.tokenizer
        prefix: list[int] = []
        if prompt.strip():
            room = self._dims.n_text_ctx // 2 - 1
            prefix = [tok.sot_prev, *tok.encode(" " + prompt.strip())[-room:]]
        sot_index = len(prefix)
        return [*prefix, *tok.sot_sequence, tok.no_timestamps], sot_index

    def _run(self, samples: np.ndarray, prompt: str, commands: CommandPhrases | None,
             lead: str = "") -> tuple[str, float, str, float]:
        import torch

        tok = self.tokenizer
        prefix, sot_index = self._prefix(prompt)
        lead_tokens = self._lead_tokens(lead)
        prefix = [*prefix, *lead_tokens]
        budget = min(self._dims.n_text_ctx // 2,
                     int(len(samples) / RATE_HZ * TOKENS_PER_S) + _TOKEN_SLACK)
        cache, hooks = self._model.install_kv_cache_hooks()
        try:
            with torch.inference_mode():
                torch.set_num_threads(self._settings.threads)
                audio = self._encode(self._mel(samples))
                # One token at a time the matrices are too small to share out: extra
                # threads only add synchronisation, which costs dearly on a busy CPU.
                torch.set_num_threads(1)
                logits = self._logits(torch.tensor([prefix]), audio, cache, [sot_index, -1])[0]
                no_speech = float(torch.softmax(logits[0], dim=-1)[tok.no_speech])
                first = torch.log_softmax(logits[1] + self._first_mask, dim=-1)
                out, avg_logprob = self._beam_search(first, audio, cache, budget)
        finally:
            torch.set_num_threads(self._settings.threads)
            for hook in hooks:
                hook.remove()
        text = collapse_repeated_phrase(tok.decode(out).strip())
        if lead_tokens:  # what follows "Hey Jarvis" may open with its punctuation
            text = text.lstrip(" ,.;:!?-")
            text = text[:1].upper() + text[1:]
        if no_speech > self._settings.no_speech_threshold and avg_logprob < _LOGPROB_THRESHOLD:
            text = ""
        if not any(ch.isalnum() for ch in text):
            text = ""
        phrases = commands(text) if commands is not None and text else ()
        if phrases and self._settings.rescore_margin > 0:
            with torch.inference_mode():
                chosen = self._rescore(audio, text, phrases, lead_tokens)
            if chosen:
                return chosen, no_speech, text, avg_logprob
        vocabulary = getattr(commands, "vocabulary", None)
        searches = getattr(commands, "searches", unread)
        if (isinstance(vocabulary, Vocabulary) and self._settings.grammar and text
                and searches(text)):
            with torch.inference_mode():
                found = self.grammar_phrases(audio, vocabulary, lead_tokens)
                chosen = (self._rescore(audio, text, found, lead_tokens, grammar=True)
                          if found else "")
            if chosen:
                return chosen, no_speech, text, avg_logprob
        return text, no_speech, "", avg_logprob

    def _reorder(self, cache: dict[Any, Any], sources: list[int]) -> None:
        """Make beam ``i`` continue from beam ``sources[i]``'s keys/values. The audio's
        (cross-attention) are the same for every beam: expanded, not copied."""
        import torch

        index = torch.tensor(sources)
        for module, held in cache.items():
            if module not in self._cross:
                cache[module] = held[index]
            elif held.shape[0] != len(sources):
                cache[module] = held[:1].expand(len(sources), *held.shape[1:])

    def _beam_search(self, first: torch.Tensor, audio: torch.Tensor, cache: dict[Any, Any],
                     budget: int) -> tuple[list[int], float]:
        """Beam search (``beam_size`` 1 is greedy) from the first step's log-probabilities.

        Returns the best token sequence, by log-probability per token, and that
        average. A beam that starts looping is finished with the loop collapsed.
        """
        import torch

        eot = self.tokenizer.eot
        width = self._settings.beam_size
        beams: list[tuple[list[int], float]] = [([], 0.0)]
        finished: list[tuple[list[int], float]] = []
        logprobs = first.unsqueeze(0)
        for _ in range(budget):
            candidates: list[tuple[float, list[int], int]] = []
            for i, (seq, score) in enumerate(beams):
                top = torch.topk(logprobs[i], width + 1)
                candidates += [(score + value, [*seq, token], i) for value, token
                               in zip(top.values.tolist(), top.indices.tolist(), strict=True)]
            candidates.sort(key=lambda c: -c[0])
            kept: list[tuple[list[int], float]] = []
            sources: list[int] = []
            for score, seq, source in candidates:
                if seq[-1] == eot:
                    finished.append((seq[:-1], score))
                    continue
                collapsed, looped = collapse_repeats(seq)
                if looped:
                    finished.append((collapsed, score))
                    continue
                kept.append((seq, score))
                sources.append(source)
                if len(kept) == width:
                    break
            if len(finished) >= width or not kept:
                break
            beams = kept
            self._reorder(cache, sources)
            tokens = torch.tensor([[seq[-1]] for seq, _ in beams])
            logits = self._logits(tokens, audio, cache, [-1])[:, 0]
            logprobs = torch.log_softmax(logits + self._mask, dim=-1)
        pool = finished or beams
        seq, score = max(pool, key=lambda f: f[1] / (len(f[0]) + 1))
        return seq, score / (len(seq) + 1)
