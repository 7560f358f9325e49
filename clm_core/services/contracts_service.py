"""Authoring and editing contracts: vendors, drafts from templates, versions, documents, team."""

from __future__ import annotations

import hashlib
import uuid
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from clm_core import actions as A
from clm_core.authoring import AssembledContract, ClauseText, IncludeRule, assemble
from clm_core.contract_terms import NDA_KINDS, LineItem, total_value, validate_attributes, validate_lines
from clm_core.errors import ConcurrencyConflict, InvalidTransition, NotFound, PermissionDenied, ValidationFailed
from clm_core.permissions import require, require_view
from clm_core.services.context import Service, Transaction, sha256_text
from clm_core.outbox import enqueue
from clm_core.statuses import AgreementStatus, ContractStatus
from clm_core.store import tables as t
from clm_core.views import ContractView, contract_view


def add_years(d: date, years: int) -> date:
    try:
        return d.replace(year=d.year + years)
    except ValueError:  # 29 February
        return d.replace(year=d.year + years, day=28)


class ContractService(Service):
    # --- master data ------------------------------------------------------------------
    def create_vendor(self, actor: str, *, code: str, name: str, legal_description: str = "a corporation",
                      contact_name: str = "", contact_email: str = "", currency: str = "USD") -> int:
        with self.tx() as tx:
            user = tx.repos.directory.user(actor)
            require(tx.repos, user, A.VENDOR_MANAGE)
            if tx.repos.directory.vendor_by_code(user.organisation_id, code):
                raise ValidationFailed(f"vendor {code} already exists", code="duplicate_vendor")
            if tx.repos.directory.currency(currency) is None:
                raise ValidationFailed(f"unknown currency {currency}")
            vendor = t.Vendor(organisation_id=user.organisation_id, code=code, name=name,
                              legal_description=legal_description, contact_name=contact_name,
                              contact_email=contact_email, currency=currency)
            tx.session.add(vendor)
            tx.flush()
            tx.audit(actor, "vendor.created", "vendor", vendor.code, name=name, organisation=user.organisation_id)
            return vendor.id

    # --- authoring ----------------------------------------------------------------------
    def create_contract(self, actor: str, *, template_key: str, title: str, vendor_id: int,
                        attributes: dict[str, Any], effective_date: date, lines: list[dict] | None = None,
                        variant_choices: dict[str, str] | None = None, expiry_date: date | None = None,
                        currency: str = "USD") -> ContractView:
        with self.tx() as tx:
            user = tx.repos.directory.user(actor)
            require(tx.repos, user, A.CONTRACT_CREATE)
            template = tx.repos.catalog.template(template_key)
            ctype = tx.repos.catalog.contract_type(template.contract_type)
            vendor = tx.repos.directory.vendor(vendor_id)
            if vendor.organisation_id != user.organisation_id:  # the same answer as a missing vendor: no leak
                raise NotFound(f"vendor {vendor_id} not found")
            contract = t.Contract(
                number=f"new-{uuid.uuid4().hex[:24]}", organisation_id=user.organisation_id,
                contract_type=ctype.code, template_key=template.key, title=title,
                status=ContractStatus.DRAFT.value, owner_id=user.id, vendor_id=vendor.id, currency=currency.upper(),
                attributes={}, variant_choices=dict(variant_choices or {}), effective_date=effective_date,
                created_at=tx.now, updated_at=tx.now)
            tx.session.add(contract)
            self._apply_terms(tx, contract, ctype, attributes, lines or [], expiry_date)
            tx.flush()
            contract.number = tx.repos.contracts.number_for(ctype.code, contract.id)  # id-based: no race
            tx.session.add(t.TeamMember(contract_id=contract.id, user_id=user.id, role="owner"))
            assembled = self._assemble(tx, contract, vendor)
            self._new_version(tx, contract, assembled.markdown, user, "created from template",
                              sections=assembled.sections, applied_rules=assembled.applied_rules)
            tx.audit(actor, "contract.created", "contract", contract.number, template=template.key,
                     template_version=template.version, vendor=vendor.code, total_value=str(contract.total_value),
                     lines=len(contract.lines), applied_rules=assembled.applied_rules)
            return contract_view(contract)

    def _apply_terms(self, tx: Transaction, contract: t.Contract, ctype: t.ContractType, attributes: dict[str, Any],
                     lines: list[dict | LineItem], expiry_date: date | None) -> None:
        attrs = validate_attributes(ctype.attributes, attributes)
        if ctype.has_lines:
            parsed = [LineItem.parse(ln, contract.currency) for ln in lines]
            validate_lines(parsed, contract.currency)
            contract.lines = [t.ContractLine(line_no=i, item=ln.item, description=ln.description, unit=ln.unit,
                                             unit_price=ln.unit_price, quantity=ln.quantity, currency=ln.currency)
                              for i, ln in enumerate(parsed, start=1)]
            contract.total_value = total_value(parsed)
        else:
            if lines:
                raise ValidationFailed(f"a {ctype.code} contract has no line items")
            contract.lines = []
            contract.total_value = Decimal("0")
        if ctype.code == "nda":
            if attrs.get("nda_kind") not in NDA_KINDS:
                raise ValidationFailed("nda_kind must be mutual or one_way")
            contract.nda_kind = attrs["nda_kind"]
        contract.attributes = attrs
        if expiry_date is None and contract.expiry_date is None and attrs.get("term_years"):
            expiry_date = add_years(contract.effective_date, int(attrs["term_years"]))
        if expiry_date is not None:
            if expiry_date <= contract.effective_date:
                raise ValidationFailed("the expiry date must be after the effective date")
            contract.expiry_date = expiry_date
        contract.renewal_notice_days = attrs.get("renewal_notice_days")

    def _assemble(self, tx: Transaction, contract: t.Contract, vendor: t.Vendor) -> AssembledContract:
        template = tx.repos.catalog.template(contract.template_key)
        clauses = {(c.key, c.variant): ClauseText(c.key, c.variant, c.heading, c.body, c.category)
                   for c in tx.repos.catalog.clauses(contract.contract_type)}
        rules = [IncludeRule(r.key, r.condition, r.params["clause"], r.params.get("variant"))
                 for r in tx.repos.catalog.rules(contract.contract_type, "include_clause")]
        lines = [LineItem(ln.item, ln.description, ln.unit, Decimal(ln.unit_price), Decimal(ln.quantity), ln.currency)
                 for ln in contract.lines]
        values = dict(contract.attributes)
        values.update(vendor_name=vendor.name, effective_date=contract.effective_date,
                      expiry_date=contract.expiry_date, total_value=contract.total_value, currency=contract.currency)
        if vendor.legal_description:
            values["supplier_description"] = vendor.legal_description
            values["party_b_description"] = vendor.legal_description
        return assemble(template.spec, clauses, rules, values, lines, contract.variant_choices or {})

    def _terms_snapshot(self, contract: t.Contract) -> dict[str, Any]:
        return {
            "attributes": dict(contract.attributes), "variant_choices": dict(contract.variant_choices or {}),
            "lines": [LineItem(ln.item, ln.description, ln.unit, Decimal(ln.unit_price), Decimal(ln.quantity),
                               ln.currency).to_json() for ln in contract.lines],
            "total_value": str(contract.total_value),
            "effective_date": contract.effective_date.isoformat() if contract.effective_date else None,
            "expiry_date": contract.expiry_date.isoformat() if contract.expiry_date else None,
        }

    def _new_version(self, tx: Transaction, contract: t.Contract, markdown: str, user: t.User, note: str,
                     **extra: Any) -> t.ContractVersion:
        contract.current_version_no += 1
        contract.updated_at = tx.now
        version = t.ContractVersion(contract_id=contract.id, version_no=contract.current_version_no,
                                    body_markdown=markdown, sha256=sha256_text(markdown),
                                    terms={**self._terms_snapshot(contract), **extra}, author_id=user.id,
                                    note=note, created_at=tx.now)
        tx.session.add(version)
        tx.audit(user.username, "contract.version_created", "contract", contract.number,
                 version_no=version.version_no, sha256=version.sha256, note=note)
        return version

    # --- editing ------------------------------------------------------------------------
    def _editable(self, tx: Transaction, actor: str, contract_id: int,
                  if_version: int | None = None) -> tuple[t.User, t.Contract]:
        user = tx.repos.directory.user(actor)
        contract = tx.repos.contracts.get(contract_id)
        require(tx.repos, user, A.CONTRACT_EDIT, organisation_id=contract.organisation_id)
        if if_version is not None and if_version != contract.lock_version:
            raise ConcurrencyConflict("the contract changed since you read it; reload and retry",
                                      details={"expected": if_version, "current": contract.lock_version})
        if contract.status != ContractStatus.DRAFT:
            raise InvalidTransition(f"only a Draft can be edited; the contract is {contract.status}",
                                    code="not_editable", details={"status": contract.status})
        return user, contract

    def edit_terms(self, actor: str, contract_id: int, *, attributes: dict[str, Any] | None = None,
                   lines: list[dict] | None = None, add_lines: list[dict] | None = None,
                   variant_choices: dict[str, str] | None = None, expiry_date: date | None = None,
                   note: str = "terms edited", if_version: int | None = None) -> ContractView:
        """Change attribute values, lines, clause variants or dates; the text is re-assembled."""
        with self.tx() as tx:
            user, contract = self._editable(tx, actor, contract_id, if_version)
            ctype = tx.repos.catalog.contract_type(contract.contract_type)
            current = [LineItem(ln.item, ln.description, ln.unit, Decimal(ln.unit_price), Decimal(ln.quantity),
                                ln.currency) for ln in contract.lines]
            new_lines: list = list(lines) if lines is not None else current
            new_lines = new_lines + list(add_lines or [])
            merged_attrs = {**contract.attributes, **(attributes or {})}
            if variant_choices:
                contract.variant_choices = {**(contract.variant_choices or {}), **variant_choices}
            self._apply_terms(tx, contract, ctype, merged_attrs, new_lines, expiry_date)
            tx.flush()
            tx.session.refresh(contract, ["lines"])
            assembled = self._assemble(tx, contract, tx.repos.directory.vendor(contract.vendor_id))
            previous = tx.repos.contracts.version(contract.id, contract.current_version_no)
            if assembled.markdown == previous.body_markdown and self._terms_snapshot(contract)["lines"] == \
                    previous.terms.get("lines"):
                raise ValidationFailed("the edit changes nothing", code="no_change")
            self._new_version(tx, contract, assembled.markdown, user, note, sections=assembled.sections,
                              applied_rules=assembled.applied_rules)
            return contract_view(contract)

    def edit_text(self, actor: str, contract_id: int, markdown: str, *, note: str = "text edited",
                  if_version: int | None = None) -> ContractView:
        """Replace the negotiated text directly (a later ``edit_terms`` re-assembles from the template)."""
        with self.tx() as tx:
            user, contract = self._editable(tx, actor, contract_id, if_version)
            previous = tx.repos.contracts.version(contract.id, contract.current_version_no)
            if not markdown.strip():
                raise ValidationFailed("the contract text is empty")
            if markdown == previous.body_markdown:
                raise ValidationFailed("the edit changes nothing", code="no_change")
            self._new_version(tx, contract, markdown, user, note, manual_text=True)
            return contract_view(contract)

    # --- reading --------------------------------------------------------------------------
    def _viewable(self, tx: Transaction, actor: str, contract_id: int) -> t.Contract:
        user = tx.repos.directory.user(actor)
        contract = tx.repos.contracts.get(contract_id)
        require_view(tx.repos, user, contract)
        return contract

    def get(self, actor: str, contract_id: int) -> ContractView:
        with self.tx() as tx:
            return contract_view(self._viewable(tx, actor, contract_id))

    def text(self, actor: str, contract_id: int, version_no: int | None = None) -> str:
        with self.tx() as tx:
            contract = self._viewable(tx, actor, contract_id)
            return tx.repos.contracts.version(contract.id, version_no or contract.current_version_no).body_markdown

    def versions(self, actor: str, contract_id: int) -> list[dict[str, Any]]:
        with self.tx() as tx:
            contract = self._viewable(tx, actor, contract_id)
            return [{"version_no": v.version_no, "sha256": v.sha256, "note": v.note, "created_at": v.created_at,
                     "author_id": v.author_id, "terms": v.terms} for v in tx.repos.contracts.versions(contract.id)]

    def status_history(self, actor: str, contract_id: int) -> list[tuple[str, str, str, str]]:
        with self.tx() as tx:
            contract = self._viewable(tx, actor, contract_id)
            return [(h.action, h.from_status, h.to_status, h.actor) for h in tx.repos.contracts.history(contract.id)]

    def redline(self, actor: str, contract_id: int, from_version: int, to_version: int):
        from clm_core.redline import diff_words

        with self.tx() as tx:
            contract = self._viewable(tx, actor, contract_id)
            a = tx.repos.contracts.version(contract.id, from_version).body_markdown
            b = tx.repos.contracts.version(contract.id, to_version).body_markdown
            return diff_words(a, b)

    def export_redline_docx(self, actor: str, contract_id: int, from_version: int, to_version: int) -> bytes:
        from clm_core.redline_docx import tracked_changes_docx

        with self.tx() as tx:
            contract = self._viewable(tx, actor, contract_id)
            older = tx.repos.contracts.version(contract.id, from_version)
            newer = tx.repos.contracts.version(contract.id, to_version)
            author = tx.repos.directory.user_by_id(newer.author_id)
            return tracked_changes_docx(older.body_markdown, newer.body_markdown,
                                        author=author.display_name, date=newer.created_at)

    def export_docx(self, actor: str, contract_id: int, version_no: int | None = None) -> bytes:
        from clm_core.docx_render import markdown_to_docx

        with self.tx() as tx:
            contract = self._viewable(tx, actor, contract_id)
            version = tx.repos.contracts.version(contract.id, version_no or contract.current_version_no)
            return markdown_to_docx(version.body_markdown)

    # --- documents and team --------------------------------------------------------------
    def attach_document(self, actor: str, contract_id: int, *, name: str, content: bytes,
                        media_type: str = "application/octet-stream") -> str:
        with self.tx() as tx:
            user = tx.repos.directory.user(actor)
            contract = tx.repos.contracts.get(contract_id)
            require(tx.repos, user, A.DOCUMENT_ATTACH, organisation_id=contract.organisation_id)
            digest = hashlib.sha256(content).hexdigest()
            tx.session.add(t.AttachedDocument(contract_id=contract.id, name=name, media_type=media_type,
                                              sha256=digest, content=content, uploaded_by=user.id,
                                              uploaded_at=tx.now))
            tx.audit(actor, "document.attached", "contract", contract.number, name=name, sha256=digest)
            return digest

    def documents(self, actor: str, contract_id: int) -> list[dict[str, Any]]:
        with self.tx() as tx:
            contract = self._viewable(tx, actor, contract_id)
            rows = tx.session.scalars(select(t.AttachedDocument).where(t.AttachedDocument.contract_id == contract.id)
                                      .order_by(t.AttachedDocument.id))
            return [{"id": d.id, "name": d.name, "media_type": d.media_type, "sha256": d.sha256,
                     "size": len(d.content), "uploaded_at": d.uploaded_at} for d in rows]

    def document_content(self, actor: str, contract_id: int, document_id: int) -> tuple[str, str, bytes]:
        with self.tx() as tx:
            contract = self._viewable(tx, actor, contract_id)
            doc = tx.session.get(t.AttachedDocument, document_id)
            if doc is None or doc.contract_id != contract.id:
                raise NotFound(f"document {document_id} not found on this contract")
            return doc.name, doc.media_type, doc.content

    def add_team_member(self, actor: str, contract_id: int, username: str, role: str) -> None:
        with self.tx() as tx:
            user = tx.repos.directory.user(actor)
            contract = tx.repos.contracts.get(contract_id)
            require(tx.repos, user, A.CONTRACT_EDIT, organisation_id=contract.organisation_id)
            member = tx.repos.directory.user(username)
            if member.organisation_id != contract.organisation_id:
                raise PermissionDenied("team members must belong to the contract's organisation")
            tx.session.merge(t.TeamMember(contract_id=contract.id, user_id=member.id, role=role))
            tx.audit(actor, "team.member_added", "contract", contract.number, user=username, role=role)

    def team(self, actor: str, contract_id: int) -> list[tuple[str, str]]:
        with self.tx() as tx:
            contract = self._viewable(tx, actor, contract_id)
            rows = tx.session.execute(select(t.User.username, t.TeamMember.role).join(
                t.TeamMember, t.TeamMember.user_id == t.User.id).where(t.TeamMember.contract_id == contract.id))
            return sorted((u, r) for u, r in rows)

    # --- hold / cancel -------------------------------------------------------------------
    def hold(self, actor: str, contract_id: int, reason: str) -> ContractView:
        return self._simple_move(actor, contract_id, "hold", A.CONTRACT_HOLD, reason, "hold")

    def release_hold(self, actor: str, contract_id: int) -> ContractView:
        return self._simple_move(actor, contract_id, "release_hold", A.CONTRACT_HOLD, None, None)

    def cancel(self, actor: str, contract_id: int, reason: str) -> ContractView:
        return self._simple_move(actor, contract_id, "cancel", A.CONTRACT_CANCEL, reason, None)

    def _simple_move(self, actor: str, contract_id: int, action: str, permission: str, reason: str | None,
                     reason_kind: str | None) -> ContractView:
        with self.tx() as tx:
            user = tx.repos.directory.user(actor)
            contract = tx.repos.contracts.get(contract_id)
            require(tx.repos, user, permission, organisation_id=contract.organisation_id)
            if reason_kind:
                tx.repos.directory.reason(reason, reason_kind)
            before = contract.status
            after = tx.move(contract, action, actor, reason)
            if contract.contract_type == "procurement" and ContractStatus.EXECUTED in (before, after):
                # holding an executed contract puts its purchase agreement on hold, and back
                wanted = AgreementStatus.ON_HOLD if after == ContractStatus.ON_HOLD else AgreementStatus.EFFECTIVE
                enqueue(tx.session, topic="contract.status", now=tx.now,
                        idempotency_key=f"{contract.number}:{action}:{tx.now.isoformat()}",
                        payload={"contract_number": contract.number, "agreement_status": wanted.value})
            return contract_view(contract)
