"""The clause library of a playbook and its FAISS index, saved with a manifest.

Every risk parameter contributes its standard and fallback wording, its unacceptable
examples and extra examples. The index is saved under ``index_dir`` keyed by the
library's content hash and the embedding model, and rebuilt only when either changes.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import faiss
import numpy as np

from risk_copilot.embedding import DIMENSION, SentenceEncoder
from risk_copilot.playbook import Playbook

LABELS = ("standard", "fallback", "unacceptable", "example")


@dataclass(frozen=True)
class LibraryEntry:
    parameter: str
    category: str
    label: str  # one of LABELS
    text: str


def library_entries(playbook: Playbook) -> list[LibraryEntry]:
    entries: list[LibraryEntry] = []
    for p in playbook.parameters:
        entries.append(LibraryEntry(p.id, p.category, "standard", p.standard))
        entries.append(LibraryEntry(p.id, p.category, "fallback", p.fallback))
        entries.extend(LibraryEntry(p.id, p.category, "unacceptable", t) for t in p.unacceptable)
        entries.extend(LibraryEntry(p.id, p.category, "example", t) for t in p.examples)
    return entries


def library_sha256(entries: list[LibraryEntry], model_version: str) -> str:
    digest = hashlib.sha256(model_version.encode())
    for entry in entries:
        digest.update(json.dumps(asdict(entry), sort_keys=True).encode())
    return digest.hexdigest()


class ClauseLibraryIndex:
    """FAISS inner-product index over unit vectors of the library entries."""

    def __init__(self, entries: list[LibraryEntry], index: faiss.Index, manifest: dict, *, built: bool) -> None:
        self.entries = entries
        self.index = index
        self.manifest = manifest
        self.built = built  # True when this process embedded the library (not loaded from disk)
        self.parameter_ids = sorted({e.parameter for e in entries})

    def similarities(self, vectors: np.ndarray) -> np.ndarray:
        """(n_queries, n_entries) cosine similarities, entries in library order."""
        n = self.index.ntotal
        if len(vectors) == 0 or n == 0:
            return np.zeros((len(vectors), n), dtype=np.float32)
        scores, ids = self.index.search(np.ascontiguousarray(vectors, dtype=np.float32), n)
        out = np.empty_like(scores)
        np.put_along_axis(out, ids, scores, axis=1)
        return out

    def nearest(self, vector: np.ndarray, k: int = 5) -> list[tuple[LibraryEntry, float]]:
        scores, ids = self.index.search(np.ascontiguousarray(vector.reshape(1, -1), dtype=np.float32), k)
        return [(self.entries[i], float(s)) for s, i in zip(scores[0], ids[0]) if i >= 0]

    # ------------------------------------------------------------ persistence

    @classmethod
    def load_or_build(cls, playbook: Playbook, encoder: SentenceEncoder, index_dir: Path) -> "ClauseLibraryIndex":
        entries = library_entries(playbook)
        digest = library_sha256(entries, encoder.version)
        folder = Path(index_dir) / f"{playbook.id}-{digest[:16]}"
        loaded = cls.load(folder, expected_sha256=digest)
        if loaded is not None:
            return loaded
        vectors = encoder.encode([e.text for e in entries])
        index = faiss.IndexFlatIP(DIMENSION)
        index.add(vectors)
        manifest = {
            "kind": "clause_library_index",
            "playbook": playbook.ref,
            "library_sha256": digest,
            "embedding_model": encoder.version,
            "entries": len(entries),
            "dimension": DIMENSION,
            "faiss_index": "IndexFlatIP",
            "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        }
        built = cls(entries, index, manifest, built=True)
        try:
            built.save(folder)
        except OSError:
            pass  # a read-only or full disk only costs a rebuild next time
        return built

    def save(self, folder: Path) -> None:
        folder.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=folder.name + ".", dir=folder.parent))
        faiss.write_index(self.index, str(tmp / "index.faiss"))
        (tmp / "entries.json").write_text(json.dumps([asdict(e) for e in self.entries], indent=1))
        (tmp / "manifest.json").write_text(json.dumps(self.manifest, indent=2))
        try:
            os.rename(tmp, folder)  # atomic: readers see a whole index or none
        except OSError:
            for child in tmp.iterdir():
                child.unlink()
            tmp.rmdir()

    @classmethod
    def load(cls, folder: Path, *, expected_sha256: str | None = None) -> "ClauseLibraryIndex | None":
        try:
            manifest = json.loads((folder / "manifest.json").read_text())
            if expected_sha256 and manifest.get("library_sha256") != expected_sha256:
                return None
            entries = [LibraryEntry(**e) for e in json.loads((folder / "entries.json").read_text())]
            index = faiss.read_index(str(folder / "index.faiss"))
        except (OSError, ValueError, TypeError, RuntimeError):
            return None
        if index.ntotal != len(entries):
            return None
        return cls(entries, index, manifest, built=False)
