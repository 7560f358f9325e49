"""Built-in signature provider: HMAC per-signer expiring tokens, signing order, document hash.

Each signature is an HMAC over envelope, signer, the document's sha256 and the signing
time, so a signature cannot be moved to another document version.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy.orm import Session

from clm_core.errors import NotFound, SignatureError
from clm_core.esign.provider import SignerSpec, SigningInvitation, SigningResult
from clm_core.store import tables as t


class BuiltinSignatureProvider:
    name = "builtin"

    def __init__(self, secret: str, token_ttl: timedelta = timedelta(hours=72)) -> None:
        if len(secret) < 8:
            raise ValueError("signing secret too short")
        self._key = secret.encode("utf-8")
        self._ttl = token_ttl

    # --- tokens ---------------------------------------------------------------------
    def _mac(self, message: str) -> str:
        return hmac.new(self._key, message.encode("utf-8"), hashlib.sha256).hexdigest()

    def issue_token(self, envelope_id: str, signer_id: int, now: datetime) -> tuple[str, datetime]:
        expires = now + self._ttl
        payload = f"{envelope_id}|{signer_id}|{int(expires.timestamp())}"
        token = base64.urlsafe_b64encode(payload.encode()).decode().rstrip("=") + "." + self._mac(payload)
        return token, expires

    def _check_token(self, session: Session, token: str, now: datetime) -> tuple[t.Envelope, t.EnvelopeSigner]:
        try:
            encoded, mac = token.rsplit(".", 1)
            payload = base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4)).decode()
            envelope_id, signer_id, expires = payload.split("|")
        except (ValueError, UnicodeDecodeError) as exc:
            raise SignatureError("malformed signing token", code="invalid_token") from exc
        if not hmac.compare_digest(mac, self._mac(payload)):
            raise SignatureError("signing token signature is invalid", code="invalid_token")
        if now >= datetime.fromtimestamp(int(expires), UTC):
            raise SignatureError("signing token has expired", code="token_expired")
        envelope = session.get(t.Envelope, envelope_id)
        signer = session.get(t.EnvelopeSigner, int(signer_id))
        if envelope is None or signer is None or signer.envelope_id != envelope.id:
            raise SignatureError("signing token does not match an envelope", code="invalid_token")
        if envelope.status in ("voided", "declined", "completed"):
            raise SignatureError(f"envelope is {envelope.status}", code=f"envelope_{envelope.status}")
        return envelope, signer

    # --- envelope lifecycle -----------------------------------------------------------
    def create_envelope(self, session: Session, *, contract_id: int, version_no: int, document_sha256: str,
                        signers: list[SignerSpec], now: datetime) -> str:
        if not signers:
            raise SignatureError("an envelope needs at least one signer", code="no_signers")
        envelope = t.Envelope(id=f"env_{uuid.uuid4().hex[:16]}", contract_id=contract_id, version_no=version_no,
                              provider=self.name, status="created", document_sha256=document_sha256,
                              created_at=now, updated_at=now)
        session.add(envelope)
        session.flush()
        for spec in signers:
            session.add(t.EnvelopeSigner(envelope_id=envelope.id, routing_order=spec.routing_order, side=spec.side,
                                         name=spec.name, email=spec.email, user_id=spec.user_id, status="created"))
        session.flush()
        session.refresh(envelope)
        return envelope.id

    def _invite(self, envelope: t.Envelope, order: int, now: datetime) -> list[SigningInvitation]:
        out = []
        for s in envelope.signers:
            if s.routing_order == order and s.status == "created":
                s.status = "sent"
                token, expires = self.issue_token(envelope.id, s.id, now)
                out.append(SigningInvitation(s.id, s.name, s.email, token, expires))
        return out

    def send(self, session: Session, envelope_id: str, *, now: datetime) -> list[SigningInvitation]:
        envelope = self._envelope(session, envelope_id)
        if envelope.status != "created":
            raise SignatureError(f"envelope is already {envelope.status}", code="envelope_not_created")
        envelope.status, envelope.updated_at = "sent", now
        return self._invite(envelope, min(s.routing_order for s in envelope.signers), now)

    def resend(self, session: Session, envelope_id: str, signer_id: int, *, now: datetime) -> SigningInvitation:
        envelope = self._envelope(session, envelope_id)
        signer = next((s for s in envelope.signers if s.id == signer_id), None)
        if signer is None or signer.status not in ("sent", "delivered"):
            raise SignatureError("this signer has no pending invitation", code="no_pending_invitation")
        token, expires = self.issue_token(envelope.id, signer.id, now)
        return SigningInvitation(signer.id, signer.name, signer.email, token, expires)

    def open(self, session: Session, token: str, *, now: datetime) -> tuple[str, int]:
        envelope, signer = self._check_token(session, token, now)
        if signer.status == "sent":
            signer.status, signer.delivered_at = "delivered", now
            if envelope.status == "sent":
                envelope.status, envelope.updated_at = "delivered", now
        return envelope.id, signer.id

    def sign(self, session: Session, token: str, *, document_sha256: str, now: datetime) -> SigningResult:
        envelope, signer = self._check_token(session, token, now)
        if signer.status == "signed":
            raise SignatureError("this signer has already signed", code="already_signed")
        if signer.status not in ("sent", "delivered"):
            raise SignatureError("it is not this signer's turn", code="out_of_order")
        waiting = [s for s in envelope.signers if s.routing_order < signer.routing_order and s.status != "signed"]
        if waiting:
            raise SignatureError("earlier signers have not signed yet", code="out_of_order",
                                 details={"waiting_for": [s.name for s in waiting]})
        if document_sha256 != envelope.document_sha256:
            raise SignatureError("the document differs from the one sent for signature", code="document_mismatch",
                                 details={"expected": envelope.document_sha256, "got": document_sha256})
        if signer.status == "sent":
            signer.delivered_at = now
        signer.status, signer.signed_at, signer.signed_sha256 = "signed", now, document_sha256
        signer.signature = self._signature_mac(envelope.id, signer.id, document_sha256, now)
        pending = [s for s in envelope.signers if s.status != "signed"]
        next_invitations: list[SigningInvitation] = []
        if not pending:
            envelope.status = "completed"
        else:
            envelope.status = "signed"
            same_order_pending = [s for s in pending if s.routing_order == signer.routing_order]
            if not same_order_pending:
                next_invitations = self._invite(envelope, min(s.routing_order for s in pending), now)
        envelope.updated_at = now
        return SigningResult(envelope.id, envelope.status, signer.id, signer.side, next_invitations)

    def _signature_mac(self, envelope_id: str, signer_id: int, sha: str, at: datetime) -> str:
        return self._mac(f"sig|{envelope_id}|{signer_id}|{sha}|{at.astimezone(UTC).isoformat(timespec='seconds')}")

    def verify_signature(self, session: Session, signer_id: int) -> bool:
        signer = session.get(t.EnvelopeSigner, signer_id)
        if signer is None or signer.signature is None or signer.signed_at is None:
            return False
        envelope = session.get(t.Envelope, signer.envelope_id)
        expected = self._signature_mac(envelope.id, signer.id, envelope.document_sha256, signer.signed_at)
        return signer.signed_sha256 == envelope.document_sha256 and hmac.compare_digest(expected, signer.signature)

    def decline(self, session: Session, token: str, *, reason: str, now: datetime) -> tuple[str, int]:
        envelope, signer = self._check_token(session, token, now)
        if signer.status == "signed":
            raise SignatureError("this signer has already signed", code="already_signed")
        signer.status, signer.declined_reason = "declined", reason
        envelope.status, envelope.status_reason, envelope.updated_at = "declined", reason, now
        return envelope.id, signer.id

    def void(self, session: Session, envelope_id: str, *, reason: str, now: datetime) -> None:
        envelope = self._envelope(session, envelope_id)
        if envelope.status in ("completed", "declined", "voided"):
            raise SignatureError(f"envelope is already {envelope.status}", code=f"envelope_{envelope.status}")
        envelope.status, envelope.status_reason, envelope.updated_at = "voided", reason, now

    @staticmethod
    def _envelope(session: Session, envelope_id: str) -> t.Envelope:
        envelope = session.get(t.Envelope, envelope_id)
        if envelope is None:
            raise NotFound(f"envelope {envelope_id} not found")
        return envelope
