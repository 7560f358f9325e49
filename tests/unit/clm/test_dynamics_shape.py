from clm_core.erp.dynamics_shape import purchase_agreement_header, purchase_agreement_lines

PAYLOAD = {"contract_number": "PC-000001", "vendor_code": "MERIDIAN", "currency": "USD",
           "effective_date": "2026-02-01", "expiry_date": "2028-02-01",
           "lines": [{"line_no": 1, "item": "TIP", "description": "Tips", "unit": "rack", "unit_price": "6.4",
                      "quantity": "18000"}]}


def test_header_and_lines():
    header = purchase_agreement_header(PAYLOAD, company="usmf")
    assert header["PurchaseAgreementId"] == "PC-000001" and header["AgreementStatus"] == "Effective"
    assert header["VendorAccountNumber"] == "MERIDIAN" and header["ExpirationDate"] == "2028-02-01"
    (line,) = purchase_agreement_lines(PAYLOAD, company="usmf")
    assert (line["ItemNumber"], line["CommittedQuantity"], line["PurchasePrice"]) == ("TIP", 18000.0, 6.4)
