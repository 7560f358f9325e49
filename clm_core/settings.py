"""Settings of the lifecycle (pydantic-settings, env prefix ``CLM_``; ``DATABASE_URL`` too)."""

from __future__ import annotations

from pathlib import Path

from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict

REPO_ROOT = Path(__file__).resolve().parent.parent


class ClmSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CLM_", extra="ignore")

    database_url: str = Field(
        default=f"sqlite:///{REPO_ROOT / 'var' / 'clm.sqlite3'}",
        validation_alias=AliasChoices("DATABASE_URL", "CLM_DATABASE_URL"),
    )
    seed_dir: Path = REPO_ROOT / "corpora" / "seed"
    signing_secret: str = Field(default="dev-only-change-me", min_length=8)
    signing_token_ttl_hours: int = 72
    outbox_max_attempts: int = 8
    outbox_base_delay_seconds: float = 30.0
    outbox_max_delay_seconds: float = 3600.0
    notification_maildir: Path | None = None  # when set, notifications are also written there as .eml
    expiry_notice_days: int = 30
    renewal_notice_lead_days: int = 14
