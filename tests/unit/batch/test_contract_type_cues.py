from risk_copilot.contract_type import confidentiality_density, title_cues


def test_title_names_the_agreement():
    assert title_cues("MUTUAL NON-DISCLOSURE AGREEMENT\nThis Agreement...")["nda"] == 1.0
    assert title_cues("Exhibit 10.1\n\nMANUFACTURING AND SUPPLY AGREEMENT\n")["procurement"] == 1.0
    assert title_cues("TRADEMARK LICENSE AGREEMENT between A and B")["other"] == 1.0
    assert title_cues("CONFIDENTIALITY AGREEMENT\n")["nda"] == 1.0


def test_first_named_agreement_wins_over_later_references():
    cues = title_cues("LICENSE AGREEMENT\n\nThis License Agreement supplements the Supply Agreement dated ...")
    assert cues["other"] == 1.0 and cues["procurement"] == 0.4


def test_no_cue_beyond_the_title_window():
    assert title_cues("x " * 400 + "SUPPLY AGREEMENT") == {"nda": 0.0, "procurement": 0.0, "other": 0.0}


def test_confidentiality_density_per_thousand_words():
    assert confidentiality_density("Confidential Information " + "word " * 98) == 10.0
    assert confidentiality_density("goods and services " * 100) == 0.0
