"""Detect what kind of contract a text is: ``nda``, ``procurement`` (supply, purchase,
manufacturing, services, maintenance, outsourcing, distribution/resale) or ``other``
(licences, franchises, joint ventures, collaborations, endorsements, ...), so that batch
scanning reviews each contract with the right playbook and reports the rest.

Three signals, combined into one score per type:

1. **Title cues**: the agreement's own name in its first lines ("Mutual Non-Disclosure
   Agreement", "Supply Agreement", "License Agreement"). The strongest signal when present.
2. **Embeddings**: the opening (title and recitals) and the section headings are embedded
   with the reviewer's MiniLM and compared with short prototype descriptions of each
   type written below.
3. **Confidentiality density**: an NDA talks about confidential information all the
   way through; a supply agreement has one confidentiality section.

``detect_contract_type(text, encoder=...)`` returns ``(type, confidence)`` with the
confidence in [0, 1]. Build one :class:`ContractTypeDetector` per process (it embeds the
prototypes once) when detecting many texts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np

CONTRACT_TYPES = ("nda", "procurement", "other")

PROTOTYPES: dict[str, tuple[str, ...]] = {
    "nda": (
        "Mutual non-disclosure agreement: the parties will exchange confidential information to evaluate a possible "
        "business relationship and agree to keep it confidential.",
        "Confidentiality agreement under which the recipient shall not disclose the discloser's confidential "
        "information to third parties and shall use it only for the purpose.",
        "The receiving party shall return or destroy all confidential information and its obligations of "
        "confidentiality survive termination.",
        "Information that is publicly available or already known to the recipient is not confidential information.",
    ),
    "procurement": (
        "Supply agreement: the supplier shall manufacture and deliver products to the buyer under purchase orders "
        "at the prices set out in the schedule.",
        "Services agreement: the service provider shall perform the services described in the statement of work "
        "and the customer shall pay the fees.",
        "Purchase of goods: delivery, acceptance, inspection, warranties against defects, invoices and payment terms.",
        "Master services agreement for maintenance, support, outsourcing and consulting services with service levels.",
        "Distribution agreement: the distributor purchases products from the company for resale in the territory.",
    ),
    "other": (
        "License agreement: the licensor grants the licensee a license to use its patents, trademarks or software "
        "in exchange for royalties.",
        "Joint venture and collaboration agreement for joint research, development and commercialization.",
        "Franchise agreement granting the franchisee the right to operate a business under the franchisor's system.",
        "Endorsement and sponsorship agreement: the celebrity promotes the company's products.",
        "Employment agreement, loan agreement, merger agreement, stock purchase, or an agreement between shareholders.",
        "Co-branding, marketing and affiliate agreement for joint promotion of websites.",
    ),
}

_TITLE_CUES: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (kind, re.compile(pattern, re.I))
    for kind, pattern in (
        ("nda", r"\b(?:mutual\s+|one[- ]way\s+|unilateral\s+)?(?:non[- ]?disclosure|confidentiality|secrecy|"
                r"confidential(?:ity)?\s+disclosure|proprietary\s+information|non[- ]?use\s+and\s+non[- ]?disclosure)"
                r"(?:\s+and\s+[\w-]+)?\s+(?:agreement|undertaking|deed)\b"),
        ("nda", r"\bNDA\b"),
        ("procurement", r"\b(?:supply|purchase|purchasing|procurement|manufacturing|services?|maintenance|outsourcing|"
                        r"consulting|consultancy|hosting|transportation|distribution|distributor|reseller|"
                        r"logistics|subcontract(?:ing)?|professional\s+services|master\s+services|"
                        r"(?:product\s+)?development\s+and\s+supply|servicing|operations?\s+and\s+maintenance)"
                        r"(?:\s+and\s+[\w-]+)?\s+agreement\b"),
        ("procurement", r"\b(?:statement\s+of\s+work|purchase\s+order\s+terms|terms\s+and\s+conditions\s+of\s+purchase)\b"),
        ("other", r"\b(?:licen[cs]e|licensing|franchise|joint\s+venture|collaboration|co-?branding|endorsement|"
                  r"sponsorship|affiliate|marketing|promotion|strategic\s+alliance|cooperation|agency|"
                  r"intellectual\s+property|non-?competition|employment|loan|credit|merger|stock\s+purchase|"
                  r"underwriting|joint\s+filing|trust|partnership|investment|security|escrow|settlement|"
                  r"shareholders?|voting|separation|transition\s+services|development|royalty|publishing|"
                  r"content|hosting\s+and\s+co-?location|web\s+site)(?:\s+and\s+[\w-]+)?\s+agreement\b"),
    )
)

_CONFIDENTIAL_RE = re.compile(r"\bconfidential(?:ity)?\b|\bproprietary\s+information\b|\bnon-?disclosure\b", re.I)
_HEADING_LINE_RE = re.compile(r"^[ \t]*(?:\d{1,2}(?:\.\d{1,2})*\.?|ARTICLE\s+\w+|Section\s+\d+(?:\.\d+)*)?[ \t]*"
                              r"([A-Z][A-Za-z ,&/-]{3,60})[.:]?[ \t]*$", re.M)

TITLE_WINDOW = 600
OPENING_CHARS = 1500


@dataclass(frozen=True)
class TypeEvidence:
    """Why a type was chosen: per-type scores of each signal (for reports and tuning)."""

    title: dict[str, float]
    embedding: dict[str, float]
    confidentiality_per_1000_words: float
    combined: dict[str, float] = field(default_factory=dict)


def title_cues(text: str) -> dict[str, float]:
    """Score 1.0 for a type whose agreement name appears in the title window, earliest wins ties."""
    head = text[:TITLE_WINDOW]
    scores = dict.fromkeys(CONTRACT_TYPES, 0.0)
    first: dict[str, int] = {}
    for kind, pattern in _TITLE_CUES:
        match = pattern.search(head)
        if match and (kind not in first or match.start() < first[kind]):
            first[kind] = match.start()
    if first:
        earliest = min(first.values())
        for kind, position in first.items():
            # the first named agreement is the title; later ones are often references ("the Supply Agreement")
            scores[kind] = 1.0 if position == earliest else 0.4
    return scores


def confidentiality_density(text: str) -> float:
    words = max(1, len(text.split()))
    return 1000.0 * len(_CONFIDENTIAL_RE.findall(text)) / words


def _opening_passages(text: str) -> list[str]:
    opening = " ".join(text[:OPENING_CHARS].split())
    passages = [opening[i:i + 500] for i in range(0, len(opening), 500) if opening[i:i + 500].strip()]
    headings = [m.group(1).strip() for m in _HEADING_LINE_RE.finditer(text[:60_000])]
    if headings:
        passages.append("; ".join(dict.fromkeys(headings))[:600])
    return passages or [text[:500]]


class ContractTypeDetector:
    """Holds the prototype embeddings; ``detect`` is cheap (a handful of short passages)."""

    def __init__(self, encoder) -> None:
        self.encoder = encoder
        labels, texts = [], []
        for kind in CONTRACT_TYPES:
            for prototype in PROTOTYPES[kind]:
                labels.append(kind)
                texts.append(prototype)
        self._labels = np.array(labels)
        self._prototypes = encoder.encode(texts)

    def embedding_scores(self, text: str) -> dict[str, float]:
        vectors = self.encoder.encode(_opening_passages(text))
        similarities = vectors @ self._prototypes.T  # (passages, prototypes)
        return {kind: float(similarities[:, self._labels == kind].max(axis=1).mean()) for kind in CONTRACT_TYPES}

    def explain(self, text: str) -> TypeEvidence:
        title = title_cues(text)
        embedding = self.embedding_scores(text)
        density = confidentiality_density(text)
        # softmax over embedding similarities (temperature 0.05) gives a soft vote
        sims = np.array([embedding[k] for k in CONTRACT_TYPES])
        soft = np.exp((sims - sims.max()) / 0.05)
        soft /= soft.sum()
        combined = {}
        for i, kind in enumerate(CONTRACT_TYPES):
            combined[kind] = 0.55 * title[kind] + 0.45 * float(soft[i])
        # density: an NDA mentions confidentiality very often; a commercial contract rarely does
        nda_density = min(1.0, max(0.0, (density - 4.0) / 10.0))
        combined["nda"] += 0.35 * nda_density
        if density < 2.0:
            combined["nda"] -= 0.3
        return TypeEvidence(title=title, embedding=embedding, confidentiality_per_1000_words=round(density, 2),
                            combined=combined)

    def detect(self, text: str) -> tuple[str, float]:
        evidence = self.explain(text)
        ranked = sorted(evidence.combined.items(), key=lambda kv: kv[1], reverse=True)
        (best, top), (_, second) = ranked[0], ranked[1]
        confidence = max(0.0, min(1.0, 0.5 + (top - second)))
        return best, round(confidence, 3)


# Words that any contract uses: the agreement itself, its parties and their obligations.
_CONTRACT_WORDS_RE = re.compile(
    r"\b(agreements?|agree[sd]?|contracts?|terms?|fees?|prices?|part(?:y|ies)|hereby|herein|hereunder|hereof|shall|obligations?|"
    r"supplier|buyer|customer|vendor|purchaser|seller|recipient|discloser|disclosing|receiving|licensee|licensor|"
    r"confidential|termination|liability|governing|warrant(?:y|ies)|indemnif\w*|payment|services)\b",
    re.IGNORECASE)
CONTRACT_WORDS_NEEDED = 3


def reads_like_a_contract(text: str) -> bool:
    """Whether ``text`` uses at least ``CONTRACT_WORDS_NEEDED`` distinct contract words
    (agreement, party, shall, supplier, confidential, liability, ...) in its first
    200,000 characters: a recipe, a letter or a stray fragment does not."""
    found: set[str] = set()
    for match in _CONTRACT_WORDS_RE.finditer(text, 0, 200_000):
        found.add(match.group(1).lower())
        if len(found) >= CONTRACT_WORDS_NEEDED:
            return True
    return False


def detect_contract_type(text: str, *, encoder=None) -> tuple[str, float]:
    """``(type, confidence)`` with type in ``nda`` / ``procurement`` / ``other``.

    ``encoder`` is the reviewer's ``SentenceEncoder`` (pass ``engine.encoder`` to reuse the
    loaded model); without one the reviewer's default encoder is built, which loads
    MiniLM (seconds).
    """
    if encoder is None:
        from risk_copilot.engine import ReviewEngine

        encoder = ReviewEngine().encoder
    return ContractTypeDetector(encoder).detect(text)
