"""Recurring revenue: MRR per subscription and customer, the business KPIs, one customer's billing.

MRR counts subscriptions that are ``active`` or ``past_due`` (a past-due
customer still owes the money; trials do not pay yet).  Each item is
``quantity × unit amount`` normalised to a month (an annual price counts a
twelfth, a quarterly one a third), then the subscription's coupon applies:
``percent_off`` to the total, ``amount_off`` once per billing period -- so a
$120 off an annual plan is $10 a month.

The rule is written twice on purpose: as pure Python (``subscription_mrr``,
the reference, used for one customer's few subscriptions) and as SQL
expressions (``subscription_mrr_sql``, ``customer_mrr``) so tables and KPIs can sum it
inside SQLite without loading subscriptions into Python.  The tests hold the
two to the same answers.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    FromClause,
    and_,
    case,
    exists,
    func,
    or_,
    select,
)

from app.domain.sla import SOLVED_STATUSES
from app.store.schema import Customer, Invoice, Price, Product, Subscription, SubscriptionItem, Ticket

PAYING = ("active", "past_due")
LIVE = ("active", "past_due", "trialing", "unpaid", "incomplete")
CHURN_WINDOW = dt.timedelta(days=30)

_S, _I, _P = Subscription.__table__, SubscriptionItem.__table__, Price.__table__
_C, _INV, _PROD = Customer.__table__, Invoice.__table__, Product.__table__

# Which subscription speaks for a customer whose subscriptions disagree: the one that needs attention.
_STATUS_RANK = {"past_due": 0, "unpaid": 1, "active": 2, "trialing": 3, "incomplete": 4}


# --------------------------------------------------------------------------- pure rules


def months_per_period(interval: str | None, interval_count: int = 1) -> float:
    """How many months one billing period lasts (0 for one-off prices, which are not recurring)."""
    per_interval = {"month": 1.0, "year": 12.0, "week": 12.0 / 52.0, "day": 12.0 / 365.0}.get(interval or "", 0.0)
    return per_interval * max(1, interval_count)


@dataclass(frozen=True)
class Item:
    """A subscription item as MRR needs it."""

    unit_amount_cents: int
    quantity: int
    interval: str | None
    interval_count: int = 1

    @property
    def monthly_cents(self) -> float:
        months = months_per_period(self.interval, self.interval_count)
        return self.unit_amount_cents * self.quantity / months if months else 0.0


def subscription_mrr(
    items: Iterable[Item], percent_off: float | None = None, amount_off_cents: int | None = None
) -> float:
    """Monthly recurring revenue of one subscription in cents, after its coupon (never negative)."""
    items = list(items)
    gross = sum(i.monthly_cents for i in items)
    net = gross * (1.0 - (percent_off or 0.0) / 100.0)
    if amount_off_cents:
        months = max((months_per_period(i.interval, i.interval_count) for i in items), default=0.0)
        net -= amount_off_cents / months if months else 0.0
    return max(0.0, net)


def churn_pct(churned: int, base: int) -> float | None:
    """Customers lost as a share of those paying at the start of the window, in percent."""
    return 100.0 * churned / base if base else None


def discount_text(percent_off: float | None, amount_off_cents: int | None) -> str:
    parts = []
    if percent_off:
        parts.append(f"{percent_off:g} % off")
    if amount_off_cents:
        parts.append(f"${amount_off_cents / 100:,.2f} off per period")
    return ", ".join(parts)


# --------------------------------------------------------------------------- the same rule in SQL


def _monthly_share(p: FromClause) -> ColumnElement[float]:
    """1 / months per period, as SQL (0 for one-off prices)."""
    count = func.max(func.coalesce(p.c.interval_count, 1), 1)
    return case(
        (p.c.interval == "month", 1.0 / count),
        (p.c.interval == "year", 1.0 / (12.0 * count)),
        (p.c.interval == "week", (52.0 / 12.0) / count),
        (p.c.interval == "day", (365.0 / 12.0) / count),
        else_=0.0,
    )


def subscription_mrr_sql(s: FromClause) -> ColumnElement[float]:
    """``subscription_mrr`` for each row of ``s`` (the subscriptions table or an alias of it)."""
    i, p = _I.alias("mrr_i"), _P.alias("mrr_p")
    joined = i.join(p, p.c.id == i.c.price_id)
    share = _monthly_share(p)
    gross = (
        select(func.coalesce(func.sum(i.c.quantity * p.c.unit_amount_cents * share), 0.0))
        .select_from(joined).where(i.c.subscription_id == s.c.id).scalar_subquery()
    )
    period_share = select(func.max(share)).select_from(joined).where(i.c.subscription_id == s.c.id).scalar_subquery()
    net = gross * (1.0 - func.coalesce(s.c.percent_off, 0.0) / 100.0) - func.coalesce(
        s.c.amount_off_cents * period_share, 0.0
    )
    return func.max(net, 0.0)


def customer_mrr(customer_id: ColumnElement[Any]) -> ColumnElement[float]:
    """MRR of one customer in cents, correlated to ``customer_id`` (e.g. ``customers.c.id``)."""
    s = _S.alias("mrr_s")
    return (
        select(func.coalesce(func.sum(subscription_mrr_sql(s)), 0.0))
        .where(s.c.customer_id == customer_id, s.c.status.in_(PAYING))
        .scalar_subquery()
    )


def customer_status(customer_id: ColumnElement[Any]) -> ColumnElement[str]:
    """The status of the customer's most telling subscription; 'canceled' when none is live, None without any."""
    s = _S.alias("status_s")
    rank = case(*((s.c.status == k, v) for k, v in _STATUS_RANK.items()), else_=9)
    return (
        select(s.c.status).where(s.c.customer_id == customer_id)
        .order_by(rank, s.c.created.desc()).limit(1).scalar_subquery()
    )


