"""The reviewer's desk: import a counterparty's document as a contract, read the current review
with its full JSON, change a finding's severity with a reason, propose the playbook's fallback
wording as a new version; standalone reviews of the review API; uploaded playbook versions."""

from __future__ import annotations

import hashlib
import uuid
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from clm_core import actions as A
from clm_core.errors import InvalidTransition, NotFound, PermissionDenied, ValidationFailed
from clm_core.permissions import require, require_view, sees_contract
from clm_core.review_port import SEVERITIES
from clm_core.services.context import Service, Transaction
from clm_core.services.contracts_service import ContractService
from clm_core.statuses import ContractStatus
from clm_core.store import tables as t
from clm_core.views import ContractView, contract_view

# any of these lets a user run a review through the review API (the seeded roles give one
# of them to requesters, contract managers, lawyers, finance and business approvers)
REVIEW_RUN_ACTIONS = (A.CONTRACT_SUBMIT, A.CONTRACT_EDIT, A.APPROVAL_DECIDE)
REVISABLE = (ContractStatus.REVIEWED, ContractStatus.WAITING_FOR_APPROVAL, ContractStatus.REJECTED,
             ContractStatus.APPROVED)


def _may_run_reviews(tx: Transaction, user: t.User) -> None:
    granted = tx.repos.directory.actions_of_roles(list(user.roles or []))
    if not granted.intersection(REVIEW_RUN_ACTIONS):
        raise PermissionDenied(f"{user.username} may not run reviews", details={"action": "review.run"})


def merged_findings(review: t.Review) -> list[dict[str, Any]]:
    """The review JSON's findings with the reviewers' decisions (acceptance, severity changes)."""
    rows = {f.finding_id: f for f in review.findings}
    out = []
    for f in (review.raw or {}).get("findings", []):
        row = rows.get(str(f.get("id")))
        item = dict(f)
        if row is not None:
            item.update(severity=row.severity, flagged=row.flagged, accepted_by=row.accepted_by,
                        accepted_at=row.accepted_at.isoformat() if row.accepted_at else None,
                        acceptance_reason=row.acceptance_reason, acceptance_note=row.acceptance_note,
                        original_severity=row.original_severity, severity_changed_by=row.severity_changed_by,
                        severity_change_reason=row.severity_change_reason)
        out.append(item)
    return out


