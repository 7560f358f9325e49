"""What the routes need, built once by the composition root and kept on ``app.state``."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from functools import partial
from typing import Any, Callable

import anyio
from fastapi.templating import Jinja2Templates

from api.login_limiter import LoginRateLimiter
from api.observability import Metrics
from api.scan_service import ScanService
from api.settings import ApiSettings
from clm_core.composition import Clm


@dataclass
class AppServices:
    settings: ApiSettings
    clm: Clm
    engine: Any  # risk_copilot.engine.ReviewEngine
    metrics: Metrics
    logger: logging.Logger
    templates: Jinja2Templates
    review_limiter: anyio.CapacityLimiter
    scans: ScanService
    login_limiter: LoginRateLimiter

    async def run_review(self, fn: Callable[..., dict], *args: Any, contract_type: str, **kwargs: Any) -> dict:
        """Run a CPU-bound review in a worker thread (at most ``review_concurrency`` at once)."""
        started = time.perf_counter()
        review = await anyio.to_thread.run_sync(partial(fn, *args, **kwargs), limiter=self.review_limiter)
        self.observe_review(review, contract_type, time.perf_counter() - started)
        return review

    def observe_review(self, review: dict, contract_type: str, seconds: float) -> None:
        self.metrics.review_seconds.labels(contract_type).observe(seconds)
        for f in review.get("findings", []):
            self.metrics.findings.labels(f.get("severity", "info")).inc()