def customer_plan(customer_id: ColumnElement[Any]) -> ColumnElement[str]:
    """The plan (price nickname, else product name) of the customer's most telling subscription."""
    s, i, p, prod = _S.alias("plan_s"), _I.alias("plan_i"), _P.alias("plan_p"), _PROD.alias("plan_prod")
    rank = case(*((s.c.status == k, v) for k, v in _STATUS_RANK.items()), else_=9)
    return (
        select(func.coalesce(p.c.nickname, prod.c.name, p.c.id))
        .select_from(s.join(i, i.c.subscription_id == s.c.id).join(p, p.c.id == i.c.price_id)
                     .outerjoin(prod, prod.c.id == p.c.product_id))
        .where(s.c.customer_id == customer_id)
        .order_by(rank, s.c.created.desc()).limit(1).scalar_subquery()
    )


def has_subscription(customer_id: ColumnElement[Any], statuses: tuple[str, ...]) -> ColumnElement[bool]:
    """EXISTS a subscription of the customer in one of ``statuses`` (indexed on customer_id)."""
    return exists().where(_S.c.customer_id == customer_id, _S.c.status.in_(statuses))


def churned(customer_id: ColumnElement[Any]) -> ColumnElement[bool]:
    """Had a subscription, has none live now."""
    return and_(
        exists().where(_S.c.customer_id == customer_id),
        ~has_subscription(customer_id, LIVE),
    )


# --------------------------------------------------------------------------- KPIs


@dataclass(frozen=True)
class Kpis:
    mrr_cents: float
    active_customers: int
    trialing_customers: int
    past_due_customers: int
    churned_30d: int
    churn_base: int
    churn_target_pct: float

    @property
    def arr_cents(self) -> float:
        return 12.0 * self.mrr_cents

    @property
    def churn_pct(self) -> float | None:
        return churn_pct(self.churned_30d, self.churn_base)

    @property
    def churn_over_target(self) -> bool:
        churn = self.churn_pct
        return churn is not None and churn > self.churn_target_pct


def _customers_with(condition: ColumnElement[bool]) -> ColumnElement[int]:
    return select(func.count(func.distinct(_S.c.customer_id))).where(condition).scalar_subquery()


