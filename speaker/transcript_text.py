"""Text-side helpers of speech to text: the names prompt and cutting Whisper's repeats.

Whisper fed a short command plus padding sometimes loops ("Play, Play, Play") or says
the whole command twice; these functions cut that back to one copy, on tokens while
decoding and on the finished text. :func:`build_prompt` turns library names into
the initial prompt that biases Whisper's spelling.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

__all__ = ["build_prompt", "collapse_repeated_phrase", "collapse_repeats"]

_MIN_REPEATS = 3
_LONG_BLOCK = 4


def build_prompt(names: Sequence[str], max_names: int) -> str:
    """An initial prompt listing up to ``max_names`` library names, most relevant first.

    Whisper spells names it has seen in the prompt; duplicates and blanks are
    dropped and the result stays well inside Whisper's 224-token prompt window.
    """
    seen: set[str] = set()
    kept: list[str] = []
    for raw in names:
        if len(kept) >= max_names:
            break
        name = " ".join(raw.split())[:60]
        if name and name.casefold() not in seen:
            seen.add(name.casefold())
            kept.append(name)
    prompt = ", ".join(kept)
    return prompt[:600].rsplit(",", 1)[0] if len(prompt) > 600 else prompt


def collapse_repeats(tokens: list[int]) -> tuple[list[int], bool]:
    """Cut a looping tail down to one copy of the repeated block.

    A block of ``_LONG_BLOCK`` tokens or more counts as a loop when it appears
    twice in a row (no spoken command says a whole phrase twice); shorter blocks
    need ``_MIN_REPEATS`` copies ("no no no" is rare, "no no" is not). Returns
    the tokens and whether a loop was found, so decoding can stop.
    """
    n_tokens = len(tokens)
    for size in range(1, n_tokens // 2 + 1):
        copies = 2 if size >= _LONG_BLOCK else _MIN_REPEATS
        if size * copies > n_tokens:
            continue
        block = tokens[n_tokens - size:]
        if all(tokens[n_tokens - (k + 1) * size: n_tokens - k * size] == block
               for k in range(1, copies)):
            return tokens[: n_tokens - (copies - 1) * size], True
    return tokens, False


_CLAUSE = re.compile(r"[^,.!?;]+[,.!?;]*")


def collapse_repeated_phrase(text: str) -> str:
    """"Play Nora Vance, Play Nora Vance" -> "Play Nora Vance,".

    Whisper fed a short command plus padding sometimes says it twice with different
    punctuation, which the token-level loop check cannot see. A text made of the
    same clauses (or, without punctuation, the same run of two or more words)
    repeated whole is cut to one copy.
    """
    for pieces, smallest in ((_CLAUSE.findall(text), 1), (text.split(), 2)):
        parts = [p.strip() for p in pieces if p.strip()]
        keys = [re.sub(r"[^a-z0-9 ]+", "", p.lower()).strip() for p in parts]
        for size in range(smallest, len(parts) // 2 + 1):
            if len(parts) % size == 0 and all(keys[i] == keys[i % size]
                                              for i in range(len(parts))):
                return " ".join(parts[:size])
    return text
