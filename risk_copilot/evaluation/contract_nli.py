"""ContractNLI evaluation: ``risk-copilot eval contract-nli --data FILE [--json]``.

For each NDA of ContractNLI's JSON (Koreeda and Manning, 2021; CC BY 4.0) and each of
its 17 hypotheses, the NDA hypothesis model (:mod:`risk_copilot.nda_hypotheses`) gives a
label (Entailment / Contradiction / NotMentioned) and ranks the document's spans as
evidence. Reported as in the paper: NLI accuracy and F1 per label over all
(document, hypothesis) pairs, and evidence mAP: for each pair whose gold label is not
NotMentioned, the average precision of the span ranking against the gold evidence
spans, averaged over those pairs. ContractNLI's own spans are the units; their
embeddings come from the reviewer's encoder (``--backend``; default the reviewer's).

``--split validation`` keeps only the documents of the model's validation fold (the
fixed split by document of :func:`document_fold`), which the shipped model never saw.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

import numpy as np

from risk_copilot.embedding import BACKENDS
from risk_copilot.evaluation.metrics import average_precision
from risk_copilot.nda_hypotheses import HYPOTHESES, LABELS, NOT_MENTIONED

FOLDS = 5
VALIDATION_FOLD = 0


@dataclass(frozen=True)
class NliDocument:
    id: int
    file_name: str
    text: str
    spans: list[tuple[int, int]]
    labels: dict[str, str]  # hypothesis key -> choice
    evidence: dict[str, list[int]]  # hypothesis key -> gold span indices

    def span_texts(self) -> list[str]:
        return [self.text[a:b].strip() for a, b in self.spans]


def read_contract_nli(path: Path | str) -> list[NliDocument]:
    """The documents of one ContractNLI JSON file (``dev.json``, ``test_a.json``...)."""
    payload = json.loads(Path(path).read_text(encoding="utf-8"))
    documents = []
    for raw in payload["documents"]:
        annotations = raw["annotation_sets"][0]["annotations"]
        documents.append(NliDocument(
            id=int(raw["id"]), file_name=raw["file_name"], text=raw["text"],
            spans=[(int(a), int(b)) for a, b in raw["spans"]],
            labels={k: v["choice"] for k, v in annotations.items()},
            evidence={k: [int(i) for i in v["spans"]] for k, v in annotations.items()},
        ))
    return documents


def document_fold(document_id: int, folds: int = FOLDS) -> int:
    """The fixed fold of a document: a stable hash of its ContractNLI id (unique across
    the train, dev and test files), so the split does not depend on file order."""
    digest = hashlib.sha256(f"contract-nli:{document_id}".encode()).hexdigest()
    return int(digest, 16) % folds


def f1_per_label(gold: Sequence[str], predicted: Sequence[str]) -> dict[str, float]:
    scores = {}
    for label in LABELS:
        tp = sum(1 for g, p in zip(gold, predicted) if g == p == label)
        fp = sum(1 for g, p in zip(gold, predicted) if p == label and g != label)
        fn = sum(1 for g, p in zip(gold, predicted) if g == label and p != label)
        scores[label] = 0.0 if tp == 0 else 2 * tp / (2 * tp + fp + fn)
    return scores


@dataclass
class NliScores:
    """Accumulates predictions and computes the paper's metrics."""

    gold: list[str]
    predicted: list[str]
    average_precisions: list[float]
    documents: int = 0

    @classmethod
    def empty(cls) -> "NliScores":
        return cls([], [], [], 0)

    def add_document(self, document: NliDocument, labels: Sequence[str], evidence_scores: np.ndarray) -> None:
        """``labels``: the predicted label per hypothesis (in ``HYPOTHESES`` order);
        ``evidence_scores``: (spans, hypotheses) evidence scores."""
        self.documents += 1
        for j, hypothesis in enumerate(HYPOTHESES):
            gold = document.labels[hypothesis.key]
            self.gold.append(gold)
            self.predicted.append(labels[j])
            if gold != LABELS[NOT_MENTIONED]:
                relevant = np.zeros(len(document.spans), dtype=bool)
                relevant[document.evidence[hypothesis.key]] = True
                self.average_precisions.append(average_precision(relevant, evidence_scores[:, j]))

    def summary(self) -> dict:
        correct = sum(1 for g, p in zip(self.gold, self.predicted) if g == p)
        return {
            "accuracy": round(correct / len(self.gold), 4) if self.gold else float("nan"),
            "f1": {k: round(v, 4) for k, v in f1_per_label(self.gold, self.predicted).items()},
            "evidence_map": round(float(np.mean(self.average_precisions)), 4) if self.average_precisions else float("nan"),
            "documents": self.documents,
        }


