"""Report sections of the business's daily usage (``usage_daily``) and feature adoption (figure set ``usage``).

The Ops API serves one row per UTC day: active users, sign-ups, trial starts,
conversions to paid, and the processing volume with its success rate.  A
period's figures are the sums of its days (active users: the average day;
success rate: weighted by each day's volume), as written in docs/metrics.md
§ "Overview and reports".
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Connection, select

from app.domain.usage.figures import UsageFigures
from app.reports import DAILY, fmt
from app.reports.inputs import Inputs
from app.reports.model import Cell, Chart, Figure, Section, Series, Table
from app.store.schema import UsageDaily

USAGE = "usage"
TREND_DAYS = 28  # a daily report's charts show the four weeks up to its day


@dataclass(frozen=True)
class UsageTotals:
    days: int
    signups: int
    trial_starts: int
    conversions: int
    active_users: float | None  # the average day
    processing_volume: int
    success_rate: float | None  # weighted by volume


@dataclass(frozen=True)
class UsageDay:
    day: dt.date
    active_users: int
    signups: int
    trial_starts: int
    conversions: int
    processing_volume: int
    processing_success_rate: float


def usage_days(conn: Connection, start: dt.date, end: dt.date) -> list[UsageDay]:
    """The synced days from ``start`` to ``end`` inclusive, oldest first."""
    u = UsageDaily
    rows = conn.execute(select(u.day, u.active_users, u.signups, u.trial_starts, u.conversions, u.processing_volume,
                               u.processing_success_rate).where(u.day >= start, u.day <= end).order_by(u.day))
    return [UsageDay(*row) for row in rows]


def totals(days: list[UsageDay]) -> UsageTotals:
    volume = sum(d.processing_volume for d in days)
    return UsageTotals(
        days=len(days),
        signups=sum(d.signups for d in days),
        trial_starts=sum(d.trial_starts for d in days),
        conversions=sum(d.conversions for d in days),
        active_users=sum(d.active_users for d in days) / len(days) if days else None,
        processing_volume=volume,
        success_rate=sum(d.processing_volume * d.processing_success_rate for d in days) / volume if volume else None,
    )


def _figures(t: UsageTotals) -> tuple[Figure, ...]:
    return (
        Figure("Registrations", fmt.count(t.signups)),
        Figure("Trials started", fmt.count(t.trial_starts)),
        Figure("Conversions to paid", fmt.count(t.conversions)),
        Figure("Active users", fmt.count(t.active_users), note="average day" if t.days > 1 else ""),
        Figure("Processing volume", fmt.count(t.processing_volume)),
        Figure("Processing success", fmt.share(t.success_rate)),
    )


def usage_headline(inputs: Inputs) -> tuple[Figure, ...]:
    figures = _figures(totals(usage_days(inputs.conn, inputs.period.start, inputs.period.last_day(inputs.as_of))))
    return figures[0], figures[2]


def usage_section(inputs: Inputs) -> Section:
    period = inputs.period
    last = period.last_day(inputs.as_of)
    days = usage_days(inputs.conn, period.start, last)
    shown = days
    if period.kind == DAILY:
        shown = usage_days(inputs.conn, last - dt.timedelta(days=TREND_DAYS - 1), last)
    table = Table("usage_by_day", "Usage by day", ("Day", "Active users", "Registrations", "Trials", "Conversions",
                                                   "Processing volume", "Success"),
                  tuple((Cell(d.day.isoformat()), *(Cell(fmt.count(v), v) for v in (
                      d.active_users, d.signups, d.trial_starts, d.conversions, d.processing_volume)),
                         Cell(fmt.share(d.processing_success_rate), round(d.processing_success_rate * 100, 2)))
                        for d in reversed(days)),
                  "No usage synced for this period.")
    labels = tuple(f"{d.day:%d %b}" for d in shown)
    charts = (
        Chart("Registrations and conversions by day", "bar", labels,
              (Series("Registrations", tuple(float(d.signups) for d in shown)),
               Series("Conversions", tuple(float(d.conversions) for d in shown))), "people"),
        Chart("Active users by day", "line", labels, (Series("Active users", tuple(float(d.active_users)
                                                                                   for d in shown)),), "users"),
    )
    tables = [table]
    if period.kind != DAILY:
        tables.append(feature_table(inputs))
    return Section(USAGE, "Acquisition, usage and processing", USAGE, _figures(totals(days)), tuple(tables), charts)


def feature_table(inputs: Inputs) -> Table:
    """Each feature's rollout and adoption: the ``usage`` figure set's (docs/metrics.md, its section)."""
    usage: UsageFigures = inputs.figures("usage")
    return Table("features", f"Feature adoption, {usage.month:%B %Y}",
                 ("Feature", "Rollout", "Users with access", "Active in 30 days", "Adoption"),
                 tuple((Cell(f.name), Cell(_phase(f.rollout_phase)),
                        Cell(fmt.count(f.users_with_access), f.users_with_access),
                        Cell(fmt.count(f.active_users_30d), f.active_users_30d),
                        Cell(fmt.percent(f.adoption_pct), None if f.adoption_pct is None else round(f.adoption_pct, 1)))
                       for f in usage.features), "No features synced.")


def _phase(code: str) -> str:
    """``premium_25`` → "25 % of premium customers"; ``plans`` → "Its plans only"; ``everyone`` → "Everyone"."""
    if code.startswith("premium_"):
        return f"{code.removeprefix('premium_')} % of premium customers"
    return {"plans": "Its plans only", "everyone": "Everyone"}.get(code, fmt.words(code))
