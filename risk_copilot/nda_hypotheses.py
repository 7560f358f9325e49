"""ContractNLI's 17 NDA hypotheses: which clauses are evidence for each, and whether the
NDA entails it, contradicts it or does not mention it.

The model (``models/nda-nli/``, trained by ``python -m risk_copilot.training.nda_nli``)
is plain arrays applied with numpy:

1. **Span features** (:class:`SpanFeaturizer`): TF-IDF over word uni- and bigrams (the
   vocabulary and IDF are stored), the span's sentence embedding (the engine's
   all-MiniLM-L6-v2 vector, reused), the next span's embedding (a lead-in such as "The Recipient agrees:" is
   evidence with its list items), and hand-written cue patterns (``CUES``: "return or destroy", "reverse engineer",
   "orally", "whether or not marked"...) for the span and for its
   neighbours.
2. **Evidence scores**: one logistic head per hypothesis over the span features.
3. **Contradiction scores**: one logistic head per hypothesis, trained on the gold
   evidence spans, giving P(the span contradicts the hypothesis).
4. **Evidence ranking**: a gradient-boosted tree ensemble (one for all hypotheses,
   exported as plain node arrays) re-scores each span from its evidence and
   contradiction logits, its neighbours' and its section heading's logits, list structure
   (lead-ins ending in ":", list items, headings) and its embedding's similarity to the
   gold evidence spans of the training NDAs (``prototypes``). It only orders the evidence.
5. **Label**: per hypothesis, a 3-class logistic head over document-level summaries of
   2 and 3 (best evidence scores, evidence-weighted contradiction probability, cue
   hits of the best spans, and the hypothesis's own cues anywhere in the document and
   in its 5 best spans) decides Entailment / Contradiction / NotMentioned.

Units are whatever spans the caller gives (ContractNLI's own spans in evaluation, the
engine's clauses at review time); evidence is returned as indices into them.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Sequence

import numpy as np

LABELS = ("Entailment", "Contradiction", "NotMentioned")
ENTAILMENT, CONTRADICTION, NOT_MENTIONED = range(3)
MODEL_DIR = Path(__file__).resolve().parent.parent / "models" / "nda-nli"


@dataclass(frozen=True)
class Hypothesis:
    key: str  # ContractNLI's id, e.g. "nda-16"
    category: str  # nda_<short_description>
    short_description: str
    text: str


# ContractNLI's hypotheses (Koreeda and Manning, 2021), in the order of the model's columns.
HYPOTHESES: tuple[Hypothesis, ...] = (
    Hypothesis("nda-1", "nda_explicit_identification", "Explicit identification",
               "All Confidential Information shall be expressly identified by the Disclosing Party."),
    Hypothesis("nda-2", "nda_none_inclusion_of_non_technical_information", "None-inclusion of non-technical information",
               "Confidential Information shall only include technical information."),
    Hypothesis("nda-3", "nda_inclusion_of_verbally_conveyed_information", "Inclusion of verbally conveyed information",
               "Confidential Information may include verbally conveyed information."),
    Hypothesis("nda-4", "nda_limited_use", "Limited use",
               "Receiving Party shall not use any Confidential Information for any purpose other than the purposes stated in Agreement."),
    Hypothesis("nda-5", "nda_sharing_with_employees", "Sharing with employees",
               "Receiving Party may share some Confidential Information with some of Receiving Party's employees."),
    Hypothesis("nda-7", "nda_sharing_with_third_parties", "Sharing with third-parties",
               "Receiving Party may share some Confidential Information with some third-parties (including consultants, agents and professional advisors)."),
    Hypothesis("nda-8", "nda_notice_on_compelled_disclosure", "Notice on compelled disclosure",
               "Receiving Party shall notify Disclosing Party in case Receiving Party is required by law, regulation or judicial process to disclose any Confidential Information."),
    Hypothesis("nda-10", "nda_confidentiality_of_agreement", "Confidentiality of Agreement",
               "Receiving Party shall not disclose the fact that Agreement was agreed or negotiated."),
    Hypothesis("nda-11", "nda_no_reverse_engineering", "No reverse engineering",
               "Receiving Party shall not reverse engineer any objects which embody Disclosing Party's Confidential Information."),
    Hypothesis("nda-12", "nda_permissible_development_of_similar_information", "Permissible development of similar information",
               "Receiving Party may independently develop information similar to Confidential Information."),
    Hypothesis("nda-13", "nda_permissible_acquirement_of_similar_information", "Permissible acquirement of similar information",
               "Receiving Party may acquire information similar to Confidential Information from a third party."),
    Hypothesis("nda-15", "nda_no_licensing", "No licensing",
               "Agreement shall not grant Receiving Party any right to Confidential Information."),
    Hypothesis("nda-16", "nda_return_of_confidential_information", "Return of confidential information",
               "Receiving Party shall destroy or return some Confidential Information upon the termination of Agreement."),
    Hypothesis("nda-17", "nda_permissible_copy", "Permissible copy",
               "Receiving Party may create a copy of some Confidential Information in some circumstances."),
    Hypothesis("nda-18", "nda_no_solicitation", "No solicitation",
               "Receiving Party shall not solicit some of Disclosing Party's representatives."),
    Hypothesis("nda-19", "nda_survival_of_obligations", "Survival of obligations",
               "Some obligations of Agreement may survive termination of Agreement."),
    Hypothesis("nda-20", "nda_permissible_post_agreement_possession", "Permissible post-agreement possession",
               "Receiving Party may retain some Confidential Information even after the return or destruction of Confidential Information."),
)
HYPOTHESIS_BY_CATEGORY = {h.category: h for h in HYPOTHESES}
HYPOTHESIS_BY_KEY = {h.key: h for h in HYPOTHESES}

# Hand-written cue patterns (case-insensitive), one feature each, for every hypothesis.
CUES: tuple[tuple[str, str], ...] = (
    # identification / marking (nda-1) and what counts as confidential (nda-2, nda-3)
    ("marked", r"\bmark(ed|ing|s)?\b|\blegend\b|\bstamp"),
    ("designated", r"designat\w*|identified (in writing )?as (confidential|proprietary)"),
    ("whether_or_not_marked", r"whether or not (so )?(marked|designated|identified|labell?ed)|(not|need not be|regardless of whether\w*) .{0,20}(marked|designated|identified)"),
    ("reasonable_person", r"reasonabl[ey] .{0,60}(understand|consider|regard|deem|know|expect|conclude)|by (its|their) (very )?nature|circumstances of disclosure"),
    ("reduced_to_writing", r"reduced to writing|confirmed in writing|written (summary|confirmation|memorandum)|within (thirty|30|fifteen|15|ten|10|twenty|20) .{0,10}days .{0,60}(disclos|writing)"),
    ("business_info", r"\b(business|financial|commercial|marketing|customer|pricing|sales|strategic|personnel|employee|supplier)s?\b"),
    ("technical_info", r"\b(technical|technology|know-how|trade secrets?|inventions?|designs?|specifications?|source code|software|formulas?|processes|engineering|research)\b"),
    ("oral", r"\boral(ly)?\b|\bverbal(ly)?\b|\bvisual(ly)?\b|\bspoken\b|by (inspection|observation)|any (form|medium)|whether (in )?written"),
    # use and sharing (nda-4, nda-5, nda-7)
    ("solely_purpose", r"\b(solely|only|exclusively)\b .{0,60}\bpurpose|purpose .{0,40}(only|solely)|other than .{0,40}purpose|for (no|any) (other )?purpose"),
    ("use", r"\buse\b|\butili[sz]e"),
    ("employees", r"\bemployees?\b|\bofficers?\b|\bdirectors?\b|\bstaff\b|\bpersonnel\b"),
    ("need_to_know", r"need[s]? to know|need-to-know"),
    ("advisers", r"\b(consultants?|advis[oe]rs?|agents?|attorneys?|counsel|accountants?|auditors?|contractors?|lenders?|financing sources?|bankers?)\b"),
    ("affiliates", r"\baffiliat\w*|subsidiar\w*|representatives?\b"),
    ("third_party", r"third[- ]part(y|ies)|any (other )?(person|entity)"),
    ("no_disclose", r"(shall|will|agree\w* to|must) (not|never) .{0,40}disclos|not (to )?disclose|keep .{0,30}(confidential|secret)|hold .{0,30}(in )?(strict )?confidence"),
    ("prior_consent", r"(prior|express) (written )?consent|without .{0,20}consent|written (permission|authori[sz]ation)"),
    ("bound_by", r"bound by|obligations? .{0,40}(at least as|no less) (restrictive|protective|stringent)|confidentiality (agreement|obligations)"),
    # compelled disclosure (nda-8)
    ("compelled", r"required by (law|statute|regulation|rule|court|order)|court order|subpoena|judicial|legal process|governmental|regulatory (authority|body)|compell|stock exchange|interrogator|civil investigative"),
    ("notify", r"\bnotif(y|ication)|\bnotice\b|\binform\b|\badvise\b"),
    ("protective_order", r"protective order|appropriate remedy|seek .{0,30}(remedy|order)|cooperate|minimum .{0,30}(required|necessary)|only (that portion|such portion|the portion)"),
    # the agreement itself (nda-10)
    ("agreement_fact", r"(existence|terms|fact|content\w*|status|nature) of (this|the) (agreement|discussions|negotiations|transaction|relationship)|the fact that|(discussions|negotiations) (are|have|between|concerning)|public (announcement|statement|disclosure)|press release"),
    # reverse engineering (nda-11)
    ("reverse_engineer", r"reverse[- ]?engineer|decompil|disassembl|(analy[sz]e|determine) the (composition|structure)|chemical analysis"),
    # exclusions (nda-12, nda-13)
    ("independent_development", r"independent(ly)? (develop|creat|conceiv|generat)|developed (independently|by (or for )?(the )?(receiving|recipient))|without (use of|reference to|access to|the benefit of|relying)"),
    ("from_third_party", r"(received|obtain\w*|acquir\w*|disclosed to|furnished to|learn\w*|comes?) .{0,60}from (a |any )?(third|other) part|from a source other|third part(y|ies) (who|which|that|having|lawfully|not)"),
    ("without_restriction", r"without (restriction|breach|obligation|(a |any )?duty|violation)|rightful(ly)?|lawful(ly)?|not (subject to|bound by|under) (an? |any )?(obligation|duty)"),
    ("public", r"public(ly)? (domain|available|known)|generally (available|known)|becomes? (public|available)|already (known|in|had)|prior to (the )?(disclosure|receipt)|in (its|the recipient's|receiving party's) possession"),
    # licence (nda-15)
    ("licence", r"licen[cs]e|\bright\w*,? title|no rights?\b|any rights? (in|to|under)|\bownership\b|property of|\bgrant\w*\b|intellectual property|patent"),
    ("nothing_construed", r"nothing (in|contained|herein|set forth)|shall not be (construed|deemed)|no .{0,40}is (granted|implied)|except as (expressly|specifically)"),
    # return / retention / copies (nda-16, nda-17, nda-20)
    ("return", r"\breturn\w*|\bdeliver (back|up)|\bsurrender"),
    ("destroy", r"destr(oy|uction|oyed)|\bdelet\w*|\berase|\bpurge|\bexpung"),
    ("upon_termination", r"upon (the )?(termination|expiration|request|written request|demand)|(termination|expiration) of (this|the) agreement|at any time (upon|on)|following (termination|the request)"),
    ("certify", r"certif\w*|confirm in writing|officer's certificate"),
    ("retain", r"\bretain\w*|\bkeep\b|\bkept\b|\bmaintain\w*|\barchiv\w*|back-?up|one (\(1\) )?(archival )?cop(y|ies)|file cop|record of|legal (department|counsel|files)|compliance purposes|automatic\w* .{0,20}(electronic|archiv|backup)"),
    ("copy", r"\bcop(y|ies|ying)\b|reproduc\w*|duplicat\w*|summar(y|ies|ize)|extracts?\b|notes?\b|analys[ie]s|compilations?"),
    ("no_copy", r"(not|no) .{0,30}(cop(y|ies)|reproduc|duplicat)|without .{0,40}(cop(y|ies)|reproduc)"),
    # solicitation (nda-18)
    ("solicit", r"solicit|\bhire\b|\bhiring\b|recruit|\bemploy\b|induce|entice"),
    # survival (nda-19)
    ("survive", r"surviv\w*|continue (in (full )?(force|effect)|to (apply|bind|be bound))|remain (in (full )?(force|effect)|binding|bound)|notwithstanding (the )?(termination|expiration)|after (the )?(termination|expiration)|following (the )?(termination|expiration)"),
    ("duration", r"\b(years?|months?)\b|\bperiod of\b|\bterm\b|\bexpir\w*|\bterminat\w*|perpetu\w*|indefinite"),
    # polarity and structure
    ("negation", r"\b(not|no|never|neither|nor|without)\b|n't\b"),
    ("may", r"\bmay\b|\bis (entitled|permitted|free)|\bshall be (entitled|permitted|free)|right to\b"),
    ("shall", r"\b(shall|will|must|agrees?)\b"),
    ("except", r"\bexcept\b|\bunless\b|\bnotwithstanding\b|\bprovided(,)? (however|that)\b|\bother than\b"),
    ("definition", r"\"confidential information\"|confidential information\W{0,3} (shall )?(means?|includes?|refers?)|\bmeans?\b|\bincludes?\b|\bincluding\b"),
    ("heading_like", r"^\W*([0-9ivx]+[.)]?\s*)?[A-Z][A-Za-z ,;&/'-]{0,60}\.?\s*$"),
    # conjunctions that decide a label rather than a topic
    ("return_on_termination", r"^(?=.*\b(return|destr|delet|eras))(?=.*\b(terminat|expir|end of (this|the) agreement|conclusion|completion))"),
    ("retain_after_return", r"^(?=.*\b(return|destr|delet))(?=.*\b(retain|keep|kept|archiv|back-?up|one cop|legal|compliance))"),
    ("no_retention", r"(not|no|without) (retain|keep|keeping|retaining)|retain no|(any|all) (copies|reproductions)"),
    ("survive_termination", r"^(?=.*\b(surviv|continue|remain))(?=.*\b(terminat|expir))"),
    ("agreement_secret", r"^(?=.*\b(not|nor|no)\b)(?=.*((existence|terms|fact|content) of (this|the|such) (agreement|discussions|negotiations)|the fact that|discussions are taking place|negotiations are taking place))"),
    ("notify_compelled", r"^(?=.*(required by|compell|subpoena|court order|legal process|judicial))(?=.*\b(notif|notice|inform|advise))"),
    ("only_technical", r"(technical|scientific) (information|data)(?!.{0,80}\b(business|financial|commercial|marketing|customer))"),
    ("mark_required", r"^(?=.*\b(mark|designat|identif|legend|label))(?=.*\b(only|provided that|if|must|shall be))(?!.*whether or not)"),
    ("third_party_prohibited", r"(not|no|never) .{0,40}(disclos|reveal|divulg|shar|furnish|make available)\w* .{0,60}(third part|any (other )?(person|entity))(?!.{0,120}\b(except|other than|unless|provided|without the prior))"),
)
_CUE_PATTERNS = tuple(re.compile(p, re.IGNORECASE | re.DOTALL) for _, p in CUES)
_TOKEN_RE = re.compile(r"[a-z][a-z'-]*[a-z]|[a-z]|\d+")


def tokens(text: str) -> list[str]:
    """Lower-cased word tokens, then word bigrams ("a_b"), for the TF-IDF vocabulary."""
    words = _TOKEN_RE.findall(text.lower())
    return words + [f"{a}_{b}" for a, b in zip(words, words[1:])]


def cue_matrix(texts: Sequence[str]) -> np.ndarray:
    """(n, len(CUES)) 0/1 matrix: which cue patterns each text matches."""
    out = np.zeros((len(texts), len(CUES)), dtype=np.float32)
    for i, text in enumerate(texts):
        for j, pattern in enumerate(_CUE_PATTERNS):
            if pattern.search(text):
                out[i, j] = 1.0
    return out


def shifted(matrix: np.ndarray, step: int, fill: float = 0.0) -> np.ndarray:
    """Row i of the result is row i + step of ``matrix`` (``fill`` past either end)."""
    out = np.full_like(matrix, fill)
    n = matrix.shape[0]
    if step > 0 and n > step:
        out[:-step] = matrix[step:]
    elif step < 0 and n > -step:
        out[-step:] = matrix[:step]
    return out


class SpanFeaturizer:
    """Features of the spans of one document, identical in training and at review time.

    ``dense(texts, vectors)`` gives the dense block (embedding, neighbour embedding,
    cues, neighbour cues, position); ``lexical(texts)`` the TF-IDF rows as (indices,
    values) pairs against the stored vocabulary."""

    def __init__(self, vocabulary: dict[str, int], idf: np.ndarray) -> None:
        self.vocabulary = vocabulary
        self.idf = idf.astype(np.float32)

    @property
    def lexical_size(self) -> int:
        return len(self.vocabulary)

    @staticmethod
    def dense_size(embedding_dim: int) -> int:
        return 2 * embedding_dim + 3 * len(CUES) + 4

    def lexical(self, texts: Sequence[str]) -> list[tuple[np.ndarray, np.ndarray]]:
        rows = []
        for text in texts:
            counts: dict[int, int] = {}
            for token in tokens(text):
                index = self.vocabulary.get(token)
                if index is not None:
                    counts[index] = counts.get(index, 0) + 1
            if not counts:
                rows.append((np.zeros(0, dtype=np.int32), np.zeros(0, dtype=np.float32)))
                continue
            index = np.fromiter(counts.keys(), dtype=np.int32, count=len(counts))
            tf = np.fromiter(counts.values(), dtype=np.float32, count=len(counts))
            values = (1.0 + np.log(tf)) * self.idf[index]
            values /= float(np.linalg.norm(values)) or 1.0
            order = np.argsort(index)
            rows.append((index[order], values[order].astype(np.float32)))
        return rows

    @staticmethod
    def dense(texts: Sequence[str], vectors: np.ndarray) -> np.ndarray:
        n = len(texts)
        vectors = np.asarray(vectors, dtype=np.float32)
        cues = cue_matrix(texts)
        position = np.arange(n, dtype=np.float32) / max(1, n - 1)
        length = np.array([min(len(t), 2000) / 1000.0 for t in texts], dtype=np.float32)
        short = np.array([1.0 if len(t) < 60 else 0.0 for t in texts], dtype=np.float32)
        lead_in = np.array([1.0 if t.rstrip().endswith((":", "-", "—")) else 0.0 for t in texts], dtype=np.float32)
        return np.hstack([
            vectors, shifted(vectors, 1), cues, shifted(cues, -1), shifted(cues, 1),
            position[:, None], length[:, None], short[:, None], lead_in[:, None],
        ]).astype(np.float32)


def fit_vocabulary(documents: Sequence[Sequence[str]], *, min_df: int = 2, max_features: int = 30000) -> tuple[dict[str, int], np.ndarray]:
    """Vocabulary (token -> column) and smooth IDF from span texts grouped by document;
    deterministic (ties broken alphabetically)."""
    df: dict[str, int] = {}
    n_spans = 0
    for spans in documents:
        for text in spans:
            n_spans += 1
            for token in set(tokens(text)):
                df[token] = df.get(token, 0) + 1
    kept = sorted((t for t, c in df.items() if c >= min_df), key=lambda t: (-df[t], t))[:max_features]
    kept.sort()
    vocabulary = {t: i for i, t in enumerate(kept)}
    idf = np.array([math.log((1 + n_spans) / (1 + df[t])) + 1.0 for t in kept], dtype=np.float32)
    return vocabulary, idf


def sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(x, -30, 30)))


# The cues that speak to each hypothesis (at most HYPOTHESIS_CUE_SLOTS): the label head reads
# whether any span of the document has them, and whether one of the 5 best evidence spans does.
HYPOTHESIS_CUES: dict[str, tuple[str, ...]] = {
    "nda-1": ("mark_required", "whether_or_not_marked", "marked", "designated", "reduced_to_writing", "reasonable_person"),
    "nda-2": ("only_technical", "business_info", "technical_info", "definition"),
    "nda-3": ("oral", "reduced_to_writing"),
    "nda-4": ("solely_purpose", "use"),
    "nda-5": ("employees", "need_to_know"),
    "nda-7": ("advisers", "third_party", "third_party_prohibited", "prior_consent", "bound_by"),
    "nda-8": ("notify_compelled", "compelled", "protective_order"),
    "nda-10": ("agreement_secret", "agreement_fact"),
    "nda-11": ("reverse_engineer",),
    "nda-12": ("independent_development",),
    "nda-13": ("from_third_party", "without_restriction"),
    "nda-15": ("licence", "nothing_construed"),
    "nda-16": ("return_on_termination", "return", "destroy", "upon_termination"),
    "nda-17": ("copy", "no_copy"),
    "nda-18": ("solicit",),
    "nda-19": ("survive_termination", "survive", "duration"),
    "nda-20": ("retain_after_return", "retain", "no_retention"),
}
HYPOTHESIS_CUE_SLOTS = 6
HYPOTHESIS_CUE_TOP = 5
_CUE_INDEX = {name: k for k, (name, _) in enumerate(CUES)}
_HYPOTHESIS_CUE_COLUMNS = tuple(tuple(_CUE_INDEX[c] for c in HYPOTHESIS_CUES[h.key]) for h in HYPOTHESES)


def hypothesis_cue_summary(evidence_logits: np.ndarray, cues: np.ndarray) -> np.ndarray:
    """(H, 2 * HYPOTHESIS_CUE_SLOTS): for each of the hypothesis's own cues, whether any span
    has it, then whether one of its HYPOTHESIS_CUE_TOP best evidence spans has it."""
    n, h = evidence_logits.shape
    out = np.zeros((h, 2 * HYPOTHESIS_CUE_SLOTS), dtype=np.float32)
    if n == 0:
        return out
    top = np.argsort(-evidence_logits, axis=0, kind="mergesort")[:HYPOTHESIS_CUE_TOP]
    for j, columns in enumerate(_HYPOTHESIS_CUE_COLUMNS):
        own = cues[:, columns]
        out[j, : len(columns)] = own.max(axis=0)
        out[j, HYPOTHESIS_CUE_SLOTS: HYPOTHESIS_CUE_SLOTS + len(columns)] = own[top[:, j]].max(axis=0)
    return out


def document_summary(evidence_logits: np.ndarray, contradiction_logits: np.ndarray, cues: np.ndarray) -> np.ndarray:
    """Document-level features per hypothesis, from span-level logits (n, H) and the
    spans' cue matrix (n, len(CUES)): an (H, SUMMARY_SIZE) array of the 3 best evidence
    logits, the evidence-softmax-weighted and the top span's contradiction logits, how
    many spans score above 0.5, each cue's evidence-probability-weighted maximum
    over the 3 best spans, and :func:`hypothesis_cue_summary`."""
    n, h = evidence_logits.shape
    if n == 0:
        return np.zeros((h, SUMMARY_SIZE), dtype=np.float32)
    order = np.argsort(-evidence_logits, axis=0, kind="mergesort")
    ranked = np.take_along_axis(evidence_logits, order, axis=0)
    best = [ranked[min(k, n - 1)] for k in range(3)]
    top = order[: min(3, n)]
    top_logits = np.take_along_axis(evidence_logits, top, axis=0)
    weights = np.exp(top_logits - ranked[:1])
    weights /= weights.sum(axis=0, keepdims=True)
    weighted_contradiction = (np.take_along_axis(contradiction_logits, top, axis=0) * weights).sum(axis=0)
    top_contradiction = np.take_along_axis(contradiction_logits, order[:1], axis=0)[0]
    above = (sigmoid(evidence_logits) > 0.5).sum(axis=0).astype(np.float32)
    top_cues = (cues[top] * sigmoid(top_logits)[:, :, None]).max(axis=0)  # (H, len(CUES))
    scores = np.stack([best[0], best[1], best[2], weighted_contradiction, top_contradiction, np.log1p(above)], axis=1)
    return np.hstack([scores, top_cues, hypothesis_cue_summary(evidence_logits, cues)]).astype(np.float32)


SUMMARY_SIZE = 6 + len(CUES) + 2 * HYPOTHESIS_CUE_SLOTS

_LIST_ITEM_RE = re.compile(r"^\s*(\(?[a-z]{1,2}\)|\(?[ivxlc]+\)|\(?\d+(\.\d+)*[.)]?\s|[\u2022\-\u2013\u00b7*]|[A-Z][.)]\s)", re.IGNORECASE)
NO_SCORE = -10.0  # a neighbour that does not exist


def span_structure(texts: Sequence[str]) -> dict[str, np.ndarray]:
    """Layout of the spans of one document: lead-ins (ending in ":"), list items,
    items ending in ";"/"and"/"or", headings (short, no final punctuation), and for
    each span the index of the heading above it and of the lead-in whose list it belongs
    to or directly follows (only list items between them; -1: none)."""
    n = len(texts)
    stripped = [t.rstrip() for t in texts]
    lead = np.array([t.endswith(":") for t in stripped], dtype=np.float64)
    continued = np.array([t.endswith((";", "; and", "; or", " and", " or")) for t in stripped], dtype=np.float64)
    item = np.array([bool(_LIST_ITEM_RE.match(t)) for t in texts], dtype=np.float64)
    short = np.array([len(t) < 60 for t in texts], dtype=np.float64)
    heading = np.array([len(t) < 80 and not t.endswith((".", ";", ":", ",")) for t in stripped], dtype=np.float64)
    heading_index = np.full(n, -1)
    lead_index = np.full(n, -1)
    last_heading = current_lead = -1
    for i in range(n):
        heading_index[i] = last_heading
        if heading[i]:
            last_heading = i
        lead_index[i] = current_lead
        if lead[i]:
            current_lead = i
        elif not (item[i] or continued[i]):
            current_lead = -1
    length = np.array([math.log1p(len(t)) for t in texts], dtype=np.float64)
    return {"lead": lead, "continued": continued, "item": item, "short": short, "heading": heading,
            "length": length, "heading_index": heading_index, "lead_index": lead_index}


def _shift_scores(scores: np.ndarray, step: int) -> np.ndarray:
    """Row i is row i + step of ``scores`` (NO_SCORE past either end)."""
    return shifted(scores, step, NO_SCORE)


def best_per_hypothesis(similarities: np.ndarray, prototype_hypothesis: np.ndarray,
                        prototype_document: np.ndarray | None, document: int, tops: tuple[int, ...]) -> np.ndarray:
    """(n, H, len(tops)): for each span and hypothesis, the mean of its ``k`` best similarities
    (n, prototypes) to that hypothesis's prototypes, for each ``k`` of ``tops``; a document's
    own prototypes (``prototype_document`` == ``document``) count as -1 (training)."""
    out = np.zeros((len(similarities), len(HYPOTHESES), len(tops)), dtype=np.float64)
    if prototype_document is not None:
        similarities[:, prototype_document == document] = -1.0
    for j in range(len(HYPOTHESES)):
        s = similarities[:, prototype_hypothesis == j]
        if s.shape[1] == 0:
            continue
        s = np.sort(s, axis=1)[:, ::-1]
        for t, k in enumerate(tops):
            out[:, j, t] = s[:, 0] if k == 1 else s[:, : min(k, s.shape[1])].mean(axis=1)
    return out


def prototype_similarities(vectors: np.ndarray, prototypes: np.ndarray, prototype_hypothesis: np.ndarray,
                           prototype_document: np.ndarray | None = None, document: int = -1) -> np.ndarray:
    """(n, H, 3): each span's best cosine similarity to the gold evidence spans of each
    hypothesis (``prototypes``: unit vectors; ``prototype_hypothesis``: their column), the
    mean of its 3 best and of its 10 best. In training, a document's own spans are left out
    (``prototype_document`` == ``document``)."""
    n, h = len(vectors), len(HYPOTHESES)
    out = np.zeros((n, h, 3), dtype=np.float64)
    if n == 0 or len(prototypes) == 0:
        return out
    similarities = np.asarray(vectors, dtype=np.float32) @ np.asarray(prototypes, dtype=np.float32).T
    return best_per_hypothesis(similarities.astype(np.float64), prototype_hypothesis, prototype_document, document,
                               (1, 3, 10))


def lexical_similarities(rows: Sequence[tuple[np.ndarray, np.ndarray]], vocabulary_size: int,
                         prototype_rows: tuple[np.ndarray, np.ndarray, np.ndarray], prototype_hypothesis: np.ndarray,
                         prototype_document: np.ndarray | None = None, document: int = -1) -> np.ndarray:
    """(n, H, 2): each span's best TF-IDF cosine similarity to the gold evidence spans of each
    hypothesis, and the mean of its 3 best. ``rows``: the spans' TF-IDF rows (unit vectors);
    ``prototype_rows``: the prototypes' rows as CSR arrays (indptr, indices, values)."""
    n, h = len(rows), len(HYPOTHESES)
    out = np.zeros((n, h, 2), dtype=np.float64)
    indptr, indices, values = (np.asarray(a) for a in prototype_rows)
    count = len(indptr) - 1
    if n == 0 or count <= 0 or indices.size == 0:
        return out
    lengths = np.diff(indptr)
    starts = indptr[:-1]  # < indices.size + 1: the products get one zero column at the end
    similarities = np.zeros((n, count), dtype=np.float64)
    block = 32  # spans at a time: the gathered (block, stored entries) product stays a few MB
    for begin in range(0, n, block):
        part = rows[begin: begin + block]
        dense = np.zeros((len(part), vocabulary_size), dtype=np.float32)
        for r, (index, value) in enumerate(part):
            dense[r, index] = value
        products = (dense[:, indices] * values.astype(np.float32)).astype(np.float64)
        products = np.hstack([products, np.zeros((len(part), 1))])
        similarities[begin: begin + len(part)] = np.where(lengths > 0, np.add.reduceat(products, starts, axis=1), 0.0)
    return best_per_hypothesis(similarities, prototype_hypothesis, prototype_document, document, (1, 3))


