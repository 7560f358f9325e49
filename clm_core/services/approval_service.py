"""Submit for approval: run the risk review, build approval steps, accept risks, approve, reject."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from clm_core import actions as A
from clm_core.errors import ApprovalBlocked, DomainError, InvalidTransition, ReviewFailed
from clm_core.permissions import require, require_view
from clm_core.review_port import ReviewOutcome
from clm_core.rule_conditions import evaluate
from clm_core.services.context import Service, Transaction
from clm_core.statuses import ContractStatus
from clm_core.store import tables as t
from clm_core.views import ReviewView, finding_view, step_view

DEFAULT_APPROVER_ROLE = "approver"


def approval_gaps(tx: Transaction, contract: t.Contract) -> dict[str, Any]:
    """What still stands between the contract and execution (empty dict = nothing)."""
    review = tx.repos.reviews.current(contract.id)
    if review is None:
        return {"review": "missing"}
    gaps: dict[str, Any] = {}
    if review.version_no != contract.current_version_no:
        gaps["review"] = f"review is of version {review.version_no}, contract is at {contract.current_version_no}"
    pending = [s.role for s in tx.repos.reviews.steps(contract.id, review_pk=review.id) if s.status != "approved"]
    if pending:
        gaps["approvals_missing"] = pending
    unaccepted = [f.finding_id for f in review.findings if f.flagged and not f.accepted_by]
    if unaccepted:
        gaps["findings_not_accepted"] = unaccepted
    return gaps


class ApprovalService(Service):
    def submit(self, actor: str, contract_id: int) -> ReviewView:
        """Draft -> WaitingForReview -> (review) -> Reviewed -> WaitingForApproval with its steps."""
        with self.tx() as tx:
            user = tx.repos.directory.user(actor)
            contract = tx.repos.contracts.get(contract_id)
            require(tx.repos, user, A.CONTRACT_SUBMIT, organisation_id=contract.organisation_id)
            tx.move(contract, "submit", actor)
            version = tx.repos.contracts.version(contract.id, contract.current_version_no)
            text, version_no, ctype = version.body_markdown, version.version_no, contract.contract_type
            name = f"{contract.number}-v{version_no}.md"
        try:  # the review runs outside any transaction: it can take seconds
            outcome = self.ctx.reviewer.review(text, ctype, name=name)
        except Exception as exc:
            with self.tx() as tx:
                contract = tx.repos.contracts.get(contract_id)
                tx.move(contract, "review_failed", "reviewer", reason=str(exc)[:300])
            if isinstance(exc, DomainError):
                raise
            raise ReviewFailed(f"risk review failed: {exc}") from exc
        with self.tx() as tx:
            contract = tx.repos.contracts.get(contract_id)
            if contract.status != ContractStatus.WAITING_FOR_REVIEW or contract.current_version_no != version_no:
                raise InvalidTransition("the contract changed while it was being reviewed", code="stale_review")
            review = self._record_review(tx, contract, version_no, outcome)
            tx.move(contract, "record_review", "reviewer")
            steps = self._create_steps(tx, contract, review, outcome)
            tx.move(contract, "request_approval", actor)
            for step in steps:
                for approver in tx.repos.directory.users_with_role(contract.organisation_id, step.role):
                    tx.notify(approver, "approval_requested", f"approval:{step.id}:{approver.id}", contract,
                              role=step.role, risk_score=review.risk_score, decision=review.decision)
            tx.flush()
            return self._review_view(tx, contract, review)

    def _record_review(self, tx: Transaction, contract: t.Contract, version_no: int,
                       outcome: ReviewOutcome) -> t.Review:
        for old in tx.repos.reviews.all_for(contract.id):
            old.is_current = False
        for step in tx.repos.reviews.steps(contract.id):
            if step.status == "pending":
                step.status = "superseded"
        review = t.Review(contract_id=contract.id, version_no=version_no, review_id=outcome.review_id,
                          decision=outcome.decision, risk_score=outcome.risk_score, approvers=list(outcome.approvers),
                          playbook_id=outcome.playbook_id, playbook_version=outcome.playbook_version,
                          document_sha256=outcome.document_sha256, raw=outcome.raw or {}, is_current=True,
                          created_at=tx.now)
        tx.session.add(review)
        tx.flush()
        for f in outcome.findings:
            tx.session.add(t.ReviewFindingRow(
                review_pk=review.id, finding_id=f.id, parameter=f.parameter, category=f.category, kind=f.kind,
                severity=f.severity, title=f.title, approver_role=f.approver_role, flagged=f.flagged,
                evidence_text=f.evidence_text))
        contract.risk_score, contract.review_decision = outcome.risk_score, outcome.decision
        tx.audit("reviewer", "contract.reviewed", "contract", contract.number, review_id=outcome.review_id,
                 version_no=version_no, decision=outcome.decision, risk_score=outcome.risk_score,
                 playbook=f"{outcome.playbook_id}@{outcome.playbook_version}", sha256=outcome.document_sha256,
                 findings=[[f.id, f.category, f.severity, f.approver_role] for f in outcome.findings])
        tx.flush()
        tx.session.refresh(review, ["findings"])
        return review

    def _create_steps(self, tx: Transaction, contract: t.Contract, review: t.Review,
                      outcome: ReviewOutcome) -> list[t.ApprovalStep]:
        sources: dict[str, list[str]] = {}
        for f in outcome.findings:
            if f.approver_role and (f.flagged or outcome.decision != "approve"):
                sources.setdefault(f.approver_role, []).append(f"finding:{f.id}")
        for role in outcome.approvers:
            sources.setdefault(role, []).append("review:approvers")
        context = {**contract.attributes, "total_value": contract.total_value, "currency": contract.currency,
                   "nda_kind": contract.nda_kind}
        for rule in tx.repos.catalog.rules(contract.contract_type, "require_approval"):
            if evaluate(rule.condition, context):
                sources.setdefault(rule.params["role"], []).append(f"rule:{rule.key}")
        if not sources:
            sources[DEFAULT_APPROVER_ROLE] = ["default"]
        steps = [t.ApprovalStep(contract_id=contract.id, review_pk=review.id, role=role, sources=src,
                                status="pending") for role, src in sources.items()]
        tx.session.add_all(steps)
        tx.flush()
        tx.audit("system", "approval.steps_created", "contract", contract.number,
                 steps={s.role: s.sources for s in steps})
        return steps

    def _review_view(self, tx: Transaction, contract: t.Contract, review: t.Review) -> ReviewView:
        return ReviewView(review.review_id, review.version_no, review.decision, review.risk_score,
                          review.document_sha256, f"{review.playbook_id}@{review.playbook_version}",
                          tuple(finding_view(f) for f in review.findings),
                          tuple(step_view(s) for s in tx.repos.reviews.steps(contract.id, review_pk=review.id)))

    def current_review(self, actor: str, contract_id: int) -> ReviewView | None:
        with self.tx() as tx:
            user = tx.repos.directory.user(actor)
            contract = tx.repos.contracts.get(contract_id)
            require_view(tx.repos, user, contract)
            review = tx.repos.reviews.current(contract.id)
            return self._review_view(tx, contract, review) if review else None

    def _awaiting(self, tx: Transaction, contract_id: int) -> tuple[t.Contract, t.Review]:
        contract = tx.repos.contracts.get(contract_id)
        if contract.status != ContractStatus.WAITING_FOR_APPROVAL:
            raise InvalidTransition(f"the contract is {contract.status}, not WaitingForApproval",
                                    details={"status": contract.status})
        return contract, tx.repos.reviews.current(contract.id)

    def accept_risk(self, actor: str, contract_id: int, finding_id: str, *, reason: str, note: str) -> None:
        """Record who accepted a flagged finding, when and why."""
        with self.tx() as tx:
            user = tx.repos.directory.user(actor)
            # who may act (the action, then the finding's approver role) is checked before the contract's
            # state, so a refused caller learns nothing of it
            contract = tx.repos.contracts.get(contract_id)
            require(tx.repos, user, A.RISK_ACCEPT, organisation_id=contract.organisation_id)
            current = tx.repos.reviews.current(contract.id)
            if current is not None:
                require(tx.repos, user, A.RISK_ACCEPT, organisation_id=contract.organisation_id,
                        role=tx.repos.reviews.finding(current.id, finding_id).approver_role)
            contract, review = self._awaiting(tx, contract_id)
            finding = tx.repos.reviews.finding(review.id, finding_id)
            tx.repos.directory.reason(reason, "risk_acceptance")
            if not note.strip():
                raise ApprovalBlocked("say why the risk is accepted", code="reason_required")
            if finding.accepted_by:
                raise InvalidTransition(f"finding {finding_id} was already accepted by {finding.accepted_by}",
                                        code="already_accepted")
            finding.accepted_by, finding.accepted_at = actor, tx.now
            finding.acceptance_reason, finding.acceptance_note = reason, note
            contract.updated_at = tx.now  # bumps the contract's lock version
            tx.audit(actor, "risk.accepted", "contract", contract.number, finding=finding_id,
                     category=finding.category, severity=finding.severity, reason=reason, note=note)

    def _step(self, tx: Transaction, contract: t.Contract, review: t.Review, role: str) -> t.ApprovalStep:
        step = next((s for s in tx.repos.reviews.steps(contract.id, review_pk=review.id) if s.role == role), None)
        if step is None:
            raise InvalidTransition(f"no {role} approval is required for this contract", code="no_such_step")
        if step.status != "pending":
            raise InvalidTransition(f"the {role} step is already {step.status} by {step.decided_by}",
                                    code="step_already_decided")
        return step

    def approve(self, actor: str, contract_id: int, *, role: str, note: str = "") -> str:
        with self.tx() as tx:
            user = tx.repos.directory.user(actor)
            # who may decide is checked before the contract's state, so a refused caller learns nothing of it
            org = tx.repos.contracts.get(contract_id).organisation_id
            require(tx.repos, user, A.APPROVAL_DECIDE, organisation_id=org, role=role)
            contract, review = self._awaiting(tx, contract_id)
            step = self._step(tx, contract, review, role)
            open_findings = [f.finding_id for f in review.findings
                             if f.flagged and f.approver_role == role and not f.accepted_by]
            if open_findings:
                raise ApprovalBlocked(f"accept or resolve the flagged findings for {role} first",
                                      details={"findings": open_findings})
            step.status, step.decided_by, step.decided_at, step.note = "approved", actor, tx.now, note
            contract.updated_at = tx.now
            tx.audit(actor, "approval.approved", "contract", contract.number, role=role, step=step.id, note=note)
            tx.flush()
            if not approval_gaps(tx, contract):
                tx.move(contract, "approve", actor)
                tx.notify(tx.repos.directory.user_by_id(contract.owner_id), "contract_approved",
                          f"approved:{contract.number}:v{contract.current_version_no}", contract)
            return contract.status

    def reject(self, actor: str, contract_id: int, *, role: str, reason: str, note: str = "") -> str:
        with self.tx() as tx:
            user = tx.repos.directory.user(actor)
            # who may decide is checked before the contract's state, so a refused caller learns nothing of it
            org = tx.repos.contracts.get(contract_id).organisation_id
            require(tx.repos, user, A.APPROVAL_DECIDE, organisation_id=org, role=role)
            contract, review = self._awaiting(tx, contract_id)
            reason_row = tx.repos.directory.reason(reason, "reject")
            step = self._step(tx, contract, review, role)
            step.status, step.decided_by, step.decided_at = "rejected", actor, tx.now
            step.reason, step.note = reason, note
            tx.move(contract, "reject", actor, reason=reason)
            tx.notify(tx.repos.directory.user_by_id(contract.owner_id), "contract_rejected",
                      f"rejected:{step.id}", contract, actor=actor, role=role, reason=reason_row.text)
            return contract.status

    def revise(self, actor: str, contract_id: int) -> str:
        """Send the contract back to Draft for changes; open approval steps are superseded."""
        with self.tx() as tx:
            user = tx.repos.directory.user(actor)
            contract = tx.repos.contracts.get(contract_id)
            require(tx.repos, user, A.CONTRACT_EDIT, organisation_id=contract.organisation_id)
            tx.move(contract, "revise", actor)
            for step in tx.repos.reviews.steps(contract.id):
                if step.status == "pending":
                    step.status = "superseded"
            return contract.status

    def open_steps(self, actor: str) -> list[dict[str, Any]]:
        with self.tx() as tx:
            user = tx.repos.directory.user(actor)
            require(tx.repos, user, A.REPORT_VIEW)
            rows = tx.session.execute(select(t.ApprovalStep, t.Contract.number).join(
                t.Contract, t.Contract.id == t.ApprovalStep.contract_id).where(
                t.Contract.organisation_id == user.organisation_id, t.ApprovalStep.status == "pending"))
            return [{"contract": number, "role": s.role, "step_id": s.id, "sources": s.sources} for s, number in rows]
