from __future__ import annotations

import pytest

from clm_core.errors import InvalidTransition
from clm_core.statuses import PREVIOUS, TERMINAL, TRANSITIONS, ContractStatus, allowed_actions, next_status


def test_happy_path_through_the_table():
    path = ["submit", "record_review", "request_approval", "approve", "send_for_signature", "external_signed",
            "internal_signed", "amend", "submit", "record_review", "request_approval", "approve",
            "send_for_signature", "external_signed", "internal_signed", "terminate"]
    status = ContractStatus.DRAFT
    for action in path:
        status = next_status(status, action)
    assert status == ContractStatus.TERMINATED


def test_unknown_move_is_a_domain_error_naming_the_allowed_actions():
    with pytest.raises(InvalidTransition) as exc:
        next_status("Draft", "approve")
    assert exc.value.code == "invalid_transition"
    assert exc.value.details["allowed_actions"] == allowed_actions("Draft")
    assert "submit" in exc.value.details["allowed_actions"]


@pytest.mark.parametrize("status", sorted(TERMINAL))
def test_terminal_statuses_allow_nothing(status):
    assert allowed_actions(status) == []
    with pytest.raises(InvalidTransition):
        next_status(status, "renew")


def test_hold_returns_to_the_status_it_was_held_from():
    assert next_status("Approved", "hold") == ContractStatus.ON_HOLD
    assert next_status("OnHold", "release_hold", held_from="Approved") == ContractStatus.APPROVED
    with pytest.raises(InvalidTransition):
        next_status("OnHold", "release_hold")


def test_every_status_is_reachable_from_draft():
    seen, frontier = {ContractStatus.DRAFT}, [ContractStatus.DRAFT]
    while frontier:
        current = frontier.pop()
        for (action, source), target in TRANSITIONS.items():
            if source == current and target != PREVIOUS and target not in seen:
                seen.add(target)
                frontier.append(target)
    assert seen == set(ContractStatus)


def test_executed_contract_cannot_be_cancelled_or_edited_back_without_amendment():
    for action in ("cancel", "revise", "submit", "approve"):
        with pytest.raises(InvalidTransition):
            next_status("Executed", action)
