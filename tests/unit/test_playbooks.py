"""Shipped playbooks are valid and complete; broken ones fail with file, line and problem."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from risk_copilot.errors import PlaybookError
from risk_copilot.playbook import default_playbook_dir, load_playbook, parse_playbook, playbook_for_type

CASES = Path(__file__).resolve().parents[2].parent / "shared" / "cases"


@pytest.mark.parametrize("name", ["nda", "procurement"])
def test_shipped_playbooks_are_valid_and_have_15_parameters(name):
    playbook = load_playbook(default_playbook_dir() / f"{name}.yaml")
    assert playbook.contract_type == name
    assert len(playbook.parameters) >= 15
    for parameter in playbook.parameters:
        assert parameter.standard and parameter.fallback and parameter.approver_role
        assert parameter.rules, f"{parameter.id} has no rules"


@pytest.mark.skipif(not CASES.exists(), reason="../shared/cases is not beside the repository")
def test_playbooks_cover_every_category_used_by_the_acceptance_cases():
    for case_file in CASES.glob("*.json"):
        case = json.loads(case_file.read_text())
        categories = {p.category for p in playbook_for_type(case["contract_type"]).parameters}
        for expectation in case["expect"]:
            wanted = set(expectation.get("category_any", ["*"])) - {"*"}
            assert not wanted or wanted & categories, f"{case_file.name}: no parameter for {wanted}"


GOOD = """\
id: mini
version: "1"
contract_type: nda
title: Mini
our_side: either
parameters:
  - id: governing-law
    title: Governing law
    category: governing_law
    severity: medium
    approver_role: legal
    standard: Massachusetts law governs this Agreement.
    fallback: New York law governs this Agreement.
    rules:
      - kind: required
"""


def test_a_minimal_playbook_parses():
    playbook = parse_playbook(GOOD, "mini.yaml")
    assert playbook.ref == "mini@1"


def test_invalid_severity_names_file_line_and_field():
    broken = GOOD.replace("severity: medium", "severity: extreme")
    with pytest.raises(PlaybookError) as err:
        parse_playbook(broken, "mini.yaml")
    assert err.value.message.startswith("mini.yaml:10: parameters.0.severity")
    assert "high" in err.value.message  # says what is allowed


def test_unknown_rule_kind_names_the_line():
    broken = GOOD.replace("kind: required", "kind: telepathy")
    with pytest.raises(PlaybookError) as err:
        parse_playbook(broken, "mini.yaml")
    assert "mini.yaml:15" in err.value.message and "telepathy" in err.value.message


def test_bad_rule_option_and_bad_regex_are_reported():
    with pytest.raises(PlaybookError) as err:
        parse_playbook(GOOD.replace("kind: required", "kind: value_range\n        value: notice_days"), "m.yaml")
    assert "value_range" in err.value.message and "min" in err.value.message
    with pytest.raises(PlaybookError) as err:
        parse_playbook(GOOD.replace("    rules:", "    classification:\n      keywords: ['(unclosed']\n    rules:"), "m.yaml")
    assert "regular expression" in err.value.message


def test_yaml_syntax_error_names_the_line():
    with pytest.raises(PlaybookError) as err:
        parse_playbook(GOOD + "  - : [\n", "bad.yaml")
    assert err.value.message.startswith("bad.yaml:")
    assert err.value.details["line"] == 16


def test_missing_field_and_duplicate_ids():
    with pytest.raises(PlaybookError) as err:
        parse_playbook(GOOD.replace("    approver_role: legal\n", ""), "m.yaml")
    assert "approver_role" in err.value.message
    doubled = GOOD + GOOD.split("parameters:\n", 1)[1]
    with pytest.raises(PlaybookError) as err:
        parse_playbook(doubled, "m.yaml")
    assert "duplicate parameter id" in err.value.message


def test_unknown_contract_type_lists_known_ones():
    with pytest.raises(PlaybookError) as err:
        playbook_for_type("lease")
    assert err.value.code == "unknown_contract_type" and "procurement" in err.value.message


def test_a_character_yaml_refuses_names_its_line_in_one_line():
    with pytest.raises(PlaybookError) as err:
        parse_playbook("id: x\nversion: '1'\ntitle: \x00bad\n", "nul.yaml")
    assert err.value.message == "nul.yaml:3: invalid YAML: unacceptable character #x0000 (special characters are not allowed)"
    assert err.value.details["line"] == 3
