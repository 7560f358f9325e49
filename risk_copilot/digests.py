"""SHA-256 of a file, read in 1 MB blocks (model artefacts, indexes, scanned contracts)."""

from __future__ import annotations

import hashlib
import os


def sha256_of_file(path: str | os.PathLike[str], chunk: int = 1 << 20) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while block := handle.read(chunk):
            digest.update(block)
    return digest.hexdigest()
