"""Role-action enforcement, scoped by organisation (the mapping is seeded data)."""

from __future__ import annotations

from clm_core.errors import PermissionDenied
from clm_core.store import tables as t
from clm_core.store.repositories import Repositories


def require(repos: Repositories, user: t.User, action: str, *, organisation_id: int | None = None,
            role: str | None = None) -> None:
    """Refuse unless one of ``user``'s roles grants ``action`` (and ``role`` if given) in the org."""
    if organisation_id is not None and user.organisation_id != organisation_id:
        raise PermissionDenied(f"{user.username} belongs to another organisation",
                               details={"action": action, "user": user.username})
    roles = list(user.roles or [])
    if role is not None:
        if role not in roles:
            raise PermissionDenied(f"{user.username} does not hold the role {role}",
                                   details={"action": action, "required_role": role})
        roles = [role]
    if action not in repos.directory.actions_of_roles(roles):
        raise PermissionDenied(f"{user.username} ({', '.join(user.roles or []) or 'no role'}) may not {action}",
                               details={"action": action, "roles": list(user.roles or [])})
