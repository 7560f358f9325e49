"""The NDA hypothesis model: features, the ContractNLI metrics and split, loading with its
manifest, and the shipped model's verdicts on a small hand-written NDA."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pytest

from risk_copilot.evaluation.contract_nli import NliDocument, NliScores, document_fold, f1_per_label
from risk_copilot.nda_hypotheses import (
    CUES, HYPOTHESES, HYPOTHESIS_CUE_SLOTS, HYPOTHESIS_CUES, MODEL_DIR, RANKING_FEATURES, SUMMARY_SIZE, NdaHypothesisModel,
    SpanFeaturizer, TreeEnsemble, cue_matrix, document_summary, fit_vocabulary, lexical_similarities, prototype_similarities,
    ranking_features,
    shifted, span_structure, tokens,
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


def test_document_summary_reads_the_hypothesis_cues_anywhere_and_in_the_best_spans():
    names = [name for name, _ in CUES]
    j = [h.key for h in HYPOTHESES].index("nda-16")
    evidence = np.full((8, len(HYPOTHESES)), -5.0, np.float32)
    evidence[0, j] = 2.0  # the best span: a heading without cues
    cues = np.zeros((8, len(CUES)), np.float32)
    cues[7, names.index("return_on_termination")] = 1.0  # far from the best spans
    cues[0, names.index("return")] = 1.0
    summary = document_summary(evidence, np.zeros_like(evidence), cues)[j, -2 * HYPOTHESIS_CUE_SLOTS:]
    own = HYPOTHESIS_CUES["nda-16"]
    assert len(own) <= HYPOTHESIS_CUE_SLOTS and all(name in names for cues_of in HYPOTHESIS_CUES.values() for name in cues_of)
    assert summary[own.index("return_on_termination")] == 1.0  # anywhere in the document
    # among the 5 best spans (ties keep reading order: spans 0-4), "return" but not the termination cue
    assert summary[HYPOTHESIS_CUE_SLOTS + own.index("return")] == 1.0
    assert summary[HYPOTHESIS_CUE_SLOTS + own.index("return_on_termination")] == 0.0


def test_span_structure_finds_lead_ins_list_items_and_headings():
    texts = ["4. Return of Materials", "The Recipient agrees:", "(a) to return all copies;", "(b) to destroy all notes.",
             "Nothing else applies here at all, whatever the circumstances may be, as the parties agree."]
    structure = span_structure(texts)
    assert structure["lead"].tolist() == [0, 1, 0, 0, 0]
    assert structure["item"][2] == 1 and structure["item"][3] == 1 and structure["item"][4] == 0
    assert structure["heading"][0] == 1 and structure["heading"][4] == 0
    # the items hang from the lead-in, and so does the span right after the list (often its closing words)
    assert structure["lead_index"].tolist() == [-1, -1, 1, 1, 1]
    assert span_structure(texts + ["More prose."])["lead_index"][5] == -1
    assert structure["heading_index"].tolist() == [-1, 0, 0, 0, 0]


def test_ranking_features_and_prototype_similarities():
    rng = np.random.default_rng(0)
    vectors = rng.normal(size=(5, 8)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    prototypes = vectors[[1, 2]]
    similarities = prototype_similarities(vectors, prototypes, np.array([0, 0]))
    assert similarities.shape == (5, len(HYPOTHESES), 3)
    assert np.isclose(similarities[1, 0, 0], 1.0) and similarities[1, 1].tolist() == [0, 0, 0]  # no prototypes for column 1
    left_out = prototype_similarities(vectors, prototypes, np.array([0, 0]), np.array([7, 9]), 7)
    assert np.isclose(left_out[1, 0, 0], vectors[1] @ vectors[2])  # document 7's own span is left out
    evidence = rng.normal(size=(5, len(HYPOTHESES)))
    texts = ["Heading", "x:", "(a) y;", "(b) return all copies.", "w."]
    both = np.concatenate([similarities, np.zeros((5, len(HYPOTHESES), 2))], axis=2)
    rows = ranking_features(texts, evidence, np.zeros_like(evidence), both, cue_matrix(texts))
    assert rows.shape == (5 * len(HYPOTHESES), RANKING_FEATURES)
    assert rows[:, -1].tolist() == list(range(len(HYPOTHESES))) * 5  # span-major, the column number last
    assert np.allclose(rows[:, 0], evidence.ravel())
    j = [h.key for h in HYPOTHESES].index("nda-16")
    return_cue = 12 + 5 + HYPOTHESIS_CUES["nda-16"].index("return")
    assert rows[3 * len(HYPOTHESES) + j, return_cue] == 1.0  # the span's own "return" cue
    assert rows[2 * len(HYPOTHESES) + j, return_cue + HYPOTHESIS_CUE_SLOTS] == 1.0  # ... and the next span's


def test_lexical_similarities_are_tfidf_cosines_to_the_prototypes():
    vocabulary, idf = fit_vocabulary([["return or destroy", "return the materials", "governing law"]], min_df=1)
    featurizer = SpanFeaturizer(vocabulary, idf)
    prototype_rows = featurizer.lexical(["return or destroy", "", "governing law"])
    indptr = np.cumsum([0] + [len(i) for i, _ in prototype_rows])
    csr = (indptr, np.concatenate([i for i, _ in prototype_rows]), np.concatenate([v for _, v in prototype_rows]))
    spans = featurizer.lexical(["Return or destroy", "governing law", "zzz"])
    out = lexical_similarities(spans, len(vocabulary), csr, np.array([0, 0, 1]))
    assert out.shape == (3, len(HYPOTHESES), 2)
    assert np.isclose(out[0, 0, 0], 1.0) and np.isclose(out[1, 1, 0], 1.0) and out[2].max() == 0.0
    assert np.isclose(out[0, 0, 1], 0.5)  # mean of the best two of column 0 (1.0 and the empty prototype's 0.0)
    left_out = lexical_similarities(spans, len(vocabulary), csr, np.array([0, 0, 1]), np.array([3, 4, 4]), 3)
    assert left_out[0, 0, 0] == 0.0
    trailing_empty = featurizer.lexical(["return or destroy", "zzz"])  # a prototype without known words, last
    indptr = np.cumsum([0] + [len(i) for i, _ in trailing_empty])
    csr = (indptr, np.concatenate([i for i, _ in trailing_empty]), np.concatenate([v for _, v in trailing_empty]))
    assert np.isclose(lexical_similarities(spans, len(vocabulary), csr, np.array([0, 0]))[0, 0, 0], 1.0)


def test_tree_ensemble_walks_the_trees_like_scikit_learn():
    from sklearn.ensemble import HistGradientBoostingClassifier

    from risk_copilot.training.nda_nli import export_trees

    rng = np.random.default_rng(1)
    x = rng.normal(size=(600, 4))
    y = ((x[:, 0] > 0.2) ^ (x[:, 1] * x[:, 2] > 0)).astype(int)
    model = HistGradientBoostingClassifier(max_iter=20, max_leaf_nodes=7, random_state=0).fit(x, y)
    ensemble = export_trees(model)
    assert np.allclose(ensemble.decision(x), model.decision_function(x))
    again = TreeEnsemble.from_arrays(ensemble.arrays("t"), "t")
    assert np.array_equal(again.decision(x[:50]), ensemble.decision(x[:50]))
    assert ensemble.decision(np.zeros((0, 4))).shape == (0,)


def test_the_model_refuses_an_older_weights_format(tmp_path):
    shutil.copytree(MODEL_DIR, tmp_path / "m")
    manifest = json.loads((tmp_path / "m" / "manifest.json").read_text())
    manifest["format_version"] = 1
    (tmp_path / "m" / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(ValueError, match="format"):
        NdaHypothesisModel.load(tmp_path / "m")


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
