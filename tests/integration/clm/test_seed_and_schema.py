"""Seed loading is idempotent; migrations match the tables; the audit log refuses edits."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError

from clm_core.store import migrate
from clm_core.store import tables as t


def test_seed_twice_changes_nothing(clm):
    again = clm.seed()
    assert not again.changed
    with clm.context.session_factory() as s:
        assert s.scalar(select(func.count()).select_from(t.Clause)) == 34
        assert s.scalar(select(func.count()).select_from(t.Template)) == 2
        actions = set(s.scalars(select(t.RoleAction.action).where(t.RoleAction.role_code == "legal")))
        assert "risk.accept" in actions and "contract.create" not in actions
        seeds = s.scalar(select(func.count()).select_from(t.AuditEntry).where(t.AuditEntry.action == "seed.loaded"))
        assert seeds == 1


def test_seed_picks_up_edited_values(clm, tmp_path):
    import shutil

    seed_copy = tmp_path / "seed"
    shutil.copytree(clm.settings.seed_dir, seed_copy)
    reasons = (seed_copy / "reasons.yaml").read_text().replace("No budget for this commitment", "Budget exhausted")
    (seed_copy / "reasons.yaml").write_text(reasons)
    clm.settings.seed_dir = seed_copy
    report = clm.seed()
    assert report.updated == {"reasons": 1} and report.created == {}
    with clm.context.session_factory() as s:
        assert s.get(t.Reason, "budget").text == "Budget exhausted"


def test_migrations_match_tables(clm):
    assert migrate.schema_drift(clm.engine) == []
    with clm.engine.connect() as conn:
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == "0003"


def test_audit_log_is_append_only_in_the_database(clm):
    with pytest.raises(DBAPIError):
        with clm.engine.begin() as conn:
            conn.execute(text("UPDATE audit_log SET actor = 'mallory' WHERE seq = 1"))
    with pytest.raises(DBAPIError):
        with clm.engine.begin() as conn:
            conn.execute(text("DELETE FROM audit_log"))
    assert clm.verify_audit().ok


def test_action_removed_from_roles_yaml_is_revoked(clm, tmp_path, vendor_id):
    import shutil

    from clm_core.errors import PermissionDenied

    seed_copy = tmp_path / "seed"
    shutil.copytree(clm.settings.seed_dir, seed_copy)
    roles = (seed_copy / "roles.yaml").read_text()
    (seed_copy / "roles.yaml").write_text(roles.replace("signature.void, signature.sign, contract.amend",
                                                        "signature.sign, contract.amend"))
    clm.settings.seed_dir = seed_copy
    assert clm.seed().created == {"role_actions_revoked": 1}
    with clm.context.session_factory() as s:
        assert "signature.void" not in set(s.scalars(select(t.RoleAction.action).where(
            t.RoleAction.role_code == "contract_manager")))
    from lifecycle_steps import THREE_LINES
    from lifecycle_steps import author_procurement

    c = author_procurement(clm, vendor_id, THREE_LINES)
    with pytest.raises(PermissionDenied):
        clm.signatures.void("carl", c.id, reason="wrong-signer")
