"""Errors of batch scanning, with stable codes (a ``ReviewError`` subclass, so the CLI
prints ``error: <code>: <message>`` and exits 2)."""

from __future__ import annotations

from risk_copilot.errors import ReviewError


class BatchError(ReviewError):
    """A scan, search or upload cannot proceed.

    Codes: ``file_not_found`` (a path given to scan is neither a file nor a folder),
    ``no_input_files`` (nothing to scan), ``scan_config_mismatch`` (the output
    folder holds a scan made with other settings), ``scan_in_progress`` (another live
    process writes to the folder), ``no_scan`` (the folder holds no scan), ``no_index``
    (no portfolio index), ``unknown_engine``, ``ray_unavailable``, ``unsafe_zip_entry``
    (absolute path, ``..``, symlink, device), ``zip_too_large`` / ``zip_too_many_files``
    / ``zip_ratio_exceeded`` (zip-bomb limits), ``corrupt_zip``, ``upload_dest_not_empty``,
    ``path_outside_root`` (a server path outside the scan root; also the code a scan records
    for a symlink in a scanned folder whose real path leaves it), ``unknown_category``,
    ``empty_query``, ``model_mismatch`` (index and query encoder differ),
    ``embedding_model_changed`` (the folder was scanned with another embedding model),
    ``unknown_contract_type``.
    """

    code = "batch_error"
