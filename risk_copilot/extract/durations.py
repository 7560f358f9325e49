"""Durations ("thirty (30) days", "12 months", "3-year", "twenty (20) business days")
and notice periods ("on sixty (60) days' advance written notice")."""

from __future__ import annotations

import re
from dataclasses import dataclass

from .numbers_in_words import NUMBER_WORDS_PATTERN, parse_number_words

UNITS = ("days", "business_days", "weeks", "months", "years", "hours")

#: approximate calendar days per unit (business day counted as 1 day; unit is kept).
DAYS_PER_UNIT = {"days": 1.0, "business_days": 1.0, "weeks": 7.0, "months": 30.0,
                 "years": 365.0, "hours": 1.0 / 24.0}

_DIGITS = r"(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?"

_DURATION_RE = re.compile(
    rf"(?:(?P<words>{NUMBER_WORDS_PATTERN}|(?i:one[ \t-]+and[ \t-]+(?:a|one)[ \t-]+half))"
    rf"(?:[ \t]*\([ \t]*(?P<wfig>{_DIGITS})[ \t]*\))?"
    rf"|(?<![\w.,§])(?P<fig>{_DIGITS})(?![\d.,]\d))"
    rf"(?:[ \t]*-[ \t]*|[ \t\u00a0]+|(?<=\d)(?=[a-z]))"
    rf"(?:(?i:(?P<full>full|consecutive|successive|additional|further)[ \t]+))?"
    rf"(?:(?i:(?P<qual>business|working|banking|calendar|trading)[ \t-]+))?"
    rf"(?P<unit>(?i:days?|weeks?|months?|years?|yrs?|hours?|hrs?))(?![a-zA-Z])"
)

_UNIT_HINT_RE = re.compile(r"(?i)day|week|month|year|yr|hour|hr")
_WORD_HALF_RE = re.compile(r"(?i)one[ \t-]+and[ \t-]+(?:a|one)[ \t-]+half")

_NOTICE_AFTER_RE = re.compile(
    r"(?i)[ \t]*(?:['’]s?[ \t]*)?(?:\)[ \t]*)?"
    r"(?:(?:prior|advance|advanced|previous|written|express|formal|reasonable|clear|calendar)"
    r"[ \t,]+){0,4}?"
    r"(?:notice|notification|notifying)\b"
)
_NOTICE_BEFORE_RE = re.compile(
    r"(?i)(?:notice|notification)[ \t]+(?:period[ \t]+)?(?:in[ \t]+writing[ \t]+)?(?:of|period)[ \t]+"
    r"(?:at[ \t]+least|not[ \t]+less[ \t]+than|no[ \t]+less[ \t]+than|no[ \t]+fewer[ \t]+than|"
    r"not[ \t]+fewer[ \t]+than|a[ \t]+minimum[ \t]+of|minimum)?[ \t]*\(?[ \t]*\Z"
)
_AT_LEAST_BEFORE_RE = re.compile(
    r"(?i)(?:at[ \t]+least|not[ \t]+less[ \t]+than|no[ \t]+less[ \t]+than|no[ \t]+fewer[ \t]+than|"
    r"not[ \t]+fewer[ \t]+than|a[ \t]+minimum[ \t]+of|no[ \t]+later[ \t]+than|not[ \t]+later[ \t]+than|"
    r"at[ \t]+the[ \t]+latest)[ \t]+\Z"
)
_BEFORE_AFTER_RE = re.compile(
    r"(?i)[ \t]*(?:['’]s?[ \t]*)?(?:\([^()]{0,40}\)[ \t]*)?,?[ \t]*"
    r"(?:before|prior[ \t]+to|in[ \t]+advance(?:[ \t]+of)?|preceding)\b"
)
_NOTIFY_BEFORE_RE = re.compile(r"(?i)\b(?:notif(?:y|ies|ied|ying)|notice|inform|tells?|written)\b")


@dataclass(frozen=True)
class Duration:
    """A length of time at ``text[start:end]``.

    ``value`` in ``unit`` (one of UNITS); ``days`` its approximate length in calendar
    days (month=30, year=365, week=7, business day=1, hour=1/24). ``figure`` is the
    parenthesised figure when both words and figure are written, and ``inconsistent``
    whether they disagree.
    """

    start: int
    end: int
    text: str
    value: float
    unit: str
    days: float
    figure: float | None = None
    inconsistent: bool = False


def _unit_of(unit: str, qual: str | None) -> str:
    u = unit.lower()
    if u.startswith("day"):
        return "business_days" if qual and qual.lower() in ("business", "working", "banking", "trading") else "days"
    if u.startswith("week"):
        return "weeks"
    if u.startswith("month"):
        return "months"
    if u.startswith("y"):
        return "years"
    return "hours"


def find_durations(text: str) -> list[Duration]:
    """Find durations: "thirty (30) days", "12 months", "3-year", "twenty (20) business
    days", "seventy-two (72) hours", "one (1) year", "a twelve-month period".

    A bare number ("Section 14") or a unit without a number is not a duration.
    """
    out: list[Duration] = []
    if not _UNIT_HINT_RE.search(text):
        return out
    for m in _DURATION_RE.finditer(text):
        figure = None
        inconsistent = False
        if m.group("words"):
            words = m.group("words")
            if _WORD_HALF_RE.fullmatch(words):
                value = 1.5
            else:
                wv = parse_number_words(words)
                if wv is None:
                    continue
                value = float(wv)
            if m.group("wfig"):
                figure = float(m.group("wfig").replace(",", ""))
                inconsistent = figure != value
        else:
            value = float(m.group("fig").replace(",", ""))
        unit = _unit_of(m.group("unit"), m.group("qual"))
        out.append(Duration(m.start(), m.end(), m.group(), value, unit,
                            value * DAYS_PER_UNIT[unit], figure, inconsistent))
    return out


def _is_notice(text: str, d: Duration) -> bool:
    if _NOTICE_AFTER_RE.match(text, d.end):
        return True
    before = text[max(0, d.start - 60):d.start]
    if _NOTICE_BEFORE_RE.search(before):
        return True
    if _AT_LEAST_BEFORE_RE.search(before) and _BEFORE_AFTER_RE.match(text, d.end):
        return True
    if _BEFORE_AFTER_RE.match(text, d.end):
        # "notify the other in writing ... ninety (90) days before the end"
        sent_start = max(text.rfind(".", 0, d.start), text.rfind(";", 0, d.start), d.start - 200)
        window = text[sent_start + 1:d.start]
        if _NOTIFY_BEFORE_RE.search(window) and _AT_LEAST_BEFORE_RE.search(before):
            return True
    return False


def notice_periods(text: str, durations: list[Duration] | None = None) -> list[Duration]:
    """Durations that are notice periods.

    Matches a duration followed by ['s] + optional prior/advance/written + "notice"
    ("sixty (60) days' advance written notice", "10 days prior notice"), "notice of
    (at least) N days", and "at least / not less than N days before / prior to".
    ``durations`` may pass already-found durations of ``text`` to avoid re-scanning.
    """
    if durations is None:
        durations = find_durations(text)
    return [d for d in durations if _is_notice(text, d)]
