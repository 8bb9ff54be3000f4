"""The availability rule inside SQLite: every window and every day of one service in two indexed scans.

``timeline.Timeline`` states the rule in Python; this module computes the
same sums where the rows are, because the services table needs ninety days
of checks for every service (a year of one-minute checks is millions of
rows, and pulling them into Python costs more than the arithmetic).

For one service, a window function pairs each check with the next one
(``LEAD`` over the ``(service_id, checked_at, source)`` index) and caps its
hold at twice the interval and at now; conditional sums clip those segments
to each window, and a second query splits them at UTC midnights for the
90-day bar.  Maintenance windows are few and short, so the time they cover
is taken back out in Python: the checks around each merged window are read
and ``Timeline`` says how much up and down time fell inside it.  The tests
hold the SQL and ``Timeline`` to the same answers on random timelines.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TypeVar

from sqlalchemy import CTE, Connection, Engine, Float, Integer, and_, case, cast, func, literal, select, union_all

from app.domain.availability.timeline import (
    HOLD_INTERVALS,
    Check,
    Coverage,
    Span,
    Timeline,
    merge_spans,
    overlap_s,
    seconds,
)
from app.store.schema import HealthCheck, MaintenanceWindow

_H, _M = HealthCheck.__table__, MaintenanceWindow.__table__
_JULIAN_UNIX_EPOCH = 2440587.5
_DAY_S = 86_400.0


def _epoch_s(column: object) -> object:
    """A stored time as seconds since the epoch (julianday keeps about 50 µs: far below a check's precision)."""
    return (func.julianday(column) - _JULIAN_UNIX_EPOCH) * _DAY_S


@dataclass(frozen=True)
class ServiceCoverage:
    """One service's coverage per named window, and per UTC day from ``first_day``."""

    windows: Mapping[str, Coverage]
    first_day: dt.date
    days: Sequence[Coverage]


def maintenance_spans(conn: Connection, since: dt.datetime, until: dt.datetime) -> dict[str | None, list[Span]]:
    """Maintenance windows overlapping ``[since, until)`` by service id (None: windows for every service)."""
    rows = conn.execute(
        select(_M.c.service_id, _M.c.starts_at, _M.c.ends_at).where(_M.c.starts_at < until, _M.c.ends_at > since)
    )
    spans: dict[str | None, list[Span]] = {}
    for service_id, starts, ends in rows:
        spans.setdefault(service_id, []).append(Span(starts, ends))
    return spans


def spans_for(service_id: str, spans: Mapping[str | None, Sequence[Span]]) -> list[Span]:
    """A service's own maintenance windows and those for every service, merged."""
    return merge_spans([*spans.get(service_id, ()), *spans.get(None, ())])


def _segments(service_id: str, interval_s: float, since: dt.datetime, now: dt.datetime) -> CTE:
    """``(s, e, ok)``: each check's hold, in epoch seconds (the rule of ``timeline.hold_segments``).

    Materialised: the sums refer to ``s`` and ``e`` many times, and SQLite would
    otherwise compute the hold expression again for every reference.
    """
    t = _epoch_s(_H.c.checked_at)
    ordered = (
        select(
            t.label("t"),  # type: ignore[attr-defined]  # _epoch_s builds a SQL expression
            _H.c.ok.label("ok"),
            # At one instant the failure sorts last, so it is the one that holds (the rule's tie-break).
            func.lead(t).over(order_by=(_H.c.checked_at, _H.c.ok.desc())).label("t_next"),
        )
        .where(_H.c.service_id == service_id, _H.c.checked_at >= since, _H.c.checked_at < now)
        .subquery()
    )
    now_s = literal(seconds(now), Float)
    end = func.min(func.coalesce(ordered.c.t_next, now_s), ordered.c.t + HOLD_INTERVALS * interval_s, now_s)
    return select(ordered.c.t.label("s"), end.label("e"), ordered.c.ok).cte("segments").prefix_with("MATERIALIZED")


def _clipped(seg: CTE, start_s: object, end_s: object) -> object:
    return func.max(0.0, func.min(seg.c.e, end_s) - func.max(seg.c.s, start_s))


def _window_sums(
    conn: Connection, seg: CTE, windows: Mapping[str, Span]
) -> dict[str, tuple[float, float]]:
    """Up and down seconds of each window, one pass over the segments."""
    columns = []
    for span in windows.values():
        part = _clipped(seg, seconds(span.start), seconds(span.end))
        columns.append(func.coalesce(func.sum(case((seg.c.ok.is_(True), part), else_=0.0)), 0.0))
        columns.append(func.coalesce(func.sum(case((seg.c.ok.is_(True), 0.0), else_=part)), 0.0))
    row = conn.execute(select(*columns).select_from(seg)).one()
    return {name: (float(row[2 * i]), float(row[2 * i + 1])) for i, name in enumerate(windows)}


def _day_sums(conn: Connection, seg: CTE, first_day: dt.date) -> dict[tuple[int, bool], float]:
    """Seconds per (UTC day number, ok): a segment is split at the midnights it crosses (at most two)."""
    steps = union_all(*(select(literal(k, Integer).label("k")) for k in range(3))).subquery()
    day = cast(seg.c.s / _DAY_S, Integer) + steps.c.k
    part = func.max(0.0, func.min(seg.c.e, (day + 1) * _DAY_S) - func.max(seg.c.s, day * _DAY_S))
    first = (first_day - dt.date(1970, 1, 1)).days
    stmt = (
        select(day.label("day"), seg.c.ok, func.sum(part))
        .select_from(seg.join(steps, literal(True)))
        .where(day >= first, part > 0)
        .group_by(day, seg.c.ok)
    )
    return {(int(d), bool(ok)): float(total) for d, ok, total in conn.execute(stmt)}


def _checks_near(
    conn: Connection, service_id: str, start: dt.datetime, end: dt.datetime
) -> list[Check]:
    rows = conn.execute(
        select(_H.c.checked_at, _H.c.ok)
        .where(_H.c.service_id == service_id, _H.c.checked_at >= start, _H.c.checked_at < end)
    )
    return [Check(at, bool(ok)) for at, ok in rows]


def service_coverage(
    conn: Connection,
    service_id: str,
    interval_s: float,
    now: dt.datetime,
    windows: Mapping[str, Span],
    first_day: dt.date,
    maintenance: Sequence[Span] = (),
) -> ServiceCoverage:
    """One service's coverage of each window (ending at or before ``now``) and of each day from ``first_day``.

    ``maintenance``: the service's merged maintenance windows.
    """
    hold = dt.timedelta(seconds=HOLD_INTERVALS * interval_s)
    day_zero = dt.datetime(first_day.year, first_day.month, first_day.day)
    earliest = min([day_zero, *(w.start for w in windows.values())])
    sums = _window_sums(conn, _segments(service_id, interval_s, earliest - hold, now), windows)
    by_day = _day_sums(conn, _segments(service_id, interval_s, day_zero - hold, now), first_day)
    day_spans = []
    start = day_zero
    while start < now:
        day_spans.append(Span(start, min(start + dt.timedelta(days=1), now)))
        start += dt.timedelta(days=1)
    # Take back what maintenance covered: the rule cuts it out; the SQL above did not.
    inside = [
        (m, Timeline(_checks_near(conn, service_id, m.start - hold, min(m.end + hold, now)), interval_s, now))
        for m in maintenance if m.start < now
    ]

    def corrected(span: Span, up: float, down: float) -> Coverage:
        for m, line in inside:
            part = line.coverage(max(span.start, m.start), min(span.end, m.end))
            up, down = up - part.up_s, down - part.down_s
        up, down = max(0.0, up), max(0.0, down)
        held = overlap_s(maintenance, span.start, span.end)
        return Coverage(up, down, held, max(0.0, span.seconds - up - down - held))

    first = (first_day - dt.date(1970, 1, 1)).days
    return ServiceCoverage(
        windows={name: corrected(span, *sums[name]) for name, span in windows.items()},
        first_day=first_day,
        days=[
            corrected(span, by_day.get((first + n, True), 0.0), by_day.get((first + n, False), 0.0))
            for n, span in enumerate(day_spans)
        ],
    )


_T = TypeVar("_T")
_R = TypeVar("_R")
PARALLEL = 2  # services computed at once: SQLite works outside the GIL, each on its own connection


def per_service(engine: Engine, items: Sequence[_T], work: Callable[[Connection, _T], _R]) -> list[_R]:
    """``work(conn, item)`` for every item, ``PARALLEL`` at a time, each thread on its own connection; in order."""

    def one(item: _T) -> _R:
        with engine.connect() as conn:
            return work(conn, item)

    if len(items) < 2:
        return [one(item) for item in items]
    with ThreadPoolExecutor(max_workers=PARALLEL, thread_name_prefix="coverage") as pool:
        return list(pool.map(one, items))


def latest_checks(conn: Connection, service_id: str, limit: int) -> list[tuple[dt.datetime, bool, float | None,
                                                                               str | None, str]]:
    """The service's newest checks, oldest first: (at, ok, latency ms, error, source)."""
    rows = conn.execute(
        select(_H.c.checked_at, _H.c.ok, _H.c.latency_ms, _H.c.error, _H.c.source)
        .where(_H.c.service_id == service_id)
        .order_by(_H.c.checked_at.desc(), _H.c.ok.asc())
        .limit(limit)
    ).all()
    return [(r[0], bool(r[1]), r[2], r[3], r[4]) for r in reversed(rows)]


def last_success_at(conn: Connection, service_id: str) -> dt.datetime | None:
    """When the service last passed a check (walks its index backwards from the newest)."""
    at: dt.datetime | None = conn.execute(
        select(_H.c.checked_at)
        .where(_H.c.service_id == service_id, _H.c.ok.is_(True))
        .order_by(_H.c.checked_at.desc())
        .limit(1)
    ).scalar_one_or_none()
    return at


def failures_since(conn: Connection, service_id: str, after: dt.datetime | None) -> tuple[int, dt.datetime | None]:
    """How many checks failed after ``after`` (the last success), and when the first of them ran."""
    condition = _H.c.service_id == service_id
    if after is not None:
        condition = and_(condition, _H.c.checked_at > after)
    count, first = conn.execute(select(func.count(), func.min(_H.c.checked_at)).where(condition)).one()
    return int(count), first
