"""CUAD's layout read into clause-level examples: which of the engine's clauses each
annotator-found clause text falls in.

- ``master_clauses.csv``: one row per contract; for each of 41 categories a cell holding
  the list of clause texts the annotators found (the ``-Answer`` columns are ignored).
- ``full_contract_txt/``: the contracts; CSV and .txt names are matched on their
  letters and digits (``&`` vs ``_``, apostrophes), then by closest name.

Annotated texts are located in the ingested contract text by whitespace-normalised,
case-insensitive search, falling back to a letters-and-digits-only search; those still
not found are counted. CUAD's CSV gives texts, not offsets: a text of at least
``SHORT_ANNOTATION_CHARS`` characters is taken at every occurrence (a clause repeated word
for word is the same clause), a shorter one (a party name, a date) at its first
occurrence only, where annotators mark it (the preamble), so that every later mention of
a party does not become a positive. A clause of the engine's segmentation is a positive for a category
when it overlaps an annotated span by at least half of the shorter of the two.

The split is fixed by contract: a contract is in ``validation`` when the first 8 hex
digits of sha256(its .txt file name) modulo 100 are below ``VALIDATION_PERCENT``;
training and evaluation use the same rule.
"""

from __future__ import annotations

import ast
import csv
import difflib
import hashlib
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from risk_copilot.errors import ReviewError

VALIDATION_PERCENT = 20
SHORT_ANNOTATION_CHARS = 40
LABELLING_VERSION = 2  # part of the label cache key: bump when the labelling rules change
SPLITS = ("validation", "train", "all")
NON_CATEGORY_COLUMNS = ("Filename",)


