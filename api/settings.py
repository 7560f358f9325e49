"""Service settings (pydantic-settings, environment prefix ``RISK_COPILOT_API_``)."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from risk_copilot.settings import register_env_prefix


@register_env_prefix
class ApiSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="RISK_COPILOT_API_", extra="ignore")

    host: str = "127.0.0.1"
    port: int = 8000
    max_upload_bytes: int = Field(10_000_000, gt=0, description="request bodies above this get 413")
    review_concurrency: int = Field(2, gt=0, description="reviews running at once (CPU-bound, in threads)")
    warm_up: bool = Field(True, description="load the model and playbook indexes at start-up")
    malloc_arenas: int = Field(2, ge=0, description="glibc malloc arenas of the server process (0: glibc's default); "
                                                    "bounds the memory worker threads keep (api/malloc_arenas.py)")
    cookie_secure: bool = Field(True, description="Secure flag on the session cookie (keep on outside tests)")
    session_ttl_minutes: int = Field(8 * 60, gt=0)
    log_level: str = "INFO"
    log_json: bool = True
    # batch scans (POST /v1/scans): uploads and outputs live under data_root/scans/<id>/
    data_root: Path = Field(Path("var/api"), description="folder of the service's own files (scans: data_root/scans)")
    scan_root: Path | None = Field(None, description="server folders a JSON scan may name must resolve under this "
                                                     "root; unset: only zip uploads")
    scan_concurrency: int = Field(1, gt=0, description="scans running at once (each in a thread, on the app's engine)")
    max_scan_upload_bytes: int = Field(200_000_000, gt=0,
                                       description="zip uploads to POST /v1/scans above this get 413")
    scan_zip_max_files: int = Field(10_000, gt=0, description="entries in an uploaded zip")
    scan_zip_max_file_bytes: int = Field(25_000_000, gt=0, description="bytes of one unpacked zip entry")
    scan_zip_max_total_bytes: int = Field(2_000_000_000, gt=0, description="bytes of the unpacked zip")
    scan_zip_max_ratio: float = Field(200.0, gt=1, description="unpacked / packed size (zip-bomb guard)")
    # web login: failed attempts per username and client address before 429
    login_max_failures: int = Field(5, gt=0, description="failed logins per username+client within the window")
    login_window_seconds: int = Field(300, gt=0, description="the window of login_max_failures (sliding)")
