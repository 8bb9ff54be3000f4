"""Notifications: what the console tells its user, recorded once per transition, muted per kind.

Alert rules (``app.alerts``) re-derive their alerts from the cache each time
they run — a service that is down, a ticket inside its pre-breach window, a
budget threshold crossed.  Each alert is a ``Notice`` with a *dedupe key*
that names one transition (``"svc_api:down:2026-11-30T10:02"``, not just
``"svc_api"``), so recording is idempotent: a notice is delivered the first
time its ``(kind, key)`` is seen and never again, and a service that goes down
a second time is a new key, hence a new notification.

Delivery is separate from recording.  A notice is recorded *quietly*
(kept in the list as already read, not shown as a desktop message) when its
kind is muted, when it is history (it happened long before it reached us, as
on the first sync of a fresh cache), or when the caller says the whole run is
quiet.  The UI shows the unread list and a tray message for what
``record`` returns; nothing here imports Qt.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import Connection, func, select, update
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from app.clock import utcnow
from app.notices import HISTORY_AGE, Notice, StoredNotice

if TYPE_CHECKING:
    from sqlalchemy import Table


def _notifications() -> Table:
    """The notifications table, from the ORM schema when first queried (it costs about 0.4 s to import,
    and the alert rules and the bell's list that load this module need only the table)."""
    from app.store.schema import Notification

    return Notification.__table__


@dataclass(frozen=True)
class Recorded:
    """What ``record`` did: how many notices were new, and which of them to announce now."""

    new: int
    announce: list[Notice]


def record(
    conn: Connection,
    notices: Iterable[Notice],
    *,
    muted: Iterable[str] = (),
    quiet: bool = False,
    now: dt.datetime | None = None,
) -> Recorded:
    """Record notices never seen before (by kind and key); say which of them to announce now.

    Runs in the caller's transaction.  A notice already recorded is skipped,
    whatever its text says now, which is what keeps a rule evaluated every
    minute from repeating itself.
    """
    table = _notifications()
    now = now or utcnow()
    muted_kinds = frozenset(muted)
    announced: list[Notice] = []
    new = 0
    for notice in notices:
        occurred = notice.occurred_at or now
        silent = quiet or notice.kind in muted_kinds or now - occurred > HISTORY_AGE
        result = conn.execute(
            sqlite_insert(table)
            .values(
                kind=notice.kind,
                dedupe_key=notice.key,
                severity=notice.severity,
                title=notice.title,
                body=notice.body,
                pane=notice.pane,
                record_key=notice.record,
                occurred_at=occurred,
                created_at=now,
                delivered=not silent,
                read_at=now if silent else None,
            )
            .on_conflict_do_nothing(index_elements=("kind", "dedupe_key"))
        )
        if result.rowcount:
            new += 1
            if not silent:
                announced.append(notice)
    return Recorded(new, announced)


def unread_count(conn: Connection) -> int:
    """How many notifications the user has not seen (the status-bar bell's number)."""
    table = _notifications()
    return int(conn.execute(select(func.count()).select_from(table).where(table.c.read_at.is_(None))).scalar_one())


def latest(conn: Connection, limit: int = 200, *, unread_only: bool = False) -> list[StoredNotice]:
    """The newest notifications first (a bounded list: the in-app panel shows at most ``limit``)."""
    table = _notifications()
    stmt = select(table).order_by(table.c.created_at.desc(), table.c.id.desc()).limit(limit)
    if unread_only:
        stmt = stmt.where(table.c.read_at.is_(None))
    return [
        StoredNotice(
            id=r.id,
            notice=Notice(r.kind, r.dedupe_key, r.title, r.body, r.severity, r.pane, r.record_key, r.occurred_at),
            created_at=r.created_at,
            delivered=r.delivered,
            read_at=r.read_at,
        )
        for r in conn.execute(stmt)
    ]


def mark_read(conn: Connection, ids: Sequence[int] | None = None, *, now: dt.datetime | None = None) -> int:
    """Mark ``ids`` (or every unread notification) read; returns how many changed."""
    table = _notifications()
    stmt = update(table).where(table.c.read_at.is_(None)).values(read_at=now or utcnow())
    if ids is not None:
        stmt = stmt.where(table.c.id.in_(list(ids)))
    return int(conn.execute(stmt).rowcount or 0)
