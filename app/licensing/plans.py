"""The plans a license can be issued on, with their default seats and features.

Kept apart from the signing code, with only standard-library imports, because
the CLI builds its ``--plan`` choices from it at start-up, and the pane fills
its issue form from it.
"""

from __future__ import annotations

from app.licensing.errors import LicensingError

#: The desktop product licenses are issued for (the name the demo business uses too).
DEFAULT_PRODUCT = "opsconsole-desktop"

#: plan → (seats, features) when the request does not say otherwise.
PLAN_DEFAULTS: dict[str, tuple[int, tuple[str, ...]]] = {
    "starter": (5, ("offline",)),
    "professional": (50, ("offline", "sso")),
    "enterprise": (1000, ("audit-log", "offline", "sso")),
}


def plan_defaults(plan: str) -> tuple[int, tuple[str, ...]]:
    """Default (seats, features) of ``plan``."""
    try:
        return PLAN_DEFAULTS[plan]
    except KeyError:
        raise LicensingError(
            f"Unknown plan {plan!r}; choose one of {', '.join(PLAN_DEFAULTS)}."
        ) from None
