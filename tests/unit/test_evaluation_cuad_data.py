"""CUAD layout reading: name matching, annotation locating, clause labels, the split."""

from __future__ import annotations

import numpy as np

from risk_copilot.evaluation.cuad_data import (
    AnnotationLocator, load_cuad, name_key, overlap_labels, parse_cell, split_of, label_contracts,
)


def test_cells_are_python_lists_of_texts():
    assert parse_cell("[]") == [] and parse_cell("") == []
    assert parse_cell("['a clause', \"it's another\"]") == ["a clause", "it's another"]
    assert parse_cell("not a list") == ["not a list"]


def test_names_match_on_letters_and_digits():
    assert name_key("ACME & Co_ Supply Agreement.pdf") == name_key("ACME _ Co_ Supply Agreement.txt")


def test_locator_normalises_whitespace_case_and_punctuation_and_splits_omitted_gaps():
    text = "1. Term.\nThe  Agreement shall\n renew for one year.  Notice: “thirty (30) days” before expiry."
    locator = AnnotationLocator(text)
    [(start, end)] = locator.locate("the agreement shall renew for one year.")
    assert text[start:end] == "The  Agreement shall\n renew for one year."
    [(start, end)] = locator.locate('Notice: "thirty (30) days" before expiry')  # straight vs curly quotes
    assert text[start:end].startswith("Notice") and text[start:end].endswith("expiry")
    assert len(locator.locate("The Agreement shall<omitted>before expiry.")) == 2
    assert locator.locate("a sentence that is not in the contract at all") == []


def test_short_annotations_take_their_first_occurrence_long_ones_every_one():
    text = "ACME Corp. (\"ACME\") agrees. " + "ACME shall pay all invoices within thirty days of receipt. " * 2
    locator = AnnotationLocator(text)
    assert len(locator.locate("ACME")) == 1
    assert len(locator.locate("ACME shall pay all invoices within thirty days of receipt.")) == 2


def test_overlap_of_at_least_half_the_shorter_span():
    clauses = np.array([[0, 100], [100, 200], [200, 210]])
    # annotation 90..130: overlaps clause 0 by 10 (< half of 40), clause 1 by 30 (>= 20)
    assert overlap_labels(clauses, [(90, 130)]).tolist() == [False, True, False]
    # a long annotation over a short clause: the clause is the shorter span and lies inside it
    assert overlap_labels(clauses, [(150, 400)]).tolist() == [False, True, True]
    assert overlap_labels(clauses, []).tolist() == [False, False, False]


def test_split_is_stable_and_about_a_fifth():
    names = [f"contract-{i}.txt" for i in range(2000)]
    assert [split_of(n) for n in names] == [split_of(n) for n in names]
    share = sum(split_of(n) == "validation" for n in names) / len(names)
    assert 0.17 < share < 0.23


def test_load_and_label_a_small_cuad_folder(tmp_path):
    (tmp_path / "full_contract_txt").mkdir()
    contract = ("SUPPLY AGREEMENT\n\n1. Governing Law. This Agreement is governed by the laws of the State of "
                "New York.\n\n2. Assignment. Neither party may assign this Agreement without the prior written "
                "consent of the other party.\n\n3. Notices. Notices shall be in writing and sent by courier.\n")
    (tmp_path / "full_contract_txt" / "Acme_Supply Agreement.txt").write_text(contract)
    (tmp_path / "master_clauses.csv").write_text(
        "Filename,Governing Law,Governing Law-Answer,Anti-Assignment,Anti-Assignment-Answer\n"
        "\"Acme&Supply Agreement.pdf\",\"['This Agreement is governed by the laws of the State of New York.']\",Yes,"
        "\"['Neither party may assign this Agreement without the prior written consent of the other party.', "
        "'a text nowhere in the contract, long enough to count']\",Yes\n")
    dataset = load_cuad(tmp_path)
    assert dataset.categories == ["governing_law", "anti_assignment"] and not dataset.unmatched_rows
    [labelled] = label_contracts(dataset.contracts, dataset.categories, cache_dir=tmp_path / "cache")
    positives = {dataset.categories[j]: [labelled.clause_texts[i] for i in np.nonzero(labelled.labels[:, j])[0]]
                 for j in range(2)}
    assert len(positives["governing_law"]) == 1 and "New York" in positives["governing_law"][0]
    assert len(positives["anti_assignment"]) == 1 and "assign" in positives["anti_assignment"][0]
    assert (labelled.annotations, labelled.unlocated) == (3, 1)
    [again] = label_contracts(dataset.contracts, dataset.categories, cache_dir=tmp_path / "cache")  # from the cache
    assert again.clause_texts == labelled.clause_texts and (again.labels == labelled.labels).all()
