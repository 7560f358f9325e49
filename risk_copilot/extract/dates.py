"""Calendar dates: "June 16, 2025", "16 June 2025", "2025-06-16", "06/16/2025" (US
month-first), "the 1st day of March, 2024"."""

from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass

MONTHS = {
    "january": 1, "jan": 1, "february": 2, "feb": 2, "march": 3, "mar": 3, "april": 4,
    "apr": 4, "may": 5, "june": 6, "jun": 6, "july": 7, "jul": 7, "august": 8, "aug": 8,
    "september": 9, "sept": 9, "sep": 9, "october": 10, "oct": 10, "november": 11,
    "nov": 11, "december": 12, "dec": 12,
}
ORDINAL_WORDS = {
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7,
    "eighth": 8, "ninth": 9, "tenth": 10, "eleventh": 11, "twelfth": 12, "thirteenth": 13,
    "fourteenth": 14, "fifteenth": 15, "sixteenth": 16, "seventeenth": 17, "eighteenth": 18,
    "nineteenth": 19, "twentieth": 20, "twenty-first": 21, "twenty-second": 22,
    "twenty-third": 23, "twenty-fourth": 24, "twenty-fifth": 25, "twenty-sixth": 26,
    "twenty-seventh": 27, "twenty-eighth": 28, "twenty-ninth": 29, "thirtieth": 30,
    "thirty-first": 31,
}

_MONTH = (r"(?P<{g}>(?i:january|february|march|april|june|july|august|september|october|"
          r"november|december|(?:jan|feb|mar|apr|jun|jul|aug|sept|sep|oct|nov|dec)\.?)|May|MAY)")
_DAY = r"(?P<{g}>[0-3]?\d)(?:st|nd|rd|th)?"
_YEAR = r"(?P<{g}>(?:19|20)\d\d)"
_ORD_WORD = "(?i:" + "|".join(sorted((w.replace("-", "[ -]") for w in ORDINAL_WORDS), key=len, reverse=True)) + ")"

_DATE_RE = re.compile(
    "|".join([
        # the 1st day of March, 2024 / this twenty-first day of June 2025
        rf"(?P<dofm>(?:(?P<d1>[0-3]?\d)(?:st|nd|rd|th)?|(?P<dw>{_ORD_WORD}))[ \t]+(?i:day)[ \t]+(?i:of)[ \t]+"
        + _MONTH.format(g="m1") + r",?[ \t]+(?:(?i:in[ \t]+the[ \t]+year[ \t]+)?)" + _YEAR.format(g="y1") + ")",
        # June 16, 2025 / June 16th 2025
        r"(?P<mdy>" + _MONTH.format(g="m2") + r"[ \t]+" + _DAY.format(g="d2") + r"(?!\d),?[ \t]+" + _YEAR.format(g="y2") + ")",
        # 16 June 2025 / 16th June, 2025
        r"(?P<dmy>(?<!\d)" + _DAY.format(g="d3") + r"[ \t]+(?:(?i:of)[ \t]+)?" + _MONTH.format(g="m3") + r",?[ \t]+" + _YEAR.format(g="y3") + ")",
        # 2025-06-16
        r"(?P<iso>(?<![\d/.-])(?P<y4>(?:19|20)\d\d)-(?P<m4>[01]?\d)-(?P<d4>[0-3]?\d)(?![\d-]))",
        # 06/16/2025 (US: month first; day first when the first number is > 12)
        r"(?P<num>(?<![\d/.])(?P<a5>[0-3]?\d)(?P<sep>[/.])(?P<b5>[0-3]?\d)(?P=sep)(?P<y5>(?:19|20)\d\d|\d\d)(?![\d/]))",
    ])
)
# Every date has a year: only the text around year-like numbers is scanned.
_YEAR_HINT_RE = re.compile(r"(?<!\d)(?:19|20)\d\d(?!\d)|(?<=[/.])\d\d(?!\d)")
_WORD_BOUNDARY_BEFORE = re.compile(r"[A-Za-z]\Z")


@dataclass(frozen=True)
class DateValue:
    """A calendar date at ``text[start:end]``; ``format`` names the written form
    (``day_of_month``, ``mdy``, ``dmy``, ``iso``, ``numeric_us``, ``numeric_dmy``)."""

    start: int
    end: int
    text: str
    date: _dt.date
    format: str


def _month(raw: str) -> int:
    return MONTHS[raw.lower().rstrip(".")]


def find_dates(text: str) -> list[DateValue]:
    """Find calendar dates in ``text``; impossible dates (Feb 30) are skipped."""
    out: list[DateValue] = []
    windows: list[list[int]] = []
    for y in _YEAR_HINT_RE.finditer(text):
        lo, hi = max(0, y.start() - 60), min(len(text), y.end() + 7)
        if windows and lo <= windows[-1][1]:
            windows[-1][1] = hi
        else:
            windows.append([lo, hi])
    matches = [m for lo, hi in windows for m in _DATE_RE.finditer(text, lo, hi)]
    last_end = -1
    for m in matches:
        if m.start() < last_end:
            continue
        last_end = m.end()
        if m.start() and _WORD_BOUNDARY_BEFORE.match(text, m.start() - 1):
            continue
        try:
            if m.group("dofm"):
                day = int(m.group("d1")) if m.group("d1") else ORDINAL_WORDS[m.group("dw").lower().replace(" ", "-")]
                d, fmt = _dt.date(int(m.group("y1")), _month(m.group("m1")), day), "day_of_month"
            elif m.group("mdy"):
                d, fmt = _dt.date(int(m.group("y2")), _month(m.group("m2")), int(m.group("d2"))), "mdy"
            elif m.group("dmy"):
                d, fmt = _dt.date(int(m.group("y3")), _month(m.group("m3")), int(m.group("d3"))), "dmy"
            elif m.group("iso"):
                d, fmt = _dt.date(int(m.group("y4")), int(m.group("m4")), int(m.group("d4"))), "iso"
            else:
                a, b, y = int(m.group("a5")), int(m.group("b5")), int(m.group("y5"))
                if y < 100:
                    y += 2000 if y < 70 else 1900
                if a > 12:
                    d, fmt = _dt.date(y, b, a), "numeric_dmy"
                else:
                    d, fmt = _dt.date(y, a, b), "numeric_us"
        except (ValueError, KeyError):
            continue
        out.append(DateValue(m.start(), m.end(), m.group(), d, fmt))
    return out
