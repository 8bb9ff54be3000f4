"""The support figure set: the queue now, SLA achievement, median times, FCR, CSAT, backlog, escalations.

One function (``support_figures``) serves the Tickets pane's strip and
table, the reports and ``opsconsole metrics support --json``.  Every figure's
rule is written in docs/metrics.md under "Support and SLA"; in short:

* **SLA achievement** of a metric over the last 7 or 30 days: clocks whose
  outcome fell in the window -- fulfilled in it (met when by the due instant),
  or breached in it and still running (missed) -- met / (met + missed).
* **Median first reply / resolution**: business seconds counted by the
  clocks fulfilled in the window (pauses excluded), the median of them.
* **First contact resolution**: tickets solved in the window whose team
  replied exactly once, over those solved with at least one team reply.
* **CSAT**: the average of the ratings given in the window, and their count.
* **Backlog**: unsolved tickets at the end of each of the last 30 days
  (calendar days in the support calendar's zone): open now, plus those solved
  since, minus those created since.
* **Escalations per tier**: escalation events in the window by the tier they
  went to.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections import Counter
from dataclasses import dataclass
from typing import Protocol

from sqlalchemy import Connection, and_, case, func, literal, or_, select

from app.config.settings import Settings
from app.domain.sla import queue
from app.domain.sla.rules import rules_in_force
from app.sla_rules.calendars import zone
from app.sla_rules.policies import FIRST_REPLY, METRICS, PRIORITIES, RESOLUTION, SOLVED_STATUSES
from app.store.schema import Ticket, TicketEvent, TicketRating, TicketSla


class _Request(Protocol):
    """What a figure set is asked (``app.metrics.MetricsRequest``, a layer above this one)."""

    @property
    def now(self) -> dt.datetime: ...


@dataclass(frozen=True)
class AsOf:
    """A request for the figures as of ``now``, for callers below ``app.metrics`` (the Tickets view)."""

    now: dt.datetime


WINDOWS = (7, 30)  # days
BACKLOG_DAYS = 30
_T, _S, _E, _R = Ticket.__table__, TicketSla.__table__, TicketEvent.__table__, TicketRating.__table__


@dataclass(frozen=True)
class Achievement:
    """How many clocks of one metric (and priority, or all) met or missed their target in a window."""

    metric: str
    priority: str | None  # None: every priority
    days: int
    met: int
    missed: int

    @property
    def pct(self) -> float | None:
        total = self.met + self.missed
        return 100.0 * self.met / total if total else None


@dataclass(frozen=True)
class Median:
    metric: str
    days: int
    seconds: float | None  # business seconds; None without any fulfilled clock
    count: int


@dataclass(frozen=True)
class Ratio:
    part: int
    whole: int
    target_pct: float

    @property
    def pct(self) -> float | None:
        return 100.0 * self.part / self.whole if self.whole else None


@dataclass(frozen=True)
class Satisfaction:
    average: float | None
    count: int
    target: float
    days: int


@dataclass(frozen=True)
class SupportFigures:
    """The support figure set (``opsconsole metrics support``)."""

    as_of: dt.datetime
    rules_source: str  # ops_api | settings | defaults
    policies: tuple[str, ...]
    queue: dict[str, int]  # open tickets by SLA state now, plus "open" and "unassigned"
    achievement: tuple[Achievement, ...]  # per metric: every priority first, then each priority
    medians: tuple[Median, ...]
    first_contact_resolution: Ratio
    satisfaction: Satisfaction
    backlog: tuple[tuple[dt.date, int], ...]  # (day, unsolved at its end), oldest first
    escalations: dict[int, dict[int, int]]  # days → {tier reached: count}

    def achievement_of(self, metric: str, days: int, priority: str | None = None) -> Achievement:
        return next(a for a in self.achievement if (a.metric, a.days, a.priority) == (metric, days, priority))


def _queue_counts(conn: Connection, now: dt.datetime) -> dict[str, int]:
    state = queue.state_sql(_T.c.status, _T.c.sla_rank, _T.c.sla_warn_at, literal(now))
    counts = dict.fromkeys(queue.STATES, 0)
    unsolved = _T.c.status.not_in(SOLVED_STATUSES)
    for name, n in conn.execute(select(state, func.count()).where(unsolved).group_by(state)):
        counts[name] = int(n)
    counts["open"] = sum(counts[s] for s in queue.STATES)
    counts["unassigned"] = int(conn.execute(
        select(func.count()).where(unsolved, _T.c.assignee.is_(None))
    ).scalar_one())
    return counts


def _achievement(conn: Connection, now: dt.datetime) -> tuple[Achievement, ...]:
    found: Counter[tuple[str, str, int, bool]] = Counter()
    for days in WINDOWS:
        start = now - dt.timedelta(days=days)
        ended_in_window = or_(
            and_(_S.c.fulfilled_at >= start, _S.c.fulfilled_at < now),
            and_(_S.c.fulfilled_at.is_(None), _S.c.due_at >= start, _S.c.due_at < now),
        )
        on_time = and_(_S.c.fulfilled_at.is_not(None), or_(_S.c.due_at.is_(None), _S.c.fulfilled_at <= _S.c.due_at))
        outcome = case((on_time, True), else_=False)
        rows = conn.execute(
            select(_S.c.metric, _T.c.priority, outcome, func.count())
            .select_from(_S.join(_T, _T.c.id == _S.c.ticket_id))
            .where(ended_in_window)
            .group_by(_S.c.metric, _T.c.priority, outcome)
        )
        for metric, priority, was_met, n in rows:
            found[metric, priority, days, bool(was_met)] += int(n)
    figures = []
    for metric in METRICS:
        for days in WINDOWS:
            met = sum(n for (m, _, d, ok), n in found.items() if (m, d, ok) == (metric, days, True))
            missed = sum(n for (m, _, d, ok), n in found.items() if (m, d, ok) == (metric, days, False))
            figures.append(Achievement(metric, None, days, met, missed))
            figures.extend(
                Achievement(metric, p, days, found[metric, p, days, True], found[metric, p, days, False])
                for p in PRIORITIES
            )
    return tuple(figures)


def _median(conn: Connection, metric: str, days: int, now: dt.datetime) -> Median:
    start = now - dt.timedelta(days=days)
    where = and_(_S.c.metric == metric, _S.c.fulfilled_at >= start, _S.c.fulfilled_at < now,
                 _S.c.elapsed_s.is_not(None))
    count = int(conn.execute(select(func.count()).select_from(_S).where(where)).scalar_one())
    if not count:
        return Median(metric, days, None, 0)
    middle = select(_S.c.elapsed_s).where(where).order_by(_S.c.elapsed_s)
    values = [float(v) for v in conn.execute(middle.offset((count - 1) // 2).limit(2 - count % 2)).scalars()]
    return Median(metric, days, sum(values) / len(values), count)


def _first_contact(conn: Connection, now: dt.datetime, target: float) -> Ratio:
    start = now - dt.timedelta(days=WINDOWS[-1])
    solved = and_(_T.c.resolved_at >= start, _T.c.resolved_at < now, _T.c.status.in_(SOLVED_STATUSES),
                  _T.c.sla_agent_replies >= 1)
    whole, part = conn.execute(
        select(func.count(), func.coalesce(func.sum(case((_T.c.sla_agent_replies == 1, 1), else_=0)), 0))
        .where(solved)
    ).one()
    return Ratio(int(part), int(whole), target)


def _satisfaction(conn: Connection, now: dt.datetime, target: float) -> Satisfaction:
    days = WINDOWS[-1]
    start = now - dt.timedelta(days=days)
    average, count = conn.execute(
        select(func.avg(_R.c.score), func.count()).where(_R.c.created_at >= start, _R.c.created_at < now)
    ).one()
    return Satisfaction(None if average is None else float(average), int(count), target, days)


def _backlog(conn: Connection, now: dt.datetime, zone_name: str) -> tuple[tuple[dt.date, int], ...]:
    tz = zone(zone_name)
    today = now.replace(tzinfo=dt.UTC).astimezone(tz).date()
    days = [today - dt.timedelta(days=n) for n in range(BACKLOG_DAYS - 1, -1, -1)]

    def end_of(day: dt.date) -> dt.datetime:
        local = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), tzinfo=tz)
        return min(now, local.astimezone(dt.UTC).replace(tzinfo=None))

    first = end_of(days[0])
    open_now = int(conn.execute(select(func.count()).where(_T.c.status.not_in(SOLVED_STATUSES))).scalar_one())
    created = sorted(conn.execute(select(_T.c.created_at).where(_T.c.created_at > first)).scalars())
    solved = sorted(conn.execute(select(_T.c.resolved_at).where(
        _T.c.resolved_at > first, _T.c.status.in_(SOLVED_STATUSES))).scalars())
    trend = []
    for day in days:
        edge = end_of(day)
        after_created = len(created) - bisect.bisect_right(created, edge)
        after_solved = len(solved) - bisect.bisect_right(solved, edge)
        trend.append((day, open_now + after_solved - after_created))
    return tuple(trend)


def _escalations(conn: Connection, now: dt.datetime) -> dict[int, dict[int, int]]:
    tier = func.coalesce(func.json_extract(_E.c.data_json, "$.tier"), 0)
    result: dict[int, dict[int, int]] = {}
    for days in WINDOWS:
        start = now - dt.timedelta(days=days)
        rows = conn.execute(
            select(tier, func.count())
            .where(_E.c.created_at >= start, _E.c.created_at < now, _E.c.kind == "escalation")
            .group_by(tier)
        )
        counts = {2: 0, 3: 0}
        for reached, n in rows:
            counts[int(reached or 0)] = counts.get(int(reached or 0), 0) + int(n)
        result[days] = counts
    return result


def support_figures(conn: Connection, settings: Settings, request: _Request) -> SupportFigures:
    """The figure set registered as ``support``: every number the Tickets pane's strip and table show."""
    now = request.now
    in_force = rules_in_force(conn)
    policies = in_force.rules.policies
    sla = settings.sla
    return SupportFigures(
        as_of=now,
        rules_source=in_force.source,
        policies=tuple(p.name for p in policies),
        queue=_queue_counts(conn, now),
        achievement=_achievement(conn, now),
        medians=tuple(_median(conn, m, d, now) for m in (FIRST_REPLY, RESOLUTION) for d in WINDOWS),
        first_contact_resolution=_first_contact(conn, now, sla.first_contact_resolution_pct),
        satisfaction=_satisfaction(conn, now, sla.satisfaction_target),
        backlog=_backlog(conn, now, policies[-1].calendar.timezone),
        escalations=_escalations(conn, now),
    )
