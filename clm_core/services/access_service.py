"""Who is calling: hashed API tokens, web-login passwords (scrypt) and login sessions.

Only digests are stored: a token or session id is shown once to its holder and never again.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select

from clm_core.errors import NotFound, PermissionDenied, ValidationFailed
from clm_core.services.context import Service
from clm_core.store import tables as t

TOKEN_PREFIX = "rcp_"
_SCRYPT = {"n": 2**14, "r": 8, "p": 1}


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def hash_password(password: str) -> str:
    salt = secrets.token_bytes(16)
    key = hashlib.scrypt(password.encode("utf-8"), salt=salt, dklen=32, **_SCRYPT)
    return f"scrypt${_SCRYPT['n']}${_SCRYPT['r']}${_SCRYPT['p']}${salt.hex()}${key.hex()}"


def verify_password(password: str, stored: str) -> bool:
    try:
        scheme, n, r, p, salt, key = stored.split("$")
    except ValueError:
        return False
    if scheme != "scrypt":
        return False
    got = hashlib.scrypt(password.encode("utf-8"), salt=bytes.fromhex(salt), n=int(n), r=int(r), p=int(p),
                         dklen=len(bytes.fromhex(key)))
    return hmac.compare_digest(got.hex(), key)


@dataclass(frozen=True)
class Principal:
    """An authenticated caller: a lifecycle user (services act as ``username``)."""

    user_id: int
    username: str
    display_name: str
    organisation_id: int
    organisation_code: str
    roles: tuple[str, ...]
    actions: frozenset[str]
    csrf_token: str | None = None  # set for web sessions

    def may(self, action: str) -> bool:
        return action in self.actions


@dataclass(frozen=True)
class IssuedToken:
    token: str
    username: str
    organisation: str
    role: str


class AccessService(Service):
    def _principal(self, tx, user: t.User, csrf: str | None = None) -> Principal:
        org = tx.session.get(t.Organisation, user.organisation_id)
        return Principal(user.id, user.username, user.display_name, user.organisation_id, org.code,
                         tuple(user.roles or []), frozenset(tx.repos.directory.actions_of_roles(list(user.roles or []))),
                         csrf)

    # --- users ----------------------------------------------------------------------------
    def create_user(self, *, username: str, organisation: str, roles: list[str], password: str | None,
                    display_name: str = "", email: str = "") -> int:
        """Create (or update the roles and password of) a user; for operators, not an API route."""
        if password is not None and len(password) < 10:
            raise ValidationFailed("a password needs at least 10 characters")
        with self.tx() as tx:
            org = tx.repos.directory.organisation(organisation)
            known = set(tx.session.scalars(select(t.Role.code)))
            unknown = sorted(set(roles) - known)
            if unknown or not roles:
                raise ValidationFailed("unknown or missing roles", details={"unknown": unknown, "known": sorted(known)})
            user = tx.session.scalar(select(t.User).where(t.User.username == username))
            if user is None:
                user = t.User(username=username, display_name=display_name or username,
                              email=email or f"{username}@{org.code}.example", organisation_id=org.id,
                              roles=list(roles), active=True)
                tx.session.add(user)
            elif user.organisation_id != org.id:
                raise ValidationFailed(f"user {username} belongs to another organisation", code="duplicate_user")
            else:
                user.roles = list(roles)
            tx.flush()
            if password is not None:
                tx.session.merge(t.UserCredential(user_id=user.id, password_hash=hash_password(password),
                                                  updated_at=tx.now))
            tx.audit("operator", "user.saved", "user", username, organisation=organisation, roles=list(roles),
                     password_set=password is not None)
            return user.id

    def set_password(self, username: str, password: str) -> None:
        if len(password) < 10:
            raise ValidationFailed("a password needs at least 10 characters")
        with self.tx() as tx:
            user = tx.repos.directory.user(username)
            tx.session.merge(t.UserCredential(user_id=user.id, password_hash=hash_password(password),
                                              updated_at=tx.now))
            tx.audit("operator", "user.password_set", "user", username)

    # --- API tokens -----------------------------------------------------------------------
    def create_token(self, *, role: str, organisation: str, username: str | None = None, label: str = "",
                     ttl_days: int | None = None) -> IssuedToken:
        """Issue a token acting as ``username`` (default: the service user ``svc-<org>-<role>``)."""
        with self.tx() as tx:
            org = tx.repos.directory.organisation(organisation)
            if tx.session.get(t.Role, role) is None:
                raise ValidationFailed(f"unknown role {role!r}",
                                       details={"known": sorted(tx.session.scalars(select(t.Role.code)))})
            name = username or f"svc-{org.code}-{role}"
            user = tx.session.scalar(select(t.User).where(t.User.username == name))
            if user is None:
                if username is not None:
                    raise NotFound(f"user {username!r} not found")
                user = t.User(username=name, display_name=f"{role} integration ({org.code})",
                              email=f"{name}@{org.code}.example", organisation_id=org.id, roles=[role], active=True)
                tx.session.add(user)
                tx.flush()
            if user.organisation_id != org.id or role not in (user.roles or []):
                raise ValidationFailed(f"user {name} does not hold {role} in {org.code}")
            token = TOKEN_PREFIX + secrets.token_urlsafe(32)
            expires = tx.now + timedelta(days=ttl_days) if ttl_days else None
            tx.session.add(t.ApiToken(token_sha256=_digest(token), prefix=token[:12], user_id=user.id,
                                      label=label or f"{role}@{org.code}", created_at=tx.now, expires_at=expires))
            tx.audit("operator", "token.created", "user", name, prefix=token[:12], role=role, organisation=org.code)
            return IssuedToken(token, name, org.code, role)

    def revoke_token(self, prefix: str) -> int:
        with self.tx() as tx:
            rows = list(tx.session.scalars(select(t.ApiToken).where(t.ApiToken.prefix == prefix,
                                                                    t.ApiToken.revoked_at.is_(None))))
            for row in rows:
                row.revoked_at = tx.now
            tx.audit("operator", "token.revoked", "token", prefix, count=len(rows))
            return len(rows)

    def principal_for_token(self, token: str) -> Principal | None:
        if not token.startswith(TOKEN_PREFIX):
            return None
        with self.tx() as tx:
            row = tx.session.scalar(select(t.ApiToken).where(t.ApiToken.token_sha256 == _digest(token)))
            if row is None or row.revoked_at is not None or (row.expires_at and row.expires_at <= tx.now):
                return None
            user = tx.repos.directory.user_by_id(row.user_id)
            if user is None or not user.active:
                return None
            return self._principal(tx, user)

    # --- web sessions -----------------------------------------------------------------------
    def login(self, username: str, password: str, ttl: timedelta) -> tuple[str, Principal]:
        """Check the password; return a new session id (for the cookie) and the principal."""
        with self.tx() as tx:
            user = tx.session.scalar(select(t.User).where(t.User.username == username))
            cred = tx.session.get(t.UserCredential, user.id) if user is not None and user.active else None
            if cred is None:
                verify_password(password, hash_password("timing-equaliser"))
                raise PermissionDenied("wrong username or password", code="login_failed")
            if not verify_password(password, cred.password_hash):
                raise PermissionDenied("wrong username or password", code="login_failed")
            session_id, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
            tx.session.execute(delete(t.WebSession).where(t.WebSession.expires_at <= tx.now))
            tx.session.add(t.WebSession(session_sha256=_digest(session_id), user_id=user.id, csrf_token=csrf,
                                        created_at=tx.now, expires_at=tx.now + ttl))
            tx.audit(username, "user.logged_in", "user", username)
            return session_id, self._principal(tx, user, csrf)

    def principal_for_session(self, session_id: str) -> Principal | None:
        with self.tx() as tx:
            row = tx.session.scalar(select(t.WebSession).where(t.WebSession.session_sha256 == _digest(session_id)))
            if row is None or row.expires_at <= tx.now:
                return None
            user = tx.repos.directory.user_by_id(row.user_id)
            if user is None or not user.active:
                return None
            return self._principal(tx, user, row.csrf_token)

    def logout(self, session_id: str) -> None:
        with self.tx() as tx:
            tx.session.execute(delete(t.WebSession).where(t.WebSession.session_sha256 == _digest(session_id)))

    def now(self) -> datetime:
        return self.ctx.clock()
