"""Customers at risk of churning: which signals fire for whom, since when, with their MRR; and the alert rule.

A current customer (a live subscription that pays or is past due) is at risk
when at least one signal fires (``docs/metrics.md`` § Revenue, "At risk"):

* **Past due** -- a subscription whose payment failed and is not settled;
* **Payment failed** -- an unpaid invoice of the last 30 days, or Stripe marks
  the customer delinquent (when not already past due);
* **Downgraded** -- a plan, seat or discount change that lowered a paying
  subscription's MRR within ``risk_downgrade_days``;
* **Cancellation scheduled** -- a subscription set to end at its period's end;
* **Urgent tickets** -- at least ``risk_urgent_tickets`` urgent tickets open;
* **Ticket spike** -- at least ``risk_ticket_spike`` tickets in 7 days, and at
  least three times the customer's weekly average of the 12 weeks before;
* **Usage drop** -- the customer's active users over the last published week
  fell by at least ``risk_usage_drop_percent`` from the week before (weeks end
  on the newest day any customer's usage is published for, so a day not yet
  published is not read as a day without use).

The alert rule announces a customer once per *risk episode*: its key is the customer
and the start of the oldest signal firing, so a customer who stays at risk is
not announced again, and one who recovers and falls at risk later is.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import Connection, DateTime, func, or_, select, type_coerce

from app.config.settings import Settings
from app.domain.revenue.columns import customer_currency, customer_mrr
from app.domain.revenue.fx import Rates, code, load_rates, money
from app.domain.revenue.mrr import PAYING
from app.domain.revenue.policy import Policy
from app.domain.sla import SOLVED_STATUSES
from app.notices import WARNING, Notice
from app.store.schema import Customer, CustomerUsage, Invoice, Price, Subscription, SubscriptionChange, Ticket

_C, _S, _INV, _H, _T, _P, _U = (Customer.__table__, Subscription.__table__, Invoice.__table__,
                                SubscriptionChange.__table__, Ticket.__table__, Price.__table__,
                                CustomerUsage.__table__)
CURRENT = (*PAYING, "unpaid")
FAILED_INVOICE_DAYS = 30
SPIKE_DAYS, USUAL_WEEKS, SPIKE_FACTOR = 7, 12, 3.0
SIGNALS = ("Past due", "Payment failed", "Downgraded", "Cancellation scheduled", "Urgent tickets", "Ticket spike",
           "Usage drop")
USAGE_WEEK = 7
MIN_USUAL_USER_DAYS = 7  # a week with fewer active user-days is too small to fall from


@dataclass(frozen=True)
class Signal:
    name: str
    since: dt.datetime
    detail: str


@dataclass(frozen=True)
class AtRisk:
    customer_id: str
    name: str
    currency: str
    mrr_native: float  # minor units of ``currency``
    mrr: float | None  # reporting minor units (None: no rate)
    signals: list[Signal] = field(default_factory=list)

    @property
    def since(self) -> dt.datetime:
        """When this risk episode began: the oldest signal still firing."""
        return min(s.since for s in self.signals)


def _add(found: dict[str, list[Signal]], rows: Iterable[tuple[str, dt.datetime, str]], name: str) -> None:
    for customer_id, since, detail in rows:
        if customer_id and since:
            found[customer_id].append(Signal(name, since, detail))


def _past_due(conn: Connection, now: dt.datetime) -> list[tuple[str, dt.datetime, str]]:
    fell_due = (
        select(func.max(_H.c.at)).where(_H.c.subscription_id == _S.c.id, _H.c.status_after.in_(("past_due", "unpaid")),
                                        or_(_H.c.status_before.is_(None), _H.c.status_before.not_in(("past_due",))))
        .scalar_subquery()
    )
    rows = conn.execute(
        select(_S.c.customer_id, func.min(func.coalesce(fell_due, _S.c.current_period_start, _S.c.created)))
        .where(_S.c.status.in_(("past_due", "unpaid"))).group_by(_S.c.customer_id)
    ).all()
    return [(cid, min(since, now), "a payment failed and is not settled") for cid, since in rows]


def _failed_payments(conn: Connection, now: dt.datetime) -> list[tuple[str, dt.datetime, str]]:
    since = now - dt.timedelta(days=FAILED_INVOICE_DAYS)
    unpaid = conn.execute(
        select(_INV.c.customer_id, func.min(_INV.c.created), func.count())
        .where(_INV.c.status.in_(("open", "uncollectible")), _INV.c.amount_due_cents > _INV.c.amount_paid_cents,
               _INV.c.created >= since, _INV.c.created <= now)
        .group_by(_INV.c.customer_id)
    ).all()
    rows = [(cid, first, f"{n} unpaid invoice{'s' if n != 1 else ''} in {FAILED_INVOICE_DAYS} days")
            for cid, first, n in unpaid]
    seen = {cid for cid, *_ in rows}
    delinquent = conn.execute(select(_C.c.id, _C.c.created).where(_C.c.delinquent.is_(True))).all()
    rows += [(cid, max(created, since), "Stripe marks the customer delinquent") for cid, created in delinquent
             if cid not in seen]
    return rows


def _downgrades(conn: Connection, now: dt.datetime, days: int) -> list[tuple[str, dt.datetime, str]]:
    nick: dict[str, str] = dict(conn.execute(select(_P.c.id, func.coalesce(_P.c.nickname, _P.c.id))).tuples().all())
    rows = conn.execute(
        select(_H.c.customer_id, _H.c.at, _H.c.plan_before, _H.c.plan_after, _H.c.quantity_before,
               _H.c.quantity_after, _H.c.coupon_after)
        .where(_H.c.at >= now - dt.timedelta(days=days), _H.c.at <= now, _H.c.status_before.in_(PAYING),
               _H.c.status_after.in_(PAYING), _H.c.mrr_after_cents < _H.c.mrr_before_cents - 0.5)
        .order_by(_H.c.at)
    ).all()

    def plan(ids: str | None) -> str:
        return ", ".join(nick.get(i, i) for i in (ids or "").split(",") if i) or "—"

    out = []
    for cid, at, before, after, q_before, q_after, coupon in rows:
        if before != after:
            detail = f"{plan(before)} → {plan(after)}"
        elif q_before != q_after:
            detail = f"seats {q_before} → {q_after}"
        else:
            detail = f"discount {coupon}" if coupon else "lower price"
        out.append((cid, at, detail))
    return out


def _cancellations(conn: Connection, now: dt.datetime) -> list[tuple[str, dt.datetime, str]]:
    rows = conn.execute(
        select(_S.c.customer_id, _S.c.canceled_at, _S.c.current_period_end, _S.c.created)
        .where(_S.c.cancel_at_period_end.is_(True), _S.c.status.in_(CURRENT))
    ).all()
    return [(cid, min(canceled or created, now), f"ends {end:%Y-%m-%d}" if end else "ends at its period's end")
            for cid, canceled, end, created in rows]


def _urgent_tickets(conn: Connection, now: dt.datetime, threshold: int) -> list[tuple[str, dt.datetime, str]]:
    rows = conn.execute(
        select(_T.c.customer_id, func.min(_T.c.created_at), func.count())
        .where(_T.c.priority == "urgent", _T.c.status.not_in(SOLVED_STATUSES), _T.c.customer_id.is_not(None),
               _T.c.created_at <= now)
        .group_by(_T.c.customer_id).having(func.count() >= threshold)
    ).all()
    return [(cid, since, f"{n} urgent tickets open") for cid, since, n in rows]


def _ticket_spikes(conn: Connection, now: dt.datetime, spike: int) -> list[tuple[str, dt.datetime, str]]:
    recent_from = now - dt.timedelta(days=SPIKE_DAYS)
    usual_from = recent_from - dt.timedelta(weeks=USUAL_WEEKS)
    recent = func.sum(func.iif(_T.c.created_at >= recent_from, 1, 0))
    usual = func.sum(func.iif(_T.c.created_at < recent_from, 1, 0))
    rows = conn.execute(
        select(_T.c.customer_id, recent, usual,
               func.min(type_coerce(func.iif(_T.c.created_at >= recent_from, _T.c.created_at, None), DateTime())))
        .where(_T.c.created_at >= usual_from, _T.c.created_at <= now, _T.c.customer_id.is_not(None))
        .group_by(_T.c.customer_id).having(recent >= spike)
    ).all()
    return [(cid, first, f"{n} tickets in {SPIKE_DAYS} days (usually {u / USUAL_WEEKS:.1f} a week)")
            for cid, n, u, first in rows if n >= SPIKE_FACTOR * (u or 0) / USUAL_WEEKS]


def _usage_drops(conn: Connection, drop_percent: int) -> list[tuple[str, dt.datetime, str]]:
    """Customers whose active users in the last published week fell ``drop_percent`` % from the week before.

    The signal starts on the first day of that week that fell as far below the
    same weekday a week earlier, so a drop keeps its start while it lasts.
    """
    last = conn.execute(select(func.max(_U.c.day))).scalar_one()
    if last is None:
        return []
    recent_from = last - dt.timedelta(days=USAGE_WEEK - 1)
    usual_from = recent_from - dt.timedelta(days=USAGE_WEEK)
    recent = func.sum(func.iif(_U.c.day >= recent_from, _U.c.active_users, 0))
    usual = func.sum(func.iif(_U.c.day < recent_from, _U.c.active_users, 0))
    kept = 1.0 - drop_percent / 100.0
    dropped = conn.execute(
        select(_U.c.customer_id, recent, usual)
        .where(_U.c.day >= usual_from, _U.c.day <= last)
        .group_by(_U.c.customer_id).having(usual >= MIN_USUAL_USER_DAYS, recent <= usual * kept)
    ).all()
    if not dropped:
        return []
    days: dict[str, dict[dt.date, int]] = defaultdict(dict)
    for cid, day, users in conn.execute(
        select(_U.c.customer_id, _U.c.day, _U.c.active_users)
        .where(_U.c.customer_id.in_([cid for cid, *_ in dropped]), _U.c.day >= usual_from, _U.c.day <= last)
    ):
        days[cid][day] = users
    rows = []
    for cid, now_users, usual_users in dropped:
        mine = days[cid]
        week = [recent_from + dt.timedelta(days=n) for n in range(USAGE_WEEK)]
        start = next((d for d in week if mine.get(d, 0) <= kept * mine.get(d - dt.timedelta(days=USAGE_WEEK), 0)
                      and mine.get(d - dt.timedelta(days=USAGE_WEEK), 0) > 0), recent_from)
        fall = 100.0 * (1 - now_users / usual_users)
        week_to = f"{now_users:,} active user-days in the week to {last:%Y-%m-%d}"
        detail = f"{week_to}, down {fall:.0f} % from {usual_users:,}"
        rows.append((cid, dt.datetime.combine(start, dt.time()), detail))
    return rows


def at_risk(conn: Connection, now: dt.datetime, settings: Settings, rates: Rates | None = None) -> list[AtRisk]:
    """Current customers with at least one signal, most MRR first."""
    r = settings.revenue
    if rates is None:
        policy = Policy.from_settings(settings)
        rates = load_rates(conn, policy.reporting_currency, policy.fallback_rates)
    found: dict[str, list[Signal]] = defaultdict(list)
    _add(found, _past_due(conn, now), "Past due")
    past_due = set(found)
    _add(found, (row for row in _failed_payments(conn, now) if row[0] not in past_due), "Payment failed")
    _add(found, _downgrades(conn, now, r.risk_downgrade_days), "Downgraded")
    _add(found, _cancellations(conn, now), "Cancellation scheduled")
    _add(found, _urgent_tickets(conn, now, r.risk_urgent_tickets), "Urgent tickets")
    _add(found, _ticket_spikes(conn, now, r.risk_ticket_spike), "Ticket spike")
    _add(found, _usage_drops(conn, r.risk_usage_drop_percent), "Usage drop")
    if not found:
        return []
    current = _S.alias("current_s")
    customers = conn.execute(
        select(_C.c.id, func.coalesce(_C.c.name, _C.c.email, _C.c.id), customer_mrr(_C.c.id),
               customer_currency(_C.c.id))
        .where(_C.c.id.in_(list(found)),
               select(current.c.id).where(current.c.customer_id == _C.c.id, current.c.status.in_(CURRENT))
               .exists())
    ).all()
    today = now.date()
    result = []
    for cid, name, mrr, currency in customers:
        native = float(mrr or 0.0)
        converted = rates.convert(native, currency, today)
        signals = sorted(found[cid], key=lambda s: (SIGNALS.index(s.name), s.since))
        result.append(AtRisk(cid, name, code(currency) or rates.reporting, native, converted, signals))
    result.sort(key=lambda a: (-(a.mrr if a.mrr is not None else a.mrr_native), a.name))
    return result


def at_risk_alerts(conn: Connection, now: dt.datetime, settings: Settings) -> Iterable[Notice]:
    """The ``revenue.at_risk`` alert rule: one notice per customer and risk episode."""
    for customer in at_risk(conn, now, settings):
        since = customer.since
        mrr = money(customer.mrr_native, customer.currency) + " MRR"
        yield Notice(
            kind="revenue.at_risk",
            key=f"{customer.customer_id}:at_risk:{since:%Y-%m-%dT%H:%M}",
            title=f"{customer.name} is at risk of churning",
            body=f"{mrr} · " + "; ".join(f"{s.name}: {s.detail}" for s in customer.signals),
            severity=WARNING,
            pane="customers",
            record=customer.customer_id,
            occurred_at=since,
        )
