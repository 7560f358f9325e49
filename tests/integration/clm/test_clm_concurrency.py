"""Optimistic locking: two concurrent approvals of one step give exactly one approval."""

from __future__ import annotations

import threading

from clm_core.errors import ConcurrencyConflict, InvalidTransition
from clm_core.store import tables as t
from lifecycle_steps import THREE_LINES
from lifecycle_steps import author_procurement


def _add_user(clm, username, roles):
    with clm.context.session_factory() as s, s.begin():
        org = s.query(t.Organisation).filter_by(code="lakeshore").one()
        s.add(t.User(username=username, display_name=username.title(), email=f"{username}@lakeshore.example",
                     organisation_id=org.id, roles=roles))


def test_two_concurrent_approvals_of_one_step_give_exactly_one(clm, vendor_id, monkeypatch):
    _add_user(clm, "fiona", ["finance"])
    c = author_procurement(clm, vendor_id, THREE_LINES)  # standard clauses: no flagged findings
    review = clm.approvals.submit("carl", c.id)
    assert [s.role for s in review.steps] == ["finance"]

    # both requests read the pending step, then both write: force the interleaving with a barrier
    barrier = threading.Barrier(2, timeout=20)
    from clm_core.services import approval_service

    original = approval_service.ApprovalService._step

    def step_then_wait(self, tx, contract, review, role):
        step = original(self, tx, contract, review, role)
        barrier.wait()
        return step

    monkeypatch.setattr(approval_service.ApprovalService, "_step", step_then_wait)
    outcomes: dict[str, object] = {}

    def approve(user):
        try:
            outcomes[user] = clm.approvals.approve(user, c.id, role="finance")
        except Exception as exc:  # noqa: BLE001 - recorded and asserted below
            outcomes[user] = exc

    threads = [threading.Thread(target=approve, args=(u,)) for u in ("felix", "fiona")]
    for th in threads:
        th.start()
    for th in threads:
        th.join(30)
    wins = [u for u, o in outcomes.items() if o == "Approved"]
    losses = [o for o in outcomes.values() if isinstance(o, ConcurrencyConflict)]
    assert len(wins) == 1 and len(losses) == 1, outcomes
    monkeypatch.undo()
    final = clm.approvals.current_review("carl", c.id)
    assert [(s.status, s.decided_by) for s in final.steps] == [("approved", wins[0])]
    assert clm.contracts.get("carl", c.id).status == "Approved"
    history = [h for h in clm.contracts.status_history("carl", c.id) if h[0] == "approve"]
    assert len(history) == 1
    # a late retry by the loser sees the decided step, not a second approval
    loser = "fiona" if wins[0] == "felix" else "felix"
    try:
        clm.approvals.approve(loser, c.id, role="finance")
        raise AssertionError("second approval accepted")
    except InvalidTransition as exc:
        assert exc.code == "invalid_transition"  # the contract is already Approved
