"""Helpers that drive a contract through the lifecycle in tests."""

from __future__ import annotations

from sqlalchemy import text

THREE_LINES = [
    {"item": "TIP-200F", "description": "Filtered pipette tips, 200 uL, sterile", "unit": "rack of 96",
     "unit_price": "6.40", "quantity": "18000"},
    {"item": "TUBE-50", "description": "Centrifuge tubes, 50 mL, sterile", "unit": "case of 500",
     "unit_price": "148.00", "quantity": "240"},
    {"item": "CAL-01", "description": "On-site pipette calibration", "unit": "per pipette",
     "unit_price": "38.00", "quantity": "600"},
]


def tokens_for(channel, email):
    """Signing tokens the built-in provider mailed to ``email`` (oldest first)."""
    return [body.split("token ", 1)[1].split(" ", 1)[0]
            for to, _subject, body in channel.sent if to == email and "token " in body]


HOLDERS = {"legal": "lena", "finance": "felix", "approver": "abby", "contract_manager": "carl"}


def approve_all(clm, contract_id):
    """Accept every flagged finding and approve every pending step, each by a holder of its role."""
    holders = HOLDERS
    review = clm.approvals.current_review("carl", contract_id)
    for f in review.findings:
        if f.flagged and not f.accepted_by:
            clm.approvals.accept_risk(holders.get(f.approver_role, "lena"), contract_id, f.finding_id,
                                      reason="business-need", note="accepted in test")
    status = None
    for step in review.steps:
        if step.status == "pending":
            status = clm.approvals.approve(holders[step.role], contract_id, role=step.role)
    return status


def sign_both(clm, channel, contract_id, internal="abby"):
    sent = clm.signatures.send_for_signature("carl", contract_id, internal_signer=internal)
    _, sha = clm.signatures.document_for_signing(sent.invitations[0].token)
    clm.signatures.sign(sent.invitations[0].token, document_sha256=sha)
    internal_email = f"{internal}@lakeshore.example"
    return clm.signatures.sign(tokens_for(channel, internal_email)[-1], document_sha256=sha)


def author_procurement(clm, vendor_id, lines, **kw):
    from datetime import date

    kw.setdefault("attributes", {})
    kw.setdefault("effective_date", date(2026, 2, 1))
    return clm.contracts.create_contract("carl", template_key="procurement-supply", title="Supplies",
                                         vendor_id=vendor_id, lines=lines, **kw)


def execute_procurement(clm, channel, vendor_id, lines, **kw):
    c = author_procurement(clm, vendor_id, lines, **kw)
    clm.approvals.submit("carl", c.id)
    approve_all(clm, c.id)
    assert sign_both(clm, channel, c.id) == "Executed"
    return c


def tamper_one_audit_row(clm):
    """Alter one audit row the way an attacker with DDL rights would (triggers refuse plain updates)."""
    with clm.engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only"))
        else:
            conn.execute(text("DROP TRIGGER audit_log_no_update"))
        conn.execute(text("UPDATE audit_log SET actor = 'mallory' WHERE seq = 5"))
