"""``extract_upload_zip``: unpack an uploaded zip of contracts safely.

Refuses (``BatchError``) entries with absolute paths, drive letters, ``..`` components,
symlinks or other special files, and stops at the limits: number of entries, bytes per
file, total bytes, and compression ratio (per entry, and overall against the archive's size
on disk). The declared sizes in the headers are checked before anything is written, and
the bytes actually decompressed are counted against the same limits while writing (the
headers are forgeable, so they are never trusted alone). Folders and macOS/hidden files
are skipped; every other regular file is written out, contract or not, so that the scan of
the unpacked folder reports files of an unsupported format (``unsupported_format``)
instead of losing them silently; nested zips are not opened. Extraction goes into a fresh
temporary folder inside ``dest`` that is renamed
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
from risk_copilot.ingest.detect import ZIP_READ_ERRORS


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
    """Extract the files of ``zip_path`` under ``dest``; returns the paths of the contract
    files among them (by extension, as a folder scan reads them).

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
        return [dest / p.relative_to(staging) for p in extracted if p.name.lower().endswith(SCANNED_EXTENSIONS)]
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


#: Below this many bytes (per entry, or in all) a high compression ratio is not refused: a
#: small file of blank lines compresses very well and is harmless.
RATIO_FLOOR_BYTES = 1_000_000


def _ratio_exceeded(unpacked: int, packed: int, limits: UploadLimits) -> bool:
    return unpacked > RATIO_FLOOR_BYTES and unpacked / max(1, packed) > limits.max_ratio


def _planned_entries(archive: zipfile.ZipFile, archive_bytes: int,
                     limits: UploadLimits) -> list[tuple[zipfile.ZipInfo, PurePosixPath]]:
    """Check every entry and the declared sizes before anything is written: unsafe names
    and links, the entry count, each declared size and ratio, the declared total and its
    ratio against the archive's size on disk. Returns the entries to extract."""
    members = archive.infolist()
    if len(members) > limits.max_files:
        raise BatchError(f"the zip has {len(members)} entries, more than {limits.max_files}",
                         code="zip_too_many_files")
    planned: list[tuple[zipfile.ZipInfo, PurePosixPath]] = []
    declared = 0
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
        if info.file_size > limits.max_file_bytes:
            raise BatchError(f"zip entry '{info.filename}' is larger than {limits.max_file_bytes:,} bytes",
                             code="zip_too_large")
        if _ratio_exceeded(info.file_size, info.compress_size, limits):
            raise BatchError(f"zip entry '{info.filename}' expands more than {limits.max_ratio:g}x",
                             code="zip_ratio_exceeded")
        declared += info.file_size
        planned.append((info, relative))
    if declared > limits.max_total_bytes:
        raise BatchError(f"the zip unpacks to more than {limits.max_total_bytes:,} bytes", code="zip_too_large")
    if _ratio_exceeded(declared, archive_bytes, limits):
        raise BatchError(f"the zip expands more than {limits.max_ratio:g}x", code="zip_ratio_exceeded")
    return planned


def _extract(zip_path: Path, staging: Path, limits: UploadLimits) -> list[Path]:
    try:
        archive = zipfile.ZipFile(zip_path)
        archive_bytes = zip_path.stat().st_size
    except ZIP_READ_ERRORS as exc:
        raise BatchError(f"the upload is not a readable zip: {exc}", code="corrupt_zip") from None
    out: list[Path] = []
    total = 0
    with archive:
        planned = _planned_entries(archive, archive_bytes, limits)
        staging_real = staging.resolve()
        for info, relative in planned:
            target = staging.joinpath(*relative.parts)
            if staging_real not in target.resolve().parents:
                raise BatchError(f"zip entry '{info.filename}' leaves the upload folder", code="unsafe_zip_entry")
            target.parent.mkdir(parents=True, exist_ok=True)
            written = 0
            try:
                with _open_entry(archive, info) as source, open(target, "xb") as sink:
                    # the declared sizes were checked; these count the bytes really inflated
                    while chunk := _read_entry(source, info):
                        written += len(chunk)
                        total += len(chunk)
                        if written > limits.max_file_bytes:
                            raise BatchError(f"zip entry '{info.filename}' is larger than {limits.max_file_bytes:,} bytes",
                                             code="zip_too_large")
                        if total > limits.max_total_bytes:
                            raise BatchError(f"the zip unpacks to more than {limits.max_total_bytes:,} bytes",
                                             code="zip_too_large")
                        if _ratio_exceeded(written, info.compress_size, limits):
                            raise BatchError(f"zip entry '{info.filename}' expands more than {limits.max_ratio:g}x",
                                             code="zip_ratio_exceeded")
                        if _ratio_exceeded(total, archive_bytes, limits):
                            raise BatchError(f"the zip expands more than {limits.max_ratio:g}x",
                                             code="zip_ratio_exceeded")
                        sink.write(chunk)
            except FileExistsError:
                raise BatchError(f"zip entry '{info.filename}' appears twice", code="unsafe_zip_entry") from None
            out.append(target)
    return out


def _corrupt_entry(info: zipfile.ZipInfo, exc: BaseException) -> BatchError:
    return BatchError(f"zip entry '{info.filename}' is corrupt: {exc}", code="corrupt_zip")


def _open_entry(archive: zipfile.ZipFile, info: zipfile.ZipInfo):
    """``archive.open``; an encrypted entry or an unsupported method is a corrupt zip."""
    try:
        return archive.open(info)
    except ZIP_READ_ERRORS as exc:
        raise _corrupt_entry(info, exc) from None


def _read_entry(source, info: zipfile.ZipInfo) -> bytes:
    """One chunk of an entry; read errors (not write errors: a full disk stays an OSError)
    are a corrupt zip."""
    try:
        return source.read(1 << 16)
    except ZIP_READ_ERRORS as exc:
        raise _corrupt_entry(info, exc) from None
