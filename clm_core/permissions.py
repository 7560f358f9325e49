"""Role-action enforcement, scoped by organisation (the mapping is seeded data)."""

from __future__ import annotations

from clm_core.errors import PermissionDenied
from clm_core.store import tables as t
from clm_core.store.repositories import Repositories


def sees_contract(user: t.User, contract: t.Contract) -> bool:
    """A vendor contact sees only the contracts of the vendor they are assigned to (none when unassigned);
    every other role sees its organisation's contracts (the organisation is checked by the callers)."""
    if "vendor" in (user.roles or []):
        return user.vendor_id is not None and user.vendor_id == contract.vendor_id
    return True


def require_view(repos: Repositories, user: t.User, contract: t.Contract) -> None:
    """Refuse unless ``user`` may read ``contract``: contract.view in its organisation and, for a vendor
    contact, a contract of their own vendor."""
    require(repos, user, "contract.view", organisation_id=contract.organisation_id)
    if not sees_contract(user, contract):
        raise PermissionDenied("vendor contacts see only their own contracts")


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
