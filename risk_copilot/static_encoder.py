"""The static embedding path: all-MiniLM-L6-v2 distilled into one vector per word piece.

A clause's vector is the sum of its word pieces' rows (the rows carry their learned
weights), L2-normalised: one table lookup and one sum per clause, no transformer. The
table was initialised from MiniLM's own output for each word piece and then trained to
reproduce MiniLM's clause embeddings (``risk_copilot.training.static_encoder``), so the
vectors live in MiniLM's space and the heads and the clause library read them unchanged.
Similarities come out close to MiniLM's, not equal, and the playbooks' thresholds were
tuned on MiniLM's: findings differ on some contracts, which is why this path is opt-in
(figures in the model card).

A small MLP on the normalised sum (a residual: ``n + MLP(n)``, then normalised again)
corrects what a sum of rows cannot express; it costs two (384 x 1024) products per clause.

Artefact (``models/static-minilm/``): ``table.npz`` (``rows``: int8 (vocabulary, 384),
``scales``: float32 per row; the head: ``norm_weight``, ``norm_bias``, ``w1``, ``b1``,
``w2``, ``b2``, float32), ``tokenizer.json`` (MiniLM's word pieces, 256-token truncation
as the teacher), ``manifest.json`` (sha256 of both, training data, metrics).
"""

from __future__ import annotations

import json
from itertools import chain
from pathlib import Path

import numpy as np

from risk_copilot.digests import sha256_of_file

MANIFEST = "manifest.json"
TABLE = "table.npz"
TOKENIZER = "tokenizer.json"
MAX_TOKENS = 256  # the teacher's max_seq_length: a clause is read as far as MiniLM reads it


def artefact_version(folder: Path) -> str:
    """The artefact's version from its manifest (``static-minilm@<digest>``)."""
    try:
        return json.loads((Path(folder) / MANIFEST).read_text())["version"]
    except (OSError, ValueError, KeyError) as error:
        raise RuntimeError(f"{folder}: no static encoder there ({error}); run `make train`") from error


def _layer_norm(x: np.ndarray, weight: np.ndarray, bias: np.ndarray, eps: float = 1e-5) -> np.ndarray:
    centred = x - x.mean(axis=1, keepdims=True)
    return centred / np.sqrt((centred ** 2).mean(axis=1, keepdims=True) + eps) * weight + bias


def _gelu(x: np.ndarray) -> np.ndarray:  # tanh approximation, as trained
    return 0.5 * x * (1.0 + np.tanh(0.7978845608028654 * (x + 0.044715 * x ** 3)))


def _unit(x: np.ndarray) -> np.ndarray:
    return x / np.maximum(np.linalg.norm(x, axis=1, keepdims=True), 1e-12)


def quantize_rows(table: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """int8 rows with one float32 scale per row (symmetric)."""
    table = np.asarray(table, dtype=np.float32)
    scales = np.abs(table).max(axis=1) / 127.0
    scales[scales == 0] = 1.0
    rows = np.clip(np.rint(table / scales[:, None]), -127, 127).astype(np.int8)
    return rows, scales.astype(np.float32)


HEAD_ARRAYS = ("norm_weight", "norm_bias", "w1", "b1", "w2", "b2")


def save_static_model(folder: Path, table: np.ndarray, tokenizer_file: Path, manifest: dict,
                      head: dict[str, np.ndarray] | None = None) -> None:
    """Write the artefact; ``head``: the MLP's arrays (``HEAD_ARRAYS``), or None for none."""
    import shutil

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    rows, scales = quantize_rows(table)
    head = {name: np.asarray(head[name], dtype=np.float32) for name in HEAD_ARRAYS} if head else {}
    np.savez_compressed(folder / TABLE, rows=rows, scales=scales, **head)
    shutil.copy(tokenizer_file, folder / TOKENIZER)
    manifest = {
        **manifest, "kind": "static_sentence_encoder", "dimension": int(table.shape[1]),
        "vocabulary": int(table.shape[0]), "max_tokens": MAX_TOKENS, "head": "mlp" if head else "none",
        "files_sha256": {TABLE: sha256_of_file(folder / TABLE), TOKENIZER: sha256_of_file(folder / TOKENIZER)},
    }
    (folder / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n")


class StaticSentenceModel:
    """Drop-in for SentenceTransformer.encode: sum of word-piece rows, L2-normalised, then
    the MLP head when the artefact has one."""

    def __init__(self, folder: Path) -> None:
        from tokenizers import Tokenizer

        folder = Path(folder)
        self.manifest = json.loads((folder / MANIFEST).read_text())
        for name, digest in self.manifest["files_sha256"].items():
            if sha256_of_file(folder / name) != digest:
                raise RuntimeError(f"{folder / name}: sha256 does not match its manifest")
        with np.load(folder / TABLE) as arrays:
            self._table = (arrays["rows"].astype(np.float32) * arrays["scales"][:, None]).astype(np.float32)
            self._head = {name: arrays[name] for name in HEAD_ARRAYS} if "w1" in arrays.files else None
        self._tokenizer = Tokenizer.from_file(str(folder / TOKENIZER))
        self._tokenizer.enable_truncation(max_length=self.manifest.get("max_tokens", MAX_TOKENS))
        self._tokenizer.no_padding()
        self.version = self.manifest.get("version", "static")

    @property
    def dimension(self) -> int:
        return int(self._table.shape[1])

    def token_ids(self, texts: list[str]) -> list[list[int]]:
        return [e.ids for e in self._tokenizer.encode_batch(list(texts))]

    def encode(self, texts: list[str], **_: object) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        ids = self.token_ids(texts)
        lengths = np.fromiter((len(i) for i in ids), dtype=np.int64, count=len(ids))
        flat = np.fromiter(chain.from_iterable(ids), dtype=np.int64, count=int(lengths.sum()))
        sums = np.zeros((len(texts), self.dimension), dtype=np.float32)
        if flat.size:
            starts = np.concatenate(([0], np.cumsum(lengths)[:-1]))
            present = lengths > 0
            sums[present] = np.add.reduceat(self._table[flat], starts[present], axis=0)
        unit = _unit(sums)
        if self._head is None:
            return unit
        h = self._head
        hidden = _gelu(_layer_norm(unit, h["norm_weight"], h["norm_bias"]) @ h["w1"] + h["b1"])
        return _unit(unit + hidden @ h["w2"] + h["b2"]).astype(np.float32, copy=False)
