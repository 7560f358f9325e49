"""Liability caps expressed relative to fees: multiples ("two times the fees paid",
"2x the annual fees", "one and a half (1.5) times", "twice the amounts paid") and
months of fees ("the total amounts paid ... in the twelve (12) months before")."""

from __future__ import annotations

import re
from dataclasses import dataclass

from .numbers_in_words import NUMBER_WORDS_PATTERN, parse_number_words

_FRACTIONS = {"half": 0.5, "quarter": 0.25, "third": 1 / 3}
_FIG = r"\d+(?:\.\d+)?"
_BASIS_WORDS = (r"(?i:fees?|amounts?|charges?|sums?|price|prices|payments?|consideration|"
                r"contract[ \t]+value|compensation|royalt(?:y|ies)|revenues?|paid|payable|value)")

_PAID = (r"(?:[ \t]+(?i:actually[ \t]+)?(?i:paid|payable|received|due|owed)"
         r"(?:[ \t]+(?i:and|or|and/or)[ \t]+(?i:paid|payable|due|owed))?)?")

_MULTIPLE_RE = re.compile(
    rf"(?:(?P<words>{NUMBER_WORDS_PATTERN})"
    rf"(?:[ \t]+and[ \t]+(?:a|one)[ \t-]+(?P<frac>half|quarter|third))?"
    rf"(?:[ \t]*\([ \t]*(?P<wfig>{_FIG})[ \t]*[x×]?[ \t]*\))?[ \t]+(?i:times)"
    rf"|(?<![\w.])(?P<fig>{_FIG})(?:[ \t]*(?P<x>[x×X])(?![\w])|[ \t]+(?i:times))"
    rf"|(?<![\w-])(?P<mult_word>(?i:twice|double|triple|treble|thrice|quadruple)))"
    rf"(?P<basis>[ \t]+(?:(?i:the|an?|of|all|any|total|aggregate|annual|yearly|amount|"
    rf"(?:amount|total|sum)[ \t]+of[ \t]+the|equal[ \t]+to[ \t]+the)[ \t]+){{0,4}}"
    rf"[^.;:\n]{{0,60}}?{_BASIS_WORDS}\b{_PAID})"
)
_MULTIPLE_HINT_RE = re.compile(r"(?i)times|\d[ \t]*[x×]|twice|double|triple|treble|thrice|quadruple")
_MONTHS_HINT_RE = re.compile(r"(?i)(?:month|year)s?\b[^.;\n]{0,30}(?:fee|charge|payment|amount|paid|payable)"
                             r"|(?:fee|amount|charge|sum|payment|consideration|compensation)[^.;\n]{0,200}?"
                             r"(?:month|year)")
_MULT_WORDS = {"twice": 2.0, "double": 2.0, "triple": 3.0, "treble": 3.0, "thrice": 3.0,
               "quadruple": 4.0}
_BASIS_TRIM_RE = re.compile(r"^[ \t]+")

_MONTHS_OF_FEES_RE = re.compile(
    # fees/amounts paid ... in/during the (N) months (before|preceding|prior)
    rf"(?P<basis>(?i:fees?|amounts?|charges?|sums?|payments?|consideration|compensation)"
    rf"\b[^.;\n]{{0,160}}?)[ \t]+(?i:in|during|for|over|within)[ \t]+(?i:the|any)[ \t]+"
    rf"(?i:(?:immediately[ \t]+)?(?:preceding|prior|previous|last|past)[ \t]+)?"
    rf"(?P<n>(?P<nwords>{NUMBER_WORDS_PATTERN})(?:[ \t]*\([ \t]*(?P<nfig>\d+)[ \t]*\))?|(?P<nfig2>\d+))"
    rf"[ \t-]+(?P<unit>(?i:months?|years?))\b"
    # or: twelve (12) months' fees / the fees for 12 months
    rf"|(?P<n2>(?P<n2words>{NUMBER_WORDS_PATTERN})(?:[ \t]*\([ \t]*(?P<n2fig>\d+)[ \t]*\))?|(?P<n2fig2>\d+))"
    rf"[ \t-]+(?P<unit2>(?i:months?|years?))['’]?s?[ \t]+(?:(?i:of|worth[ \t]+of)[ \t]+)?"
    rf"(?:(?i:the|total|aggregate)[ \t]+){{0,2}}(?P<basis2>(?i:fees|charges|payments|amounts[ \t]+paid|"
    rf"amounts[ \t]+payable))\b"
)


@dataclass(frozen=True)
class FeeMultiple:
    """A cap relative to fees at ``text[start:end]``.

    Exactly one of ``multiple`` ("two times the fees" -> 2.0) and ``months_of_fees``
    ("the amounts paid in the twelve (12) months before the claim" -> 12.0) is set.
    ``basis`` is the phrase naming what is multiplied ("the fees paid").
    """

    start: int
    end: int
    text: str
    multiple: float | None
    basis: str
    months_of_fees: float | None = None


def _n(words: str | None, fig: str | None, fig2: str | None) -> float | None:
    if fig or fig2:
        return float(fig or fig2)
    if words:
        v = parse_number_words(words)
        return float(v) if v is not None else None
    return None


def find_fee_multiples(text: str) -> list[FeeMultiple]:
    """Find fee multiples and months-of-fees caps in ``text``, in order of position."""
    out: list[FeeMultiple] = []
    multiples = _MULTIPLE_RE.finditer(text) if _MULTIPLE_HINT_RE.search(text) else ()
    months = _MONTHS_OF_FEES_RE.finditer(text) if _MONTHS_HINT_RE.search(text) else ()
    for m in multiples:
        if m.group("words"):
            v = parse_number_words(m.group("words"))
            if v is None:
                continue
            multiple = float(m.group("wfig")) if m.group("wfig") else v + _FRACTIONS.get(
                (m.group("frac") or "").lower(), 0.0)
        elif m.group("fig"):
            multiple = float(m.group("fig"))
        else:
            multiple = _MULT_WORDS[m.group("mult_word").lower()]
        basis = _BASIS_TRIM_RE.sub("", m.group("basis"))
        out.append(FeeMultiple(m.start(), m.end(), m.group(), multiple, basis))
    for m in months:
        if m.group("basis"):
            n = _n(m.group("nwords"), m.group("nfig"), m.group("nfig2"))
            unit, basis = m.group("unit"), m.group("basis")
        else:
            n = _n(m.group("n2words"), m.group("n2fig"), m.group("n2fig2"))
            unit, basis = m.group("unit2"), m.group("basis2")
        if n is None:
            continue
        months = n * 12 if unit.lower().startswith("y") else n
        if any(f.start <= m.start() < f.end for f in out):
            continue
        out.append(FeeMultiple(m.start(), m.end(), m.group(), None, basis, months))
    out.sort(key=lambda f: f.start)
    return out
