"""The ERP connector interface the outbox delivers to.

``deliver`` must be idempotent on ``idempotency_key``: delivering the same message twice
returns the first result and changes nothing.
"""

from __future__ import annotations

from typing import Any, Protocol

TOPICS = ("agreement.create", "agreement.update", "agreement.close", "contract.status")


class ConnectorUnavailable(Exception):
    """A transient failure: the outbox retries later with backoff."""


class ErpConnector(Protocol):
    def deliver(self, topic: str, idempotency_key: str, payload: dict[str, Any]) -> dict[str, Any]: ...
