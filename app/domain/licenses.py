"""Seats in use against each license's cap, and licenses that follow their Stripe subscription.

The rules (``docs/metrics.md``, "Licenses") are written once, as SQL
expressions over the cache, so the registry table can sort and filter on
them, and the figure set, the alert rule, the CLI and the customer desk read
the same numbers:

* **seats in use** of a license: the machines (``activations``) holding one of
  its seats, however they were activated;
* **level**: *over* the cap when more machines than seats, *near* it from
  90 % of the seats (a full license is near: one more machine is over);
* a **live** license is neither revoked nor expired: only live licenses count
  in a customer's seats, the lists and the alerts;
* the **subscription** a license follows is named by its ``subscription_id``;
  its plan is the product's ``tier`` (Stripe product metadata, else the
  product's name).

Every function taking ``now`` compares with it in SQL; the table specs pass
a parameter evaluated when each query runs.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy import (
    ColumnElement,
    Connection,
    DateTime,
    Integer,
    and_,
    bindparam,
    case,
    cast,
    func,
    select,
)

from app import clock
from app.config.settings import Settings
from app.domain.seats import NEAR, NEAR_CAP_PCT, OVER, seat_level
from app.notices import CRITICAL, WARNING, Notice
from app.store.schema import Activation, License, Price, Product, Subscription, SubscriptionItem

L = License.__table__
_A, _S = Activation.__table__, Subscription.__table__
_I, _P, _PROD = SubscriptionItem.__table__, Price.__table__, Product.__table__

#: A license expiring within this window is due for renewal.
RENEW_WITHIN = dt.timedelta(days=30)
#: Subscription states a license should no longer follow blindly: cancelled (or never paid), or payment late.
CANCELLED_STATUSES = ("canceled", "incomplete_expired")
OVERDUE_STATUSES = ("past_due", "unpaid")
LAPSED_STATUSES = CANCELLED_STATUSES + OVERDUE_STATUSES
#: Subscription states in which a plan change should reach the license.
CURRENT_STATUSES = ("active", "trialing", "past_due")


def at(now: dt.datetime) -> ColumnElement[dt.datetime]:
    """``now`` as a bound SQL value (naive UTC)."""
    return bindparam("licenses_now", now, type_=DateTime)


def now_param(name: str, offset: dt.timedelta = dt.timedelta(0)) -> ColumnElement[dt.datetime]:
    """A parameter read from the console's clock each time a query runs (for table specs and filters)."""
    return bindparam(name, callable_=lambda: clock.utcnow() + offset, type_=DateTime)


# --------------------------------------------------------------------------- seats


def seats_in_use_sql(license_id: ColumnElement[Any]) -> ColumnElement[int]:
    """Machines holding a seat of the license ``license_id`` names (correlated; the unique key's index)."""
    a = _A.alias("seat_a")
    return select(func.count()).select_from(a).where(a.c.license_id == license_id).scalar_subquery()


IN_USE = seats_in_use_sql(L.c.id)
#: Seats in use as a share of the cap (seats are at least 1, so it is always defined).
USE_RATIO = IN_USE * 1.0 / L.c.seats
NEAR_OR_OVER = L.c.seats * NEAR_CAP_PCT <= IN_USE * 100
SEAT_LEVEL = case((L.c.seats < IN_USE, OVER), (NEAR_OR_OVER, NEAR), else_=None)


def live(now: ColumnElement[dt.datetime]) -> ColumnElement[bool]:
    """Neither revoked nor expired at ``now``."""
    return and_(L.c.revoked_at.is_(None), L.c.expires_at > now)


def at_seat_level(now: ColumnElement[dt.datetime], *, over_only: bool = False) -> ColumnElement[bool]:
    """Live licenses over their cap (``over_only``) or at least near it."""
    crowded = L.c.seats < IN_USE if over_only else NEAR_OR_OVER
    return and_(live(now), crowded)


@dataclass(frozen=True)
class LicenseSeats:
    """One license's seats: its cap and the machines holding one."""

    license_id: str
    customer_id: str | None
    customer_name: str | None
    plan: str
    seats: int
    in_use: int

    @property
    def ratio(self) -> float:
        return self.in_use / self.seats

    @property
    def level(self) -> str | None:
        return seat_level(self.in_use, self.seats)


@dataclass(frozen=True)
class SeatUse:
    """Seats of one license, or of a customer's live licenses together."""

    licenses: tuple[LicenseSeats, ...]

    @property
    def seats(self) -> int:
        return sum(lic.seats for lic in self.licenses)

    @property
    def in_use(self) -> int:
        return sum(lic.in_use for lic in self.licenses)

    @property
    def ratio(self) -> float | None:
        """In use over the cap; None without a license (no seats to use)."""
        return self.in_use / self.seats if self.seats else None


