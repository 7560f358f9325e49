"""Issue 7 item 3: API conformance. Schemathesis generates requests for every operation of our
OpenAPI document (valid ones and invalid ones), sends them authenticated (a token of a user holding
every role) to the real app in-process, and checks each response: no server error, a status code the
document declares for the operation, a declared content type, and a body matching its schema.

``run(quick)`` builds its own service over a temporary database and returns flat figures;
``check_operations`` is what the regression test calls on the test session's engine."""

from __future__ import annotations

import tempfile
import time
from pathlib import Path
from typing import Any

QUICK_EXAMPLES, FULL_EXAMPLES = 6, 40  # per operation and per generation mode (valid, invalid)


def _checks() -> list[Any]:
    from schemathesis.checks import not_a_server_error
    from schemathesis.specs.openapi.checks import (content_type_conformance, response_schema_conformance,
                                                   status_code_conformance)

    return [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


def _failure_titles(exc: BaseException) -> list[str]:
    from schemathesis.core.failures import Failure, FailureGroup

    if isinstance(exc, FailureGroup):
        return [f"{f.title}: {str(f.message)[:300]}" for f in exc.exceptions]
    if isinstance(exc, Failure):
        return [f"{exc.title}: {str(exc.message)[:300]}"]
    return [f"{type(exc).__name__}: {str(exc)[:300]}"]


def existing_resources(app: Any, headers: dict[str, str]) -> dict[str, Any]:
    """Path values naming real resources of the caller's organisation: a submitted contract (its
    version, review finding, approval role and an attached document), a stored review, a saved
    search, a template, a report and a built-in playbook."""
    from fastapi.testclient import TestClient

    values: dict[str, Any] = {"version_no": 1, "key": "nda-standard", "code": "high-risk", "playbook_id": "nda",
                              "name": "conformance"}
    text = b"# NDA\n\n1. Confidentiality. The Recipient shall keep it secret for 3 months.\n"
    with TestClient(app, raise_server_exceptions=False) as c:
        r = c.post("/v1/contracts/import", headers=headers, data={"contract_type": "nda", "title": "Conformance NDA",
                                                                  "submit": "true"},
                   files={"file": ("conformance.md", text, "text/markdown")})
        values["contract_id"] = r.json()["id"]
        review = c.get(f"/v1/contracts/{values['contract_id']}/review", headers=headers).json()["review"]
        finding = next((f for f in review["findings"] if f.get("approver_role")),
                       review["findings"][0] if review["findings"] else {"id": "f1"})
        values["finding_id"], values["role"] = finding["id"], finding.get("approver_role") or "legal"
        c.post(f"/v1/contracts/{values['contract_id']}/documents", headers=headers,
               files={"file": ("note.txt", b"a note", "text/plain")})
        documents = c.get(f"/v1/contracts/{values['contract_id']}/documents", headers=headers).json()
        values["document_id"] = documents[0]["id"]
        values["review_id"] = c.post("/v1/reviews", headers=headers,
                                     json={"text": text.decode(), "contract_type": "nda"}).json()["review_id"]
        c.put("/v1/saved-searches/conformance", headers=headers, json={"criteria": {"contract_type": "nda"}})
    return values


def check_operations(app: Any, headers: dict[str, str], max_examples: int, *, seed: int = 7,
                     existing: dict[str, Any] | None = None) -> dict[str, Any]:
    """Send ``max_examples`` valid and as many invalid requests to each operation of ``app``'s
    /openapi.json, and as many valid ones naming ``existing`` resources (for operations whose path
    parameters it all has); returns the operation count, cases sent and each distinct failure."""
    import schemathesis
    from hypothesis import HealthCheck, Phase, given, seed as hypothesis_seed, settings
    from hypothesis.errors import Unsatisfiable
    from schemathesis import GenerationMode

    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    checks = _checks()
    cases = 0
    problems: dict[tuple[str, str], dict[str, Any]] = {}
    operations: list[str] = []
    schema_errors: list[str] = []
    for result in schema.get_all_operations():
        try:
            operation = result.ok()
        except Exception as exc:  # an operation schemathesis cannot read is itself a failure
            schema_errors.append(f"{type(exc).__name__}: {str(exc)[:300]}")
            continue
        label = f"{operation.method.upper()} {operation.path}"
        operations.append(label)
        names = [p.name for p in operation.path_parameters]
        modes: list[tuple[Any, dict[str, Any] | None]] = [(GenerationMode.POSITIVE, None),
                                                          (GenerationMode.NEGATIVE, None)]
        if existing and names and all(n in existing for n in names):
            modes.append((GenerationMode.POSITIVE, {n: existing[n] for n in names}))
        for mode, fixed in modes:
            strategy = operation.as_strategy(generation_mode=mode, path_parameters=fixed)

            @hypothesis_seed(seed)
            @settings(max_examples=max_examples, deadline=None, database=None, derandomize=False,
                      phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck),
                      report_multiple_bugs=False)
            @given(case=strategy)
            def probe(case) -> None:
                nonlocal cases
                cases += 1
                try:
                    response = case.call(headers=headers)
                except (Exception, BaseExceptionGroup) as exc:  # the transport itself failed: the app raised
                    problems.setdefault((label, "call"), {"operation": label, "mode": mode.value,
                                                          "failure": _failure_titles(exc)[0]})
                    return
                try:
                    case.validate_response(response, checks=checks, headers=headers)
                except (Exception, BaseExceptionGroup) as exc:  # schemathesis' FailureGroup is a BaseExceptionGroup
                    for title in _failure_titles(exc):
                        key = (label, title.split(":", 1)[0])
                        problems.setdefault(key, {"operation": label, "mode": mode.value, "failure": title,
                                                  "status": response.status_code,
                                                  "request": f"{case.method} {case.formatted_path}",
                                                  "response": response.text[:200]})

            try:
                probe()
            except Unsatisfiable:  # no request of this mode exists (e.g. no parameters to make invalid)
                continue
            except (Exception, BaseExceptionGroup) as exc:  # generation itself failed (e.g. an unsatisfiable schema)
                problems.setdefault((label, f"generation-{mode.value}"),
                                    {"operation": label, "mode": mode.value, "failure": _failure_titles(exc)[0]})
    failures = list(problems.values()) + [{"operation": "-", "failure": e} for e in schema_errors]
    return {"operations": len(operations), "cases": cases, "failures": len(failures), "problems": failures,
            "operation_labels": operations}


def run(quick: bool) -> dict[str, Any]:
    """Figures for ``make hardening``: operations, cases, failures (never raises for a failed check)."""
    started = time.monotonic()
    try:
        from hardening.service_under_test import build_service

        with tempfile.TemporaryDirectory(prefix="conformance-") as tmp:
            service = build_service(Path(tmp))
            service.app.state.services.engine.warm_up()  # ready, as after the lifespan of a real start
            outcome = check_operations(service.app, service.headers(), QUICK_EXAMPLES if quick else FULL_EXAMPLES,
                                       existing=existing_resources(service.app, service.headers()))
            service.clm.close()
    except Exception as exc:  # the run itself broke: report it, do not raise
        return {"ok": False, "error": f"{type(exc).__name__}: {exc}", "seconds": round(time.monotonic() - started, 1)}
    return {"ok": outcome["failures"] == 0, "operations": outcome["operations"], "cases": outcome["cases"],
            "failures": outcome["failures"], "seconds": round(time.monotonic() - started, 1),
            "problems": outcome["problems"][:40]}


if __name__ == "__main__":  # python -m hardening.conformance [--full]
    import json
    import sys

    print(json.dumps(run(quick="--full" not in sys.argv), indent=2, default=str))
