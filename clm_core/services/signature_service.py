"""Sending for signature, signing, declining, voiding; completion executes the contract."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from clm_core import actions as A
from clm_core.errors import ApprovalBlocked, SignatureError, ValidationFailed
from clm_core.esign.provider import SignerSpec, SigningInvitation
from clm_core.outbox import enqueue
from clm_core.permissions import require, require_view
from clm_core.services.approval_service import approval_gaps
from clm_core.services.context import Service, Transaction
from clm_core.statuses import ContractStatus
from clm_core.store import tables as t


@dataclass(frozen=True)
class SendResult:
    envelope_id: str
    document_sha256: str
    invitations: list[SigningInvitation]


def agreement_payload(contract: t.Contract, vendor: t.Vendor) -> dict:
    return {
        "contract_number": contract.number, "vendor_code": vendor.code, "currency": contract.currency,
        "effective_date": contract.effective_date.isoformat() if contract.effective_date else None,
        "expiry_date": contract.expiry_date.isoformat() if contract.expiry_date else None,
        "amendment_no": contract.amendment_no,
        "lines": [{"line_no": ln.line_no, "item": ln.item, "description": ln.description, "unit": ln.unit,
                   "unit_price": str(ln.unit_price), "quantity": str(ln.quantity)} for ln in contract.lines],
    }


class SignatureService(Service):
    def send_for_signature(self, actor: str, contract_id: int, *, internal_signer: str) -> SendResult:
        with self.tx() as tx:
            user = tx.repos.directory.user(actor)
            contract = tx.repos.contracts.get(contract_id)
            require(tx.repos, user, A.SIGNATURE_SEND, organisation_id=contract.organisation_id)
            if contract.status != ContractStatus.APPROVED:
                tx.move(contract, "send_for_signature", actor)  # raises the transition error
            gaps = approval_gaps(tx, contract)
            if gaps:
                raise ApprovalBlocked("the contract is not fully approved", details=gaps)
            signer = tx.repos.directory.user(internal_signer)
            require(tx.repos, signer, A.SIGNATURE_SIGN, organisation_id=contract.organisation_id)
            vendor = tx.repos.directory.vendor(contract.vendor_id)
            if not vendor.contact_email:
                raise ValidationFailed(f"vendor {vendor.code} has no contact e-mail for signing")
            version = tx.repos.contracts.version(contract.id, contract.current_version_no)
            provider = self.ctx.signature_provider
            envelope_id = provider.create_envelope(
                tx.session, contract_id=contract.id, version_no=version.version_no, document_sha256=version.sha256,
                signers=[SignerSpec(1, "external", vendor.contact_name or vendor.name, vendor.contact_email),
                         SignerSpec(2, "internal", signer.display_name, signer.email, signer.id)], now=tx.now)
            invitations = provider.send(tx.session, envelope_id, now=tx.now)
            tx.move(contract, "send_for_signature", actor)
            tx.audit(actor, "signature.sent", "contract", contract.number, envelope=envelope_id,
                     sha256=version.sha256, version_no=version.version_no,
                     signers=[vendor.contact_email, signer.email])
            self._deliver(tx, contract, invitations)
            return SendResult(envelope_id, version.sha256, invitations)

    def _deliver(self, tx: Transaction, contract: t.Contract, invitations: list[SigningInvitation]) -> None:
        channel = self.ctx.channel
        for inv in invitations:
            subject = f"Please sign {contract.number}: {contract.title}"
            body = f"Open your signing link with token {inv.token} (valid until {inv.expires_at.isoformat()})."
            tx.after_commit(lambda inv=inv, s=subject, b=body: channel.deliver(inv.email, s, b))

    def document_for_signing(self, token: str) -> tuple[str, str]:
        """What the signer sees: the text and its sha256 (opening marks the signer ``delivered``)."""
        with self.tx() as tx:
            envelope_id, _ = self.ctx.signature_provider.open(tx.session, token, now=tx.now)
            envelope = tx.session.get(t.Envelope, envelope_id)
            version = tx.repos.contracts.version(envelope.contract_id, envelope.version_no)
            return version.body_markdown, version.sha256

    def sign(self, token: str, *, document_sha256: str) -> str:
        with self.tx() as tx:
            result = self.ctx.signature_provider.sign(tx.session, token, document_sha256=document_sha256, now=tx.now)
            envelope = tx.session.get(t.Envelope, result.envelope_id)
            contract = tx.repos.contracts.get(envelope.contract_id)
            signer = tx.session.get(t.EnvelopeSigner, result.signer_id)
            if signer.side == "internal" and signer.user_id is not None:
                require(tx.repos, tx.repos.directory.user_by_id(signer.user_id), A.SIGNATURE_SIGN,
                        organisation_id=contract.organisation_id)
            tx.audit(signer.email, "signature.signed", "contract", contract.number, envelope=envelope.id,
                     signer=signer.email, side=signer.side, sha256=document_sha256, signature=signer.signature)
            externals = [s for s in envelope.signers if s.side == "external"]
            if contract.status == ContractStatus.WAITING_FOR_EXTERNAL_SIGNATURES and all(
                    s.status == "signed" for s in externals):
                tx.move(contract, "external_signed", signer.email)
            if result.envelope_status == "completed":
                self._execute(tx, contract, envelope, signer.email)
            self._deliver(tx, contract, result.next_invitations)
            return contract.status

    def _execute(self, tx: Transaction, contract: t.Contract, envelope: t.Envelope, actor: str) -> None:
        gaps = approval_gaps(tx, contract)
        if gaps:
            raise ApprovalBlocked("execution is blocked until every required approval is given", details=gaps)
        version = tx.repos.contracts.version(contract.id, contract.current_version_no)
        if envelope.document_sha256 != version.sha256 or envelope.version_no != version.version_no:
            raise SignatureError("the signed document is not the current version", code="document_mismatch")
        tx.move(contract, "internal_signed", actor)
        contract.executed_version_no = version.version_no
        if contract.contract_type == "procurement":
            vendor = tx.repos.directory.vendor(contract.vendor_id)
            first = contract.amendment_no == 0 and contract.agreement_number is None
            topic = "agreement.create" if first else "agreement.update"
            key = f"{contract.number}:{topic}:a{contract.amendment_no}"
            enqueue(tx.session, topic=topic, idempotency_key=key, payload=agreement_payload(contract, vendor),
                    now=tx.now)
            tx.audit("system", "outbox.enqueued", "contract", contract.number, topic=topic, key=key)
        else:
            tx.audit("system", "contract.recorded", "contract", contract.number, version_no=version.version_no,
                     sha256=version.sha256, note="executed NDA recorded; no purchase agreement")
        tx.notify(tx.repos.directory.user_by_id(contract.owner_id), "contract_executed",
                  f"executed:{contract.number}:a{contract.amendment_no}", contract)

    def decline(self, token: str, *, reason: str) -> str:
        with self.tx() as tx:
            envelope_id, signer_id = self.ctx.signature_provider.decline(tx.session, token, reason=reason, now=tx.now)
            envelope = tx.session.get(t.Envelope, envelope_id)
            contract = tx.repos.contracts.get(envelope.contract_id)
            signer = tx.session.get(t.EnvelopeSigner, signer_id)
            tx.move(contract, "signature_stopped", signer.email, reason=f"declined: {reason}")
            return contract.status

    def void(self, actor: str, contract_id: int, *, reason: str) -> str:
        with self.tx() as tx:
            user = tx.repos.directory.user(actor)
            contract = tx.repos.contracts.get(contract_id)
            require(tx.repos, user, A.SIGNATURE_VOID, organisation_id=contract.organisation_id)
            tx.repos.directory.reason(reason, "void")
            envelope = tx.session.scalar(select(t.Envelope).where(
                t.Envelope.contract_id == contract.id, t.Envelope.status.not_in(("completed", "declined", "voided"))))
            if envelope is None:
                raise SignatureError("no open envelope to void", code="no_open_envelope")
            self.ctx.signature_provider.void(tx.session, envelope.id, reason=reason, now=tx.now)
            tx.move(contract, "signature_stopped", actor, reason=f"voided: {reason}")
            return contract.status

    def envelope(self, actor: str, contract_id: int) -> dict:
        with self.tx() as tx:
            user = tx.repos.directory.user(actor)
            contract = tx.repos.contracts.get(contract_id)
            require_view(tx.repos, user, contract)
            env = tx.session.scalar(select(t.Envelope).where(t.Envelope.contract_id == contract.id)
                                    .order_by(t.Envelope.created_at.desc()))
            if env is None:
                raise ValidationFailed("no envelope for this contract")
            return {"id": env.id, "status": env.status, "document_sha256": env.document_sha256,
                    "signers": [{"id": s.id, "order": s.routing_order, "side": s.side, "email": s.email,
                                 "status": s.status, "signed_sha256": s.signed_sha256,
                                 "signature_valid": self.ctx.signature_provider.verify_signature(tx.session, s.id)}
                                for s in env.signers]}

    def my_signing_link(self, actor: str, contract_id: int) -> SigningInvitation:
        """A fresh signing token for the calling internal signer, once it is their turn."""
        with self.tx() as tx:
            user = tx.repos.directory.user(actor)
            contract = tx.repos.contracts.get(contract_id)
            require(tx.repos, user, A.SIGNATURE_SIGN, organisation_id=contract.organisation_id)
            envelope = tx.session.scalar(select(t.Envelope).where(
                t.Envelope.contract_id == contract.id, t.Envelope.status.not_in(("completed", "declined", "voided"))))
            if envelope is None:
                raise SignatureError("no open envelope", code="no_open_envelope")
            signer = next((s for s in envelope.signers if s.user_id == user.id), None)
            if signer is None or signer.status == "signed":
                raise SignatureError("you have nothing to sign on this envelope", code="not_a_signer")
            earlier = [s for s in envelope.signers if s.routing_order < signer.routing_order and s.status != "signed"]
            if earlier:
                raise SignatureError("earlier signers have not signed yet", code="not_your_turn")
            return self.ctx.signature_provider.resend(tx.session, envelope.id, signer.id, now=tx.now)
