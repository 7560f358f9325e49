"""The signature-provider interface (built-in or an external e-signature service).

Envelope statuses: ``created`` -> ``sent`` -> ``delivered`` (a signer opened it) -> ``signed``
(some signers signed) -> ``completed`` (all signed); or ``declined`` / ``voided``.
Signer statuses: ``created``, ``sent``, ``delivered``, ``signed``, ``declined``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from sqlalchemy.orm import Session

ENVELOPE_STATUSES = ("created", "sent", "delivered", "signed", "completed", "declined", "voided")


@dataclass(frozen=True)
class SignerSpec:
    routing_order: int
    side: str  # external | internal
    name: str
    email: str
    user_id: int | None = None


@dataclass(frozen=True)
class SigningInvitation:
    signer_id: int
    name: str
    email: str
    token: str
    expires_at: datetime


@dataclass(frozen=True)
class SigningResult:
    envelope_id: str
    envelope_status: str
    signer_id: int
    side: str
    next_invitations: list[SigningInvitation]


class SignatureProvider(Protocol):
    name: str

    def create_envelope(self, session: Session, *, contract_id: int, version_no: int, document_sha256: str,
                        signers: list[SignerSpec], now: datetime) -> str: ...

    def send(self, session: Session, envelope_id: str, *, now: datetime) -> list[SigningInvitation]: ...

    def open(self, session: Session, token: str, *, now: datetime) -> tuple[str, int]: ...

    def sign(self, session: Session, token: str, *, document_sha256: str, now: datetime) -> SigningResult: ...

    def decline(self, session: Session, token: str, *, reason: str, now: datetime) -> tuple[str, int]: ...

    def void(self, session: Session, envelope_id: str, *, reason: str, now: datetime) -> None: ...

    def verify_signature(self, session: Session, signer_id: int) -> bool: ...
