"""Durations, notice periods, dates, percentages and fee multiples."""

import datetime as dt
import re

import pytest

from risk_copilot.extract import (find_dates, find_durations, find_fee_multiples,
                                  find_percentages, notice_periods)

from tests.shared_data import read_case


def _section(text: str, start_marker: str, length: int = 600) -> str:
    i = text.index(start_marker)
    return text[i:i + length]


@pytest.mark.parametrize("text,value,unit,days", [
    ("thirty (30) days", 30, "days", 30), ("12 months", 12, "months", 360),
    ("forty-five (45) days' notice", 45, "days", 45), ("two (2) years", 2, "years", 730),
    ("a 3-year term", 3, "years", 1095), ("seventy-two (72) hours", 72, "hours", 3),
    ("twenty (20) business days", 20, "business_days", 20), ("one (1) year", 1, "years", 365),
    ("once in any twelve-month period", 12, "months", 360), ("THIRTY (30) DAYS", 30, "days", 30),
    ("a 30-day cure period", 30, "days", 30), ("2 weeks", 2, "weeks", 14),
])
def test_durations(text, value, unit, days):
    (d,) = find_durations(text)
    assert (d.value, d.unit, d.days) == (value, unit, days)
    assert text[d.start:d.end] == d.text


@pytest.mark.parametrize("text", ["Section 14", "in 2025", "days of the week", "USD 5,000,000"])
def test_not_durations(text):
    assert find_durations(text) == []


@pytest.mark.parametrize("text,days", [
    ("Supplier may raise prices on sixty (60) days' advance written notice", 60),
    ("by giving Supplier forty-five (45) days' written notice", 45),
    ("notifies the other in writing, at least ninety (90) days before the end of the current term", 90),
    ("upon 10 days prior notice", 10), ("with thirty (30) days' notice", 30),
    ("on written notice of at least 30 days", 30),
    ("not less than sixty (60) days prior to the expiration", 60),
])
def test_notice_periods(text, days):
    (n,) = notice_periods(text)
    assert n.days == days


@pytest.mark.parametrize("text", [
    "Customer will pay each correct invoice within thirty (30) days after receiving it.",
    "cure within thirty (30) days of notice of breach",
    "The initial term runs for two (2) years from the Effective Date.",
])
def test_not_notice_periods(text):
    assert notice_periods(text) == []


def test_notice_periods_in_cases():
    base = read_case("base-procurement.md")
    term = _section(base, "**13. Term.**", 420)
    assert [n.days for n in notice_periods(term)] == [90]
    tfc = _section(read_case("proc-supplier-tfc.md"), "**14. Termination.**", 500)
    assert sorted(n.days for n in notice_periods(tfc)) == [10, 45]
    price = _section(read_case("proc-price-increase.md"), "(b) Supplier may increase")
    assert [n.text for n in notice_periods(price)] == ["fifteen (15) days"]


@pytest.mark.parametrize("text,date", [
    ("dated June 16, 2025 (the", dt.date(2025, 6, 16)), ("16 June 2025", dt.date(2025, 6, 16)),
    ("2025-06-16", dt.date(2025, 6, 16)), ("06/16/2025", dt.date(2025, 6, 16)),
    ("made the 1st day of March, 2024", dt.date(2024, 3, 1)),
    ("this twenty-first day of June 2025", dt.date(2025, 6, 21)),
    ("as of Sept. 3, 2019", dt.date(2019, 9, 3)), ("31/12/2024", dt.date(2024, 12, 31)),
])
def test_dates(text, date):
    (d,) = find_dates(text)
    assert d.date == date and text[d.start:d.end] == d.text


@pytest.mark.parametrize("text", ["February 30, 2024", "in 2025", "Section 14.2", "May 2025", "the 2025-2026 season"])
def test_not_dates(text):
    assert find_dates(text) == []


def test_effective_date_inread_case():
    assert find_dates(read_case("base-nda.md"))[0].date == dt.date(2025, 6, 2)


@pytest.mark.parametrize("text,value", [
    ("4%", 4), ("four percent (4%)", 4), ("fifty percent (50%)", 50), ("5 per cent", 5),
    ("1.5% per month", 1.5), ("twelve and one-half percent (12.5%)", 12.5), ("fifty (50%)", 50),
])
def test_percentages(text, value):
    (p,) = find_percentages(text)
    assert p.value == value


def test_percentage_period_and_mismatch():
    (p,) = find_percentages("interest at 1.5% per month")
    assert p.period == "month"
    (q,) = find_percentages("five percent (6%)")
    assert q.inconsistent and q.words_value == 5 and q.value == 6


def test_percentages_in_cases():
    liq = read_case("proc-liquidated.md")
    assert any(p.value == 50 and p.text == "fifty percent (50%)" for p in find_percentages(liq))
    price = _section(read_case("base-procurement.md"), "(b) Prices stay fixed")
    assert [p.value for p in find_percentages(price)] == [4]


@pytest.mark.parametrize("text", ["Section 4", "in 2025", "USD 5,000,000"])
def test_not_percentages(text):
    assert find_percentages(text) == []


@pytest.mark.parametrize("text,multiple", [
    ("shall not exceed two times the fees paid", 2), ("2x the annual fees", 2),
    ("one and a half (1.5) times the amounts paid hereunder", 1.5),
    ("twice the amounts paid by Customer", 2), ("three (3) times the total fees payable", 3),
])
def test_fee_multiples(text, multiple):
    (f,) = find_fee_multiples(text)
    assert f.multiple == multiple and f.months_of_fees is None
    assert re.search(r"fees|amounts", f.basis)


def test_months_of_fees_cap_inread_case():
    cap = _section(read_case("base-procurement.md"), "(b) Each party's total liability", 300)
    (f,) = find_fee_multiples(cap)
    assert f.months_of_fees == 12 and f.multiple is None
    assert f.basis.startswith("amounts paid and payable")


def test_months_fees_phrase():
    (f,) = find_fee_multiples("an amount equal to twelve (12) months' fees")
    assert f.months_of_fees == 12


@pytest.mark.parametrize("text", ["twice a year", "three times per year", "2 x 4 beams"])
def test_not_fee_multiples(text):
    assert find_fee_multiples(text) == []