def seats_in_use(
    conn: Connection,
    license_id: str | None = None,
    *,
    customer_id: str | None = None,
    now: dt.datetime | None = None,
) -> SeatUse:
    """Seats in use of one license (whatever its state), or of a customer's live licenses.

    The customer desk shows a customer's seats with this; the registry table
    and the alerts use the same expressions.
    """
    if (license_id is None) == (customer_id is None):
        raise ValueError("name either a license or a customer")
    stmt = select(L.c.id, L.c.customer_id, L.c.customer_name, L.c.plan, L.c.seats, IN_USE).order_by(L.c.issued_at)
    if license_id is not None:
        stmt = stmt.where(L.c.id == license_id)
    else:
        stmt = stmt.where(L.c.customer_id == customer_id, live(at(now or clock.utcnow())))
    return SeatUse(tuple(LicenseSeats(*row) for row in conn.execute(stmt).tuples()))


# --------------------------------------------------------------------------- the subscription a license follows


def subscription_status_sql(subscription_id: ColumnElement[Any]) -> ColumnElement[str]:
    """The Stripe status of the subscription ``subscription_id`` names (None when not linked or not cached)."""
    s = _S.alias("follow_s")
    return select(s.c.status).where(s.c.id == subscription_id).scalar_subquery()


def subscription_tier_sql(subscription_id: ColumnElement[Any]) -> ColumnElement[str]:
    """The plan the subscription pays for: its product's ``tier`` metadata, else the product name in lower case."""
    i, p, prod = _I.alias("tier_i"), _P.alias("tier_p"), _PROD.alias("tier_prod")
    tier = func.coalesce(func.json_extract(prod.c.metadata_json, "$.tier"), func.lower(prod.c.name))
    return (
        select(tier)
        .select_from(i.join(p, p.c.id == i.c.price_id).join(prod, prod.c.id == p.c.product_id))
        .where(i.c.subscription_id == subscription_id)
        .order_by(i.c.id)
        .limit(1)
        .scalar_subquery()
    )


def subscription_seats_sql(subscription_id: ColumnElement[Any]) -> ColumnElement[int]:
    """The seat cap of the subscription's product (its ``seats`` metadata), None when it names none."""
    i, p, prod = _I.alias("cap_i"), _P.alias("cap_p"), _PROD.alias("cap_prod")
    return (
        select(cast(func.json_extract(prod.c.metadata_json, "$.seats"), Integer))
        .select_from(i.join(p, p.c.id == i.c.price_id).join(prod, prod.c.id == p.c.product_id))
        .where(i.c.subscription_id == subscription_id)
        .order_by(i.c.id)
        .limit(1)
        .scalar_subquery()
    )


SUBSCRIPTION_STATUS = subscription_status_sql(L.c.subscription_id)
SUBSCRIPTION_TIER = subscription_tier_sql(L.c.subscription_id)


def current_subscription(conn: Connection, customer_id: str) -> dict[str, Any] | None:
    """The subscription a new license of the customer follows: their live one (active first), newest first.

    ``{"id", "status", "plan"}``, or None when the customer has no live subscription in the cache.
    """
    rank = case(*((_S.c.status == status, n) for n, status in enumerate(CURRENT_STATUSES)), else_=9)
    row = conn.execute(
        select(_S.c.id, _S.c.status, subscription_tier_sql(_S.c.id).label("plan"))
        .where(_S.c.customer_id == customer_id, _S.c.status.in_(CURRENT_STATUSES))
        .order_by(rank, _S.c.created.desc())
        .limit(1)
    ).mappings().first()
    return dict(row) if row else None


def subscription_lapsed(now: ColumnElement[dt.datetime]) -> ColumnElement[bool]:
    """Live licenses whose subscription was cancelled or is past due (or unpaid)."""
    return and_(live(now), SUBSCRIPTION_STATUS.in_(LAPSED_STATUSES))


def renewal_due(now: ColumnElement[dt.datetime], within: ColumnElement[dt.datetime]) -> ColumnElement[bool]:
    """Licenses expiring between ``now`` and ``within`` whose subscription is active: renew them."""
    return and_(live(now), L.c.expires_at <= within, SUBSCRIPTION_STATUS == "active")


def plan_changed(now: ColumnElement[dt.datetime]) -> ColumnElement[bool]:
    """Live licenses whose current subscription pays for another plan than the license was issued on."""
    return and_(
        live(now), SUBSCRIPTION_STATUS.in_(CURRENT_STATUSES), SUBSCRIPTION_TIER.is_not(None),
        L.c.plan != SUBSCRIPTION_TIER,
    )


