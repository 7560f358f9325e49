"""The NDA hypothesis model: features, the ContractNLI metrics and split, loading with its
manifest, and the shipped model's verdicts on a small hand-written NDA."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pytest

from risk_copilot.evaluation.contract_nli import NliDocument, NliScores, document_fold, f1_per_label
from risk_copilot.nda_hypotheses import (
    CUES, HYPOTHESES, MODEL_DIR, SUMMARY_SIZE, NdaHypothesisModel, SpanFeaturizer, cue_matrix, document_summary, fit_vocabulary,
    shifted, tokens,
)


def test_seventeen_hypotheses_named_as_categories():
    assert len(HYPOTHESES) == 17 and len({h.category for h in HYPOTHESES}) == 17
    assert all(h.category.startswith("nda_") for h in HYPOTHESES)
    names = {h.category for h in HYPOTHESES}
    assert {"nda_return_of_confidential_information", "nda_notice_on_compelled_disclosure", "nda_no_licensing",
            "nda_permissible_post_agreement_possession", "nda_sharing_with_third_parties"} <= names


def test_tokens_and_cues():
    assert tokens("Shall not Reverse-engineer") == ["shall", "not", "reverse-engineer", "shall_not", "not_reverse-engineer"]
    names = [name for name, _ in CUES]
    matrix = cue_matrix(["The Recipient shall not reverse engineer, decompile or disassemble the samples.",
                         "Information disclosed orally is included."])
    assert matrix[0, names.index("reverse_engineer")] == 1 and matrix[1, names.index("reverse_engineer")] == 0
    assert matrix[1, names.index("oral")] == 1 and matrix[0, names.index("negation")] == 1


def test_shifted_rows():
    m = np.arange(6, dtype=np.float32).reshape(3, 2)
    assert shifted(m, 1).tolist() == [[2, 3], [4, 5], [0, 0]]
    assert shifted(m, -1).tolist() == [[0, 0], [0, 1], [2, 3]]
    assert shifted(m[:1], 1).tolist() == [[0, 0]]


def test_tfidf_rows_are_unit_vectors_over_the_fitted_vocabulary():
    vocabulary, idf = fit_vocabulary([["return or destroy", "return the materials"], ["destroy all copies"]], min_df=1)
    featurizer = SpanFeaturizer(vocabulary, idf)
    (index, values), (empty_index, _) = featurizer.lexical(["Return or destroy", "zzz"])
    assert empty_index.size == 0
    assert {list(vocabulary)[i] for i in index} == {"return", "or", "destroy", "return_or", "or_destroy"}
    assert np.isclose(np.linalg.norm(values), 1.0)
    # rarer tokens weigh more: "or" is in one span, "return" in two
    assert values[list(index).index(vocabulary["or"])] > values[list(index).index(vocabulary["return"])]


def test_document_summary_reads_the_best_spans():
    evidence = np.full((4, len(HYPOTHESES)), -5.0, np.float32)
    contradiction = np.zeros_like(evidence)
    evidence[2, 0], contradiction[2, 0] = 3.0, 2.5
    cues = np.zeros((4, len(CUES)), np.float32)
    cues[2, 0] = 1.0  # the best span for hypothesis 0 has cue 0
    cues[3, 1] = 1.0  # a span that is not among the best has cue 1
    summary = document_summary(evidence, contradiction, cues)
    assert summary.shape == (len(HYPOTHESES), SUMMARY_SIZE)
    assert summary[0, 0] == 3.0 and summary[0, 1] == -5.0 and summary[0, 4] == 2.5
    assert np.isclose(summary[0, 5], np.log1p(1))
    assert np.isclose(summary[0, 6], 1 / (1 + np.exp(-3.0))) and summary[0, 7] < 0.01
    assert document_summary(np.zeros((0, 17)), np.zeros((0, 17)), np.zeros((0, len(CUES)))).shape == (17, SUMMARY_SIZE)


def test_split_is_fixed_by_document_id():
    assert [document_fold(i) for i in range(1, 9)] == [document_fold(i) for i in range(1, 9)]
    folds = [document_fold(i) for i in range(1000)]
    assert set(folds) == {0, 1, 2, 3, 4} and 150 < folds.count(0) < 250


def test_metrics_as_in_the_paper():
    assert f1_per_label(["Entailment", "Contradiction", "NotMentioned"], ["Entailment", "Entailment", "NotMentioned"]) == {
        "Entailment": pytest.approx(2 / 3), "Contradiction": 0.0, "NotMentioned": 1.0}
    labels = {h.key: "NotMentioned" for h in HYPOTHESES}
    evidence = {h.key: [] for h in HYPOTHESES}
    labels["nda-16"], evidence["nda-16"] = "Entailment", [1]
    document = NliDocument(1, "a.txt", "One. Two. Three.", [(0, 4), (5, 9), (10, 16)], labels, evidence)
    scores = np.zeros((3, 17))
    scores[:, 12] = [0.9, 0.5, 0.1]  # the gold span ranked second: AP 1/2
    accumulated = NliScores.empty()
    accumulated.add_document(document, ["NotMentioned"] * 12 + ["Entailment"] + ["NotMentioned"] * 4, scores)
    assert accumulated.summary() == {"accuracy": 1.0, "f1": {"Entailment": 1.0, "Contradiction": 0.0, "NotMentioned": 1.0},
                                     "evidence_map": 0.5, "documents": 1}


def test_the_model_refuses_weights_that_do_not_match_its_manifest(tmp_path):
    shutil.copytree(MODEL_DIR, tmp_path / "m")
    weights = tmp_path / "m" / "vocabulary.json"
    weights.write_text(weights.read_text().replace("}", ',"zzz-extra":999999}'))
    with pytest.raises(ValueError, match="sha256"):
        NdaHypothesisModel.load(tmp_path / "m")
    with pytest.raises(FileNotFoundError):
        NdaHypothesisModel.load(tmp_path / "nowhere")


def test_the_shipped_model_has_its_manifest():
    manifest = json.loads((MODEL_DIR / "manifest.json").read_text())
    assert manifest["data"]["name"] == "ContractNLI" and "CC BY 4.0" in manifest["data"]["attribution"]
    assert manifest["split"]["validation_documents"] > 20
    assert set(manifest["metrics"]["validation"]) == {"accuracy", "f1", "evidence_map", "documents"}


NDA = [
    "MUTUAL NON-DISCLOSURE AGREEMENT",
    "1. Confidential Information means all business and technical information disclosed by either party, whether orally or in writing.",
    "2. The Receiving Party shall use the Confidential Information solely for the purpose of evaluating the proposed transaction.",
    "3. The Receiving Party shall not reverse engineer, decompile or disassemble any prototypes, software or other tangible objects which embody the Confidential Information.",
    "4. Upon termination of this Agreement, the Receiving Party shall promptly return or destroy all Confidential Information.",
    "5. Nothing in this Agreement grants the Receiving Party any license or other right to the Confidential Information.",
    "6. This Agreement is governed by the laws of the State of New York.",
]


@pytest.fixture(scope="module")
def verdicts(review_engine):
    model = NdaHypothesisModel.load()
    return {r.hypothesis.category: r for r in model.predict(NDA, review_engine.encoder.encode(NDA))}


@pytest.mark.parametrize("category, span", [
    ("nda_no_reverse_engineering", 3),
    ("nda_return_of_confidential_information", 4),
    ("nda_no_licensing", 5),
    ("nda_limited_use", 2),
])
def test_the_shipped_model_finds_clear_evidence(verdicts, category, span):
    result = verdicts[category]
    assert result.label == "Entailment", result
    assert result.evidence[0][0] == span


def test_the_shipped_model_leaves_unmentioned_hypotheses_alone(verdicts):
    assert verdicts["nda_no_solicitation"].label == "NotMentioned"


def contract_nli_json(path):
    """A two-NDA file in ContractNLI's layout (our own text)."""
    documents = []
    for number, texts in enumerate((NDA, NDA[:3])):
        text, spans = "", []
        for sentence in texts:
            spans.append([len(text), len(text) + len(sentence)])
            text += sentence + "\n"
        annotations = {h.key: {"choice": "NotMentioned", "spans": []} for h in HYPOTHESES}
        if len(texts) > 4:
            annotations["nda-11"] = {"choice": "Entailment", "spans": [3]}
        documents.append({"id": 900 + number, "file_name": f"nda-{number}.txt", "text": text, "spans": spans,
                          "annotation_sets": [{"annotations": annotations}]})
    path.write_text(json.dumps({"documents": documents, "labels": {h.key: {"short_description": h.short_description,
                                                                              "hypothesis": h.text} for h in HYPOTHESES}}))
    return path


def test_eval_contract_nli_prints_the_papers_metrics_as_json(tmp_path, capsys):
    from risk_copilot.cli import main

    data = contract_nli_json(tmp_path / "nli.json")
    assert main(["eval", "contract-nli", "--data", str(data), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert set(report) == {"accuracy", "f1", "evidence_map", "documents"} and report["documents"] == 2
    assert set(report["f1"]) == {"Entailment", "Contradiction", "NotMentioned"}
    assert report["evidence_map"] == 1.0  # the one annotated pair: the reverse-engineering clause ranked first
    assert report["f1"]["Entailment"] > 0  # the reverse-engineering pair is labelled Entailment
    assert report["accuracy"] > 0.5  # most hypotheses of the toy NDAs are not mentioned, and are found so


def test_eval_contract_nli_refuses_a_bad_file_in_one_line(tmp_path, capsys):
    from risk_copilot.cli import main

    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    assert main(["eval", "contract-nli", "--data", str(bad)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: bad_input:") and err.count("\n") == 1