def ranking_features(texts: Sequence[str], evidence_logits: np.ndarray, contradiction_logits: np.ndarray,
                     similarities: np.ndarray, cues: np.ndarray) -> np.ndarray:
    """(n * H, RANKING_FEATURES) rows (span-major) for the evidence ranker: per span and
    hypothesis, its evidence logit (raw, against the document's best, rank), its
    neighbours', its heading's, its lead-in's, its section's best and the best of the
    next 6 spans, its contradiction logit, the prototype similarities (``similarities``:
    embedding then TF-IDF, (n, H, 5)), the hypothesis's own cues in the span and in the
    next span (``cues``: the spans' cue matrix); per span, its layout; last, the
    hypothesis's column number."""
    n, h = evidence_logits.shape
    ev = np.asarray(evidence_logits, dtype=np.float64)
    structure = span_structure(texts)
    best = ev.max(axis=0, keepdims=True)
    order = np.argsort(-ev, axis=0, kind="mergesort")
    rank = np.empty_like(order)
    np.put_along_axis(rank, order, np.broadcast_to(np.arange(n)[:, None], (n, h)), axis=0)
    heading_index, lead_index = structure["heading_index"], structure["lead_index"]
    heading_scores = np.where(heading_index[:, None] >= 0, ev[np.maximum(heading_index, 0)], NO_SCORE)
    lead_scores = np.where(lead_index[:, None] >= 0, ev[np.maximum(lead_index, 0)], NO_SCORE)
    section_best = np.zeros_like(ev)
    for section in np.unique(heading_index):
        members = heading_index == section
        section_best[members] = ev[members].max(axis=0)
    following = np.stack([_shift_scores(ev, k) for k in range(1, 7)]).max(axis=0)
    per_pair = [ev, ev - best, np.log1p(rank), _shift_scores(ev, -1), _shift_scores(ev, 1), _shift_scores(ev, 2),
                np.asarray(contradiction_logits, dtype=np.float64), heading_scores, lead_scores, section_best, following,
                np.broadcast_to(best, ev.shape)]
    lead = structure["lead"]
    per_span = [lead, structure["continued"], structure["item"], structure["short"], structure["heading"],
                structure["length"], (lead_index >= 0).astype(np.float64), np.full(n, math.log(max(n, 1))),
                np.r_[lead[1:], 0.0], np.r_[0.0, lead[:-1]], np.r_[0.0, structure["heading"][:-1]]]
    own_cues = np.zeros((n, h, 2 * HYPOTHESIS_CUE_SLOTS), dtype=np.float64)
    following_cues = np.vstack([cues[1:], np.zeros((1, cues.shape[1]), dtype=cues.dtype)]) if n else cues
    for j, columns in enumerate(_HYPOTHESIS_CUE_COLUMNS):
        own_cues[:, j, : len(columns)] = cues[:, columns]
        own_cues[:, j, HYPOTHESIS_CUE_SLOTS: HYPOTHESIS_CUE_SLOTS + len(columns)] = following_cues[:, columns]
    pairs = np.concatenate([np.stack(per_pair, axis=2), similarities, own_cues], axis=2)
    spans = np.broadcast_to(np.stack(per_span, axis=1)[:, None, :], (n, h, len(per_span)))
    column = np.broadcast_to(np.arange(h, dtype=np.float64)[None, :, None], (n, h, 1))
    features = np.concatenate([pairs, spans, column], axis=2)
    return features.reshape(n * h, features.shape[2])


