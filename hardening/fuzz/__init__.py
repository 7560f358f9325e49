"""Atheris fuzzing of ingest, segmentation and every extractor (``make fuzz``).

``targets.py`` holds the targets and their invariants, ``seeds.py`` the seed inputs,
``harness.py`` the atheris entry point (one process per target), and
``hardening.fuzzing`` splits a time budget across the targets and reports executions
and crashes per target.
"""
