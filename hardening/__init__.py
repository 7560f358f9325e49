"""Hardening checks of issue 7, run from the repository root (not installed).

``python -m hardening.run`` (``make hardening``) runs every part present and prints
its figures; each part is a module with ``run(quick: bool) -> dict`` returning a flat
dict of figures with an ``"ok"`` key, and never raising on a failed check.

Parts: ``bad_inputs`` (the bad-input corpus through the CLI, the batch scan and the
API), ``fuzzing`` (the atheris harnesses in ``hardening/fuzz``, for a short time),
and, from hardening-B, ``conformance``, ``load``, ``faults`` and ``access``.
"""