RANKING_FEATURES = 12 + 5 + 2 * HYPOTHESIS_CUE_SLOTS + 11 + 1


class TreeEnsemble:
    """A sum of regression trees as plain arrays (exported from scikit-learn's
    HistGradientBoostingClassifier): node ``feature``, ``threshold`` (go left when the
    value is <= it), ``left``/``right`` child (global node numbers), ``leaf`` flag and
    ``value``; ``roots`` holds each tree's first node. ``decision(x)`` is the raw score
    (the log-odds), ``bias`` + the sum of the leaves reached."""

    def __init__(self, feature, threshold, left, right, leaf, value, roots, bias) -> None:
        self.feature = np.asarray(feature, dtype=np.int64)
        self.threshold = np.asarray(threshold, dtype=np.float64)
        self.left = np.asarray(left, dtype=np.int64)
        self.right = np.asarray(right, dtype=np.int64)
        self.leaf = np.asarray(leaf, dtype=bool)
        self.value = np.asarray(value, dtype=np.float64)
        self.roots = np.asarray(roots, dtype=np.int64)
        self.bias = float(np.asarray(bias).reshape(-1)[0]) if np.asarray(bias).size else 0.0

    def decision(self, x: np.ndarray) -> np.ndarray:
        x = np.ascontiguousarray(x, dtype=np.float64)
        if x.shape[0] == 0 or self.roots.size == 0:
            return np.full(x.shape[0], self.bias)
        feature, threshold, children = self._walk
        flat = x.ravel()
        offsets = (np.arange(x.shape[0], dtype=np.int64) * x.shape[1])[:, None]
        node = np.broadcast_to(self.roots.astype(np.int64)[None, :], (x.shape[0], self.roots.size)).copy()
        for _ in range(self.depth):
            node = children[2 * node + (flat[offsets + feature[node]] > threshold[node])]
        return self.bias + self.value[node].sum(axis=1)

    @cached_property
    def _walk(self) -> tuple[np.ndarray, ...]:
        """Node arrays in which a leaf points to itself (feature 0, threshold +inf), so that
        every row walks the same number of steps; the children as [left, right] pairs."""
        own = np.arange(self.leaf.size)
        children = np.stack([np.where(self.leaf, own, self.left), np.where(self.leaf, own, self.right)], axis=1)
        return np.where(self.leaf, 0, self.feature), np.where(self.leaf, np.inf, self.threshold), children.ravel()

    @cached_property
    def depth(self) -> int:
        """The longest root-to-leaf path (in splits)."""
        depth = np.zeros(self.leaf.size, dtype=np.int64)
        deepest = 0
        for node in range(self.leaf.size):  # children come after their parent within a tree
            if not self.leaf[node]:
                depth[self.left[node]] = depth[self.right[node]] = depth[node] + 1
                deepest = max(deepest, int(depth[node]) + 1)
        return deepest

    def arrays(self, prefix: str) -> dict[str, np.ndarray]:
        return {f"{prefix}_feature": self.feature.astype(np.int32), f"{prefix}_threshold": self.threshold,
                f"{prefix}_left": self.left.astype(np.int32), f"{prefix}_right": self.right.astype(np.int32),
                f"{prefix}_leaf": self.leaf.astype(np.int8), f"{prefix}_value": self.value,
                f"{prefix}_roots": self.roots.astype(np.int32), f"{prefix}_bias": np.array([self.bias])}

    @classmethod
    def from_arrays(cls, weights: dict[str, np.ndarray], prefix: str) -> "TreeEnsemble":
        return cls(*(weights[f"{prefix}_{k}"] for k in ("feature", "threshold", "left", "right", "leaf", "value", "roots", "bias")))


