"""Reference labels for contract-type detection on the shared corpora.

CUAD file names end with the agreement's own name. We count as **procurement** what the
procurement playbook (buyer/supplier, delivery, acceptance, warranties, payment,
liability) is written for: supply, manufacturing, purchase, services, maintenance,
outsourcing, consulting, hosting, transportation/logistics, distribution and resale
(the distributor buys the goods). Licences, franchises, joint ventures,
collaborations, co-branding, endorsements, sponsorships, affiliate/marketing/promotion,
agency (mostly securities placement agents in CUAD), development-and-licence deals,
IP, non-compete, joint filing and similar are **other**. A name that mixes both takes
the first-named kind. ContractNLI documents are all NDAs.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

PROCUREMENT_WORDS = (
    "supply", "manufacturing", "purchase", "service", "maintenance", "outsourcing", "consulting", "hosting",
    "transportation", "distribut", "reseller", "logistics", "servicing", "operations",
)
OTHER_WORDS = (
    "licen", "franchise", "joint venture", "collaboration", "co-branding", "cobranding", "endorsement", "sponsorship",
    "affiliate", "marketing", "promotion", "agency", "strategic alliance", "cooperation", "intellectual property",
    "non-compet", "noncompet", "joint filing", "development", "content", "publishing", "web site", "website",
    "ip agreement", "trademark", "alliance", "investment",
)


def cuad_label(file_name: str) -> str:
    name = file_name.lower().rsplit(".", 1)[0]
    name = re.split(r"ex-\d[\da-z.()]*[-_ ]", name)[-1]  # keep the agreement name after the exhibit number
    if any(w in name for w in ("non-disclosure", "nondisclosure", "confidentiality agreement", "confidentiality and non-use")):
        return "nda"
    hits = []
    for kind, words in (("procurement", PROCUREMENT_WORDS), ("other", OTHER_WORDS)):
        positions = [name.find(w) for w in words if w in name]
        if positions:
            hits.append((min(positions), kind))
    return min(hits)[1] if hits else "other"


def contract_nli_texts(shared: Path, files=("dev.json", "test_a.json")) -> list[tuple[str, str]]:
    """``(file name, text)`` of every ContractNLI document."""
    out = []
    for name in files:
        data = json.loads((shared / "corpora" / "contract-nli" / name).read_text(encoding="utf-8"))
        for doc in data["documents"]:
            out.append((f"{Path(name).stem}-{doc['id']}-{Path(doc['file_name']).stem}.txt", doc["text"]))
    return out


def write_contract_nli_folder(shared: Path, dest: Path) -> list[Path]:
    """Write every ContractNLI document as a .txt file under ``dest`` (a temp folder, never the repo)."""
    dest.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, text in contract_nli_texts(shared):
        path = dest / name
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    return paths
