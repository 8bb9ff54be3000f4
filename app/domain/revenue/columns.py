"""The MRR rule written in SQL, for the customers table: MRR, status, plan and currency per customer.

The same rule as ``mrr.subscription_mrr`` (the tests hold the two to the same
answers), as correlated subqueries over one customer's subscriptions through
their customer index, so a table computes them for the rows in view only.
Amounts are in the customer's own currency (``customer_currency``).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, FromClause, and_, case, exists, func, select

from app.domain.revenue.mrr import LIVE, PAYING
from app.store.schema import Price, Product, Subscription, SubscriptionItem

_S, _I, _P, _PROD = Subscription.__table__, SubscriptionItem.__table__, Price.__table__, Product.__table__

# Which subscription speaks for a customer whose subscriptions disagree: the one that needs attention.
_STATUS_RANK = {"past_due": 0, "unpaid": 1, "active": 2, "trialing": 3, "incomplete": 4}


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
    # An amount off applies once per billing period: the longest period of its items (unknown intervals aside).
    period_share = (
        select(func.min(case((share > 0, share)))).select_from(joined).where(i.c.subscription_id == s.c.id)
        .scalar_subquery()
    )
    net = gross * (1.0 - func.coalesce(s.c.percent_off, 0.0) / 100.0) - func.coalesce(
        s.c.amount_off_cents * period_share, 0.0
    )
    return func.max(net, 0.0)


def customer_mrr(customer_id: ColumnElement[Any]) -> ColumnElement[float]:
    """MRR of one customer in its currency's minor units, correlated to ``customer_id`` (``customers.c.id``)."""
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


def customer_currency(customer_id: ColumnElement[Any]) -> ColumnElement[str]:
    """The currency of the customer's most telling subscription (its first priced item), in capitals."""
    s, i, p = _S.alias("cur_s"), _I.alias("cur_i"), _P.alias("cur_p")
    rank = case(*((s.c.status == k, v) for k, v in _STATUS_RANK.items()), else_=9)
    return (
        select(func.upper(p.c.currency))
        .select_from(s.join(i, i.c.subscription_id == s.c.id).join(p, p.c.id == i.c.price_id))
        .where(s.c.customer_id == customer_id)
        .order_by(rank, s.c.created.desc()).limit(1).scalar_subquery()
    )
