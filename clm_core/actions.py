"""The actions the service layer checks against the seeded role-action mapping."""

from __future__ import annotations

CONTRACT_VIEW = "contract.view"
CONTRACT_CREATE = "contract.create"
CONTRACT_EDIT = "contract.edit"
CONTRACT_SUBMIT = "contract.submit"
CONTRACT_CANCEL = "contract.cancel"
CONTRACT_HOLD = "contract.hold"
APPROVAL_DECIDE = "approval.decide"
RISK_ACCEPT = "risk.accept"
SIGNATURE_SEND = "signature.send"
SIGNATURE_SIGN = "signature.sign"
SIGNATURE_VOID = "signature.void"
CONTRACT_AMEND = "contract.amend"
CONTRACT_TERMINATE = "contract.terminate"
CONTRACT_RENEW = "contract.renew"
DOCUMENT_ATTACH = "document.attach"
VENDOR_MANAGE = "vendor.manage"
MASTER_DATA_MANAGE = "master_data.manage"
REPORT_VIEW = "report.view"
RELEASE_ORDER_CREATE = "release_order.create"
AUDIT_VERIFY = "audit.verify"

ALL_ACTIONS = frozenset(v for k, v in dict(globals()).items() if k.isupper() and isinstance(v, str))
