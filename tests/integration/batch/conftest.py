"""Fixtures for batch integration tests: small real folders from ../shared."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

CASE_TYPES = {"base-nda": "nda", "nda-governing-law": "nda", "nda-nonsolicit": "nda",
              "nda-unilateral-disclosure": "nda", "base-procurement": "procurement",
              "proc-liquidated": "procurement", "proc-minimum": "procurement", "proc-no-cap": "procurement",
              "proc-price-increase": "procurement", "proc-supplier-tfc": "procurement"}
LICENCE = "ArtaraTherapeuticsInc_20200110_8-K_EX-10.5_11943350_EX-10.5_License Agreement.txt"


def copy_cases(shared_dir: Path, dest: Path, names=None) -> list[Path]:
    dest.mkdir(parents=True, exist_ok=True)
    out = []
    for name in names or CASE_TYPES:
        target = dest / f"{name}.md"
        shutil.copy(shared_dir / "cases" / f"{name}.md", target)
        out.append(target)
    return out


def write_docx_from_markdown(source: Path, target: Path) -> Path:
    import docx

    document = docx.Document()
    for block in source.read_text(encoding="utf-8").split("\n\n"):
        block = block.strip()
        if not block:
            continue
        if block.startswith("#"):
            document.add_heading(block.lstrip("#").strip(), level=1)
        else:
            document.add_paragraph(" ".join(block.split()))
    document.save(target)
    return target


@pytest.fixture(scope="session")
def mixed_folder(shared_dir, tmp_path_factory) -> Path:
    """Cases (NDA + procurement) in two folders, one as DOCX, a CUAD licence (other type),
    a corrupt PDF, an empty file and a duplicate."""
    root = tmp_path_factory.mktemp("mixed")
    copy_cases(shared_dir, root / "ndas", [n for n, t in CASE_TYPES.items() if t == "nda"])
    copy_cases(shared_dir, root / "procurement" / "2024",
               [n for n, t in CASE_TYPES.items() if t == "procurement" and n != "proc-no-cap"])
    write_docx_from_markdown(shared_dir / "cases" / "proc-no-cap.md", root / "procurement" / "proc-no-cap.docx")
    shutil.copy(shared_dir / "corpora" / "cuad" / "full_contract_txt" / LICENCE, root / "licence.txt")
    (root / "broken.pdf").write_bytes(b"%PDF-1.4\n1 0 obj garbage")
    (root / "empty.txt").write_text("\n\n")
    shutil.copy(root / "ndas" / "base-nda.md", root / "zz-copy-of-base-nda.md")  # sorts after the original
    return root