def compute_kpis(conn: Connection, now: dt.datetime, churn_target_pct: float) -> Kpis:
    """The header strip's numbers, each one SQL aggregate (a worker-thread job)."""
    s = _S.alias("kpi_s")
    start = now - CHURN_WINDOW
    ended = func.coalesce(_S.c.ended_at, _S.c.canceled_at)
    churned_now = and_(
        _S.c.status == "canceled", ended >= start, ended < now,
        ~exists().where(s.c.customer_id == _S.c.customer_id, s.c.status.in_(LIVE)),
    )
    # Paying at the window's start: a non-trial subscription begun before it and not ended by then.
    paying_then = and_(
        _S.c.created < start,
        or_(ended.is_(None), ended >= start),
        or_(_S.c.trial_end.is_(None), _S.c.trial_end < start),
        _S.c.status != "incomplete",
    )
    row = conn.execute(
        select(
            select(func.coalesce(func.sum(subscription_mrr_sql(s)), 0.0))
            .where(s.c.status.in_(PAYING)).scalar_subquery(),
            _customers_with(_S.c.status.in_(PAYING)),
            _customers_with(_S.c.status == "trialing"),
            _customers_with(_S.c.status == "past_due"),
            _customers_with(churned_now),
            _customers_with(paying_then),
        )
    ).one()
    mrr, active, trialing, past_due, churned, base = row
    return Kpis(float(mrr), int(active), int(trialing), int(past_due), int(churned), int(base), churn_target_pct)


# --------------------------------------------------------------------------- one customer


@dataclass(frozen=True)
class CustomerDetail:
    """Everything the detail panel shows about one customer; a handful of indexed, bounded queries."""

    customer: dict[str, Any]
    subscriptions: list[dict[str, Any]]  # with 'plan', 'mrr_cents' and 'discount' added
    invoices: list[dict[str, Any]]  # newest first, at most ``invoice_limit``
    tickets: int
    open_tickets: int


def customer_detail(conn: Connection, customer_id: str, invoice_limit: int = 12) -> CustomerDetail | None:
    customer = conn.execute(select(_C).where(_C.c.id == customer_id)).mappings().first()
    if customer is None:
        return None
    subs = conn.execute(
        select(_S).where(_S.c.customer_id == customer_id).order_by(_S.c.created.desc()).limit(50)
    ).mappings().all()
    items = conn.execute(
        select(_I.c.subscription_id, _I.c.quantity, _P.c.unit_amount_cents, _P.c.interval, _P.c.interval_count,
               func.coalesce(_P.c.nickname, _P.c.id).label("plan"))
        .select_from(_I.join(_P, _P.c.id == _I.c.price_id))
        .where(_I.c.subscription_id.in_([s["id"] for s in subs]))
    ).all()
    subscriptions = []
    for sub in subs:
        own = [r for r in items if r.subscription_id == sub["id"]]
        mrr = subscription_mrr(
            (Item(r.unit_amount_cents or 0, r.quantity, r.interval, r.interval_count) for r in own),
            sub["percent_off"], sub["amount_off_cents"],
        ) if sub["status"] in PAYING else 0.0
        subscriptions.append({
            **sub, "plan": ", ".join(r.plan for r in own) or "—", "mrr_cents": mrr,
            "discount": discount_text(sub["percent_off"], sub["amount_off_cents"]),
        })
    invoices = conn.execute(
        select(_INV).where(_INV.c.customer_id == customer_id).order_by(_INV.c.created.desc()).limit(invoice_limit)
    ).mappings().all()
    t = Ticket.__table__
    counts = conn.execute(
        select(func.count(), func.coalesce(func.sum(case((t.c.status.in_(SOLVED_STATUSES), 0), else_=1)), 0))
        .where(t.c.customer_id == customer_id)
    ).one()
    return CustomerDetail(dict(customer), subscriptions, [dict(r) for r in invoices], int(counts[0]), int(counts[1]))

