"""``resolve_under_root``: turn a path asked for by an API client into a real path inside
the configured scan root, refusing anything that leaves it (``..``, absolute paths
elsewhere, symlinks pointing out)."""

from __future__ import annotations

import os
from pathlib import Path

from risk_copilot.batch.errors import BatchError


def resolve_under_root(root: str | os.PathLike[str], requested: str) -> Path:
    """The resolved path of ``requested`` (relative to ``root``, or absolute inside it).
    Raises ``BatchError`` ``path_outside_root`` or ``file_not_found``."""
    base = Path(root).resolve()
    candidate = Path(requested)
    target = (candidate if candidate.is_absolute() else base / candidate).resolve()
    if target != base and base not in target.parents:
        raise BatchError(f"'{requested}' is outside the scan root", code="path_outside_root")
    if not target.exists():
        raise BatchError(f"'{requested}' does not exist under the scan root", code="file_not_found")
    return target
