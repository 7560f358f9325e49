"""Lifecycle sub-commands for the ``risk-copilot`` CLI (entry-point group ``risk_copilot.commands``).

``register(subparsers)`` adds: ``db upgrade``, ``seed``, ``audit verify``, ``jobs expire``,
``outbox dispatch``, ``outbox requeue-dead``, ``report``, ``demo`` (a fresh database by default). Each sets ``func(args) -> int``.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date
from typing import Callable

from clm_core.errors import DomainError


def _clm(args: argparse.Namespace):
    from clm_core.composition import build_clm
    from clm_core.settings import ClmSettings

    overrides = {"database_url": args.database_url} if getattr(args, "database_url", None) else {}
    return build_clm(ClmSettings(**overrides))


def _guard(fn: Callable[[argparse.Namespace], int]) -> Callable[[argparse.Namespace], int]:
    def run(args: argparse.Namespace) -> int:
        try:
            return fn(args)
        except DomainError as exc:
            print(json.dumps({"error": exc.to_dict()}, default=str), file=sys.stderr)
            return 2

    return run


def cmd_db_upgrade(args: argparse.Namespace) -> int:
    clm = _clm(args)
    clm.migrate()
    print(f"database at {clm.engine.url.render_as_string(hide_password=True)} is at the latest schema")
    clm.close()
    return 0


def cmd_seed(args: argparse.Namespace) -> int:
    clm = _clm(args)
    clm.migrate()
    report = clm.seed()
    print(json.dumps({"created": report.created, "updated": report.updated}, sort_keys=True))
    clm.close()
    return 0


def cmd_audit_verify(args: argparse.Namespace) -> int:
    clm = _clm(args)
    result = clm.verify_audit()
    clm.close()
    print(json.dumps({"ok": result.ok, "entries": result.entries, "first_bad_seq": result.first_bad_seq,
                      "problem": result.problem}))
    return 0 if result.ok else 1


def cmd_jobs_expire(args: argparse.Namespace) -> int:
    clm = _clm(args)
    report = clm.expiry_job.run(date.fromisoformat(args.today) if args.today else None)
    clm.close()
    print(json.dumps({"expired": report.expired, "expiry_notices": report.expiry_notices,
                      "renewal_notices": report.renewal_notices}))
    return 0


def cmd_outbox_dispatch(args: argparse.Namespace) -> int:
    clm = _clm(args)
    report = clm.outbox.dispatch_due()
    clm.close()
    print(json.dumps({"sent": report.sent, "retried": report.retried, "dead": report.dead}))
    return 0 if report.dead == 0 else 1


def cmd_outbox_requeue(args: argparse.Namespace) -> int:
    clm = _clm(args)
    print(json.dumps({"requeued": clm.outbox.requeue_dead()}))
    clm.close()
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    clm = _clm(args)
    result = clm.insights.run_report(args.as_user, args.code)
    clm.close()
    print(json.dumps(result, default=str, indent=2))
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    import tempfile
    from pathlib import Path

    from clm_core.composition import build_clm
    from clm_core.demo_scenario import run_demo
    from clm_core.phrase_reviewer import PhraseRiskReviewer
    from clm_core.services.context import RecordingChannel
    from clm_core.settings import ClmSettings

    workdir = Path(tempfile.mkdtemp(prefix="clm-demo-"))
    url = args.database_url or f"sqlite:///{workdir / 'demo.sqlite3'}"
    reviewer = PhraseRiskReviewer() if args.reviewer == "phrase" else None  # None: the real engine
    channel = RecordingChannel()
    clm = build_clm(ClmSettings(database_url=url), reviewer=reviewer, channel=channel)
    clm.migrate()
    clm.seed()
    for line in run_demo(clm, channel):
        print(line)
    clm.close()
    print(f"database: {url}")
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--database-url", help="overrides DATABASE_URL / CLM_DATABASE_URL")

    db = subparsers.add_parser("db", help="lifecycle database")
    db_sub = db.add_subparsers(dest="db_command", required=True)
    db_sub.add_parser("upgrade", parents=[common], help="apply migrations").set_defaults(func=_guard(cmd_db_upgrade))

    subparsers.add_parser("seed", parents=[common], help="load corpora/seed (idempotent)").set_defaults(
        func=_guard(cmd_seed))

    audit = subparsers.add_parser("audit", help="audit log")
    audit_sub = audit.add_subparsers(dest="audit_command", required=True)
    audit_sub.add_parser("verify", parents=[common], help="verify the hash chain (exit 1 if broken)") \
        .set_defaults(func=_guard(cmd_audit_verify))

    jobs = subparsers.add_parser("jobs", help="scheduled jobs")
    jobs_sub = jobs.add_subparsers(dest="jobs_command", required=True)
    expire = jobs_sub.add_parser("expire", parents=[common], help="expire contracts; send expiry/renewal notices")
    expire.add_argument("--today", help="ISO date to run as (default: today)")
    expire.set_defaults(func=_guard(cmd_jobs_expire))

    outbox = subparsers.add_parser("outbox", help="ERP outbox")
    outbox_sub = outbox.add_subparsers(dest="outbox_command", required=True)
    outbox_sub.add_parser("dispatch", parents=[common], help="deliver due messages") \
        .set_defaults(func=_guard(cmd_outbox_dispatch))
    outbox_sub.add_parser("requeue-dead", parents=[common], help="retry dead messages") \
        .set_defaults(func=_guard(cmd_outbox_requeue))

    demo = subparsers.add_parser("demo", parents=[common], help="walk a procurement contract through the lifecycle")
    demo.add_argument("--reviewer", choices=["phrase", "real"], default="phrase",
                      help="phrase: deterministic stand-in; real: risk_copilot's engine")
    demo.set_defaults(func=_guard(cmd_demo))

    report = subparsers.add_parser("report", parents=[common], help="run a seeded report")
    report.add_argument("code", help="report code, e.g. contracts-by-status")
    report.add_argument("--as", dest="as_user", required=True, help="username to run the report as")
    report.set_defaults(func=_guard(cmd_report))
