"""The in-app list of notifications: what the status-bar bell counts and its panel lists, and marking read.

The records and the rules of recording are ``app.notifications``; this
module is what the window calls through its task runner (an engine in, plain
values out), and marking read returns the ``Changes`` it wrote so the bell and
every open list follow through the change bus.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Engine

from app import notifications
from app.notifications import StoredNotice
from app.store.changes import Changes

TABLE = "notifications"  # ``Notification.__tablename__``: the bell is made at start-up, before the ORM schema
#: What the bell and its list read.
TABLES = frozenset({TABLE})
LISTED = 100  # the panel shows the newest hundred; older ones are history nobody scrolls to


@dataclass(frozen=True)
class Inbox:
    """The unread count and the newest notifications, newest first."""

    unread: int
    entries: list[StoredNotice]


def load(engine: Engine, limit: int = LISTED) -> Inbox:
    with engine.connect() as conn:
        return Inbox(notifications.unread_count(conn), notifications.latest(conn, limit))


def mark_read(engine: Engine, ids: Sequence[int] | None = None) -> Changes:
    """Mark ``ids`` (None: every unread one) read; the changed notifications (none when all were read)."""
    with engine.begin() as conn:
        changed = notifications.mark_read(conn, ids)
    if not changed:
        return Changes()
    return Changes.of(TABLE) if ids is None else Changes.rows(TABLE, ids)
