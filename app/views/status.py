"""What the window's frame reads: the outbox counts, rows not stored, the last full sync, who is signed in and as what.

A few fixed-size look-ups by key or by index (they may run on the GUI thread),
kept here so the window holds no query and the rules -- which role applies
offline, who a license is "issued by" -- are written once.  The status bar
is made at start-up, so the cache's modules (SQLAlchemy, about 0.2 s to
import, and the ORM schema, 0.4 s) are imported by the look-ups themselves,
on first use, not with this module.  The role, which decides the tabs of the
window's first frame, is read without them (``read_app_value``).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app.roles import effective_role
from app.store.app_state import ME_KEY, read_app_value

if TYPE_CHECKING:
    from sqlalchemy import Engine


def outbox_counts(engine: Engine) -> tuple[int, int]:
    """(waiting, refused) outbox entries: what the status bar shows."""
    from app.store import outbox

    with engine.connect() as conn:
        counts = outbox.count_by_state(conn)
    return counts.get(outbox.PENDING, 0), counts.get(outbox.REFUSED, 0)


def rows_not_stored(engine: Engine) -> dict[str, int]:
    """Rows the backends sent that the cache could not store, per resource (``app.sync.quarantine``)."""
    from sqlalchemy import func, select

    from app.store.schema import SyncQuarantine

    with engine.connect() as conn:
        rows = conn.execute(select(SyncQuarantine.resource, func.count()).group_by(SyncQuarantine.resource))
        return {resource: int(n) for resource, n in rows}


def last_success(engine: Engine) -> dt.datetime | None:
    """The last time every resource that has synced at all succeeded (the oldest of them)."""
    from sqlalchemy import func, select

    from app.store.schema import SyncState

    with engine.connect() as conn:
        return conn.execute(select(func.min(SyncState.last_success_at))).scalar()


def _me(cache_file: Path) -> dict[str, Any]:
    me = read_app_value(cache_file, ME_KEY)
    return me if isinstance(me, dict) else {}


def current_role(cache_file: Path, offline_role: str) -> str:
    """The role the Ops API last named in ``/me``, else the settings' offline role."""
    return effective_role(_me(cache_file), offline_role)


def signed_in_user(cache_file: Path) -> str | None:
    """Who acts here, as licenses record it: the ``/me`` user's email, else their name (None before any sync)."""
    user = _me(cache_file).get("user")
    if not isinstance(user, dict):
        return None
    name = user.get("email") or user.get("name")
    return str(name) if name else None
