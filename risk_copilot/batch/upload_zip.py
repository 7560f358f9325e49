"""``extract_upload_zip``: unpack an uploaded zip of contracts safely.

Refuses (``BatchError``) entries with absolute paths, drive letters, ``..`` components,
symlinks or other special files, and stops at the limits: number of entries, bytes per
file, total bytes, and compression ratio. Sizes are counted on the bytes actually
decompressed, never taken from the (forgeable) zip headers. Entries that are not
contracts (by extension), folders, and macOS/hidden files are skipped; nested zips are not
opened. Extraction goes into a fresh temporary folder inside ``dest`` that is renamed
into place only when everything passed, so a refused zip leaves nothing behind.
"""

from __future__ import annotations

import os
import shutil
import stat
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from risk_copilot.batch.discovery import SCANNED_EXTENSIONS
from risk_copilot.batch.errors import BatchError


@dataclass(frozen=True)
class UploadLimits:
    max_files: int = 10_000
    max_file_bytes: int = 25_000_000
    max_total_bytes: int = 2_000_000_000
    max_ratio: float = 200.0  # uncompressed / compressed, per entry and overall


def _safe_member_path(name: str) -> PurePosixPath | None:
    cleaned = name.replace("\\", "/")
    if cleaned.startswith("/") or (len(cleaned) > 1 and cleaned[1] == ":") or "\x00" in cleaned:
        raise BatchError(f"zip entry '{name}' has an absolute path", code="unsafe_zip_entry")
    parts = [p for p in PurePosixPath(cleaned).parts if p not in ("", ".")]
    if any(p == ".." for p in parts):
        raise BatchError(f"zip entry '{name}' leaves the upload folder", code="unsafe_zip_entry")
    if not parts:
        return None
    return PurePosixPath(*parts)


def extract_upload_zip(zip_path: str | os.PathLike[str], dest: str | os.PathLike[str],
                       limits: UploadLimits | None = None) -> list[Path]:
    """Extract the contract files of ``zip_path`` under ``dest``; returns their paths.

    ``dest`` must not exist yet or be empty. Raises ``BatchError`` with code
    ``corrupt_zip``, ``unsafe_zip_entry``, ``zip_too_many_files``, ``zip_too_large`` or
    ``zip_ratio_exceeded``.
    """
    limits = limits or UploadLimits()
    dest = Path(dest)
    if dest.exists() and any(dest.iterdir()):
        raise BatchError(f"{dest} is not empty", code="upload_dest_not_empty")
    dest.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".upload-", dir=dest.parent))
    try:
        extracted = _extract(Path(zip_path), staging, limits)
        if dest.exists():
            dest.rmdir()
        os.replace(staging, dest)
        return [dest / p.relative_to(staging) for p in extracted]
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def _extract(zip_path: Path, staging: Path, limits: UploadLimits) -> list[Path]:
    try:
        archive = zipfile.ZipFile(zip_path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise BatchError(f"the upload is not a readable zip: {exc}", code="corrupt_zip") from None
    out: list[Path] = []
    total = 0
    compressed_total = 0
    with archive:
        members = archive.infolist()
        if len(members) > limits.max_files:
            raise BatchError(f"the zip has {len(members)} entries, more than {limits.max_files}",
                             code="zip_too_many_files")
        for info in members:
            relative = _safe_member_path(info.filename)
            mode = info.external_attr >> 16
            file_type = stat.S_IFMT(mode)  # 0 when the zip was not made on Unix
            if file_type and file_type not in (stat.S_IFREG, stat.S_IFDIR):
                raise BatchError(f"zip entry '{info.filename}' is a link or special file", code="unsafe_zip_entry")
            if relative is None or info.is_dir():
                continue
            if any(p.startswith(".") or p == "__MACOSX" for p in relative.parts):
                continue
            if not relative.name.lower().endswith(SCANNED_EXTENSIONS):
                continue
            target = staging.joinpath(*relative.parts)
            if staging.resolve() not in target.resolve().parents:
                raise BatchError(f"zip entry '{info.filename}' leaves the upload folder", code="unsafe_zip_entry")
            target.parent.mkdir(parents=True, exist_ok=True)
            written = 0
            compressed_total += max(1, info.compress_size)
            try:
                with archive.open(info) as source, open(target, "xb") as sink:
                    while chunk := source.read(1 << 16):
                        written += len(chunk)
                        total += len(chunk)
                        if written > limits.max_file_bytes:
                            raise BatchError(f"zip entry '{info.filename}' is larger than {limits.max_file_bytes:,} bytes",
                                             code="zip_too_large")
                        if total > limits.max_total_bytes:
                            raise BatchError(f"the zip unpacks to more than {limits.max_total_bytes:,} bytes",
                                             code="zip_too_large")
                        if written > 1_000_000 and written / max(1, info.compress_size) > limits.max_ratio:
                            raise BatchError(f"zip entry '{info.filename}' expands more than {limits.max_ratio:g}x",
                                             code="zip_ratio_exceeded")
                        sink.write(chunk)
            except FileExistsError:
                raise BatchError(f"zip entry '{info.filename}' appears twice", code="unsafe_zip_entry") from None
            except (zipfile.BadZipFile, zlib_error(), EOFError) as exc:
                raise BatchError(f"zip entry '{info.filename}' is corrupt: {exc}", code="corrupt_zip") from None
            out.append(target)
        if total > 1_000_000 and total / max(1, compressed_total) > limits.max_ratio:
            raise BatchError(f"the zip expands more than {limits.max_ratio:g}x", code="zip_ratio_exceeded")
    return out


def zlib_error() -> type[Exception]:
    import zlib

    return zlib.error
