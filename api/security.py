"""Security headers on every response and a request-body size limit (413 before parsing)."""

from __future__ import annotations

import base64
import hashlib
import json
import re

from api.errors import ApiError
from starlette.types import ASGIApp, Message, Receive, Scope, Send

CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; "
       "base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
HEADERS = [(b"content-security-policy", CSP.encode()), (b"x-content-type-options", b"nosniff"),
           (b"x-frame-options", b"DENY"), (b"referrer-policy", b"no-referrer"),
           (b"cross-origin-opener-policy", b"same-origin"), (b"permissions-policy", b"camera=(), microphone=()")]
# the bundled API explorer pages (/docs, /redoc): their one inline script is allowed by its sha256 hash (no
# 'unsafe-inline' for scripts); inline styles are allowed there only
DOCS_CSP = ("default-src 'self'; script-src 'self'{hashes}; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
            "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
INLINE_SCRIPT = re.compile(rb"<script(?![^>]*\bsrc=)[^>]*>(.*?)</script>", re.S)
# batch reports are static pages with inline CSS and SVG and no scripts: styles only, nothing loaded,
# and a sandbox so that no script could run even if one got in
REPORT_CSP = (b"content-security-policy", b"default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
                                          b"base-uri 'none'; form-action 'none'; frame-ancestors 'none'; sandbox")
REPORT_PATH = re.compile(r"^/v1/scans/[^/]+/(report|report\.html|contracts/[^/]+)$")


class SecurityHeadersMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        if scope["path"] in ("/docs", "/redoc"):
            await self.app(scope, receive, self._docs_sender(send))
            return

        async def send_wrapper(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [h for h in message.get("headers", []) if h[0].lower() not in {k for k, _ in HEADERS}]
                extra = list(HEADERS)
                if REPORT_PATH.match(scope["path"]):
                    extra = [REPORT_CSP if k == b"content-security-policy" else (k, v) for k, v in extra]
                if scope["path"].startswith(("/ui", "/v1")) and not scope["path"].startswith("/ui/static"):
                    extra.append((b"cache-control", b"no-store"))
                message["headers"] = headers + extra
            await send(message)

        await self.app(scope, receive, send_wrapper)

    @staticmethod
    def _docs_sender(send: Send) -> Send:
        """Holds the (small) explorer page until it is complete, then allows exactly its inline scripts."""
        held: dict[str, object] = {"start": None, "body": b""}

        async def sender(message: Message) -> None:
            if message["type"] == "http.response.start":
                held["start"] = message
                return
            if message["type"] != "http.response.body":
                await send(message)
                return
            held["body"] = held["body"] + message.get("body", b"")  # type: ignore[operator]
            if message.get("more_body"):
                return
            body: bytes = held["body"]  # type: ignore[assignment]
            hashes = "".join(f" 'sha256-{base64.b64encode(hashlib.sha256(m).digest()).decode()}'"
                             for m in INLINE_SCRIPT.findall(body))
            start: Message = held["start"]  # type: ignore[assignment]
            headers = [h for h in start.get("headers", []) if h[0].lower() not in {k for k, _ in HEADERS}]
            extra = [(k, DOCS_CSP.format(hashes=hashes).encode()) if k == b"content-security-policy" else (k, v)
                     for k, v in HEADERS]
            await send({**start, "headers": headers + extra})
            await send({"type": "http.response.body", "body": body})

        return sender


class _TooLarge(ApiError):
    """Raised while reading the body; the ApiError handler turns it into the 413 error shape."""

    def __init__(self, limit: int, received: int) -> None:
        super().__init__(413, "payload_too_large", f"the request body exceeds the limit of {limit} bytes",
                         {"limit_bytes": limit, "received_bytes": received})


class BodySizeLimitMiddleware:
    """Refuse bodies over ``limit`` bytes (``path_limits`` sets another limit for an exact path,
    e.g. zip uploads) with the JSON error shape and 413: from Content-Length when given,
    otherwise while the body streams in."""

    def __init__(self, app: ASGIApp, limit: int, path_limits: dict[str, int] | None = None) -> None:
        self.app, self.default_limit, self.path_limits = app, limit, dict(path_limits or {})

    async def _refuse(self, send: Send, received: int | None, limit: int, *, page: bool = False) -> None:
        """The JSON error shape, or for the web pages (``page``) a short HTML page that says
        the same and leads back (a browser would otherwise show raw JSON)."""
        if page:
            body = (f"<!doctype html><html lang=\"en\"><meta charset=\"utf-8\"><title>File too large</title>"
                    f"<h1>File too large</h1><p>The upload is larger than the limit of {limit / 1e6:.0f} MB "
                    f"({limit:,} bytes). Split the document or send a smaller file.</p>"
                    f"<p><a href=\"/ui\">Back to the reviews</a></p></html>").encode()
            content_type = b"text/html; charset=utf-8"
        else:
            body = json.dumps({"error": {"code": "payload_too_large",
                                         "message": f"the request body exceeds the limit of {limit} bytes",
                                         "details": {"limit_bytes": limit, "received_bytes": received}}}).encode()
            content_type = b"application/json"
        await send({"type": "http.response.start", "status": 413,
                    "headers": [(b"content-type", content_type), (b"content-length", str(len(body)).encode()),
                                (b"connection", b"close")]})
        await send({"type": "http.response.body", "body": body})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        limit = self.path_limits.get(scope["path"].rstrip("/") or "/", self.default_limit)
        page = scope["path"] == "/ui" or scope["path"].startswith("/ui/")
        length = dict(scope.get("headers") or []).get(b"content-length")
        if length is not None and length.isdigit() and int(length) > limit:
            await self._refuse(send, int(length), limit, page=page)
            return
        seen = {"bytes": 0, "started": False}

        async def limited_receive() -> Message:
            message = await receive()
            if message["type"] == "http.request":
                seen["bytes"] += len(message.get("body", b""))
                if seen["bytes"] > limit:
                    raise _TooLarge(limit, seen["bytes"])
            return message

        async def tracking_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                seen["started"] = True
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except _TooLarge:
            if not seen["started"]:
                await self._refuse(send, seen["bytes"], limit, page=page)
