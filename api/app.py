"""The composition root: ``create_app(settings)`` builds the whole service; nothing lives at module level."""

from __future__ import annotations

from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import anyio
from fastapi import FastAPI
from fastapi.responses import RedirectResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

from api.errors import install_error_handlers
from api.login_limiter import LoginRateLimiter
from api.malloc_arenas import limit_malloc_arenas
from api.observability import Metrics, RequestContextMiddleware, configure_logging
from api.scan_service import ScanService
from api.security import BodySizeLimitMiddleware, SecurityHeadersMiddleware
from api.services import AppServices
from api.settings import ApiSettings

WEB = Path(__file__).resolve().parent / "web"


def _templates() -> Jinja2Templates:
    templates = Jinja2Templates(directory=str(WEB / "templates"))
    templates.env.autoescape = True  # every template, whatever its suffix: contract text is always escaped
    return templates


def create_app(settings: ApiSettings | None = None, *, clm: Any | None = None, engine: Any | None = None,
               clm_settings: Any | None = None) -> FastAPI:
    """Build the app. ``engine`` (a ReviewEngine) and ``clm`` are built here unless given (tests share
    one engine per session); the model warms up in the lifespan, before the first request."""
    settings = settings or ApiSettings()
    logger = configure_logging(settings.log_level, settings.log_json)
    limit_malloc_arenas(settings.malloc_arenas)  # before the worker threads start
    if engine is None:
        from risk_copilot.engine import ReviewEngine
        from risk_copilot.settings import ReviewerSettings

        engine = ReviewEngine(ReviewerSettings())
    if clm is None:
        from clm_core.composition import build_clm
        from clm_core.reviewer_adapter import RiskCopilotReviewer

        clm = build_clm(clm_settings, reviewer=RiskCopilotReviewer(engine))
    metrics = Metrics.create()
    svc = AppServices(settings, clm, engine, metrics, logger, _templates(),
                      anyio.CapacityLimiter(settings.review_concurrency), ScanService(settings, engine, logger),
                      LoginRateLimiter(settings.login_max_failures, settings.login_window_seconds))

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        if settings.warm_up:
            await anyio.to_thread.run_sync(engine.warm_up)
        resumed = await anyio.to_thread.run_sync(svc.scans.start)  # scans left queued or running resume
        logger.info("ready", extra={"route": f"{settings.host}:{settings.port}", "resumed_scans": resumed})
        try:
            yield
        finally:
            await anyio.to_thread.run_sync(svc.scans.close)  # stops after the file each scan is on

    app = FastAPI(title="Contract Risk Copilot", version="0.1.0", lifespan=lifespan,
                  description="Contract lifecycle with an offline AI risk reviewer. Authenticate with "
                              "`Authorization: Bearer <token>` (`risk-copilot token create --role ROLE --org ORG`). "
                              "Errors: `{\"error\": {\"code\", \"message\", \"details\"}}`.")
    app.state.services = svc
    install_error_handlers(app, logger)

    from api.routers import catalog, lifecycle, ops, reviews, scans, web

    app.include_router(ops.router)
    app.include_router(reviews.router)
    app.include_router(scans.router)
    app.include_router(lifecycle.router)
    app.include_router(catalog.router)
    app.include_router(web.router)
    app.mount("/ui/static", StaticFiles(directory=str(WEB / "static")), name="static")

    @app.get("/", include_in_schema=False)
    @app.get("/ui", include_in_schema=False)
    @app.get("/ui/", include_in_schema=False)
    def root() -> RedirectResponse:
        return RedirectResponse("/ui/contracts", status_code=303)

    _document_raw_bodies(app)

    # added innermost first: body limit, then request id + metrics + 500 guard, then security headers
    app.add_middleware(BodySizeLimitMiddleware, limit=settings.max_upload_bytes,
                       path_limits={"/v1/scans": settings.max_scan_upload_bytes})
    app.add_middleware(RequestContextMiddleware, metrics=metrics, logger=logger)
    app.add_middleware(SecurityHeadersMiddleware)
    return app


DATABASE_UNAVAILABLE_RESPONSE = {
    "description": "the database is unavailable (nothing was changed); retry after the Retry-After seconds",
    "headers": {"Retry-After": {"schema": {"type": "integer"}}},
    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorBody"}}}}


def _document_raw_bodies(app: FastAPI) -> None:
    """Routes that read JSON or multipart themselves reference these request schemas by name."""
    from fastapi.openapi.utils import get_openapi

    from api.schemas import ApprovalCheckRequest, ErrorBody, ReviewRequest, ScanPathRequest

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            spec = get_openapi(title=app.title, version=app.version, description=app.description, routes=app.routes)
            schemas = spec.setdefault("components", {}).setdefault("schemas", {})
            for model in (ReviewRequest, ApprovalCheckRequest, ScanPathRequest, ErrorBody):
                schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
                schemas.update(schema.pop("$defs", {}))
                schemas[model.__name__] = schema
            for methods in spec.get("paths", {}).values():  # any route reading or writing the database
                for operation in methods.values():
                    operation.get("responses", {}).setdefault("503", DATABASE_UNAVAILABLE_RESPONSE)
            app.openapi_schema = spec
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