def renewal_expiry(expires_at: dt.datetime, not_before: dt.datetime) -> dt.datetime:
    """A renewed license runs for the same number of whole days again, from its current expiry.

    So renewals chain without a gap or an overlap, and a yearly license stays yearly.
    """
    term_days = max(1, round((expires_at - not_before).total_seconds() / 86_400))
    return expires_at + dt.timedelta(days=term_days)


@dataclass(frozen=True)
class Renewal:
    """A license due for renewal, and the expiry its renewal gets."""

    license_id: str
    customer_name: str | None
    plan: str
    seats: int
    expires_at: dt.datetime
    new_expires_at: dt.datetime


def due_renewals(conn: Connection, now: dt.datetime) -> list[Renewal]:
    """Licenses expiring within 30 days of ``now`` whose subscription is active, soonest first."""
    soon = bindparam("licenses_soon", now + RENEW_WITHIN, type_=DateTime)
    rows = conn.execute(
        select(L.c.id, L.c.customer_name, L.c.plan, L.c.seats, L.c.expires_at, L.c.not_before)
        .where(renewal_due(at(now), soon))
        .order_by(L.c.expires_at, L.c.id)
    )
    return [
        Renewal(lid, name, plan, seats, expires, renewal_expiry(expires, not_before))
        for lid, name, plan, seats, expires, not_before in rows.tuples()
    ]


# --------------------------------------------------------------------------- figures and alerts


class AsOf(Protocol):
    """What a figure set is asked for (``app.metrics.MetricsRequest``): only the moment matters here."""

    @property
    def now(self) -> dt.datetime: ...


@dataclass(frozen=True)
class LicenseFigures:
    """The Licenses tab's figures (figure set ``licenses``)."""

    live: int
    seats: int
    seats_in_use: int
    over_cap: int
    near_cap: int  # at least 90 % of the seats, over the cap included
    expiring_30d: int
    renewal_due: int
    subscription_lapsed: int
    plan_changed: int

    @property
    def use_ratio(self) -> float | None:
        return self.seats_in_use / self.seats if self.seats else None


def license_figures(conn: Connection, settings: Settings, request: AsOf) -> LicenseFigures:
    """Figure set ``licenses`` (no setting changes these rules): ``figures_at`` the request's moment."""
    del settings
    return figures_at(conn, request.now)


def figures_at(conn: Connection, moment: dt.datetime) -> LicenseFigures:
    """Live licenses, their seats, and how many each list of the Licenses tab holds at ``moment``."""
    now = at(moment)
    soon = bindparam("licenses_soon", moment + RENEW_WITHIN, type_=DateTime)

    def count(condition: ColumnElement[bool]) -> Any:
        return func.count().filter(condition)

    row = conn.execute(
        select(
            count(live(now)),
            func.coalesce(func.sum(L.c.seats).filter(live(now)), 0),
            func.coalesce(func.sum(IN_USE).filter(live(now)), 0),
            count(at_seat_level(now, over_only=True)),
            count(at_seat_level(now)),
            count(and_(live(now), L.c.expires_at <= soon)),
            count(renewal_due(now, soon)),
            count(subscription_lapsed(now)),
            count(plan_changed(now)),
        )
    ).one()
    return LicenseFigures(*(int(value) for value in row))


def seat_alerts(conn: Connection, now: dt.datetime, settings: Settings) -> Iterable[Notice]:
    """Alert rule ``licenses.seats``: a live license reached 90 % of its seats, or went over its cap.

    One notice per license and level (``<license id>:near``, ``<license id>:over``),
    dated when the latest machine arrived, so a crowding that happened long
    before this workstation heard of it is recorded as history, not announced.
    """
    del settings
    a = _A.alias("arrived_a")
    arrived = select(func.max(a.c.first_seen_at)).where(a.c.license_id == L.c.id).scalar_subquery()
    rows = conn.execute(
        select(L.c.id, L.c.customer_name, L.c.customer_id, L.c.seats, IN_USE, arrived).where(at_seat_level(at(now)))
    )
    for license_id, name, customer_id, seats, in_use, arrived_at in rows.tuples():
        level = seat_level(in_use, seats)
        who = name or customer_id or license_id[:8]
        over = level == OVER
        yield Notice(
            kind="licenses.seats",
            key=f"{license_id}:{level}",
            title=f"{who}: license {'over its seat cap' if over else 'near its seat cap'}",
            body=f"{in_use:,} of {seats:,} seats in use ({in_use / seats:.0%}); license {license_id[:8]}.",
            severity=CRITICAL if over else WARNING,
            pane="licenses",
            record=license_id,
            occurred_at=arrived_at,
        )
