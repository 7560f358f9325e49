"""Money amounts: codes and symbols, scale words, European separators, amounts in
words, and words that disagree with the figures.

Only amounts tied to a currency (code, symbol or currency word) are money: a bare
"2025", "Section 14" or "4%" never is.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from .numbers_in_words import NUMBER_WORDS_PATTERN, parse_number_words

CURRENCY_CODES = (
    "USD", "EUR", "GBP", "CAD", "CHF", "JPY", "AUD", "NZD", "CNY", "RMB", "HKD", "SGD",
    "INR", "SEK", "NOK", "DKK", "MXN", "BRL", "ZAR", "KRW", "ILS", "PLN", "CZK", "HUF",
    "TWD", "THB", "MYR", "IDR", "PHP", "AED", "SAR", "TRY", "RUB",
)

#: symbol (as written) -> ISO code. "$" alone is read as USD.
CURRENCY_SYMBOLS = {
    "US$": "USD", "U.S.$": "USD", "USD$": "USD", "$US": "USD", "C$": "CAD", "CA$": "CAD",
    "CDN$": "CAD", "Cdn$": "CAD", "A$": "AUD", "AU$": "AUD", "NZ$": "NZD", "HK$": "HKD",
    "S$": "SGD", "R$": "BRL", "MX$": "MXN", "$": "USD", "€": "EUR", "£": "GBP",
    "¥": "JPY", "₹": "INR", "Rs.": "INR", "CHF": "CHF",
}

#: currency words after an amount ("one million dollars", "500 euros").
CURRENCY_WORDS = (
    (r"(?:U\.?S\.?|US|United[ \t]+States|American)[ \t]+dollars?", "USD"),
    (r"(?:Canadian|CDN|Cdn\.?)[ \t]+dollars?", "CAD"),
    (r"Australian[ \t]+dollars?", "AUD"),
    (r"Hong[ \t]+Kong[ \t]+dollars?", "HKD"),
    (r"Singapore[ \t]+dollars?", "SGD"),
    (r"dollars?", "USD"),
    (r"euros?", "EUR"),
    (r"(?:pounds?[ \t]+sterling|British[ \t]+pounds?|pounds?)", "GBP"),
    (r"Swiss[ \t]+francs?", "CHF"),
    (r"(?:Japanese[ \t]+)?yen", "JPY"),
    (r"(?:Chinese[ \t]+)?(?:yuan|renminbi)", "CNY"),
    (r"(?:Indian[ \t]+)?rupees?", "INR"),
)

SCALE_WORDS = {
    "thousand": 1_000, "k": 1_000, "million": 1_000_000, "m": 1_000_000, "mm": 1_000_000,
    "mn": 1_000_000, "mio": 1_000_000, "billion": 1_000_000_000, "bn": 1_000_000_000,
    "b": 1_000_000_000,
}

_CODE = "(?:" + "|".join(CURRENCY_CODES) + ")"
_SYMBOL = "(?:" + "|".join(re.escape(s) for s in sorted(CURRENCY_SYMBOLS, key=len, reverse=True)) + ")"
_CUR_WORD = "(?i:" + "|".join(f"(?:{p})" for p, _ in CURRENCY_WORDS) + ")"
_CUR_WORD_RES = [(re.compile(p + r"\Z", re.I), code) for p, code in CURRENCY_WORDS]

# Figures: 1,234,567.89 | 1.234.567,89 | 1'000'000 | 1234.5 | 1234
_FIGURE = (
    r"(?:\d{1,3}(?:,\d{3})+(?:\.\d+)?"
    r"|\d{1,3}(?:\.\d{3})+,\d{1,2}(?!\d)"
    r"|\d{1,3}(?:\.\d{3}){2,}(?![\d,])"
    r"|\d{1,3}(?:'\d{3})+(?:\.\d+)?"
    r"|\d+(?:\.\d+)?)"
)
_EUROPEAN_RE = re.compile(r"\d{1,3}(?:\.\d{3})+,\d{1,2}|\d{1,3}(?:\.\d{3}){2,}")
_SCALE = r"(?:[ \t]*(?i:thousand|million|billion|mio|mm|mn|bn)\b|(?:k|m|mm|bn|b|K|M|MM|BN|B)\b)"

_FIG_MONEY_RE = re.compile(
    rf"(?=[A-Z$€£¥₹\d])(?:(?P<pcur>{_SYMBOL}|(?<![A-Za-z]){_CODE}\b)[ \t\u00a0]*-?[ \t\u00a0]*"
    rf"(?P<pnum>{_FIGURE})(?![\d])(?P<pscale>{_SCALE})?"
    rf"(?:[ \t]+(?P<pword>{_CUR_WORD})\b)?)"
    rf"|(?:(?<![\w.,$€£¥])(?P<snum>{_FIGURE})(?P<sscale>{_SCALE})?[ \t\u00a0]*"
    rf"(?:(?P<scode>{_CODE})\b|(?P<sword>{_CUR_WORD})\b|(?P<ssym>€|£))(?!%))"
)

_CUR_WORD_HINT_RE = re.compile(
    r"(?i)dollar|euro|pound|franc|yen|yuan|renminbi|rupee")
_DIGIT_RE = re.compile(r"\d")
_WORDS_MONEY_RE = re.compile(
    rf"(?P<words>{NUMBER_WORDS_PATTERN})"
    rf"(?:[ \t]*\((?P<fig_in>[^()\n]{{1,40}})\))?"
    rf"[ \t]+(?P<word>{_CUR_WORD})\b"
    rf"(?:[ \t]*\((?P<fig_after>[^()\n]{{1,40}})\))?"
)
_PAREN_WORDS_RE = re.compile(
    rf"[ \t]*\([ \t]*(?P<words>{NUMBER_WORDS_PATTERN})"
    rf"(?:[ \t]+(?:{_CUR_WORD}|{_CODE}\b))?"
    rf"(?:[ \t]+and[ \t]+(?:\d{{1,2}}|no|zero)/100(?:[ \t]+(?:{_CUR_WORD}))?)?[ \t]*\)"
)


@dataclass(frozen=True)
class Money:
    """An amount of money at ``text[start:end]``.

    ``amount`` is the figure (or the words' value when no figure is written);
    ``words_amount`` the value of the amount in words when present; ``inconsistent``
    is True when words and figures disagree. ``currency`` is an ISO code or None;
    ``currency_text`` the code/symbol/word as written; ``scale`` a scale word
    ("million", "k") applied to the figure.
    """

    start: int
    end: int
    text: str
    amount: Decimal
    currency: str | None
    words_amount: Decimal | None = None
    inconsistent: bool = False
    currency_text: str | None = None
    scale: str | None = None


def parse_figure(raw: str) -> Decimal | None:
    """Parse "1,234.50", "1.234.567,89" (European) or "1'000" into a Decimal."""
    s = raw.strip()
    if "'" in s:
        s = s.replace("'", "")
    elif _EUROPEAN_RE.fullmatch(s):
        s = s.replace(".", "").replace(",", ".")
    else:
        s = s.replace(",", "")
    try:
        return Decimal(s)
    except InvalidOperation:
        return None


def _currency_of_word(word: str | None) -> str | None:
    if not word:
        return None
    w = " ".join(word.split())
    if w.upper() in CURRENCY_CODES:
        return "CNY" if w.upper() == "RMB" else w.upper()
    for rx, code in _CUR_WORD_RES:
        if rx.match(w):
            return code
    return None


def _scale_factor(scale: str | None) -> int:
    if not scale:
        return 1
    return SCALE_WORDS.get(scale.strip().lower(), 1)


def _figure_money(m: re.Match[str]) -> tuple[Decimal, str | None, str | None, str | None] | None:
    if m.group("pnum"):
        num, scale, cur_text = m.group("pnum"), m.group("pscale"), m.group("pcur")
        currency = CURRENCY_SYMBOLS.get(cur_text) or _currency_of_word(cur_text)
        word_cur = _currency_of_word(m.group("pword"))
        if cur_text == "$" and word_cur:  # "$5 million Canadian dollars"
            currency = word_cur
    else:
        num, scale = m.group("snum"), m.group("sscale")
        cur_text = m.group("scode") or m.group("sword") or m.group("ssym")
        currency = CURRENCY_SYMBOLS.get(cur_text) or _currency_of_word(cur_text)
    value = parse_figure(num)
    if value is None:
        return None
    value *= _scale_factor(scale)
    return value, currency, cur_text, (scale.strip() if scale else None)


_FIG_IN_PAREN_RE = re.compile(
    rf"[ \t]*(?:(?P<cur>{_SYMBOL}|{_CODE})[ \t]*)?(?P<num>{_FIGURE})(?P<scale>{_SCALE})?"
    rf"(?:[ \t]*(?P<cur2>{_CODE}|{_CUR_WORD}))?[ \t]*\Z"
)


def _paren_figure(raw: str | None) -> tuple[Decimal, str | None] | None:
    if not raw:
        return None
    m = _FIG_IN_PAREN_RE.match(raw)
    if not m:
        return None
    value = parse_figure(m.group("num"))
    if value is None:
        return None
    cur = m.group("cur")
    currency = CURRENCY_SYMBOLS.get(cur) if cur else None
    currency = currency or _currency_of_word(cur) or _currency_of_word(m.group("cur2"))
    return value * _scale_factor(m.group("scale")), currency


def find_money(text: str) -> list[Money]:
    """Find money amounts in ``text`` in order of position.

    Handles "USD 2,000,000", "2,000,000 USD", "$1,700,000.00", "US$ 5", "€ 1.234.567,89",
    "$5 million", "USD 2.5m", "$10k", "one million dollars", "Five Hundred Thousand
    Dollars ($500,000)" and "USD 2,000,000 (two million US dollars)". When words and
    figures disagree ("two million dollars ($1,500,000)") ``amount`` is the figure,
    ``words_amount`` the words and ``inconsistent`` is True.
    """
    found: list[Money] = []
    taken: list[tuple[int, int]] = []

    def overlaps(s: int, e: int) -> bool:
        return any(s < te and ts < e for ts, te in taken)

    # 1. amounts in words with a currency word, optionally with a figure in parentheses
    words_money = _WORDS_MONEY_RE.finditer(text) if _CUR_WORD_HINT_RE.search(text) else ()
    for m in words_money:
        words_value = parse_number_words(m.group("words"))
        if words_value is None:
            continue
        currency = _currency_of_word(m.group("word"))
        fig = _paren_figure(m.group("fig_in")) or _paren_figure(m.group("fig_after"))
        end = m.end() if m.group("fig_after") and fig else m.end("word")
        if m.group("fig_in") and not fig:
            continue
        words_amount = Decimal(words_value)
        if fig:
            amount, fig_cur = fig
            currency = fig_cur if fig_cur and currency == "USD" and fig_cur != "USD" else currency
        else:
            amount = words_amount
        found.append(Money(m.start(), end, text[m.start():end], amount, currency,
                           words_amount, amount != words_amount, m.group("word")))
        taken.append((m.start(), end))

    # 2. figures with a currency, optionally followed by the amount in words
    for m in (_FIG_MONEY_RE.finditer(text) if _DIGIT_RE.search(text) else ()):
        if overlaps(m.start(), m.end()):
            # "Five Hundred Thousand Dollars ($500,000)": the figure is already used
            continue
        parsed = _figure_money(m)
        if parsed is None:
            continue
        amount, currency, cur_text, scale = parsed
        start, end = m.start(), m.end()
        words_amount = None
        pw = _PAREN_WORDS_RE.match(text, end)
        if pw:
            wv = parse_number_words(pw.group("words"))
            if wv is not None:
                words_amount = Decimal(wv)
                # the words were already read as a separate amount in pass 1
                found = [f for f in found if not (f.start >= end and f.end <= pw.end())]
                end = pw.end()
        found.append(Money(start, end, text[start:end], amount, currency, words_amount,
                           words_amount is not None and words_amount != amount, cur_text, scale))
        taken.append((start, end))

    found.sort(key=lambda x: x.start)
    return found



