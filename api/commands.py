"""Service commands of the ``risk-copilot`` CLI (``serve``, ``token create``, ...)."""

from __future__ import annotations


def register(subparsers) -> None:
    """Add the service sub-commands to the ``risk-copilot`` parser."""