class ReviewDeskService(Service):
    # --- contracts from uploaded documents -----------------------------------------------------
    def import_document(self, actor: str, *, contract_type: str, title: str, text: str, source_name: str,
                        vendor_id: int | None = None, effective_date: date | None = None) -> ContractView:
        """A contract on the counterparty's paper: version 1 is the uploaded document's text."""
        with self.tx() as tx:
            user = tx.repos.directory.user(actor)
            require(tx.repos, user, A.CONTRACT_CREATE)
            ctype = tx.repos.catalog.contract_type(contract_type)
            template = tx.session.scalar(select(t.Template).where(t.Template.contract_type == ctype.code)
                                         .order_by(t.Template.key))
            if template is None:
                raise ValidationFailed(f"no template for contract type {contract_type}")
            if not text.strip():
                raise ValidationFailed("the document is empty", code="empty_document")
            if vendor_id is not None:
                vendor = tx.repos.directory.vendor(vendor_id)
                if vendor.organisation_id != user.organisation_id:
                    raise NotFound(f"vendor {vendor_id} not found")
            contract = t.Contract(
                number=f"new-{uuid.uuid4().hex[:24]}", organisation_id=user.organisation_id,
                contract_type=ctype.code, template_key=template.key, title=title.strip() or source_name,
                status=ContractStatus.DRAFT.value, owner_id=user.id, vendor_id=vendor_id, currency="USD",
                attributes={}, variant_choices={}, effective_date=effective_date or tx.now.date(),
                total_value=Decimal("0"), created_at=tx.now, updated_at=tx.now, lines=[])
            tx.session.add(contract)
            tx.flush()
            contract.number = tx.repos.contracts.number_for(ctype.code, contract.id)
            tx.session.add(t.TeamMember(contract_id=contract.id, user_id=user.id, role="owner"))
            ContractService(self.ctx)._new_version(tx, contract, text, user, f"imported from {source_name}",
                                                   manual_text=True, source_name=source_name)
            tx.audit(actor, "contract.imported", "contract", contract.number, source=source_name,
                     sha256=hashlib.sha256(text.encode("utf-8")).hexdigest())
            return contract_view(contract)

    def list_contracts(self, actor: str, criteria: dict[str, Any]) -> list[dict[str, Any]]:
        with self.tx() as tx:
            user = tx.repos.directory.user(actor)
            require(tx.repos, user, A.CONTRACT_VIEW)
            rows = tx.repos.contracts.search(user.organisation_id, criteria)
            rows = [c for c in rows if sees_contract(user, c)]
            out = []
            for c in rows:
                review = tx.repos.reviews.current(c.id)
                counts = {s: 0 for s in ("high", "medium", "low", "info")}
                open_count = 0
                if review is not None:
                    for f in review.findings:
                        counts[f.severity] = counts.get(f.severity, 0) + 1
                        open_count += bool(f.flagged and not f.accepted_by)
                out.append({"id": c.id, "number": c.number, "title": c.title, "contract_type": c.contract_type,
                            "status": c.status, "risk_score": c.risk_score, "decision": c.review_decision,
                            "total_value": str(c.total_value), "currency": c.currency,
                            "expiry_date": c.expiry_date.isoformat() if c.expiry_date else None,
                            "version_no": c.current_version_no, "findings_by_severity": counts,
                            "open_findings": open_count, "updated_at": c.updated_at.isoformat()})
            return out

    def contract_organisation(self, contract_id: int) -> int | None:
        with self.tx() as tx:
            row = tx.session.get(t.Contract, contract_id)
            return row.organisation_id if row is not None else None

    def review_detail(self, actor: str, contract_id: int) -> dict[str, Any] | None:
        """The current review: the full review JSON (text included), merged decisions and steps."""
        with self.tx() as tx:
            user = tx.repos.directory.user(actor)
            contract = tx.repos.contracts.get(contract_id)
            require_view(tx.repos, user, contract)
            review = tx.repos.reviews.current(contract.id)
            if review is None:
                return None
            raw = dict(review.raw or {})
            raw["findings"] = merged_findings(review)
            steps = [{"id": s.id, "role": s.role, "status": s.status, "decided_by": s.decided_by,
                      "sources": list(s.sources), "reason": s.reason}
                     for s in tx.repos.reviews.steps(contract.id, review_pk=review.id)]
            return {"review": raw, "version_no": review.version_no, "steps": steps,
                    "contract_status": contract.status, "lock_version": contract.lock_version}

    # --- reviewer decisions -----------------------------------------------------------------
    def change_severity(self, actor: str, contract_id: int, finding_id: str, *, severity: str,
                        reason: str) -> dict[str, Any]:
        """Override the reviewer's severity of a finding (the finding's approver decides), with a reason."""
        if severity not in SEVERITIES:
            raise ValidationFailed(f"severity must be one of {', '.join(SEVERITIES)}")
        if len(reason.strip()) < 5:
            raise ValidationFailed("say why the severity changes (at least 5 characters)", code="reason_required")
        with self.tx() as tx:
            user = tx.repos.directory.user(actor)
            contract = tx.repos.contracts.get(contract_id)
            # who may act (the action, then the finding's approver role) is checked before the contract's
            # state, so a refused caller learns nothing of it
            require(tx.repos, user, A.RISK_ACCEPT, organisation_id=contract.organisation_id)
            review = tx.repos.reviews.current(contract.id)
            finding = tx.repos.reviews.finding(review.id, finding_id) if review is not None else None
            if finding is not None:
                require(tx.repos, user, A.RISK_ACCEPT, organisation_id=contract.organisation_id,
                        role=finding.approver_role)
            if contract.status != ContractStatus.WAITING_FOR_APPROVAL or finding is None:
                raise InvalidTransition(f"the contract is {contract.status}, not WaitingForApproval",
                                        details={"status": contract.status})
            if finding.accepted_by:
                raise InvalidTransition("the risk was already accepted", code="already_accepted")
            if severity == finding.severity:
                raise ValidationFailed(f"the finding is already {severity}", code="no_change")
            before = finding.severity
            finding.original_severity = finding.original_severity or before
            finding.severity = severity
            finding.flagged = SEVERITIES.index(severity) >= SEVERITIES.index("medium")
            finding.severity_changed_by, finding.severity_change_reason = actor, reason.strip()
            contract.updated_at = tx.now
            tx.audit(actor, "finding.severity_changed", "contract", contract.number, finding=finding_id,
                     before=before, after=severity, reason=reason.strip())
            return {"finding_id": finding_id, "severity": severity, "previous": before, "flagged": finding.flagged}

    def propose_fallback(self, actor: str, contract_id: int, finding_id: str) -> dict[str, Any]:
        """Replace the finding's evidence with the playbook's fallback wording as a new version
        (the contract returns to Draft; resubmit to review the new text)."""
        with self.tx() as tx:
            user = tx.repos.directory.user(actor)
            contract = tx.repos.contracts.get(contract_id)
            require(tx.repos, user, A.CONTRACT_EDIT, organisation_id=contract.organisation_id)
            review = tx.repos.reviews.current(contract.id)
            if review is None:
                raise InvalidTransition("the contract has not been reviewed", code="not_reviewed")
            finding = next((f for f in (review.raw or {}).get("findings", []) if str(f.get("id")) == finding_id), None)
            if finding is None:
                raise NotFound(f"finding {finding_id} not found in the current review")
            suggestion = (finding.get("suggestion") or "").strip()
            if not suggestion:
                raise ValidationFailed("the playbook has no fallback wording for this finding", code="no_fallback")
            version = tx.repos.contracts.version(contract.id, contract.current_version_no)
            if review.version_no != version.version_no:
                raise InvalidTransition("the review is of an older version", code="stale_review")
            body = version.body_markdown
            new_body = _apply_fallback(body, (review.raw or {}).get("text", ""), finding, suggestion)
            if contract.status in REVISABLE:
                tx.move(contract, "revise", actor, reason=f"fallback proposed for {finding_id}")
                for step in tx.repos.reviews.steps(contract.id):
                    if step.status == "pending":
                        step.status = "superseded"
            elif contract.status != ContractStatus.DRAFT:
                raise InvalidTransition(f"a {contract.status} contract cannot be edited",
                                        code="not_editable", details={"status": contract.status})
            new = ContractService(self.ctx)._new_version(
                tx, contract, new_body, user, f"fallback wording for {finding.get('parameter') or finding_id}",
                manual_text=True, fallback_for=finding_id)
            tx.audit(actor, "finding.fallback_proposed", "contract", contract.number, finding=finding_id,
                     version_no=new.version_no)
            return {"from_version": version.version_no, "to_version": new.version_no, "status": contract.status}

    # --- standalone reviews (review API) ------------------------------------------------------
    def check_may_review(self, actor: str) -> None:
        with self.tx() as tx:
            _may_run_reviews(tx, tx.repos.directory.user(actor))

    def record_standalone(self, actor: str, review: dict[str, Any], *, purpose: str) -> str:
        with self.tx() as tx:
            user = tx.repos.directory.user(actor)
            _may_run_reviews(tx, user)
            doc = review.get("document") or {}
            tx.session.add(t.StandaloneReview(
                review_id=str(review["review_id"]), organisation_id=user.organisation_id, requested_by=user.id,
                purpose=purpose, contract_type=str(review.get("contract_type", "")),
                document_name=str(doc.get("name", ""))[:300], document_sha256=str(doc.get("sha256", "")),
                decision=str(review.get("decision")), risk_score=int(round(float(review.get("risk_score", 0)))),
                raw=review, created_at=tx.now))
            tx.audit(actor, "review.recorded", "review", review["review_id"], purpose=purpose,
                     sha256=doc.get("sha256"), decision=review.get("decision"))
            return str(review["review_id"])

    def standalone(self, actor: str, review_id: str) -> dict[str, Any]:
        with self.tx() as tx:
            user = tx.repos.directory.user(actor)
            require(tx.repos, user, A.CONTRACT_VIEW)
            row = tx.session.scalar(select(t.StandaloneReview).where(t.StandaloneReview.review_id == review_id))
            if row is None or row.organisation_id != user.organisation_id:  # never say it exists elsewhere
                raise NotFound(f"review {review_id} not found")
            return dict(row.raw)

    # --- uploaded playbooks ---------------------------------------------------------------------
    def save_playbook(self, actor: str, *, playbook_id: str, version: str, contract_type: str,
                      yaml_text: str) -> dict[str, Any]:
        with self.tx() as tx:
            user = tx.repos.directory.user(actor)
            require(tx.repos, user, A.MASTER_DATA_MANAGE)
            exists = tx.session.scalar(select(t.PlaybookVersion).where(
                t.PlaybookVersion.organisation_id == user.organisation_id,
                t.PlaybookVersion.playbook_id == playbook_id, t.PlaybookVersion.version == version))
            if exists is not None:
                raise InvalidTransition(f"playbook {playbook_id}@{version} already exists; raise the version",
                                        code="version_exists")
            sha = hashlib.sha256(yaml_text.encode("utf-8")).hexdigest()
            tx.session.add(t.PlaybookVersion(organisation_id=user.organisation_id, playbook_id=playbook_id,
                                             version=version, contract_type=contract_type, yaml_text=yaml_text,
                                             sha256=sha, uploaded_by=user.id, created_at=tx.now))
            tx.audit(actor, "playbook.uploaded", "playbook", f"{playbook_id}@{version}", sha256=sha)
            return {"id": playbook_id, "version": version, "contract_type": contract_type, "sha256": sha}

    def playbooks(self, actor: str) -> list[dict[str, Any]]:
        with self.tx() as tx:
            user = tx.repos.directory.user(actor)
            require(tx.repos, user, A.CONTRACT_VIEW)
            rows = tx.session.scalars(select(t.PlaybookVersion).where(
                t.PlaybookVersion.organisation_id == user.organisation_id).order_by(t.PlaybookVersion.id))
            return [{"id": r.playbook_id, "version": r.version, "contract_type": r.contract_type, "sha256": r.sha256,
                     "created_at": r.created_at.isoformat(), "source": "uploaded"} for r in rows]

    def playbook_yaml(self, actor: str, playbook_id: str, version: str | None = None) -> str | None:
        """The newest (or the given) uploaded version of ``playbook_id`` in the actor's organisation."""
        with self.tx() as tx:
            user = tx.repos.directory.user(actor)
            require(tx.repos, user, A.CONTRACT_VIEW)
            q = select(t.PlaybookVersion).where(t.PlaybookVersion.organisation_id == user.organisation_id,
                                                t.PlaybookVersion.playbook_id == playbook_id)
            if version:
                q = q.where(t.PlaybookVersion.version == version)
            row = tx.session.scalar(q.order_by(t.PlaybookVersion.id.desc()))
            return row.yaml_text if row is not None else None


def _apply_fallback(body: str, review_text: str, finding: dict[str, Any], suggestion: str) -> str:
    """Replace the first evidence span of ``finding`` in ``body`` with ``suggestion``.

    Offsets index the reviewed text; when the stored body differs (markup), the evidence text is
    located in the body instead. A missing clause gets the wording appended as a new section."""
    evidence = finding.get("evidence") or []
    if not evidence:
        return body.rstrip() + "\n\n" + suggestion + "\n"
    span = evidence[0]
    start, end, text = int(span["start"]), int(span["end"]), str(span.get("text", ""))
    if review_text == body and body[start:end] == text:
        return body[:start] + suggestion + body[end:]
    at = body.find(text) if text else -1
    if at < 0:
        raise ValidationFailed("the flagged wording was not found in the current version", code="evidence_not_found")
    return body[:at] + suggestion + body[at + len(text):]
