"""One unit of work of a scan: a file, its sha256 (the result key) and the type asked for."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ScanTask:
    path: str
    sha256: str
    requested_type: str  # nda | procurement | auto
