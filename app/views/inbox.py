"""The in-app list of notifications: what the status-bar bell counts and its panel lists, and marking read.

The records and the rules of recording are ``app.notifications``; this
module is what the window calls through its task runner (an engine in, plain
values out), and marking read returns the ``Changes`` it wrote so the bell and
every open list follow through the change bus.

The bell is made before the window's first paint and runs no query until
after it, so the recording module (SQLAlchemy and the cache's schema) is
imported by these functions, on the worker that runs them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from app.notices import StoredNotice
from app.store.changes import Changes

if TYPE_CHECKING:
    from sqlalchemy import Engine

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
    from app import notifications

    with engine.connect() as conn:
        return Inbox(notifications.unread_count(conn), notifications.latest(conn, limit))


def mark_read(engine: Engine, ids: Sequence[int] | None = None) -> Changes:
    """Mark ``ids`` (None: every unread one) read; the changed notifications (none when all were read)."""
    from app import notifications

    with engine.begin() as conn:
        changed = notifications.mark_read(conn, ids)
    if not changed:
        return Changes()
    return Changes.of(TABLE) if ids is None else Changes.rows(TABLE, ids)