def snake_case(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")


def name_key(file_name: str) -> str:
    stem = file_name.rsplit(".", 1)[0] if file_name.lower().endswith((".pdf", ".txt")) else file_name
    return re.sub(r"[^a-z0-9]", "", stem.lower())


def split_of(txt_name: str) -> str:
    """``validation`` or ``train`` for a contract, from its .txt file name alone."""
    bucket = int(hashlib.sha256(txt_name.encode("utf-8")).hexdigest()[:8], 16) % 100
    return "validation" if bucket < VALIDATION_PERCENT else "train"


def parse_cell(cell: str) -> list[str]:
    """A CSV cell: a Python-literal list of clause texts (``[]`` when none)."""
    cell = cell.strip()
    if not cell or cell == "[]":
        return []
    try:
        value = ast.literal_eval(cell)
    except (ValueError, SyntaxError):
        return [cell]
    if isinstance(value, str):
        return [value] if value.strip() else []
    return [str(v) for v in value if str(v).strip()]


@dataclass
class CuadContract:
    txt_path: Path
    annotations: dict[str, list[str]]  # category (snake_case) -> annotated clause texts

    @property
    def name(self) -> str:
        return self.txt_path.name

    @property
    def split(self) -> str:
        return split_of(self.txt_path.name)


@dataclass
class CuadDataset:
    root: Path
    categories: list[str]  # snake_case, CSV column order
    contracts: list[CuadContract]  # sorted by .txt name
    unmatched_rows: list[str] = field(default_factory=list)  # CSV file names with no .txt

    def select(self, split: str = "all", limit: int | None = None) -> list[CuadContract]:
        if split not in SPLITS:
            raise ValueError(f"unknown split {split!r}")
        chosen = [c for c in self.contracts if split == "all" or c.split == split]
        return chosen[:limit] if limit is not None else chosen


def load_cuad(root: Path) -> CuadDataset:
    root = Path(root)
    csv_path, txt_dir = root / "master_clauses.csv", root / "full_contract_txt"
    if not csv_path.is_file() or not txt_dir.is_dir():
        raise ReviewError(f"{root}: expected CUAD's master_clauses.csv and full_contract_txt/", code="bad_eval_data")
    txt_by_key: dict[str, Path] = {}
    for path in sorted(txt_dir.glob("*.txt")):
        txt_by_key.setdefault(name_key(path.name), path)
    csv.field_size_limit(sys.maxsize)
    with csv_path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        columns = [c for c in reader.fieldnames or [] if c not in NON_CATEGORY_COLUMNS and not c.endswith("-Answer")]
        rows = list(reader)
    categories = [snake_case(c) for c in columns]
    contracts: dict[Path, CuadContract] = {}
    unmatched: list[str] = []
    keys = sorted(txt_by_key)
    for row in rows:
        key = name_key(row["Filename"])
        path = txt_by_key.get(key)
        if path is None:
            close = difflib.get_close_matches(key, keys, n=1, cutoff=0.9)
            path = txt_by_key[close[0]] if close else None
        if path is None or path in contracts:
            unmatched.append(row["Filename"])
            continue
        contracts[path] = CuadContract(path, {snake: parse_cell(row[col]) for col, snake in zip(columns, categories)})
    return CuadDataset(root, categories, sorted(contracts.values(), key=lambda c: c.name), unmatched)


# ---------------------------------------------------------------- locating annotations


class _NormalisedText:
    """A text with a normalised view and a map from view offsets to original offsets."""

    def __init__(self, text: str, keep) -> None:
        chars: list[str] = []
        offsets: list[int] = []
        pending_space = False
        for i, ch in enumerate(text):
            if ch.isspace() or not keep(ch):
                pending_space = pending_space or bool(chars)
                continue
            if pending_space:
                chars.append(" ")
                offsets.append(i)
                pending_space = False
            chars.append(ch.lower())
            offsets.append(i)
        self.view = "".join(chars)
        self.offsets = offsets

    def find_all(self, needle: str) -> list[tuple[int, int]]:
        if not needle:
            return []
        spans, start = [], 0
        while (hit := self.view.find(needle, start)) >= 0:
            end = hit + len(needle) - 1
            spans.append((self.offsets[hit], self.offsets[end] + 1))
            start = hit + 1
        return spans


def _squash(text: str, keep) -> str:
    return " ".join("".join(ch.lower() if keep(ch) else " " for ch in text).split())


def _keep_all(ch: str) -> bool:
    return True


def _keep_alnum(ch: str) -> bool:
    return ch.isalnum()


class AnnotationLocator:
    """Finds annotated clause texts in one contract text (all occurrences)."""

    def __init__(self, text: str) -> None:
        self._text = text
        self._views: dict[str, _NormalisedText] = {}

    def _view(self, kind: str) -> _NormalisedText:
        if kind not in self._views:
            self._views[kind] = _NormalisedText(self._text, _keep_all if kind == "space" else _keep_alnum)
        return self._views[kind]

    def locate(self, annotation: str) -> list[tuple[int, int]]:
        """Spans of the annotation; CUAD marks gaps inside one annotation with
        ``<omitted>``, so each piece is located on its own."""
        spans: list[tuple[int, int]] = []
        for piece in annotation.split("<omitted>"):
            if piece.strip():
                spans.extend(self._locate_piece(piece))
        return spans

    def _locate_piece(self, annotation: str) -> list[tuple[int, int]]:
        for kind, keep in (("space", _keep_all), ("alnum", _keep_alnum)):
            needle = _squash(annotation, keep)
            if kind == "alnum" and len(needle) < 12:
                break  # too short to trust a punctuation-blind match
            spans = self._view(kind).find_all(needle)
            if spans:
                return spans if len(annotation.strip()) >= SHORT_ANNOTATION_CHARS else spans[:1]
        return []


def overlap_labels(clause_spans: np.ndarray, annotated: list[tuple[int, int]]) -> np.ndarray:
    """Boolean per clause: overlaps some annotated span by at least half of the shorter."""
    labels = np.zeros(len(clause_spans), dtype=bool)
    if not annotated or len(clause_spans) == 0:
        return labels
    starts, ends = clause_spans[:, 0], clause_spans[:, 1]
    for a_start, a_end in annotated:
        overlap = np.minimum(ends, a_end) - np.maximum(starts, a_start)
        shorter = np.minimum(ends - starts, a_end - a_start)
        labels |= (overlap > 0) & (overlap * 2 >= shorter)
    return labels


@dataclass
class LabelledContract:
    """The engine's clauses of one contract with a label per CUAD category."""

    name: str
    clause_texts: list[str]
    clause_headings: list[str | None]
    clause_spans: np.ndarray  # (n, 2) start, end
    labels: np.ndarray  # (n, n_categories) bool
    annotations: int = 0
    unlocated: int = 0
    uncovered: int = 0  # located annotations no clause overlaps enough


def label_contract(contract: CuadContract, categories: list[str]) -> LabelledContract:
    from risk_copilot.ingest import ingest_path
    from risk_copilot.segment import segment_document

    document = ingest_path(contract.txt_path)
    clauses = segment_document(document)
    spans = np.array([(c.start, c.end) for c in clauses], dtype=np.int64).reshape(-1, 2)
    labels = np.zeros((len(clauses), len(categories)), dtype=bool)
    locator = AnnotationLocator(document.text)
    total = unlocated = uncovered = 0
    for j, category in enumerate(categories):
        for annotation in contract.annotations.get(category, []):
            total += 1
            found = locator.locate(annotation)
            if not found:
                unlocated += 1
                continue
            hit = overlap_labels(spans, found)
            if not hit.any():
                uncovered += 1
            labels[:, j] |= hit
    return LabelledContract(contract.name, [c.text for c in clauses], [c.heading for c in clauses], spans, labels,
                            total, unlocated, uncovered)


def _segmentation_fingerprint() -> str:
    """Changes whenever the code that turns a file into clauses changes."""
    import risk_copilot.ingest as ingest
    import risk_copilot.segment as segment
    import risk_copilot.sentences as sentences

    digest = hashlib.sha256()
    for module in (ingest, segment, sentences):
        digest.update(Path(module.__file__).read_bytes())
    for path in sorted(Path(ingest.__file__).parent.glob("*.py")):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def label_contracts(contracts: list[CuadContract], categories: list[str], *,
                    cache_dir: Path | None = None) -> list[LabelledContract]:
    """``label_contract`` for each contract, optionally cached as JSON under ``cache_dir``
    (keyed by the file's bytes, the annotations and the segmentation code)."""
    import json

    fingerprint = _segmentation_fingerprint() if cache_dir is not None else ""
    out = []
    for contract in contracts:
        cached = None
        if cache_dir is not None:
            digest = hashlib.sha256(contract.txt_path.read_bytes())
            digest.update(json.dumps([LABELLING_VERSION, fingerprint, categories, contract.annotations], sort_keys=True).encode())
            cached = Path(cache_dir) / f"{digest.hexdigest()[:24]}.json"
            if cached.is_file():
                data = json.loads(cached.read_text(encoding="utf-8"))
                labels = np.zeros((len(data["texts"]), len(categories)), dtype=bool)
                for row, column in data["positives"]:
                    labels[row, column] = True
                out.append(LabelledContract(contract.name, data["texts"], data["headings"],
                                            np.array(data["spans"], dtype=np.int64).reshape(-1, 2), labels,
                                            data["annotations"], data["unlocated"], data["uncovered"]))
                continue
        labelled = label_contract(contract, categories)
        if cached is not None:
            cached.parent.mkdir(parents=True, exist_ok=True)
            cached.write_text(json.dumps({
                "texts": labelled.clause_texts, "headings": labelled.clause_headings,
                "spans": labelled.clause_spans.tolist(), "positives": np.argwhere(labelled.labels).tolist(),
                "annotations": labelled.annotations, "unlocated": labelled.unlocated, "uncovered": labelled.uncovered,
            }), encoding="utf-8")
        out.append(labelled)
    return out
