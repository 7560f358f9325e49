"""One standalone HTML page per reviewed contract (``DIR/contracts/<hash>.html``), the
reviewer's own page (``render_review_html``): flagged clauses highlighted, text escaped."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any


def contract_page_name(sha256: str) -> str:
    return f"contracts/{sha256[:20]}.html"


def write_contract_page(out_dir: Path, sha256: str, review: dict[str, Any]) -> Path:
    from risk_copilot.html_report import render_review_html

    path = Path(out_dir) / contract_page_name(sha256)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".html.tmp")
    html = render_review_html(review)
    # a way back to the portfolio (a fixed string: nothing from the contract goes into it)
    html = html.replace("<body>", '<body>\n<nav style="padding:6px 20px;font:14px system-ui,sans-serif">'
                                  '<a href="../report.html">&larr; portfolio report</a></nav>', 1)
    tmp.write_text(html, encoding="utf-8")
    os.replace(tmp, path)
    return path
