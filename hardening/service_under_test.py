"""The service the hardening checks run against: the real app from the composition root over a
fresh, migrated and seeded SQLite database in a temporary folder, with an API token for every
seeded role of one organisation, one for a user holding every internal role (all but ``vendor``, which
restricts a user to one vendor's contracts), and one of a second organisation."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ORG, OTHER_ORG = "lakeshore", "northwind"
ROLES = ("requester", "contract_manager", "legal", "finance", "approver", "admin", "vendor")
ALL_ROLES_USER = "hardening-all"
WEB_USER, WEB_PASSWORD = "hardening-web", "hardening web passphrase"
OTHER_USER = "hardening-other"


@dataclass
class ServiceUnderTest:
    app: Any  # FastAPI
    clm: Any  # clm_core.composition.Clm
    folder: Path
    tokens: dict[str, str] = field(default_factory=dict)

    def headers(self, who: str = ALL_ROLES_USER) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[who]}"}


def review_engine(folder: Path | None = None):
    """A real review engine (index under ``folder`` when given, else the project's var/index)."""
    from risk_copilot.engine import ReviewEngine
    from risk_copilot.settings import ReviewerSettings

    return ReviewEngine(ReviewerSettings(index_dir=folder) if folder else ReviewerSettings())


def build_service(folder: Path, engine: Any = None, **api_settings: Any) -> ServiceUnderTest:
    from api.app import create_app
    from api.settings import ApiSettings
    from clm_core.composition import build_clm
    from clm_core.reviewer_adapter import RiskCopilotReviewer
    from clm_core.settings import ClmSettings

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    engine = engine or review_engine()
    clm = build_clm(ClmSettings(database_url=f"sqlite:///{folder / 'clm.sqlite3'}"),
                    reviewer=RiskCopilotReviewer(engine))
    clm.migrate()
    clm.seed()
    internal = set(ROLES) - {"vendor"}
    clm.access.create_user(username=ALL_ROLES_USER, organisation=ORG, roles=sorted(internal), password=None)
    clm.access.create_user(username=WEB_USER, organisation=ORG, roles=["contract_manager", "legal"],
                           password=WEB_PASSWORD)
    clm.access.create_user(username=OTHER_USER, organisation=OTHER_ORG, roles=sorted(internal),
                           password=None)
    tokens = {role: clm.access.create_token(role=role, organisation=ORG).token for role in ROLES}
    tokens[ALL_ROLES_USER] = clm.access.create_token(role="admin", organisation=ORG, username=ALL_ROLES_USER).token
    tokens[OTHER_USER] = clm.access.create_token(role="admin", organisation=OTHER_ORG, username=OTHER_USER).token
    settings = {"cookie_secure": False, "warm_up": False, "log_level": "ERROR", "data_root": folder / "api-data",
                **api_settings}
    app = create_app(ApiSettings(**settings), clm=clm, engine=engine)
    return ServiceUnderTest(app, clm, folder, tokens)
