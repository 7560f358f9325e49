"""Web login throttling: 5 failed logins per username and client address within 5 minutes,
then 429 with Retry-After (even for the right password) until the window passes."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from api.login_limiter import LoginRateLimiter

USER, PASSWORD = "throttled", "a long enough passphrase"


def _csrf(html: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', html).group(1)


def _login(c: TestClient, password: str, username: str = USER):
    page = c.get("/ui/login")
    return c.post("/ui/login", data={"username": username, "password": password, "csrf": _csrf(page.text)},
                  follow_redirects=False)


@pytest.fixture(scope="module")
def throttled_user(clm):
    clm.access.create_user(username=USER, organisation="lakeshore", roles=["legal"], password=PASSWORD)
    return USER


def test_five_failures_lock_the_username_on_that_client(app, throttled_user):
    with TestClient(app, client=("203.0.113.7", 40000)) as attacker:
        for _ in range(5):
            r = _login(attacker, "wrong guess")
            assert r.status_code == 303 and "rc_session" not in r.headers.get("set-cookie", "")
        blocked = _login(attacker, PASSWORD)  # even the right password waits
        assert blocked.status_code == 429
        assert 0 < int(blocked.headers["retry-after"]) <= 300
        assert "Too many failed logins" in blocked.text and "rc_session" not in blocked.headers.get("set-cookie", "")
        assert "content-security-policy" in blocked.headers
        other_user = _login(attacker, "wrong", username="maya")  # another username from the same client: not locked
        assert other_user.status_code == 303
    with TestClient(app, client=("198.51.100.2", 40000)) as owner:  # the same user from elsewhere still gets in
        r = _login(owner, PASSWORD)
        assert r.status_code == 303 and r.headers["location"] == "/ui/contracts"


def test_a_successful_login_clears_the_failures(app, clm):
    clm.access.create_user(username="forgetful", organisation="lakeshore", roles=["legal"], password=PASSWORD)
    with TestClient(app, client=("192.0.2.10", 40000)) as c:
        for _ in range(4):
            assert _login(c, "wrong", username="forgetful").status_code == 303
        assert _login(c, PASSWORD, username="forgetful").headers["location"] == "/ui/contracts"
        for _ in range(4):
            assert _login(c, "wrong", username="forgetful").status_code == 303
        assert _login(c, "wrong", username="forgetful").status_code == 303  # 5th failure: now locked
        assert _login(c, PASSWORD, username="forgetful").status_code == 429


def test_the_window_slides():
    now = [1000.0]
    limiter = LoginRateLimiter(3, 60, clock=lambda: now[0])
    key = limiter.key(" Maya ", "10.0.0.1")
    assert key == limiter.key("maya", "10.0.0.1")
    for step in range(3):
        assert limiter.retry_after(key) is None
        limiter.failed(key)
        now[0] += 10
    assert limiter.retry_after(key) == 30  # the first failure (t=1000) leaves the window at t=1060
    now[0] = 1060.5
    assert limiter.retry_after(key) is None
    limiter.failed(key)
    assert limiter.retry_after(key) == 10  # the second failure (t=1010) leaves at 1070
    assert limiter.retry_after(limiter.key("maya", "10.0.0.2")) is None


def test_memory_is_bounded():
    limiter = LoginRateLimiter(2, 60, max_keys=100)
    for i in range(1000):
        limiter.failed(limiter.key(f"user{i}", "10.0.0.1"))
    assert len(limiter._failures) == 100
