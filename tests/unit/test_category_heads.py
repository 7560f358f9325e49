"""The category-head artefact: features, scoring, save/load with sha256 checks, and what
the engine reports from it."""

from __future__ import annotations

import json

import numpy as np
import pytest

from risk_copilot.category_heads import (
    LexicalFeaturizer, clause_terms, idf_weights, load_category_heads, merge_categories, reported_categories,
    save_category_heads,
)
from risk_copilot.errors import ReviewError


def tiny_heads(folder, *, threshold=0.5, blocks=("clause",), logit_weight=(0.0, 0.5)):
    vocabulary = ["governed", "laws", "governed by", "h:law", "insurance"]
    idf = idf_weights(np.array([2, 3, 2, 1, 1]), 4)
    lexical = np.zeros((5, 2 * len(blocks)), dtype=np.float32)
    lexical[[0, 1, 2, 3], 0] = 4.0   # governing_law, clause block
    lexical[4, 1] = 6.0              # insurance, clause block
    if "previous" in blocks:
        lexical[4, 2 * blocks.index("previous") + 1] = 3.0  # insurance after a clause naming insurance
    embedding = np.zeros((384, 2), dtype=np.float32)
    embedding[0, 1] = 2.0
    save_category_heads(folder, categories=["governing_law", "insurance"], vocabulary=vocabulary, idf=idf,
                        lexical_weights=lexical, lexical_blocks=blocks, embedding_weights=embedding,
                        embedding_bias=np.array([0.0, -1.0]), embedding_logit_weight=np.array(logit_weight),
                        bias=np.array([-2.0, -3.0]), thresholds=np.full(2, threshold), manifest={"seed": 1})
    return load_category_heads(folder)


def test_terms_are_words_bigrams_and_heading_terms():
    assert clause_terms("Governed by the laws of Delaware.", "Governing Law") == [
        "governed", "by", "the", "laws", "of", "delaware",
        "governed by", "by the", "the laws", "laws of", "of delaware", "h:governing", "h:law"]


def test_tfidf_rows_are_sublinear_and_unit_length():
    featurizer = LexicalFeaturizer({"a1": 0, "b2": 1}, np.array([1.0, 2.0], dtype=np.float32))
    matrix = featurizer.transform(["a1 a1 b2", "nothing known"]).toarray()
    expected = np.array([1 + np.log(2), 2.0])
    assert matrix[0] == pytest.approx(expected / np.linalg.norm(expected), rel=1e-6)
    assert not matrix[1].any()


def test_probabilities_are_the_logistic_of_the_lexical_logit_plus_the_weighted_embedding_logit(tmp_path):
    heads = tiny_heads(tmp_path)
    vectors = np.zeros((2, 384), dtype=np.float32)
    vectors[1, 0] = 1.0
    texts = ["This Agreement is governed by the laws of Delaware.", "Supplier keeps insurance."]
    probabilities = heads.probabilities(texts, ["Governing Law", None], vectors)
    lexical = heads.featurizer.transform(texts, ["Governing Law", None]).toarray()
    embedding_logits = np.clip(vectors @ heads.embedding_weights + heads.embedding_bias, -30, 30)
    logits = lexical @ heads.lexical_weights + embedding_logits * np.array([0.0, 0.5]) + heads.bias
    assert heads.uses_embedding
    assert probabilities == pytest.approx(1 / (1 + np.exp(-logits)), rel=1e-5)
    assert probabilities[0, 0] > 0.5 > probabilities[0, 1]
    assert probabilities[1, 1] > 0.5 > probabilities[1, 0]
    assert heads.probabilities([], [], np.zeros((0, 384))).shape == (0, 2)


def test_a_lexical_only_head_ignores_the_vectors(tmp_path):
    heads = tiny_heads(tmp_path, logit_weight=(0.0, 0.0))
    assert not heads.uses_embedding
    texts = ["Supplier keeps insurance."]
    assert heads.probabilities(texts, None, np.zeros((1, 0))) == pytest.approx(
        heads.probabilities(texts, None, np.ones((1, 384))))


def test_the_previous_block_scores_a_clause_by_the_clause_before_it(tmp_path):
    heads = tiny_heads(tmp_path, blocks=("clause", "previous"), logit_weight=(0.0, 0.0))
    texts = ["Supplier keeps insurance.", "It names the Buyer.", "It names the Buyer."]
    logits = heads.logits(texts, None, np.zeros((3, 0)))
    clause_only = tiny_heads(tmp_path / "plain", logit_weight=(0.0, 0.0)).logits(texts, None, np.zeros((3, 0)))
    assert logits[0] == pytest.approx(clause_only[0])          # nothing before the first clause
    assert logits[1, 1] == pytest.approx(clause_only[1, 1] + 3.0)  # after the insurance clause
    assert logits[2] == pytest.approx(clause_only[2])          # two clauses later: no effect
    assert heads.manifest["lexical_blocks"] == ["clause", "previous"]


def test_reported_categories_use_the_thresholds_and_merge_keeps_the_best_score(tmp_path):
    heads = tiny_heads(tmp_path, threshold=0.6)
    ranked = reported_categories(heads, np.array([[0.7, 0.9], [0.59, 0.1]]))
    assert ranked == [[("insurance", 0.9), ("governing_law", 0.7)], []]
    assert merge_categories([("governing_law", 0.8)], ranked[0]) == [("insurance", 0.9), ("governing_law", 0.8)]


def test_manifest_records_sha256_and_a_tampered_file_is_refused(tmp_path):
    heads = tiny_heads(tmp_path)
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    assert set(manifest["files"]) == {"heads.npz", "vocabulary.json"} and heads.version.startswith("cuad-heads@")
    assert manifest["seed"] == 1 and manifest["categories"] == ["governing_law", "insurance"]
    (tmp_path / "vocabulary.json").write_text(json.dumps(["x"] * 5))
    with pytest.raises(ReviewError) as err:
        load_category_heads(tmp_path)
    assert err.value.code == "model_invalid"
    with pytest.raises(ReviewError) as err:
        load_category_heads(tmp_path / "absent")
    assert err.value.code == "model_missing"


def test_the_committed_heads_load_and_cover_the_cuad_categories():
    from risk_copilot.settings import ReviewerSettings

    heads = load_category_heads(ReviewerSettings().category_heads_dir)
    assert len(heads.categories) == 41 and {"cap_on_liability", "governing_law", "anti_assignment"} <= set(heads.categories)
    assert heads.manifest["format"] == "cuad-heads/2" and len(heads.lexical_blocks) * 41 == heads.lexical_weights.shape[1]
    assert heads.embedding_weights.shape == (384, 41)