@dataclass(frozen=True)
class HypothesisResult:
    hypothesis: Hypothesis
    label: str
    probabilities: dict[str, float]
    evidence: list[tuple[int, float]]  # (span index, evidence probability), best first
    contradiction: float  # evidence-weighted P(contradiction) of the best spans


@dataclass(frozen=True)
class SpanScores:
    evidence_logits: np.ndarray  # (n, H), the linear evidence heads (what the label head reads)
    contradiction_logits: np.ndarray  # (n, H)
    cues: np.ndarray  # (n, len(CUES))
    ranking_logits: np.ndarray  # (n, H), the evidence ranker's scores (the order of the evidence)


FORMAT_VERSION = 2  # the layout of weights.npz this code reads (manifest "format_version")


class NdaHypothesisModel:
    """The trained NDA hypothesis model, loaded from a folder with ``manifest.json``,
    ``weights.npz`` and ``vocabulary.json`` (sha256 of both checked against the manifest)."""

    def __init__(self, manifest: dict, weights: dict[str, np.ndarray], vocabulary: dict[str, int]) -> None:
        self.manifest = manifest
        self.featurizer = SpanFeaturizer(vocabulary, weights["idf"])
        self.evidence_lexical = weights["evidence_lexical"]  # (H, V)
        self.evidence_dense = weights["evidence_dense"]  # (H, D)
        self.evidence_bias = weights["evidence_bias"]  # (H,)
        self.contradiction_lexical = weights["contradiction_lexical"]
        self.contradiction_dense = weights["contradiction_dense"]
        self.contradiction_bias = weights["contradiction_bias"]
        self.dense_mean = weights["dense_mean"]
        self.dense_scale = weights["dense_scale"]
        self.label_weights = weights["label_weights"]  # (H, 3, SUMMARY_SIZE)
        self.label_bias = weights["label_bias"]  # (H, 3)
        self.label_mask = weights["label_mask"]  # (H, 3) 0 or -inf for labels never seen in training
        # the evidence ranker and the gold evidence embeddings it compares spans with (absent: rank by evidence_logits)
        self.ranker = TreeEnsemble.from_arrays(weights, "ranker") if "ranker_roots" in weights else None
        self.prototypes = np.asarray(weights.get("prototypes", np.zeros((0, 0))), dtype=np.float32)
        self.prototype_hypothesis = np.asarray(weights.get("prototype_hypothesis", np.zeros(0)), dtype=np.int64)
        self.prototype_lexical = tuple(np.asarray(weights.get(f"prototype_lexical_{k}", np.zeros(1 if k == "indptr" else 0)),
                                                  dtype=dtype)
                                       for k, dtype in (("indptr", np.int64), ("indices", np.int64), ("values", np.float32)))
        self.evidence_threshold = float(manifest.get("evidence_threshold", 0.5))

    @property
    def version(self) -> str:
        return f"nda-nli@{self.manifest.get('version', '?')}"

    @classmethod
    def load(cls, folder: Path | str = MODEL_DIR) -> "NdaHypothesisModel":
        folder = Path(folder)
        manifest_path = folder / "manifest.json"
        if not manifest_path.is_file():
            raise FileNotFoundError(f"{folder}: no manifest.json (train with `python -m risk_copilot.training.nda_nli`)")
        manifest = json.loads(manifest_path.read_text())
        if manifest.get("format_version", 1) != FORMAT_VERSION:
            raise ValueError(f"{folder}: weights format {manifest.get('format_version', 1)}, this code reads format "
                             f"{FORMAT_VERSION} (retrain with `python -m risk_copilot.training.nda_nli`)")
        for name, expected in manifest.get("files", {}).items():
            digest = hashlib.sha256((folder / name).read_bytes()).hexdigest()
            if digest != expected:
                raise ValueError(f"{folder / name}: sha256 {digest} does not match the manifest")
        with np.load(folder / "weights.npz", allow_pickle=False) as data:
            weights = {k: data[k] for k in data.files}
        vocabulary = json.loads((folder / "vocabulary.json").read_text())
        return cls(manifest, weights, vocabulary)

    def _linear(self, lexical_rows, dense: np.ndarray, lexical_w: np.ndarray, dense_w: np.ndarray, bias: np.ndarray) -> np.ndarray:
        out = dense @ dense_w.T + bias
        for i, (index, values) in enumerate(lexical_rows):
            if index.size:
                out[i] += lexical_w[:, index] @ values
        return out

    def score_spans(self, texts: Sequence[str], vectors: np.ndarray) -> SpanScores:
        """Evidence and contradiction logits, (n, H) each, for the spans of one document
        in reading order (``vectors``: their unit sentence embeddings)."""
        h = len(HYPOTHESES)
        if len(texts) == 0:
            empty = np.zeros((0, h), np.float32)
            return SpanScores(empty, empty, np.zeros((0, len(CUES)), np.float32), empty)
        raw = SpanFeaturizer.dense(texts, vectors)
        dense = (raw - self.dense_mean) / self.dense_scale
        lexical = self.featurizer.lexical(texts)
        evidence = self._linear(lexical, dense, self.evidence_lexical, self.evidence_dense, self.evidence_bias)
        contradiction = self._linear(lexical, dense, self.contradiction_lexical, self.contradiction_dense, self.contradiction_bias)
        cues = raw[:, 2 * np.asarray(vectors).shape[1]: 2 * np.asarray(vectors).shape[1] + len(CUES)]
        evidence, contradiction = evidence.astype(np.float32), contradiction.astype(np.float32)
        ranking = self.rank_evidence(texts, vectors, lexical, cues, evidence, contradiction)
        return SpanScores(evidence, contradiction, cues, ranking)

    def rank_evidence(self, texts: Sequence[str], vectors: np.ndarray, lexical, cues: np.ndarray, evidence: np.ndarray,
                      contradiction: np.ndarray, *, prototype_document: np.ndarray | None = None,
                      document: int = -1) -> np.ndarray:
        """The evidence ranker's (n, H) logits (the linear evidence logits without a ranker).
        ``lexical``: the spans' TF-IDF rows; in training, ``prototype_document``/``document``
        leave the document's own gold spans out of the similarities."""
        if self.ranker is None or len(texts) == 0:
            return evidence
        features = self.ranking_rows(texts, vectors, lexical, cues, evidence, contradiction,
                                     prototype_document=prototype_document, document=document)
        return self.ranker.decision(features).reshape(evidence.shape).astype(np.float32)

    def ranking_rows(self, texts, vectors, lexical, cues, evidence, contradiction, *,
                     prototype_document: np.ndarray | None = None, document: int = -1) -> np.ndarray:
        """The ranker's input rows (:func:`ranking_features`) for one document."""
        similarities = np.concatenate([
            prototype_similarities(vectors, self.prototypes, self.prototype_hypothesis, prototype_document, document),
            lexical_similarities(lexical, self.featurizer.lexical_size, self.prototype_lexical, self.prototype_hypothesis,
                                 prototype_document, document),
        ], axis=2)
        return ranking_features(texts, evidence, contradiction, similarities, cues)

    def label_probabilities(self, scores: SpanScores) -> np.ndarray:
        """(H, 3) probabilities of Entailment / Contradiction / NotMentioned."""
        summary = document_summary(scores.evidence_logits, scores.contradiction_logits, scores.cues)
        logits = np.einsum("hkf,hf->hk", self.label_weights, summary) + self.label_bias + self.label_mask
        logits -= logits.max(axis=1, keepdims=True)
        probabilities = np.exp(logits)
        return probabilities / probabilities.sum(axis=1, keepdims=True)

    def predict(self, texts: Sequence[str], vectors: np.ndarray, *, max_evidence: int = 3) -> list[HypothesisResult]:
        """One result per hypothesis: the label and the best evidence spans."""
        scores = self.score_spans(texts, vectors)
        probabilities = self.label_probabilities(scores)
        evidence_p = sigmoid(scores.ranking_logits)
        contradiction_p = sigmoid(scores.contradiction_logits)
        results = []
        for j, hypothesis in enumerate(HYPOTHESES):
            order = np.argsort(-scores.ranking_logits[:, j], kind="mergesort")
            chosen = [int(i) for i in order[:max_evidence] if evidence_p[i, j] >= self.evidence_threshold] or [int(order[0])] if len(order) else []
            label = LABELS[int(np.argmax(probabilities[j]))]
            weight = evidence_p[chosen, j] if chosen else np.zeros(0)
            contradiction = float((contradiction_p[chosen, j] * weight).sum() / weight.sum()) if chosen and weight.sum() > 0 else 0.0
            results.append(HypothesisResult(
                hypothesis=hypothesis, label=label,
                probabilities={name: round(float(p), 4) for name, p in zip(LABELS, probabilities[j])},
                evidence=[(i, round(float(evidence_p[i, j]), 4)) for i in chosen],
                contradiction=round(contradiction, 4),
            ))
        return results


@dataclass(frozen=True)
class HypothesisVerdict:
    """The model's verdict on one hypothesis for a reviewed contract, with the engine's
    clauses as evidence (what the ``nli_hypothesis`` rule kind reads)."""

    category: str
    label: str
    probabilities: dict[str, float]
    evidence: list  # risk_copilot.segment.Clause, best first
    evidence_scores: list[float]


def review_hypotheses(model: NdaHypothesisModel, clauses: Sequence, vectors: np.ndarray) -> dict[str, HypothesisVerdict]:
    """Category -> verdict for the clauses of one contract (their embeddings reused)."""
    results = model.predict([c.text for c in clauses], vectors)
    return {
        r.hypothesis.category: HypothesisVerdict(
            category=r.hypothesis.category, label=r.label, probabilities=r.probabilities,
            evidence=[clauses[i] for i, _ in r.evidence], evidence_scores=[p for _, p in r.evidence],
        )
        for r in results
    }
