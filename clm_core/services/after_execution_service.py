"""After execution: amend, terminate, reset the expiry date, and the scheduled expiry job."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from clm_core import actions as A
from clm_core.errors import ValidationFailed
from clm_core.outbox import enqueue
from clm_core.permissions import require
from clm_core.services.context import Service, Transaction
from clm_core.statuses import AgreementStatus, ContractStatus
from clm_core.store import tables as t
from clm_core.views import ContractView, contract_view


class AfterExecutionService(Service):
    def amend(self, actor: str, contract_id: int, *, note: str) -> ContractView:
        """Open an amendment: the contract returns to Draft; the agreement stays in force until
        the amended contract is re-reviewed, re-approved and executed again."""
        with self.tx() as tx:
            user = tx.repos.directory.user(actor)
            contract = tx.repos.contracts.get(contract_id)
            require(tx.repos, user, A.CONTRACT_AMEND, organisation_id=contract.organisation_id)
            if not note.strip():
                raise ValidationFailed("describe the amendment")
            tx.move(contract, "amend", actor, reason=note)
            contract.amendment_no += 1
            tx.audit(actor, "contract.amendment_opened", "contract", contract.number,
                     amendment_no=contract.amendment_no, note=note)
            return contract_view(contract)

    def terminate(self, actor: str, contract_id: int, *, reason: str, note: str = "") -> ContractView:
        with self.tx() as tx:
            user = tx.repos.directory.user(actor)
            contract = tx.repos.contracts.get(contract_id)
            require(tx.repos, user, A.CONTRACT_TERMINATE, organisation_id=contract.organisation_id)
            tx.repos.directory.reason(reason, "terminate")
            tx.move(contract, "terminate", actor, reason=reason)
            contract.termination_reason = reason
            if contract.contract_type == "procurement":
                enqueue(tx.session, topic="agreement.close", idempotency_key=f"{contract.number}:agreement.close",
                        payload={"contract_number": contract.number, "reason": reason}, now=tx.now)
            tx.audit(actor, "contract.terminated", "contract", contract.number, reason=reason, note=note)
            return contract_view(contract)

    def reset_expiry(self, actor: str, contract_id: int, *, new_expiry: date, note: str = "") -> ContractView:
        """Renewal: move the expiry date of an Executed or Expired contract."""
        with self.tx() as tx:
            user = tx.repos.directory.user(actor)
            contract = tx.repos.contracts.get(contract_id)
            require(tx.repos, user, A.CONTRACT_RENEW, organisation_id=contract.organisation_id)
            if new_expiry <= tx.now.date() or (contract.effective_date and new_expiry <= contract.effective_date):
                raise ValidationFailed("the new expiry date must be in the future and after the effective date")
            was = contract.status
            old = contract.expiry_date
            tx.move(contract, "renew", actor, reason=note or None)
            contract.expiry_date = new_expiry
            if contract.contract_type == "procurement":
                payload = {"contract_number": contract.number, "expiry_date": new_expiry.isoformat()}
                if was == ContractStatus.EXPIRED:
                    payload["agreement_status"] = AgreementStatus.EFFECTIVE.value
                enqueue(tx.session, topic="contract.status",
                        idempotency_key=f"{contract.number}:expiry:{new_expiry.isoformat()}", payload=payload,
                        now=tx.now)
            tx.audit(actor, "contract.expiry_reset", "contract", contract.number,
                     old=old.isoformat() if old else None, new=new_expiry.isoformat())
            return contract_view(contract)


@dataclass(frozen=True)
class ExpiryRunReport:
    expired: list[str]
    expiry_notices: list[str]
    renewal_notices: list[str]


class ExpiryJob(Service):
    """Run daily: expire Executed contracts past their date; warn owners ahead of expiry and of
    renewal-notice deadlines, also while an amendment is under way (the contract is still in force).
    Idempotent: each notice has a dedupe key, each expiry a transition."""

    def run(self, today: date | None = None) -> ExpiryRunReport:
        expired, expiry_notices, renewal_notices = [], [], []
        with self.tx() as tx:
            today = today or tx.now.date()
            notice = timedelta(days=self.ctx.settings.expiry_notice_days)
            lead = timedelta(days=self.ctx.settings.renewal_notice_lead_days)
            for contract in tx.repos.contracts.in_force_with_expiry():
                owner = tx.repos.directory.user_by_id(contract.owner_id)
                if contract.expiry_date < today and contract.status == ContractStatus.EXECUTED:
                    self._expire(tx, contract, owner)
                    expired.append(contract.number)
                    continue
                if contract.expiry_date - today <= notice:
                    if tx.notify(owner, "expiry_upcoming", f"expiry:{contract.number}:{contract.expiry_date}",
                                 contract, expiry_date=contract.expiry_date.isoformat()):
                        expiry_notices.append(contract.number)
                if contract.renewal_notice_days:
                    deadline = contract.expiry_date - timedelta(days=contract.renewal_notice_days)
                    if today <= deadline <= today + lead:
                        if tx.notify(owner, "renewal_notice_deadline", f"renewal:{contract.number}:{deadline}",
                                     contract, deadline=deadline.isoformat()):
                            renewal_notices.append(contract.number)
        return ExpiryRunReport(expired, expiry_notices, renewal_notices)

    def _expire(self, tx: Transaction, contract: t.Contract, owner: t.User) -> None:
        tx.move(contract, "expire", "scheduler", reason=f"expiry date {contract.expiry_date} passed")
        if contract.contract_type == "procurement":
            enqueue(tx.session, topic="contract.status",
                    idempotency_key=f"{contract.number}:expired:{contract.expiry_date}",
                    payload={"contract_number": contract.number, "agreement_status": AgreementStatus.ON_HOLD.value},
                    now=tx.now)
        tx.notify(owner, "contract_expired", f"expired:{contract.number}:{contract.expiry_date}", contract,
                  expiry_date=contract.expiry_date.isoformat())
