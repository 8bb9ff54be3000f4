"""``app_state``: small facts about this workstation's cache (the last ``/me`` answer, flags), by key.

Written in the caller's transaction, read by any layer above the store.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, select
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from app.clock import utcnow
from app.store.schema import ME_KEY, AppState

_app = AppState.__table__
APP_TABLE = AppState.__tablename__


def put_app_value(conn: Connection, key: str, value: Any) -> None:
    """Set ``key`` to the JSON ``value`` (insert or replace)."""
    stmt = sqlite_insert(_app).values(key=key, value_json=value, updated_at=utcnow())
    conn.execute(stmt.on_conflict_do_update(index_elements=["key"], set_={"value_json": value, "updated_at": utcnow()}))


def get_app_value(conn: Connection, key: str) -> Any:
    """The JSON value stored under ``key``, or None."""
    return conn.execute(select(_app.c.value_json).where(_app.c.key == key)).scalar_one_or_none()


def signed_in_name(conn: Connection) -> str | None:
    """Who is signed in, as actions and assignments name them: ``/me``'s name, else its email (None offline
    before any sync)."""
    me = get_app_value(conn, ME_KEY)
    user = me.get("user") if isinstance(me, dict) else None
    if isinstance(user, dict):
        name = user.get("name") or user.get("email")
        return name if isinstance(name, str) else None
    return None
