"""Contract Risk Copilot: the offline contract risk reviewer.

Pipeline: ingest -> segment -> classify -> extract -> rules -> findings.
"""

__version__ = "0.1.0"
