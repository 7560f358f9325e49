"""One app per test session over a migrated, seeded SQLite database and the session's shared
real review engine; tokens for every seeded role and a web user with a password."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.settings import ApiSettings
from clm_core.composition import build_clm
from clm_core.reviewer_adapter import RiskCopilotReviewer
from clm_core.settings import ClmSettings

ROLES = ("requester", "contract_manager", "legal", "finance", "approver", "admin", "vendor")
WEB_USER, WEB_PASSWORD = "maya", "correct horse battery"


@pytest.fixture(scope="session")
def clm(tmp_path_factory, review_engine):
    db = tmp_path_factory.mktemp("api-db") / "clm.sqlite3"
    clm = build_clm(ClmSettings(database_url=f"sqlite:///{db}"), reviewer=RiskCopilotReviewer(review_engine))
    clm.migrate()
    clm.seed()
    clm.access.create_user(username=WEB_USER, organisation="lakeshore", roles=["contract_manager", "legal", "finance"],
                           password=WEB_PASSWORD, display_name="Maya Counsel")
    yield clm
    clm.close()


@pytest.fixture(scope="session")
def app(clm, review_engine, tmp_path_factory):
    settings = ApiSettings(cookie_secure=False, max_upload_bytes=2_000_000, log_json=True, log_level="WARNING",
                           data_root=tmp_path_factory.mktemp("api-data"))
    return create_app(settings, clm=clm, engine=review_engine)


@pytest.fixture(scope="session")
def client(app):
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c


@pytest.fixture(scope="session")
def tokens(clm) -> dict[str, str]:
    out = {role: clm.access.create_token(role=role, organisation="lakeshore").token for role in ROLES}
    out["other_org"] = clm.access.create_token(role="contract_manager", organisation="northwind").token
    for user in ("carl", "lena", "felix", "abby", "admin", "rita"):
        role = {"carl": "contract_manager", "lena": "legal", "felix": "finance", "abby": "approver",
                "admin": "admin", "rita": "requester"}[user]
        out[user] = clm.access.create_token(role=role, organisation="lakeshore", username=user).token
    out["olga"] = clm.access.create_token(role="contract_manager", organisation="northwind", username="olga").token
    return out


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def assert_error(response, status: int, code: str | None = None) -> dict:
    """The response has ``status`` and the one error shape (with ``code`` when given)."""
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message", "details"}, body
    if code:
        assert body["error"]["code"] == code, body
    return body["error"]
