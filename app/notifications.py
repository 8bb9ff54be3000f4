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

if TYPE_CHECKING:
    from sqlalchemy import Table


def _notifications() -> Table:
    """The notifications table, from the ORM schema when first queried: the window needs the notice
    types above at start-up, not the schema (about 0.4 s to import)."""
    from app.store.schema import Notification

    return Notification.__table__


INFO, WARNING, CRITICAL = "info", "warning", "critical"
SEVERITIES = (INFO, WARNING, CRITICAL)

# Every kind of notification, with the words the settings show next to its "mute" box.
KINDS: dict[str, str] = {
    "health.state": "A service went down or came back up",
    "health.burn_rate": "A service burns its error budget too fast",
    "health.certificate": "A TLS certificate is about to expire",
    "sla.pre_breach": "A ticket is about to breach its SLA",
    "costs.budget": "Spend or its forecast crossed a budget threshold",
    "costs.anomaly": "A day's cost far above its usual level",
    "revenue.at_risk": "A customer newly at risk of churning",
    "licenses.seats": "A license at or over its seat cap",
    "desk.refused": "Stripe or the Ops API refused a billing or access action",
}

# Older than this when first seen, a notice is history: recorded, not announced.
HISTORY_AGE = dt.timedelta(hours=24)


@dataclass(frozen=True)
class Notice:
    """One alert as a rule derives it; ``(kind, key)`` identifies the transition it announces."""

    kind: str
    key: str
    title: str
    body: str = ""
    severity: str = WARNING
    pane: str | None = None  # the tab that shows the record ("tickets")
    record: str | None = None  # the record's key in that tab's table
    occurred_at: dt.datetime | None = None  # naive UTC; None means "now"

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown notification kind {self.kind!r}; known: {', '.join(KINDS)}")
        if self.severity not in SEVERITIES:
            raise ValueError(f"unknown severity {self.severity!r}; known: {', '.join(SEVERITIES)}")


@dataclass(frozen=True)
class Recorded:
    """What ``record`` did: how many notices were new, and which of them to announce now."""

    new: int
    announce: list[Notice]


@dataclass(frozen=True)
class StoredNotice:
    """A recorded notification, as the in-app list shows it."""

    id: int
    notice: Notice
    created_at: dt.datetime
    delivered: bool
    read_at: dt.datetime | None


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
