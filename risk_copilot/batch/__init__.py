"""Batch scanning of contract portfolios: resumable scans (local processes or Ray),
portfolio reports, and search over every scanned clause.

Plain-Python entry points (for the CLI and the API):

* ``run_scan(paths, out_dir, contract_type=..., workers=..., engine=..., ...)``
* ``scan_status(out_dir)``
* ``search_portfolio(index_dir, query, category=None, k=20)``
* ``extract_upload_zip(zip_path, dest, limits)`` (zip-bomb and path-traversal safe)
* ``resolve_under_root(root, requested)`` (a server path, refused when outside the root)
"""

from risk_copilot.batch.errors import BatchError
from risk_copilot.batch.scan import run_scan, scan_status
from risk_copilot.batch.search import search_portfolio
from risk_copilot.batch.server_paths import resolve_under_root
from risk_copilot.batch.upload_zip import UploadLimits, extract_upload_zip

__all__ = ["BatchError", "run_scan", "scan_status", "search_portfolio", "extract_upload_zip", "UploadLimits",
           "resolve_under_root"]
