"""The built-in ERP ledger: purchase agreements (OnHold / Effective / Closed) and release orders.

It behaves as a separate system: it commits in its own transactions and remembers every
idempotency key it applied, so a redelivered message is answered, not applied again.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any, Callable

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from clm_core.contract_terms import plain
from clm_core.errors import NotFound, ReleaseOrderRefused, ValidationFailed
from clm_core.statuses import AgreementStatus
from clm_core.store import tables as t


def _snapshot(agreement: t.ErpAgreement) -> dict[str, Any]:
    return {
        "number": agreement.number, "contract_number": agreement.contract_number, "status": agreement.status,
        "version": agreement.version, "currency": agreement.currency, "vendor_code": agreement.vendor_code,
        "effective_date": agreement.effective_date.isoformat() if agreement.effective_date else None,
        "expiry_date": agreement.expiry_date.isoformat() if agreement.expiry_date else None,
        "lines": [{"line_no": ln.line_no, "item": ln.item, "description": ln.description, "unit": ln.unit,
                   "unit_price": str(ln.unit_price), "quantity": str(ln.quantity),
                   "released_quantity": str(ln.released_quantity)} for ln in agreement.lines],
    }


def _d(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


class ErpLedger:
    def __init__(self, session_factory: sessionmaker[Session], clock: Callable[[], datetime]) -> None:
        self._sessions = session_factory
        self._clock = clock

    # --- idempotent message handling ----------------------------------------------------
    def apply(self, topic: str, idempotency_key: str, payload: dict[str, Any]) -> dict[str, Any]:
        with self._sessions() as session, session.begin():
            done = session.get(t.ErpProcessedMessage, idempotency_key)
            if done is not None:
                return dict(done.result, duplicate=True)
            handler = {"agreement.create": self._create, "agreement.update": self._update,
                       "agreement.close": self._close, "contract.status": self._status}.get(topic)
            if handler is None:
                raise ValidationFailed(f"unknown ERP topic {topic}")
            result = handler(session, payload)
            session.add(t.ErpProcessedMessage(idempotency_key=idempotency_key, result=result, at=self._clock()))
        return result

    def _lines(self, payload: dict[str, Any]) -> list[t.ErpAgreementLine]:
        return [t.ErpAgreementLine(line_no=ln["line_no"], item=ln["item"], description=ln["description"],
                                   unit=ln["unit"], unit_price=Decimal(ln["unit_price"]),
                                   quantity=Decimal(ln["quantity"]), released_quantity=Decimal("0"))
                for ln in payload["lines"]]

    def _by_contract(self, session: Session, contract_number: str) -> t.ErpAgreement | None:
        return session.scalar(select(t.ErpAgreement).where(t.ErpAgreement.contract_number == contract_number))

    def _history(self, session: Session, agreement: t.ErpAgreement, event: str) -> None:
        session.flush()
        session.add(t.ErpAgreementHistory(agreement_id=agreement.id, version=agreement.version, event=event,
                                          snapshot=_snapshot(agreement), at=self._clock()))

    def _create(self, session: Session, payload: dict[str, Any]) -> dict[str, Any]:
        existing = self._by_contract(session, payload["contract_number"])
        if existing is not None:  # a differently-keyed retry of the same creation
            return {"agreement_number": existing.number, "version": existing.version, "status": existing.status}
        agreement = t.ErpAgreement(
            number=f"new-{payload['contract_number']}", contract_number=payload["contract_number"],
            vendor_code=payload["vendor_code"], currency=payload["currency"], status=AgreementStatus.EFFECTIVE.value,
            version=1, effective_date=_d(payload.get("effective_date")), expiry_date=_d(payload.get("expiry_date")),
            updated_at=self._clock(), lines=self._lines(payload))
        session.add(agreement)
        session.flush()
        agreement.number = f"PA-{agreement.id:06d}"  # id-based: concurrent creations cannot collide
        self._history(session, agreement, "created")
        return {"agreement_number": agreement.number, "version": 1, "status": agreement.status}

    def _update(self, session: Session, payload: dict[str, Any]) -> dict[str, Any]:
        agreement = self._by_contract(session, payload["contract_number"])
        if agreement is None:
            raise NotFound(f"no purchase agreement for contract {payload['contract_number']}")
        if agreement.status == AgreementStatus.CLOSED:
            raise ValidationFailed(f"purchase agreement {agreement.number} is closed")
        released = {ln.item: ln.released_quantity for ln in agreement.lines}
        new_lines = self._lines(payload)
        dropped = sorted(item for item, qty in released.items() if qty > 0 and item not in {ln.item for ln in new_lines})
        if dropped:
            raise ValidationFailed("lines with release orders cannot be removed", details={"items": dropped})
        for ln in new_lines:
            ln.released_quantity = released.get(ln.item, Decimal("0"))
            if ln.quantity < ln.released_quantity:
                raise ValidationFailed(f"line {ln.item}: quantity below what was already released")
        agreement.lines = new_lines
        agreement.version += 1
        agreement.expiry_date = _d(payload.get("expiry_date"))
        agreement.updated_at = self._clock()
        self._history(session, agreement, "amended")
        return {"agreement_number": agreement.number, "version": agreement.version, "status": agreement.status}

    def _close(self, session: Session, payload: dict[str, Any]) -> dict[str, Any]:
        agreement = self._by_contract(session, payload["contract_number"])
        if agreement is None:
            raise NotFound(f"no purchase agreement for contract {payload['contract_number']}")
        if agreement.status != AgreementStatus.CLOSED:
            agreement.status = AgreementStatus.CLOSED.value
            agreement.version += 1
            agreement.updated_at = self._clock()
            self._history(session, agreement, f"closed:{payload.get('reason', '')}")
        return {"agreement_number": agreement.number, "version": agreement.version, "status": agreement.status}

    def _status(self, session: Session, payload: dict[str, Any]) -> dict[str, Any]:
        agreement = self._by_contract(session, payload["contract_number"])
        if agreement is None:
            return {"recorded": False}
        wanted = payload.get("agreement_status")
        if wanted and wanted != agreement.status and agreement.status != AgreementStatus.CLOSED:
            agreement.status = AgreementStatus(wanted).value
            agreement.version += 1
            agreement.updated_at = self._clock()
            self._history(session, agreement, f"status:{wanted}")
        if payload.get("expiry_date"):
            agreement.expiry_date = _d(payload["expiry_date"])
        return {"agreement_number": agreement.number, "status": agreement.status, "version": agreement.version}

    # --- queries and release orders -------------------------------------------------------
    def agreement(self, contract_number: str) -> dict[str, Any]:
        with self._sessions() as session:
            agreement = self._by_contract(session, contract_number)
            if agreement is None:
                raise NotFound(f"no purchase agreement for contract {contract_number}")
            return _snapshot(agreement)

    def agreement_count(self) -> int:
        with self._sessions() as session:
            return session.scalar(select(func.count()).select_from(t.ErpAgreement)) or 0

    def history(self, contract_number: str) -> list[dict[str, Any]]:
        with self._sessions() as session:
            agreement = self._by_contract(session, contract_number)
            if agreement is None:
                return []
            rows = session.scalars(select(t.ErpAgreementHistory).where(
                t.ErpAgreementHistory.agreement_id == agreement.id).order_by(t.ErpAgreementHistory.id))
            return [{"version": r.version, "event": r.event, "snapshot": r.snapshot} for r in rows]

    def create_release_order(self, agreement_number: str, item: str, quantity: Decimal | str,
                             unit_price: Decimal | str) -> dict[str, Any]:
        quantity, unit_price = Decimal(str(quantity)), Decimal(str(unit_price))
        with self._sessions() as session, session.begin():
            agreement = session.scalar(select(t.ErpAgreement).where(t.ErpAgreement.number == agreement_number)
                                       .with_for_update())
            if agreement is None:
                raise NotFound(f"purchase agreement {agreement_number} not found")
            if agreement.status != AgreementStatus.EFFECTIVE:
                raise ReleaseOrderRefused(f"purchase agreement {agreement_number} is {agreement.status}",
                                          code="agreement_not_effective")
            line = next((ln for ln in agreement.lines if ln.item == item), None)
            if line is None:
                raise ReleaseOrderRefused(f"item {item} is not on agreement {agreement_number}", code="unknown_item")
            if quantity <= 0:
                raise ReleaseOrderRefused("quantity must be positive", code="invalid_quantity")
            if unit_price > line.unit_price:
                raise ReleaseOrderRefused(
                    f"unit price {plain(unit_price)} exceeds the agreed {plain(line.unit_price)}", code="price_above_agreement",
                    details={"item": item, "agreed_unit_price": str(line.unit_price), "requested": str(unit_price)})
            remaining = line.quantity - line.released_quantity
            if quantity > remaining:
                raise ReleaseOrderRefused(
                    f"quantity {plain(quantity)} exceeds the remaining {plain(remaining)}", code="quantity_above_remaining",
                    details={"item": item, "remaining": str(remaining), "requested": str(quantity)})
            line.released_quantity = line.released_quantity + quantity
            order = t.ErpReleaseOrder(agreement_id=agreement.id, line_no=line.line_no, quantity=quantity,
                                      unit_price=unit_price, at=self._clock())
            session.add(order)
            session.flush()
            return {"release_order_id": order.id, "item": item, "quantity": str(quantity),
                    "remaining": str(line.quantity - line.released_quantity)}


class LedgerConnector:
    """``ErpConnector`` that applies messages to the built-in ledger."""

    def __init__(self, ledger: ErpLedger) -> None:
        self.ledger = ledger

    def deliver(self, topic: str, idempotency_key: str, payload: dict[str, Any]) -> dict[str, Any]:
        return self.ledger.apply(topic, idempotency_key, payload)
