"""Numbers in words and money extraction."""

from decimal import Decimal

import pytest

from risk_copilot.extract import find_money, find_number_words, parse_number_words
from risk_copilot.extract.clause_values import find_amount_inconsistencies
from tests.shared_data import read_case


@pytest.mark.parametrize("words,value", [
    ("forty-five", 45), ("one hundred and twenty", 120), ("two million five hundred thousand", 2_500_000),
    ("seventy-two", 72), ("a hundred", 100), ("twenty-one thousand three hundred and forty", 21_340),
    ("Five Hundred Thousand", 500_000), ("nineteen hundred", 1_900), ("TWELVE", 12),
])
def test_parse_number_words(words, value):
    assert parse_number_words(words) == value


@pytest.mark.parametrize("words", ["one and two", "hundred", "thousand million", ""])
def test_parse_number_words_rejects_non_numbers(words):
    assert parse_number_words(words) is None


def test_find_number_words_with_figures():
    found = find_number_words("within thirty (30) days, one (1) year or forty-five days")
    assert [(n.value, n.figure) for n in found] == [(30, Decimal(30)), (1, Decimal(1)), (45, None)]
    assert found[0].text == "thirty (30)"
    assert not found[0].inconsistent


def test_number_words_figure_mismatch_flagged():
    (n,) = find_number_words("thirty (60) days")
    assert n.inconsistent


@pytest.mark.parametrize("text,amount,currency", [
    ("USD 2,000,000", "2000000", "USD"), ("2,000,000 USD", "2000000", "USD"),
    ("EUR 500", "500", "EUR"), ("GBP 1,250.50", "1250.50", "GBP"), ("CAD 10,000", "10000", "CAD"),
    ("CHF 1'000'000", "1000000", "CHF"), ("JPY 300,000", "300000", "JPY"),
    ("$1,700,000.00", "1700000", "USD"), ("US$ 250", "250", "USD"),
    ("€ 1.234.567,89", "1234567.89", "EUR"), ("£500", "500", "GBP"), ("¥10,000", "10000", "JPY"),
    ("$5 million", "5000000", "USD"), ("USD 2.5m", "2500000", "USD"), ("$10k", "10000", "USD"),
    ("one million dollars", "1000000", "USD"), ("500 euros", "500", "EUR"),
    ("the sum of $2.5 billion", "2500000000", "USD"),
])
def test_money_forms(text, amount, currency):
    (m,) = find_money(text)
    assert m.amount == Decimal(amount)
    assert m.currency == currency
    assert text[m.start:m.end] == m.text


def test_words_and_figures_agree():
    (m,) = find_money("a fee of Five Hundred Thousand Dollars ($500,000) is due")
    assert m.text == "Five Hundred Thousand Dollars ($500,000)"
    assert m.amount == 500_000 and m.words_amount == 500_000 and not m.inconsistent


def test_words_disagree_with_figures():
    (m,) = find_money("liability of two million dollars ($1,500,000) in total")
    assert m.inconsistent and m.words_amount == 2_000_000 and m.amount == 1_500_000
    (doc_level,) = find_amount_inconsistencies("two million dollars ($1,500,000)")
    assert doc_level.start == 0 and doc_level.words_amount == 2_000_000


def test_figure_then_words_in_parentheses_is_one_amount():
    (m,) = find_money("USD 2,000,000 (two million US dollars)")
    assert m.words_amount == 2_000_000 and not m.inconsistent


def test_case_insurance_limits():
    text = read_case("base-procurement.md")
    amounts = [(m.amount, m.currency) for m in find_money(text)]
    assert (Decimal(1_000_000), "USD") in amounts and (Decimal(2_000_000), "USD") in amounts


def test_case_minimum_commitment():
    text = read_case("proc-minimum.md")
    assert any(m.amount == 5_000_000 and m.text == "USD 5,000,000" for m in find_money(text))


@pytest.mark.parametrize("text", [
    "dated June 16, 2025", "Section 14 applies", "a cap of 4% per year", "$ alone", "in 2025",
    "Schedule 1 sets the prices for the Products and Services in US dollars.", "USD",
])
def test_not_money(text):
    assert find_money(text) == []


def test_no_money_in_base_contract_other_than_insurance():
    text = read_case("base-procurement.md")
    assert find_amount_inconsistencies(text) == []
    assert {m.text for m in find_money(text)} == {"USD 1,000,000", "USD 2,000,000"}
