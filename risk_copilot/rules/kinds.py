"""Imports every built-in rule kind module so that each registers itself."""

from risk_copilot.rules import consistency, hypotheses, presence, similarity, values  # noqa: F401
