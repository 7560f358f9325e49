"""Find the contract files under the paths a user gives: recursive, supported
extensions only, hidden files and folders skipped, each file once, in a stable order."""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

SCANNED_EXTENSIONS = (".txt", ".md", ".markdown", ".docx", ".pdf")


@dataclass(frozen=True)
class ContractFile:
    """A file to scan: its path as found and the sha256 of its bytes (the result key)."""

    path: str
    sha256: str
    size: int


def find_contract_files(paths: list[str | os.PathLike[str]]) -> list[Path]:
    """Every supported file under ``paths`` (files given directly are kept whatever their
    extension, so that an unsupported one is reported rather than silently dropped)."""
    found: dict[str, Path] = {}
    for raw in paths:
        root = Path(raw)
        if root.is_dir():
            for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
                dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
                for name in sorted(filenames):
                    if name.startswith(".") or not name.lower().endswith(SCANNED_EXTENSIONS):
                        continue
                    path = Path(dirpath) / name
                    found.setdefault(str(path.resolve()), path)
        else:
            found.setdefault(str(root.resolve()), root)
    return sorted(found.values(), key=lambda p: str(p))


def sha256_of_file(path: Path, chunk: int = 1 << 20) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while block := handle.read(chunk):
            digest.update(block)
    return digest.hexdigest()


def hash_contract_files(paths: list[Path]) -> tuple[list[ContractFile], list[tuple[str, str, str]]]:
    """Hash each file; returns the hashed files and ``(path, code, message)`` for files that
    cannot be read (missing, unreadable) so that the scan records them as errors."""
    files: list[ContractFile] = []
    unreadable: list[tuple[str, str, str]] = []
    for path in paths:
        try:
            if not path.is_file():
                unreadable.append((str(path), "file_not_found", f"'{path}' does not exist or is not a regular file"))
                continue
            files.append(ContractFile(str(path), sha256_of_file(path), path.stat().st_size))
        except OSError as exc:
            unreadable.append((str(path), "unreadable_file", f"'{path}': {exc.strerror or exc}"))
    return files, unreadable
