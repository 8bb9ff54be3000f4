"""The ``usage`` figure set: the product dashboard's numbers for one month, from the synced usage tables.

``usage_daily`` holds one row a day for the whole product (the Ops API counts
distinct users — MAU, retention cohorts — since a distinct count cannot be
summed from days); ``feature_flags`` holds each feature's rollout and how many
of the users it reaches used it in the last 30 days.  Rules: docs/metrics.md
§ "Product usage".
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy import Connection, select

from app.config.settings import Settings
from app.domain.usage import rules
from app.store.schema import FeatureFlag, UsageDaily

SERIES_DAYS = 30  # the sparklines' span
_U, _F = UsageDaily.__table__, FeatureFlag.__table__


class _Request(Protocol):
    """What a figure set is asked (``app.metrics.MetricsRequest``, a layer above this one)."""

    @property
    def now(self) -> dt.datetime: ...

    @property
    def month(self) -> dt.date | None: ...


@dataclass(frozen=True)
class UsageDay:
    """One day of the product: the sparklines' points."""

    day: dt.date
    active_users: int
    monthly_active_users: int | None
    avg_session_minutes: float | None
    retention_30d_pct: float | None  # of the sign-ups of 30 days before, active on this day


@dataclass(frozen=True)
class FeatureAdoption:
    """One feature: how far its rollout reaches and how many of those users used it in 30 days."""

    id: str
    name: str
    rollout_phase: str  # plans | premium_5 | premium_25 | premium_50 | premium_100 | everyone
    users_with_access: int | None
    active_users_30d: int | None
    adoption_pct: float | None


@dataclass(frozen=True)
class Funnel:
    """Free to paid over the month: sign-ups, trials started, conversions to paid (flows, not a cohort).

    Trial-to-paid is the revenue figure set's cohort rule (docs/metrics.md
    "Trial conversion"), not a ratio of these flows.
    """

    signups: int
    trial_starts: int
    conversions: int
    trial_pct: float | None  # trial starts per 100 sign-ups
    paid_pct: float | None  # conversions per 100 sign-ups: the free-to-paid conversion rate


@dataclass(frozen=True)
class UsageFigures:
    """Everything the product dashboard says about one month (figure set ``usage``)."""

    as_of: dt.datetime
    month: dt.date
    last_day: dt.date | None  # the month's newest day with figures
    days_with_figures: int
    dau: float | None  # average over the month's days
    dau_latest: int | None
    mau: int | None  # distinct users of the 30 days to ``last_day``
    mau_growth_pct: float | None  # MAU against MAU 30 days before ``last_day``
    stickiness_pct: float | None
    retention_30d_pct: float | None
    avg_session_minutes: float | None
    free_to_paid: Funnel
    nps: float | None
    nps_responses: int
    features: tuple[FeatureAdoption, ...]  # by name
    feature_adoption_pct: float | None  # the mean of the features' adoption
    days: tuple[UsageDay, ...]  # the ``SERIES_DAYS`` days to ``last_day``, oldest first


def month_bounds(request: _Request) -> tuple[dt.date, dt.date, dt.datetime]:
    """The month asked (this one when None), its last day the figures may reach, and the moment seen from."""
    now = request.now
    month = request.month or dt.date(now.year, now.month, 1)
    month = month.replace(day=1)
    following = dt.date(month.year + month.month // 12, month.month % 12 + 1, 1)
    as_of = min(now, dt.datetime.combine(following, dt.time()))
    return month, min(following - dt.timedelta(days=1), as_of.date()), as_of


def _day(row: Any) -> UsageDay:
    return UsageDay(row.day, int(row.active_users), row.monthly_active_users, row.avg_session_minutes,
                    rules.pct(row.retention_cohort_retained, row.retention_cohort_users))


def _sum(rows: Sequence[Any], column: str) -> int:
    return sum(int(getattr(r, column) or 0) for r in rows)


def _optional_sum(rows: Sequence[Any], column: str) -> int | None:
    known = [int(getattr(r, column)) for r in rows if getattr(r, column) is not None]
    return sum(known) if known else None


def _features(conn: Connection) -> tuple[FeatureAdoption, ...]:
    rows = conn.execute(select(_F.c.id, _F.c.name, _F.c.rollout_phase, _F.c.users_with_access,
                               _F.c.active_users_30d).order_by(_F.c.name)).all()
    return tuple(FeatureAdoption(r.id, r.name, r.rollout_phase, r.users_with_access, r.active_users_30d,
                                 rules.pct(r.active_users_30d, r.users_with_access)) for r in rows)


def usage_figures(conn: Connection, settings: Settings, request: _Request) -> UsageFigures:
    """Figure set ``usage`` for ``request.month`` (this month when None) as of ``request.now``."""
    del settings  # no setting changes these rules
    month, last, as_of = month_bounds(request)
    first = min(month, last - dt.timedelta(days=SERIES_DAYS))
    rows = conn.execute(select(_U).where(_U.c.day >= first, _U.c.day <= last).order_by(_U.c.day)).all()
    in_month = [r for r in rows if r.day >= month]
    newest = in_month[-1] if in_month else None
    before = None if newest is None else conn.execute(
        select(_U.c.monthly_active_users).where(_U.c.day == newest.day - dt.timedelta(days=30))).scalar()
    dau = rules.average_dau(int(r.active_users) for r in in_month)
    mau = newest.monthly_active_users if newest is not None else None
    signups, trials, paid = _sum(in_month, "signups"), _sum(in_month, "trial_starts"), _sum(in_month, "conversions")
    promoters, passives, detractors = (_sum(in_month, c) for c in ("nps_promoters", "nps_passives", "nps_detractors"))
    features = _features(conn)
    window = [r for r in rows if newest is not None and r.day > newest.day - dt.timedelta(days=SERIES_DAYS)]
    return UsageFigures(
        as_of=as_of,
        month=month,
        last_day=newest.day if newest is not None else None,
        days_with_figures=len(in_month),
        dau=dau,
        dau_latest=int(newest.active_users) if newest is not None else None,
        mau=mau,
        mau_growth_pct=rules.growth(mau, before),
        stickiness_pct=rules.stickiness(dau, mau),
        retention_30d_pct=rules.pct(_optional_sum(in_month, "retention_cohort_retained"),
                                    _optional_sum(in_month, "retention_cohort_users")),
        avg_session_minutes=rules.weighted_session((r.avg_session_minutes, int(r.active_users)) for r in in_month),
        free_to_paid=Funnel(signups, trials, paid, rules.pct(trials, signups), rules.pct(paid, signups)),
        nps=rules.nps(promoters, passives, detractors),
        nps_responses=promoters + passives + detractors,
        features=features,
        feature_adoption_pct=rules.mean(f.adoption_pct for f in features),
        days=tuple(_day(r) for r in window),
    )
