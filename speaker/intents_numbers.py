"""Number words in spoken requests: "one eighty two" -> 182, "nineteen eighty four" -> 1984.

Whisper writes numbers either as digits or as words, and people say them in
pieces ("blink one eighty two", "twenty twenty one"). These helpers turn runs of
number words into digits so that names and years compare equal however they
were transcribed. Pure functions, no state.
"""

from __future__ import annotations

import re

__all__ = ["DECADE_WORDS", "parse_decade", "parse_number", "words_to_digits"]

_UNITS = {
    "zero": 0, "oh": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9,
}
_TEENS = {
    "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
    "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19,
}
_TENS = {
    "twenty": 20, "thirty": 30, "forty": 40, "fourty": 40, "fifty": 50, "sixty": 60,
    "seventy": 70, "eighty": 80, "ninety": 90,
}
_SCALES = {"hundred": 100, "thousand": 1000}
NUMBER_WORDS = frozenset(_UNITS) | frozenset(_TEENS) | frozenset(_TENS) | frozenset(_SCALES)

#: Decade words as spoken ("eighties") -> decade start within the 1900s.
DECADE_WORDS = {
    "twenties": 1920, "thirties": 1930, "forties": 1940, "fourties": 1940, "fifties": 1950,
    "sixties": 1960, "seventies": 1970, "eighties": 1980, "nineties": 1990,
    "noughties": 2000, "naughties": 2000, "two thousands": 2000,
}


def _group_value(words: list[str]) -> tuple[int, int] | None:
    """Value and digit width of a group such as ["eighty", "two"] or ["one", "hundred"]."""
    total = 0
    current = 0
    scaled = False
    for word in words:
        if word in _SCALES:
            scale = _SCALES[word]
            current = max(current, 1) * scale
            if scale == 1000:
                total += current
                current = 0
            scaled = True
        elif word in _TENS:
            current += _TENS[word]
        elif word in _TEENS:
            current += _TEENS[word]
        elif word in _UNITS:
            current += _UNITS[word]
        else:
            return None
    value = total + current
    if scaled:
        return value, len(str(value))
    if words[0] == "oh":
        return value, 2
    return value, len(str(value))


def _split_groups(words: list[str]) -> list[list[str]]:
    """Split a run of number words where a new spoken number starts.

    "one eighty two" -> [one] [eighty two]; "nineteen eighty four" ->
    [nineteen] [eighty four]; "two thousand and three" stays one group.
    """
    groups: list[list[str]] = []
    for word in words:
        if not groups:
            groups.append([word])
            continue
        last = groups[-1]
        prev = last[-1]
        joins = (
            word in _SCALES
            or prev in _SCALES
            or (prev in _TENS and word in _UNITS and word not in ("oh", "zero"))
            or (prev == "oh" and word in _UNITS and len(last) == 1)
        )
        if joins:
            last.append(word)
        else:
            groups.append([word])
    return groups


def parse_number(text: str) -> int | None:
    """The integer a run of number words (or digits) stands for, or None.

    >>> parse_number("one eighty two"), parse_number("nineteen eighty four")
    (182, 1984)
    """
    hundreds = re.fullmatch(r"(\d{1,2}) hundred(?: and)?(?: (\d{1,2}))?", text.lower().strip())
    if hundreds:  # "19 hundred and 88": Whisper mixes digits and words
        return int(hundreds.group(1)) * 100 + int(hundreds.group(2) or 0)
    words = [w for w in re.split(r"[\s-]+", text.lower().strip()) if w and w != "and"]
    if not words:
        return None
    if len(words) == 1 and words[0].isdigit():
        return int(words[0])
    if any(w not in NUMBER_WORDS for w in words):
        return None
    digits = ""
    for index, group in enumerate(_split_groups(words)):
        parsed = _group_value(group)
        if parsed is None:
            return None
        value, width = parsed
        if index and width < 2 and group[0] not in _UNITS:
            width = 2
        digits += str(value).zfill(width) if index else str(value)
    return int(digits)


_RUN = re.compile(
    r"\b(?:" + "|".join(sorted(NUMBER_WORDS, key=len, reverse=True)) + r")"
    r"(?:(?:[\s-]+|[\s-]+and[\s-]+)(?:" + "|".join(sorted(NUMBER_WORDS, key=len, reverse=True))
    + r"))*\b",
    re.IGNORECASE,
)


def words_to_digits(text: str) -> str:
    """Replace every run of number words by its digits ("twenty one pilots" -> "21 pilots").

    A lone "oh" is left alone: it is far more often a word than a zero.
    """

    def replace(match: re.Match[str]) -> str:
        run = match.group(0)
        if run.lower() == "oh":
            return run
        value = parse_number(run)
        return run if value is None else str(value)

    return _RUN.sub(replace, text)


_DECADE_DIGITS = re.compile(r"^(?:the\s+)?'?(\d{2}|\d{4})'?\s*'?s$")


def parse_decade(text: str) -> int | None:
    """Decade start for "the eighties", "80s", "1980s", "the '80s", "nineteen eighties"."""
    words = text.lower().strip()
    words = re.sub(r"^the\s+", "", words)
    if words in DECADE_WORDS:
        return DECADE_WORDS[words]
    spoken = re.match(r"^(nineteen|twenty)[\s-]+(\w+ies)$", words)
    if spoken and spoken.group(2) in DECADE_WORDS:
        century = 1900 if spoken.group(1) == "nineteen" else 2000
        return century + DECADE_WORDS[spoken.group(2)] % 100
    match = _DECADE_DIGITS.match(words)
    if match:
        value = int(match.group(1))
        if value < 100:
            if value % 10:
                return None
            return 1900 + value if value >= 20 else 2000 + value
        return value if value % 10 == 0 else None
    return None
