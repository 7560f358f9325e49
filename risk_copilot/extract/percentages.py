"""Percentages: "4%", "four percent (4%)", "fifty percent (50%)", "5 per cent",
"1.5% per month"."""

from __future__ import annotations

import re
from dataclasses import dataclass

from .numbers_in_words import NUMBER_WORDS_PATTERN, parse_number_words

_FIG = r"(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?|\.\d+"
_PCT_WORD = r"(?i:per[ \t]*cent(?:um)?|percent(?:age[ \t]+points?)?|pct\.?)"
_PERIOD = (r"(?:[ \t]+(?i:(?:per|a|each|every)[ \t]+(?P<per>annum|year|month|week|day|quarter)"
           r"|(?P<per2>annually|monthly|per[ \t]+annum|p\.a\.)))?")

_PERCENT_RE = re.compile(
    # four percent (4%) / fifty (50%) / four percent / twelve and one-half percent
    rf"(?:(?P<words>{NUMBER_WORDS_PATTERN})(?P<half>[ \t]+and[ \t]+(?:a|one)[ \t-]+half)?"
    rf"(?:[ \t]+{_PCT_WORD}(?:[ \t]*\([ \t]*(?P<wfig>{_FIG})[ \t]*(?:%|{_PCT_WORD})?[ \t]*\))?"
    rf"|[ \t]*\([ \t]*(?P<wfig2>{_FIG})[ \t]*(?:%|{_PCT_WORD})[ \t]*\)))"
    # 4% / 5 per cent / 1.5 percent
    rf"|(?:(?<![\w.,])(?P<fig>{_FIG})[ \t]*(?:%|[ \t]{_PCT_WORD}))"
    + _PERIOD
)


_PERCENT_HINT_RE = re.compile(r"(?i)%|per[ \t]*cent|pct")


@dataclass(frozen=True)
class Percentage:
    """A percentage at ``text[start:end]``: ``value`` in percent (4% -> 4.0).

    ``words_value`` is the value of the words when written in words; ``inconsistent``
    is True when words and figure disagree; ``period`` the rate period when given
    ("month" for "1.5% per month", "annum").
    """

    start: int
    end: int
    text: str
    value: float
    words_value: float | None = None
    inconsistent: bool = False
    period: str | None = None


def find_percentages(text: str) -> list[Percentage]:
    """Find percentages; a number in words with its figure ("fifty percent (50%)") is one."""
    out: list[Percentage] = []
    if not _PERCENT_HINT_RE.search(text):
        return out
    for m in _PERCENT_RE.finditer(text):
        words_value = None
        if m.group("words"):
            wv = parse_number_words(m.group("words"))
            if wv is None:
                continue
            words_value = wv + (0.5 if m.group("half") else 0.0)
            fig = m.group("wfig") or m.group("wfig2")
            value = float(fig.replace(",", "")) if fig else words_value
        else:
            value = float(m.group("fig").replace(",", ""))
        period = m.group("per") or m.group("per2")
        if period:
            period = period.lower()
            period = {"annually": "year", "per annum": "annum", "p.a.": "annum",
                      "monthly": "month"}.get(" ".join(period.split()), period)
        out.append(Percentage(m.start(), m.end(), m.group(), value, words_value,
                              words_value is not None and words_value != value, period))
    return out
