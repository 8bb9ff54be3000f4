"""``app_state``: small facts about this workstation's cache (the last ``/me`` answer, flags), by key.

Written in the caller's transaction, read by any layer above the store.  The
window reads the signed-in role here before its first paint, so this module
names its table with Core's lightweight ``table()`` rather than importing the
ORM schema (about 0.4 s); a test holds the two definitions equal.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, Connection, DateTime, String, column, select, table
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from app.clock import utcnow

APP_TABLE = "app_state"
_app = table(APP_TABLE, column("key", String), column("value_json", JSON), column("updated_at", DateTime))

# The key of the last ``/me`` answer (the signed-in user and role): sync writes it, the role and the
# author of ticket actions are read from it.
ME_KEY = "me"


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
