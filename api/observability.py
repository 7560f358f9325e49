"""Structured JSON logs with request ids, and Prometheus metrics (one registry per app)."""

from __future__ import annotations

import json
import logging
import time
import uuid
from dataclasses import dataclass

from prometheus_client import CollectorRegistry, Counter, Histogram
from starlette.types import ASGIApp, Message, Receive, Scope, Send

LOGGER = "risk_copilot.api"


class JsonLogFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        payload = {"ts": self.formatTime(record, "%Y-%m-%dT%H:%M:%S"), "level": record.levelname,
                   "logger": record.name, "message": record.getMessage()}
        for key in ("request_id", "method", "path", "route", "status", "duration_ms", "user", "error_code"):
            value = getattr(record, key, None)
            if value is not None:
                payload[key] = value
        if record.exc_info:
            payload["exception"] = self.formatException(record.exc_info)
        return json.dumps(payload, default=str)


# libraries that log while the app serves a request: python-multipart warns about every malformed
# multipart body ("Expected boundary character 45, got 103 at index 2"); with no handler of its own,
# Python's last-resort handler wrote that as a bare line into the JSON-lines log
LIBRARY_LOGGERS = ("python_multipart", "multipart")


def configure_logging(level: str, as_json: bool) -> logging.Logger:
    """The app's logger, and the libraries' loggers of ``LIBRARY_LOGGERS`` through the same
    handler: every line of the log is JSON when ``as_json``."""
    logger = logging.getLogger(LOGGER)
    logger.setLevel(level.upper())
    handler = next((h for h in logger.handlers if getattr(h, "_risk_copilot", False)), None)
    if handler is None:
        handler = logging.StreamHandler()
        handler._risk_copilot = True  # type: ignore[attr-defined]
        handler.setFormatter(JsonLogFormatter() if as_json else logging.Formatter("%(levelname)s %(message)s"))
        logger.addHandler(handler)
    logger.propagate = False
    for name in LIBRARY_LOGGERS:
        library = logging.getLogger(name)
        for old in [h for h in library.handlers if getattr(h, "_risk_copilot", False)]:
            library.removeHandler(old)
        library.addHandler(handler)
        library.setLevel(max(logging.WARNING, logger.level))
        library.propagate = False
    return logger


@dataclass
class Metrics:
    registry: CollectorRegistry
    requests: Counter
    latency: Histogram
    review_seconds: Histogram
    findings: Counter

    @classmethod
    def create(cls) -> "Metrics":
        reg = CollectorRegistry()
        return cls(
            reg,
            Counter("http_requests_total", "HTTP requests", ["method", "route", "status"], registry=reg),
            Histogram("http_request_duration_seconds", "HTTP request latency", ["method", "route"], registry=reg,
                      buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30)),
            Histogram("review_duration_seconds", "Duration of one risk review", ["contract_type"], registry=reg,
                      buckets=(0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60)),
            Counter("review_findings_total", "Findings returned by reviews", ["severity"], registry=reg),
        )


def route_template(scope: Scope) -> str:
    """The route a request matched, as its path template (``/v1/reviews/{review_id}``), for the
    metrics labels and the log. FastAPI's own routes (``/openapi.json``, ``/docs``, ``/redoc``) are
    plain Starlette routes that leave no ``route`` in the scope, only their ``endpoint``: they are
    found by it, and a mounted app (static files) is labelled ``<mount>/{path}``. ``unmatched``
    only when no route matched (bounded labels: never the raw path of an unknown URL)."""
    route = scope.get("route")
    if getattr(route, "path", None):
        return route.path
    endpoint = scope.get("endpoint")
    router = getattr(scope.get("app"), "router", None)
    if endpoint is not None and router is not None:
        for candidate in getattr(router, "routes", ()):
            if getattr(candidate, "endpoint", None) is endpoint:
                return candidate.path
            if getattr(candidate, "app", None) is endpoint and hasattr(candidate, "routes"):  # a Mount
                return f"{candidate.path}/{{path}}"
    return "unmatched"


class RequestContextMiddleware:
    """Gives every request an id (``X-Request-ID``, taken from the caller if sane), logs one line
    per request and records the request metrics."""

    def __init__(self, app: ASGIApp, metrics: Metrics, logger: logging.Logger) -> None:
        self.app, self.metrics, self.logger = app, metrics, logger

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = dict(scope.get("headers") or []).get(b"x-request-id", b"").decode("latin-1")
        rid = incoming if 8 <= len(incoming) <= 64 and incoming.replace("-", "").isalnum() else uuid.uuid4().hex
        scope.setdefault("state", {})["request_id"] = rid
        started = time.perf_counter()
        status = {"code": 500}

        async def send_wrapper(message: Message) -> None:
            if message["type"] == "http.response.start":
                status["code"] = message["status"]
                message.setdefault("headers", [])
                message["headers"] = list(message["headers"]) + [(b"x-request-id", rid.encode())]
            await send(message)

        started_response = {"sent": False}

        async def tracking_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                started_response["sent"] = True
            await send_wrapper(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception as exc:  # no traceback to the client: a generic body with the request id
            self.logger.error("unhandled error", exc_info=exc, extra={"request_id": rid, "path": scope["path"],
                                                                     "error_code": "internal_error"})
            if started_response["sent"]:
                raise
            body = json.dumps({"error": {"code": "internal_error",
                                         "message": "an unexpected error occurred; quote the request id to support",
                                         "details": {"request_id": rid}}}).encode()
            await send_wrapper({"type": "http.response.start", "status": 500,
                                "headers": [(b"content-type", b"application/json"),
                                            (b"content-length", str(len(body)).encode())]})
            await send_wrapper({"type": "http.response.body", "body": body})
        finally:
            template = route_template(scope)
            elapsed = time.perf_counter() - started
            self.metrics.requests.labels(scope["method"], template, str(status["code"])).inc()
            self.metrics.latency.labels(scope["method"], template).observe(elapsed)
            self.logger.info("request", extra={"request_id": rid, "method": scope["method"], "path": scope["path"],
                                               "route": template, "status": status["code"],
                                               "duration_ms": round(elapsed * 1000, 1)})
