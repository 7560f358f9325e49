"""Service settings (pydantic-settings, environment prefix ``RISK_COPILOT_API_``)."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class ApiSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="RISK_COPILOT_API_", extra="ignore")

    host: str = "127.0.0.1"
    port: int = 8000
    max_upload_bytes: int = Field(10_000_000, gt=0, description="request bodies above this get 413")
    review_concurrency: int = Field(2, gt=0, description="reviews running at once (CPU-bound, in threads)")
    warm_up: bool = Field(True, description="load the model and playbook indexes at start-up")
    cookie_secure: bool = Field(True, description="Secure flag on the session cookie (keep on outside tests)")
    session_ttl_minutes: int = Field(8 * 60, gt=0)
    log_level: str = "INFO"
    log_json: bool = True
