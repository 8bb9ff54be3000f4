"""What the window's frame reads: the outbox counts, rows not stored, the last full sync, who is signed in and as what.

A few fixed-size look-ups by key or by index (they may run on the GUI thread),
kept here so the window holds no query and the rules -- which role applies
offline, who a license is "issued by" -- are written once.  The status bar
is made at start-up, so the cache's modules are imported by the look-ups
themselves, on first use, not with this module (the ORM schema alone costs
about 0.4 s).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Engine, func, select

from app.roles import effective_role


def outbox_counts(engine: Engine) -> tuple[int, int]:
    """(waiting, refused) outbox entries: what the status bar shows."""
    from app.store import outbox

    with engine.connect() as conn:
        counts = outbox.count_by_state(conn)
    return counts.get(outbox.PENDING, 0), counts.get(outbox.REFUSED, 0)


def rows_not_stored(engine: Engine) -> dict[str, int]:
    """Rows the backends sent that the cache could not store, per resource (``app.sync.quarantine``)."""
    from app.store.schema import SyncQuarantine

    with engine.connect() as conn:
        rows = conn.execute(select(SyncQuarantine.resource, func.count()).group_by(SyncQuarantine.resource))
        return {resource: int(n) for resource, n in rows}


def last_success(engine: Engine) -> dt.datetime | None:
    """The last time every resource that has synced at all succeeded (the oldest of them)."""
    from app.store.schema import SyncState

    with engine.connect() as conn:
        return conn.execute(select(func.min(SyncState.last_success_at))).scalar()


def _me(engine: Engine) -> dict[str, Any]:
    from app.store.app_state import ME_KEY, get_app_value

    with engine.connect() as conn:
        me = get_app_value(conn, ME_KEY)
    return me if isinstance(me, dict) else {}


def current_role(engine: Engine, offline_role: str) -> str:
    """The role the Ops API last named in ``/me``, else the settings' offline role."""
    return effective_role(_me(engine), offline_role)


def signed_in_user(engine: Engine) -> str | None:
    """Who acts here, as licenses record it: the ``/me`` user's email, else their name (None before any sync)."""
    user = _me(engine).get("user")
    if not isinstance(user, dict):
        return None
    name = user.get("email") or user.get("name")
    return str(name) if name else None
