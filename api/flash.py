"""Flash messages of the reviewer page: the outcome of a form, shown once on the next page.

They travel in a short-lived cookie that only our own redirects set (HttpOnly, SameSite=Strict,
path ``/ui``), never in the URL: a link made elsewhere cannot put its own words in an error
banner of the page.
"""

from __future__ import annotations

import base64
import binascii
import json

FLASH_COOKIE = "crc_flash"
FLASH_MAX_CHARACTERS = 300
FLASH_KINDS = ("ok", "error")


def encode_flash(message: str, kind: str) -> str:
    payload = {"m": message[:FLASH_MAX_CHARACTERS], "k": kind if kind in FLASH_KINDS else "error"}
    return base64.urlsafe_b64encode(json.dumps(payload, ensure_ascii=False).encode("utf-8")).decode("ascii")


def decode_flash(value: str | None) -> tuple[str, str] | None:
    """(kind, message) of a flash cookie; None when absent or not one of ours."""
    if not value:
        return None
    try:
        payload = json.loads(base64.urlsafe_b64decode(value.encode("ascii")).decode("utf-8"))
    except (ValueError, UnicodeError, binascii.Error):
        return None
    if not isinstance(payload, dict) or not isinstance(payload.get("m"), str):
        return None
    kind = payload.get("k") if payload.get("k") in FLASH_KINDS else "error"
    return kind, payload["m"][:FLASH_MAX_CHARACTERS]
