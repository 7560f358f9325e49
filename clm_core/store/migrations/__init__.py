"""Alembic migration environment of clm_core (packaged so non-editable installs carry it)."""
