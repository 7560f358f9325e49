"""A scripted walk through the lifecycle on a fresh database (``python -m clm_core demo``).

Procurement: vendor -> contract from template with 3 lines and a risky termination clause ->
review -> legal accepts the risk -> finance approves -> both sign -> agreement Effective ->
a release order above the agreed price is refused -> amendment (4th line, later expiry) ->
terminate. Returns the steps as lines of text.
"""

from __future__ import annotations

from datetime import date

from clm_core.composition import Clm
from clm_core.errors import ReleaseOrderRefused
from clm_core.services.context import RecordingChannel

LINES = [
    {"item": "TIP-200F", "description": "Filtered pipette tips, 200 uL", "unit": "rack of 96",
     "unit_price": "6.40", "quantity": "18000"},
    {"item": "TUBE-50", "description": "Centrifuge tubes, 50 mL", "unit": "case of 500",
     "unit_price": "148.00", "quantity": "240"},
    {"item": "CAL-01", "description": "On-site pipette calibration", "unit": "per pipette",
     "unit_price": "38.00", "quantity": "600"},
]
HOLDERS = {"legal": "lena", "finance": "felix", "approver": "abby", "contract_manager": "carl"}


def _approve(clm: Clm, contract_id: int, log: list[str]) -> None:
    review = clm.approvals.current_review("carl", contract_id)
    for f in review.findings:
        if f.flagged:
            holder = HOLDERS.get(f.approver_role or "legal", "lena")
            clm.approvals.accept_risk(holder, contract_id, f.finding_id, reason="business-need",
                                      note="accepted in the demo")
            log.append(f"  {holder} accepted {f.severity} finding {f.category}: {f.title}")
    for step in review.steps:
        status = clm.approvals.approve(HOLDERS[step.role], contract_id, role=step.role)
        log.append(f"  {HOLDERS[step.role]} approved as {step.role} -> {status}")


def _sign(clm: Clm, channel: RecordingChannel, contract_id: int, log: list[str]) -> None:
    sent = clm.signatures.send_for_signature("carl", contract_id, internal_signer="abby")
    _, sha = clm.signatures.document_for_signing(sent.invitations[0].token)
    log.append(f"  envelope {sent.envelope_id} sent; document sha256 {sha[:16]}...")
    log.append(f"  vendor signed -> {clm.signatures.sign(sent.invitations[0].token, document_sha256=sha)}")
    token = [b.split('token ', 1)[1].split(' ', 1)[0] for to, _, b in channel.sent
             if to == "abby@lakeshore.example" and "token " in b][-1]
    log.append(f"  abby signed -> {clm.signatures.sign(token, document_sha256=sha)}")


def run_demo(clm: Clm, channel: RecordingChannel) -> list[str]:
    log: list[str] = []
    vendor = clm.contracts.create_vendor("carl", code="MERIDIAN", name="Meridian Lab Supply Co.",
                                         legal_description="a Massachusetts corporation",
                                         contact_name="Maria Vendor", contact_email="maria@meridian.example")
    c = clm.contracts.create_contract("carl", template_key="procurement-supply", title="Lab consumables",
                                      vendor_id=vendor, attributes={"processes_personal_data": True},
                                      effective_date=date(2026, 2, 1), lines=LINES,
                                      variant_choices={"termination": "supplier-convenience"})
    log.append(f"{c.number} drafted: {len(c.lines)} lines, value {c.total_value:,.2f} {c.currency}, v{c.version_no}")
    review = clm.approvals.submit("carl", c.id)
    log.append(f"review {review.review_id}: {review.decision}, score {review.risk_score}, "
               f"steps {[s.role for s in review.steps]}")
    _approve(clm, c.id, log)
    _sign(clm, channel, c.id, log)
    clm.outbox.dispatch_due()
    c = clm.contracts.get("carl", c.id)
    agreement = clm.ledger.agreement(c.number)
    log.append(f"agreement {c.agreement_number}: {agreement['status']}, {len(agreement['lines'])} lines")
    try:
        clm.ledger.create_release_order(c.agreement_number, "TUBE-50", "10", "150.00")
    except ReleaseOrderRefused as exc:
        log.append(f"release order refused: {exc.code}: {exc.message}")
    clm.after_execution.amend("carl", c.id, note="add gloves; extend one year")
    clm.contracts.edit_terms("carl", c.id, expiry_date=date(2029, 2, 1), add_lines=[
        {"item": "GLV-M", "description": "Nitrile gloves, size M", "unit": "box of 100", "unit_price": "9.85",
         "quantity": "6000"}])
    redline = clm.contracts.redline("carl", c.id, 1, 2)
    log.append(f"amendment v2: +{len(redline.inserted_words)} / -{len(redline.deleted_words)} words")
    review = clm.approvals.submit("carl", c.id)
    log.append(f"re-review {review.review_id}: {review.decision}, steps {[s.role for s in review.steps]}")
    _approve(clm, c.id, log)
    _sign(clm, channel, c.id, log)
    clm.outbox.dispatch_due()
    agreement = clm.ledger.agreement(c.number)
    log.append(f"agreement v{agreement['version']}: {len(agreement['lines'])} lines, expires {agreement['expiry_date']}")
    clm.after_execution.terminate("carl", c.id, reason="project-ended")
    clm.outbox.dispatch_due()
    log.append(f"terminated; agreement {clm.ledger.agreement(c.number)['status']}")
    check = clm.verify_audit()
    log.append(f"audit chain: {'ok' if check.ok else 'BROKEN'} ({check.entries} entries)")
    return log
