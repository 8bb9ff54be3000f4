"""``app_state``: small facts about this workstation's cache (the last ``/me`` answer, flags), by key.

Written in the caller's transaction, read by any layer above the store.  The
window reads the signed-in role here before its first paint, when neither
SQLAlchemy (about 0.2 s to import) nor the ORM schema (0.4 s more) is loaded:
``read_app_value`` reads one value with the ``sqlite3`` module, and the
Core functions load SQLAlchemy when first called.  Their table is Core's
lightweight ``table()``, not the schema's; a test holds the two definitions
equal.
"""

from __future__ import annotations

import functools
import json
import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app.clock import utcnow

if TYPE_CHECKING:
    from sqlalchemy import Connection, TableClause

APP_TABLE = "app_state"

# The key of the last ``/me`` answer (the signed-in user and role): sync writes it, the role and the
# author of ticket actions are read from it.
ME_KEY = "me"


@functools.cache
def app_table() -> TableClause:
    """The table as Core statements name it."""
    from sqlalchemy import JSON, DateTime, String, column, table

    return table(APP_TABLE, column("key", String), column("value_json", JSON), column("updated_at", DateTime))


def read_app_value(cache_file: Path, key: str) -> Any:
    """The JSON value stored under ``key``, or None, read on its own read-only ``sqlite3`` connection.

    For the window's frame before its first paint; everything else goes
    through ``get_app_value`` on the cache's engine.
    """
    conn = sqlite3.connect(f"file:{cache_file}?mode=ro", uri=True, timeout=10.0)
    try:
        row = conn.execute("SELECT value_json FROM app_state WHERE key = ?", (key,)).fetchone()  # APP_TABLE
    finally:
        conn.close()
    return None if row is None or row[0] is None else json.loads(row[0])


def put_app_value(conn: Connection, key: str, value: Any) -> None:
    """Set ``key`` to the JSON ``value`` (insert or replace)."""
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    stmt = sqlite_insert(app_table()).values(key=key, value_json=value, updated_at=utcnow())
    conn.execute(stmt.on_conflict_do_update(index_elements=["key"], set_={"value_json": value, "updated_at": utcnow()}))


def get_app_value(conn: Connection, key: str) -> Any:
    """The JSON value stored under ``key``, or None."""
    from sqlalchemy import select

    app = app_table()
    return conn.execute(select(app.c.value_json).where(app.c.key == key)).scalar_one_or_none()


def signed_in_name(conn: Connection) -> str | None:
    """Who is signed in, as actions and assignments name them: ``/me``'s name, else its email (None offline
    before any sync)."""
    me = get_app_value(conn, ME_KEY)
    user = me.get("user") if isinstance(me, dict) else None
    if isinstance(user, dict):
        name = user.get("name") or user.get("email")
        return name if isinstance(name, str) else None
    return None
