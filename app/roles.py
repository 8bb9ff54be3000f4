"""Who may see which pane, and who may change anything: pure rules over the ``/me`` role.

The Ops API decides a user's role; the cache remembers the last answer
(``app_state["me"]``) so the window opens with the right panes while offline.
When there is no answer at all, the caller's fallback role (from settings)
applies.  The server enforces the same rules on writes — this only keeps the
UI from offering what would be refused.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

OVERVIEW = "overview"  # every role's first tab: its dashboard
HEALTH = "health"
CUSTOMERS = "customers"
TICKETS = "tickets"
LICENSES = "licenses"
COSTS = "costs"

PANES: tuple[str, ...] = (OVERVIEW, HEALTH, CUSTOMERS, TICKETS, LICENSES, COSTS)

EXECUTIVE = "executive"
PRODUCT = "product"
OPERATIONS = "operations"
FINANCE = "finance"
SUPPORT = "support"

ROLES: tuple[str, ...] = (EXECUTIVE, PRODUCT, OPERATIONS, FINANCE, SUPPORT)

_VISIBLE: dict[str, frozenset[str]] = {
    EXECUTIVE: frozenset(PANES),
    OPERATIONS: frozenset({OVERVIEW, HEALTH, TICKETS, COSTS}),
    FINANCE: frozenset({OVERVIEW, CUSTOMERS, COSTS}),
    SUPPORT: frozenset({OVERVIEW, TICKETS, CUSTOMERS, LICENSES}),
    PRODUCT: frozenset({OVERVIEW, HEALTH, CUSTOMERS}),
}

# Executives see everything but act through their teams: read-only.
_READ_ONLY = frozenset({EXECUTIVE})
# Who may change a customer's billing or access from the customer desk (refunds, plan changes, grants).
_BILLING_ACTORS = frozenset({FINANCE, SUPPORT})


class UnknownRole(ValueError):
    """A role name the console does not know (a newer server, or a typo in settings)."""


def _check(role: str) -> str:
    if role not in _VISIBLE:
        raise UnknownRole(f"unknown role {role!r}; known roles: {', '.join(ROLES)}")
    return role


def visible_panes(role: str) -> tuple[str, ...]:
    """The panes ``role`` may open, in the window's tab order."""
    allowed = _VISIBLE[_check(role)]
    return tuple(p for p in PANES if p in allowed)


def can_write(role: str) -> bool:
    """Whether ``role`` may change anything (reply, issue or revoke licenses, post incident updates)."""
    return _check(role) not in _READ_ONLY


def can_act_on_billing(role: str) -> bool:
    """Whether ``role`` may take billing and access actions on a customer: finance and support only."""
    return _check(role) in _BILLING_ACTORS


def effective_role(me: Mapping[str, Any] | None, fallback: str) -> str:
    """The role from the last ``/me`` answer, else ``fallback`` (settings' offline role).

    An unknown role from the server falls back too, rather than opening a
    window with no panes.
    """
    role = (me or {}).get("role")
    return role if isinstance(role, str) and role in _VISIBLE else _check(fallback)
