"""Jurisdictions, party roles, acting party and polarity."""


import pytest

from risk_copilot.extract import (acting_parties, acting_party, find_jurisdictions,
                                  find_party_roles, governing_law_jurisdictions, modality,
                                  polarity)
from risk_copilot.extract.jurisdictions import CANADIAN_PROVINCES, US_STATES
from tests.shared_data import read_case


@pytest.mark.parametrize("text,name,kind", [
    ("governed by the laws of the State of New York", "New York", "us_state"),
    ("the laws of the Commonwealth of Massachusetts govern this Agreement", "Massachusetts", "us_state"),
    ("Massachusetts law governs this Agreement", "Massachusetts", "us_state"),
    ("governed by the laws of England and Wales", "England and Wales", "country"),
    ("The laws of the Republic of Seychelles govern this Agreement", "Seychelles", "country"),
    ("Delaware law shall govern this Agreement", "Delaware", "us_state"),
    ("construed in accordance with the laws of the Province of Ontario", "Ontario", "province"),
    ("THIS AGREEMENT SHALL BE GOVERNED BY THE LAWS OF THE STATE OF CALIFORNIA", "California", "us_state"),
    ("governed by the laws of the People's Republic of China", "China", "country"),
    ("governed by the laws of Hong Kong", "Hong Kong", "country"),
])
def test_governing_law(text, name, kind):
    (j,) = governing_law_jurisdictions(text)
    assert (j.name, j.kind) == (name, kind)
    assert text[j.start:j.end] == j.text


def test_venue_and_other_places():
    (j,) = find_jurisdictions("the courts of Singapore have exclusive jurisdiction")
    assert (j.name, j.context) == ("Singapore", "venue")
    names = [j.name for j in find_jurisdictions("a Cayman Islands company, the British Virgin Islands")]
    assert names == ["Cayman Islands", "British Virgin Islands"]


def test_every_state_and_province_is_found():
    for name in US_STATES + CANADIAN_PROVINCES:
        found = find_jurisdictions(f"the laws of {name} govern")
        assert found and found[-1].context == "governing_law", name


def test_incorporation_is_not_governing_law():
    preamble = ("between Lakeshore Bio Ltd., a corporation organized under the laws of the "
                "Province of Ontario (\"Customer\"), and Meridian Lab Supply Co., a Massachusetts "
                "corporation (\"Supplier\")")
    found = find_jurisdictions(preamble)
    assert [(j.name, j.context) for j in found] == [("Ontario", "incorporation"),
                                                    ("Massachusetts", "incorporation")]
    assert governing_law_jurisdictions(preamble) == []


def test_lower_case_words_are_not_countries():
    assert find_jurisdictions("made of china, roast turkey and a jersey") == []


def test_governing_law_in_cases():
    assert [j.name for j in governing_law_jurisdictions(read_case("base-procurement.md"))] == ["Massachusetts"]
    assert [j.name for j in governing_law_jurisdictions(read_case("base-nda.md"))] == ["Massachusetts"]
    sey = governing_law_jurisdictions(read_case("nda-governing-law.md"))
    assert [j.name for j in sey] == ["Seychelles"]


def test_party_roles_procurement():
    roles = find_party_roles(read_case("base-procurement.md"))
    (cust,) = roles.by_role("customer")
    (supp,) = roles.by_role("supplier")
    assert (cust.alias, cust.name) == ("Customer", "Lakeshore Bio Ltd.")
    assert (supp.alias, supp.name) == ("Supplier", "Meridian Lab Supply Co.")
    assert roles.role_of("the Supplier") == "supplier"
    assert roles.role_of("Either party") == "mutual"


def test_party_roles_nda():
    roles = find_party_roles(read_case("base-nda.md"))
    assert {p.alias: p.role for p in roles.parties} == {
        "Lakeshore": "party", "Granite Peak": "party", "Discloser": "discloser", "Recipient": "recipient"}
    assert roles.role_of("Granite Peak Software Inc.") == "party"


def test_party_roles_company_opposed_to_vendor():
    text = ('This Agreement is made between Acme Corp., a Delaware corporation (the "Company"), '
            'and Widget Works LLC ("Vendor").\n\n1. Services.')
    roles = find_party_roles(text)
    assert {p.alias: p.role for p in roles.parties} == {"Company": "customer", "Vendor": "supplier"}


@pytest.mark.parametrize("text,role", [
    ("Supplier may terminate this Agreement at any time.", "supplier"),
    ("Customer will pay each correct invoice within thirty (30) days.", "customer"),
    ("Either party may end this Agreement if the other commits a material breach.", "mutual"),
    ("Each party will keep confidential the non-public information it receives.", "mutual"),
    ("Neither party will assign this Agreement.", "mutual"),
    ("The parties will meet quarterly.", "mutual"),
    ("The Recipient will use Confidential Information only for the Project.", "recipient"),
    ("If Customer questions an invoice in good faith, it may hold back the amount.", "customer"),
    ("In no event shall Supplier be liable for lost profits.", "supplier"),
    ("This clause has no modal verb.", None),
])
def test_acting_party(text, role):
    assert acting_party(text) == role


def test_acting_parties_several_subjects():
    tfc = ("Customer may terminate this Agreement at any time without cause by giving Supplier "
           "forty-five (45) days' written notice. Supplier may also terminate this Agreement at "
           "any time without cause by giving Customer ten (10) days' written notice.")
    found = acting_parties(tfc)
    assert [(r, m) for r, m, _ in found] == [("customer", "may"), ("supplier", "may")]
    assert tfc[found[1][2]:].startswith("may also")


def test_acting_party_with_defined_short_names():
    roles = find_party_roles(read_case("base-nda.md"))
    assert acting_party("Lakeshore will pay its own costs.", roles) == "party"


@pytest.mark.parametrize("text,expected", [
    ("Customer has no obligation to buy any minimum volume or value of Products or Services.", "negative"),
    ("Customer commits to buy Products and Services worth at least USD 5,000,000 in each year", "positive"),
    ("Supplier shall not subcontract.", "negative"), ("Supplier will not subcontract.", "negative"),
    ("Customer may not assign.", "negative"), ("Supplier must not disclose it.", "negative"),
    ("Customer is not required to buy anything.", "negative"),
    ("The Recipient need not return copies in backups.", "negative"),
    ("Nothing in this Agreement shall limit either party's rights.", "negative"),
    ("Neither party will be liable for indirect damages.", "negative"),
    ("In no event shall Supplier be liable for lost profits.", "negative"),
    ("Supplier shall deliver the Products.", "positive"), ("Customer may terminate.", "positive"),
    ("Prices stay fixed.", "positive"),
])
def test_polarity(text, expected):
    assert polarity(text) == expected


def test_modality_fields():
    (m,) = modality("Supplier may not agree to a settlement without consent.")
    assert (m.subject, m.modal, m.negated, m.text) == ("Supplier", "may", True, "may not")
    assert modality("This Agreement is effective May 5, 2020, at will.") == []


def test_polarity_about_a_topic():
    clause = ("Customer may share forecasts from time to time. Customer has no obligation to buy "
              "any minimum volume or value of Products or Services.")
    assert polarity(clause) == "positive"
    assert polarity(clause, about="minimum") == "negative"
