"""Find the contract files under the paths a user gives: recursive, supported
extensions only, hidden files and folders skipped, each file once, in a stable order.
A file of another extension in a scanned folder is not read but reported as refused with
the code ``unsupported_format`` (``Discovery.unsupported``), so that the scan records it and an analyst knows it was
not reviewed (hidden files and the folders given as ``exclude``, e.g. the scan's own
output folder, are left out of that too).

Symlinks are followed only while their real path stays inside the boundary: the scanned
folder itself, or the configured ``root`` when one is given. A symlinked file or folder
whose real path leaves it is never read nor walked; it is reported as refused with the code
``path_outside_root`` (``discover_contract_files``) so that the scan records it."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from risk_copilot.digests import sha256_of_file

SCANNED_EXTENSIONS = (".txt", ".md", ".markdown", ".docx", ".pdf")
OUTSIDE_ROOT = "path_outside_root"
UNSUPPORTED = "unsupported_format"
OUTPUT_FOLDERS = ("contracts", "index")  # what a scan writes in its output folder besides files


@dataclass(frozen=True)
class ContractFile:
    """A file to scan: its path as found and the sha256 of its bytes (the result key)."""

    path: str
    sha256: str
    size: int


@dataclass(frozen=True)
class RefusedPath:
    """A file or folder that was not read: its path as found, a code and a message."""

    path: str
    code: str
    message: str


@dataclass
class Discovery:
    files: list[Path] = field(default_factory=list)
    refused: list[RefusedPath] = field(default_factory=list)
    unsupported: list[RefusedPath] = field(default_factory=list)  # files of another extension in a scanned folder


def _inside(real: Path, boundary: Path) -> bool:
    return real == boundary or boundary in real.parents


def _refuse(path: Path, boundary: Path) -> RefusedPath:
    return RefusedPath(str(path), OUTSIDE_ROOT,
                       f"'{path.name}' is a link whose target is outside the scanned folder '{boundary.name}'; not read")


def _unsupported(path: Path) -> RefusedPath:
    return RefusedPath(str(path), UNSUPPORTED,
                       f"'{path.name}' is not a supported contract format (send {', '.join(SCANNED_EXTENSIONS)}); "
                       "not reviewed")


def discover_contract_files(paths: list[str | os.PathLike[str]],
                            root: str | os.PathLike[str] | None = None,
                            exclude: list[str | os.PathLike[str]] | None = None) -> Discovery:
    """Every supported file under ``paths``, every path refused because its real path
    leaves the scanned folder (or ``root`` when given; a given path outside ``root`` is
    refused too), and (``unsupported``) every other non-hidden file of a scanned folder,
    with the code ``unsupported_format``. Files given directly are kept whatever their extension, so that
    an unsupported one is reported rather than silently dropped. Folders in ``exclude``
    (the scan's output folder) are not walked (when one is itself a scanned folder, its
    contract files are scanned but its other files and the scan's ``OUTPUT_FOLDERS`` are not
    reported)."""
    boundary_root = Path(root).resolve() if root is not None else None
    excluded = {Path(p).resolve() for p in exclude or []}
    found: dict[str, Path] = {}
    refused: dict[str, RefusedPath] = {}
    unsupported: dict[str, RefusedPath] = {}
    for raw in paths:
        given = Path(raw)
        real_given = given.resolve()
        if boundary_root is not None and not _inside(real_given, boundary_root):
            refused.setdefault(str(given), _refuse(given, boundary_root))
            continue
        if not given.is_dir():
            found.setdefault(str(real_given), given)
            continue
        boundary = boundary_root or real_given
        visited: set[Path] = {real_given}
        for dirpath, dirnames, filenames in os.walk(given, followlinks=True):
            # the output folder scanned itself (``scan DIR --out DIR``): its contracts are scanned,
            # the scan's own files and folders are not reported
            own_output = Path(dirpath).resolve() in excluded
            keep = []
            for d in sorted(dirnames):
                if d.startswith(".") or (own_output and d in OUTPUT_FOLDERS):
                    continue
                sub = Path(dirpath) / d
                real = sub.resolve()
                if real in excluded:
                    continue
                if not _inside(real, boundary):
                    refused.setdefault(str(sub), _refuse(sub, boundary))
                elif real not in visited:  # a link back into the tree is walked once, never in a loop
                    visited.add(real)
                    keep.append(d)
            dirnames[:] = keep
            for name in sorted(filenames):
                if name.startswith("."):
                    continue
                path = Path(dirpath) / name
                if not name.lower().endswith(SCANNED_EXTENSIONS):
                    if not own_output:
                        unsupported.setdefault(str(path), _unsupported(path))
                    continue
                real = path.resolve()
                if not _inside(real, boundary):
                    refused.setdefault(str(path), _refuse(path, boundary))
                    continue
                found.setdefault(str(real), path)
    return Discovery(sorted(found.values(), key=lambda p: str(p)),
                     sorted(refused.values(), key=lambda r: r.path),
                     sorted(unsupported.values(), key=lambda r: r.path))


def find_contract_files(paths: list[str | os.PathLike[str]],
                        root: str | os.PathLike[str] | None = None) -> list[Path]:
    """The files of ``discover_contract_files`` (links leaving the boundary left out)."""
    return discover_contract_files(paths, root).files


def hash_contract_files(paths: list[Path]) -> tuple[list[ContractFile], list[tuple[str, str, str]]]:
    """Hash each file; returns the hashed files and ``(path, code, message)`` for files that
    cannot be read (missing, unreadable) so that the scan records them as errors."""
    files: list[ContractFile] = []
    unreadable: list[tuple[str, str, str]] = []
    for path in paths:
        try:
            if not path.is_file():
                unreadable.append((str(path), "file_not_found", f"'{path.name}' does not exist or is not a regular file"))
                continue
            files.append(ContractFile(str(path), sha256_of_file(path), path.stat().st_size))
        except OSError as exc:
            unreadable.append((str(path), "unreadable_file", f"'{path.name}': {exc.strerror or exc}"))
    return files, unreadable
