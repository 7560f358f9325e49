"""Operations: liveness, readiness (model loaded, database reachable) and Prometheus metrics."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import text

from api.auth import services
from api.schemas import Health, Readiness
from api.services import AppServices

router = APIRouter(tags=["operations"])


@router.get("/healthz", response_model=Health, summary="Liveness: the process answers")
async def healthz() -> dict:
    return {"status": "ok"}


@router.get("/readyz", response_model=Readiness, responses={503: {"model": Readiness}},
            summary="Readiness: the model is loaded and the database answers")
def readyz(svc: AppServices = Depends(services)):
    checks = {"model": bool(getattr(svc.engine.encoder, "loaded", False)), "database": False}
    try:
        with svc.clm.engine.connect() as conn:
            checks["database"] = conn.execute(text("SELECT 1")).scalar() == 1
    except Exception:  # the reason goes to the log, not to the caller
        svc.logger.warning("readiness: database unreachable", exc_info=True)
    ok = all(checks.values())
    return JSONResponse({"status": "ready" if ok else "not_ready", "checks": checks}, status_code=200 if ok else 503)


@router.get("/metrics", summary="Prometheus metrics", response_class=Response,
            responses={200: {"content": {"text/plain": {"example": "http_requests_total{...} 3.0"}}}})
def metrics(svc: AppServices = Depends(services)) -> Response:
    return Response(generate_latest(svc.metrics.registry), media_type=CONTENT_TYPE_LATEST)
