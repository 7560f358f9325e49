"""The outbox payloads in the shape of Dynamics 365 SCM purchase-agreement OData entities.

Used by an external connector that posts to D365; the built-in ledger does not need it.
Entity and field names follow the public ``PurchaseAgreementHeaders`` /
``PurchaseAgreementLines`` data entities.
"""

from __future__ import annotations

from typing import Any

AGREEMENT_STATUS = {"Effective": "Effective", "OnHold": "OnHold", "Closed": "Closed"}


def purchase_agreement_header(payload: dict[str, Any], *, company: str, classification: str = "Standard",
                              status: str = "Effective") -> dict[str, Any]:
    return {
        "dataAreaId": company,
        "PurchaseAgreementId": payload["contract_number"],
        "VendorAccountNumber": payload["vendor_code"],
        "CurrencyCode": payload["currency"],
        "PurchaseAgreementClassification": classification,
        "AgreementStatus": AGREEMENT_STATUS[status],
        "EffectiveDate": payload.get("effective_date"),
        "ExpirationDate": payload.get("expiry_date"),
        "DocumentTitle": payload["contract_number"],
    }


def purchase_agreement_lines(payload: dict[str, Any], *, company: str) -> list[dict[str, Any]]:
    return [{
        "dataAreaId": company,
        "PurchaseAgreementId": payload["contract_number"],
        "LineNumber": line["line_no"],
        "ItemNumber": line["item"],
        "LineDescription": line["description"],
        "PurchaseUnitSymbol": line["unit"],
        "CommitmentType": "ProductQuantityCommitment",
        "CommittedQuantity": float(line["quantity"]),
        "PurchasePrice": float(line["unit_price"]),
        "CurrencyCode": payload["currency"],
    } for line in payload["lines"]]
