"""Numbers written in words: "forty-five" -> 45, "two million five hundred thousand",
"thirty (30)".

``NUMBER_WORDS_PATTERN`` is a regex fragment (no capture groups) that the other
extractors embed; ``parse_number_words`` turns such a match into an integer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

UNITS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9,
}
TEENS = {
    "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14,
    "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19,
}
TENS = {
    "twenty": 20, "thirty": 30, "forty": 40, "fourty": 40, "fifty": 50, "sixty": 60,
    "seventy": 70, "eighty": 80, "ninety": 90,
}
SCALES = {"thousand": 1_000, "million": 1_000_000, "billion": 1_000_000_000,
          "trillion": 1_000_000_000_000}

_WORD_ALTERNATION = "|".join(
    sorted(list(UNITS) + list(TEENS) + list(TENS) + list(SCALES) + ["hundred"],
           key=len, reverse=True)
)
_WORD = rf"(?:{_WORD_ALTERNATION})"

#: Regex fragment matching a run of number words ("one hundred and twenty",
#: "forty-five", "a hundred"). Case-insensitive; no capture groups.
NUMBER_WORDS_PATTERN = (
    rf"(?i:(?=[abefhmnostz])(?<![\w-])(?:(?:a|one)[ \t]+(?=hundred|thousand|million|billion))?{_WORD}"
    rf"(?:(?:[ \t]*-[ \t]*|[ \t\n]+(?:and[ \t\n]+)?){_WORD})*(?![\w]))"
)

#: A figure in parentheses right after number words: "(30)", "(1,000)", "(1.5)".
PAREN_FIGURE_PATTERN = r"[ \t]*\([ \t]*(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?[ \t]*\)"

_NUMBER_WORDS_RE = re.compile(NUMBER_WORDS_PATTERN)
_FIGURE_AFTER_RE = re.compile(r"[ \t]*\([ \t]*((?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?)[ \t]*\)")
_TOKEN_RE = re.compile(r"[A-Za-z]+")
_TRAILING_FIGURE_RE = re.compile(r"\(\s*([\d,]+(?:\.\d+)?)\s*\)\s*$")
_FIGURE_RE = re.compile(r"[\d,]+(?:\.\d+)?")
_SCALE_WORDS = frozenset(("hundred", *SCALES))


@dataclass(frozen=True)
class NumberWords:
    """A number in words, optionally followed by its figure: ``thirty (30)``.

    ``value`` is the value of the words; ``figure`` the parenthesised figure when
    present; ``inconsistent`` is True when both exist and differ.
    """

    start: int
    end: int
    text: str
    value: int
    figure: Decimal | None = None

    @property
    def inconsistent(self) -> bool:
        return self.figure is not None and self.figure != self.value


def _parse_tokens(tokens: list[str]) -> tuple[int | None, int]:
    """Parse the longest valid prefix of lower-case number tokens.

    Returns (value, tokens consumed); value is None if not even one token parses.
    """
    total = 0
    group = 0  # value below the current scale
    last = "start"  # start | unit | teen | ten | hundred | scale | and
    last_scale = None
    consumed = 0
    value_at_consumed: int | None = None
    for i, tok in enumerate(tokens):
        if tok == "a":
            if last != "start" or i + 1 >= len(tokens) or tokens[i + 1] not in _SCALE_WORDS:
                break
            group = 1
            last = "unit"
            continue
        if tok == "and":
            if last not in ("hundred", "scale"):
                break
            last = "and"
            continue
        if tok in UNITS or tok in TEENS:
            kind = "unit" if tok in UNITS else "teen"
            if last in ("start", "hundred", "scale", "and"):
                if last in ("hundred", "and") and group % 100:
                    break
                group += UNITS.get(tok, TEENS.get(tok, 0))
            elif last == "ten" and kind == "unit" and tok != "zero":
                group += UNITS[tok]
            else:
                break
            last = kind
        elif tok in TENS:
            if last not in ("start", "hundred", "scale", "and") or group % 100:
                break
            group += TENS[tok]
            last = "ten"
        elif tok == "hundred":
            if last not in ("unit", "teen") or group >= 100 or group == 0:
                break
            group *= 100
            last = "hundred"
        elif tok in SCALES:
            scale = SCALES[tok]
            if last not in ("unit", "teen", "ten", "hundred") or group == 0:
                break
            if last_scale is not None and scale >= last_scale:
                break
            total += group * scale
            group = 0
            last_scale = scale
            last = "scale"
        else:
            break
        consumed = i + 1
        value_at_consumed = total + group
    return value_at_consumed, consumed


def parse_number_words(words: str) -> int | None:
    """Value of a complete number phrase ("one hundred and twenty" -> 120), or None.

    Returns None unless the whole phrase parses ("one and two" -> None).
    """
    tokens = [t.lower() for t in _TOKEN_RE.findall(words)]
    if not tokens:
        return None
    value, consumed = _parse_tokens(tokens)
    return value if consumed == len(tokens) else None


def _split_run(text: str, start: int, end: int):
    """Yield (start, end, value) for each valid number inside a matched run."""
    toks = [(m.group().lower(), m.start(), m.end()) for m in _TOKEN_RE.finditer(text, start, end)]
    i = 0
    while i < len(toks):
        value, consumed = _parse_tokens([t for t, _, _ in toks[i:]])
        if value is None or consumed == 0:
            i += 1
            continue
        yield toks[i][1], toks[i + consumed - 1][2], value
        i += consumed


def find_number_words(text: str) -> list[NumberWords]:
    """Find numbers written in words, each with a following "(30)" figure if present.

    >>> [n.value for n in find_number_words("thirty (30) days and forty-five days")]
    [30, 45]
    """
    out: list[NumberWords] = []
    for m in _NUMBER_WORDS_RE.finditer(text):
        for s, e, value in _split_run(text, m.start(), m.end()):
            figure = None
            fm = _FIGURE_AFTER_RE.match(text, e)
            if fm:
                try:
                    figure = Decimal(fm.group(1).replace(",", ""))
                except InvalidOperation:  # pragma: no cover - regex guarantees digits
                    figure = None
                e = fm.end()
            out.append(NumberWords(s, e, text[s:e], value, figure))
    return out


def number_value(token: str) -> float | None:
    """Value of a number given in words or figures ("thirty (30)", "1,000", "2.5")."""
    token = token.strip()
    fm = _TRAILING_FIGURE_RE.search(token)
    if fm:
        return float(fm.group(1).replace(",", ""))
    if _FIGURE_RE.fullmatch(token):
        return float(token.replace(",", ""))
    value = parse_number_words(token)
    return float(value) if value is not None else None