def evaluate_documents(model, encoder, documents: Sequence[NliDocument]) -> NliScores:
    """Score every document with ``model`` on its own spans, embedded by ``encoder``."""
    scores = NliScores.empty()
    for document in documents:
        texts = document.span_texts()
        span_scores = model.score_spans(texts, encoder.encode(texts))
        probabilities = model.label_probabilities(span_scores)
        scores.add_document(document, [LABELS[int(k)] for k in probabilities.argmax(axis=1)], span_scores.ranking_logits)
    return scores


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--data", required=True, action="append", type=Path,
                        help="a ContractNLI JSON file (repeat for several, e.g. dev.json and test_a.json)")
    parser.add_argument("--split", choices=("all", "validation", "training"), default="all",
                        help="all documents, or only those of the model's validation fold (never trained on) or training folds")
    parser.add_argument("--backend", choices=BACKENDS,
                        help="embedding backend (default: the reviewer's, RISK_COPILOT_EMBEDDING_BACKEND)")
    parser.add_argument("--model", type=Path, help="model folder (default: models/nda-nli)")
    parser.add_argument("--limit", type=int, help="only the first N documents (after the split)")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")


def run(args: argparse.Namespace) -> int:
    from risk_copilot.embedding import encoder_for
    from risk_copilot.errors import ReviewError
    from risk_copilot.nda_hypotheses import MODEL_DIR, NdaHypothesisModel
    from risk_copilot.settings import ReviewerSettings

    documents: list[NliDocument] = []
    for path in args.data:
        try:
            documents.extend(read_contract_nli(path))
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise ReviewError(f"{path}: not a readable ContractNLI JSON file ({exc.__class__.__name__}: {exc})",
                              code="bad_input") from None
    if args.split != "all":
        wanted = args.split == "validation"
        documents = [d for d in documents if (document_fold(d.id) == VALIDATION_FOLD) == wanted]
    if args.limit:
        documents = documents[: args.limit]
    if not documents:
        raise ReviewError("no documents to evaluate", code="bad_input")
    try:
        model = NdaHypothesisModel.load(args.model or MODEL_DIR)
    except (OSError, ValueError) as exc:
        raise ReviewError(str(exc), code="model_unavailable") from None
    settings = ReviewerSettings()
    backend = args.backend or settings.embedding_backend
    encoder = encoder_for(settings, backend, cache_size=0)
    started = time.perf_counter()
    summary = evaluate_documents(model, encoder, documents).summary()
    if args.json:
        print(json.dumps(summary))
    else:
        f1 = summary["f1"]
        print(f"ContractNLI, {summary['documents']} NDAs ({args.split}), model {model.version}, embeddings {backend}:")
        print(f"  NLI accuracy        {summary['accuracy']:.3f}")
        print(f"  F1 Entailment       {f1['Entailment']:.3f}")
        print(f"  F1 Contradiction    {f1['Contradiction']:.3f}")
        print(f"  F1 NotMentioned     {f1['NotMentioned']:.3f}")
        print(f"  evidence mAP        {summary['evidence_map']:.3f}")
        print(f"  ({time.perf_counter() - started:.0f} s)")
    return 0
