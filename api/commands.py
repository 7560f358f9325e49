"""Service commands of the ``risk-copilot`` CLI: ``serve``, ``token create|revoke``, ``user create``,
``setup`` (migrate, seed, import and review the sample contracts)."""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def _clm(with_engine: bool = False):
    from clm_core.composition import build_clm

    if not with_engine:
        from clm_core.phrase_reviewer import PhraseRiskReviewer

        return build_clm(reviewer=PhraseRiskReviewer()), None  # access commands never review
    from clm_core.reviewer_adapter import RiskCopilotReviewer
    from risk_copilot.engine import ReviewEngine

    engine = ReviewEngine()
    return build_clm(reviewer=RiskCopilotReviewer(engine)), engine


def _serve(args: argparse.Namespace) -> int:
    import uvicorn

    from api.app import create_app
    from api.settings import ApiSettings

    settings = ApiSettings(host=args.host, port=args.port)
    app = create_app(settings)
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning", access_log=False,
                proxy_headers=False, server_header=False)
    return 0


def _token_create(args: argparse.Namespace) -> int:
    clm, _ = _clm()
    clm.migrate()
    issued = clm.access.create_token(role=args.role, organisation=args.org, username=args.user, label=args.label,
                                     ttl_days=args.ttl_days)
    print(issued.token)
    print(f"# acts as {issued.username} ({issued.role}, {issued.organisation}); only its hash is stored: "
          f"this is the only time it is shown", file=sys.stderr)
    return 0


def _token_revoke(args: argparse.Namespace) -> int:
    clm, _ = _clm()
    print(f"revoked {clm.access.revoke_token(args.prefix)} token(s)")
    return 0


def _user_create(args: argparse.Namespace) -> int:
    clm, _ = _clm()
    clm.migrate()
    password = args.password or os.environ.get("RISK_COPILOT_PASSWORD") or getpass.getpass("password: ")
    clm.access.create_user(username=args.username, organisation=args.org, roles=args.roles.split(","),
                           password=password, display_name=args.display_name or "")
    print(f"user {args.username} ({args.roles}, {args.org}) can log in at /ui/login")
    return 0


def _setup(args: argparse.Namespace) -> int:
    """Migrate, seed, and import + review the sample contracts (idempotent: skips known titles)."""
    clm, engine = _clm(with_engine=True)
    clm.migrate()
    clm.seed()
    samples = sorted(Path(args.samples).glob("*.md")) if Path(args.samples).exists() else []
    existing = {r["title"] for r in clm.review_desk.list_contracts(args.as_user, {})}
    for path in samples:
        if path.name == "README.md" or path.stem in existing:
            continue
        ctype = "nda" if "nda" in path.stem.lower() else "procurement"
        view = clm.review_desk.import_document(args.as_user, contract_type=ctype, title=path.stem,
                                               text=path.read_text(encoding="utf-8"), source_name=path.name)
        review = clm.approvals.submit(args.as_user, view.id)
        print(f"{view.number} {path.name}: {review.decision}, risk {review.risk_score}, "
              f"{len(review.findings)} findings, approvers {[s.role for s in review.steps]}")
    return 0


def register(subparsers) -> None:
    """Add the service sub-commands to the ``risk-copilot`` parser."""
    serve = subparsers.add_parser("serve", help="run the API and the reviewer page (uvicorn)")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.set_defaults(func=_serve)

    token = subparsers.add_parser("token", help="API tokens (hashed at rest)")
    tsub = token.add_subparsers(dest="token_command", required=True)
    create = tsub.add_parser("create", help="create a token and print it once")
    create.add_argument("--role", required=True)
    create.add_argument("--org", required=True, help="organisation code, e.g. lakeshore")
    create.add_argument("--user", default=None, help="act as this existing user (default: svc-<org>-<role>)")
    create.add_argument("--label", default="")
    create.add_argument("--ttl-days", type=int, default=None)
    create.set_defaults(func=_token_create)
    revoke = tsub.add_parser("revoke", help="revoke tokens by their prefix (first 12 characters)")
    revoke.add_argument("prefix")
    revoke.set_defaults(func=_token_revoke)

    user = subparsers.add_parser("user", help="web-login users")
    usub = user.add_subparsers(dest="user_command", required=True)
    ucreate = usub.add_parser("create", help="create a user (or set roles and password of an existing one)")
    ucreate.add_argument("--username", required=True)
    ucreate.add_argument("--org", required=True)
    ucreate.add_argument("--roles", required=True, help="comma-separated, e.g. contract_manager,legal")
    ucreate.add_argument("--password", default=None, help="else $RISK_COPILOT_PASSWORD or a prompt")
    ucreate.add_argument("--display-name", default=None)
    ucreate.set_defaults(func=_user_create)

    setup = subparsers.add_parser("setup", help="migrate, seed, import and review the sample contracts")
    setup.add_argument("--samples", default=str(REPO / "corpora" / "samples"))
    setup.add_argument("--as-user", default="carl")
    setup.set_defaults(func=_setup)
