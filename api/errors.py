"""The one error shape: ``{"error": {"code", "message", "details"}}`` with the right status."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DisconnectionError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from starlette.exceptions import HTTPException as StarletteHTTPException

from clm_core.errors import DomainError
from risk_copilot.errors import ReviewError

# reviewer error codes -> HTTP status (anything else a reviewer refuses is invalid input: 422)
REVIEW_ERROR_STATUS = {"file_too_large": 413, "unsupported_format": 415, "unknown_contract_type": 422,
                       "invalid_playbook": 422, "file_not_found": 422}
HTTP_CODES = {400: "bad_request", 401: "unauthenticated", 403: "permission_denied", 404: "not_found",
              405: "method_not_allowed", 406: "not_acceptable", 409: "conflict", 413: "payload_too_large",
              415: "unsupported_media_type", 422: "invalid_input", 429: "too_many_requests"}


# the database is down, restarting or unreachable, its pool is exhausted, or (SQLite) it stays locked
DATABASE_UNAVAILABLE = (OperationalError, InterfaceError, DisconnectionError, PoolTimeoutError)
DATABASE_RETRY_AFTER_SECONDS = 5


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str, details: Any = None) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.details = status, code, message, details


def error_body(code: str, message: str, details: Any = None) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "details": details}}


def error_response(status: int, code: str, message: str, details: Any = None,
                   headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(error_body(code, message, details), status_code=status, headers=headers)


MAX_ECHOED_ID = 80  # characters of a path id an error message repeats; longer ones end in "…"


def shorten_id(value: str) -> str:
    return value if len(value) <= MAX_ECHOED_ID else value[:MAX_ECHOED_ID] + "…"


def _replace_in(value: Any, old: str, new: str) -> Any:
    if isinstance(value, str):
        return value.replace(old, new)
    if isinstance(value, dict):
        return {k: _replace_in(v, old, new) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_replace_in(v, old, new) for v in value]
    return value


def echo_safe(request: Request, message: str, details: Any) -> tuple[str, Any]:
    """The message and details with every long path parameter of the request (a 5,000-character
    review id) cut to ``MAX_ECHOED_ID`` characters: an error repeats what was asked, not all of it."""
    for value in (request.scope.get("path_params") or {}).values():
        if isinstance(value, str) and len(value) > MAX_ECHOED_ID:
            short = shorten_id(value)
            message, details = message.replace(value, short), _replace_in(details, value, short)
    return message, details


def _request_id(request: Request) -> str | None:
    return request.scope.get("state", {}).get("request_id")


def install_error_handlers(app: FastAPI, logger: logging.Logger) -> None:
    @app.exception_handler(ApiError)
    async def _api_error(request: Request, exc: ApiError):
        headers = {"WWW-Authenticate": "Bearer"} if exc.status == 401 else None
        return error_response(exc.status, exc.code, *echo_safe(request, exc.message, exc.details), headers)

    @app.exception_handler(DomainError)
    async def _domain_error(request: Request, exc: DomainError):
        return error_response(exc.http_status, exc.code, *echo_safe(request, exc.message, exc.details))

    @app.exception_handler(ReviewError)
    async def _review_error(request: Request, exc: ReviewError):
        return error_response(REVIEW_ERROR_STATUS.get(exc.code, 422), exc.code,
                              *echo_safe(request, exc.message, exc.details))

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError):
        problems = [{"loc": [str(p) for p in e.get("loc", ())], "message": e.get("msg", ""), "type": e.get("type", "")}
                    for e in exc.errors()]
        return error_response(422, "invalid_input", "the request is not valid", {"problems": problems})

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException):
        if exc.status_code == 400:  # the framework's own: a body it cannot read (bad JSON encoding, bad multipart)
            message = exc.detail if isinstance(exc.detail, str) else "unreadable body"
            return error_response(422, "invalid_input", "the request body cannot be read as its declared media type",
                                  {"problems": [{"loc": ["body"], "message": message, "type": "body_parse"}]})
        code = HTTP_CODES.get(exc.status_code, "http_error")
        message = exc.detail if isinstance(exc.detail, str) else code.replace("_", " ")
        return error_response(exc.status_code, code, *echo_safe(request, message, None), getattr(exc, "headers", None))

    async def _database_unavailable(request: Request, exc: Exception):
        # the transaction was rolled back: nothing of the request was written; the caller may retry
        logger.warning("database unavailable", extra={"request_id": _request_id(request), "path": request.url.path,
                                                      "error_code": "database_unavailable"},
                       exc_info=exc)
        return error_response(503, "database_unavailable",
                              "the database is unavailable; nothing was changed, retry in a few seconds",
                              {"retry_after_seconds": DATABASE_RETRY_AFTER_SECONDS},
                              {"Retry-After": str(DATABASE_RETRY_AFTER_SECONDS)})

    for exc_class in DATABASE_UNAVAILABLE:
        app.add_exception_handler(exc_class, _database_unavailable)

    @app.exception_handler(OverflowError)
    async def _overflow(request: Request, exc: OverflowError):
        # a number the database cannot hold (ids are 64-bit): invalid input, never a 500
        return error_response(422, "invalid_input", "a number in the request is out of range",
                              {"problems": [{"loc": [], "message": "integer out of range", "type": "out_of_range"}]})

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception):
        rid = _request_id(request)
        logger.error("unhandled error", exc_info=exc, extra={"request_id": rid, "path": request.url.path,
                                                            "error_code": "internal_error"})
        return error_response(500, "internal_error", "an unexpected error occurred; quote the request id to support",
                              {"request_id": rid})
