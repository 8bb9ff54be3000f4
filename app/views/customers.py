"""The customers table, the revenue figures and their drill-downs, customer look-ups.

The plan, currency, status and MRR columns are correlated subqueries
(``app.domain.revenue.columns``): each is computed for the rows in view, and
sorting on one computes it for every customer -- on a worker, as every query
here runs.  MRR is in the customer's own currency (its column says which).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, select, text

from app.clock import utcnow
from app.config.settings import Settings
from app.domain.revenue import columns, drill, figures
from app.domain.revenue.cache import MovementCache
from app.domain.revenue.fx import load_rates
from app.domain.revenue.mrr import PAYING
from app.domain.revenue.policy import Policy
from app.store import windows as w
from app.store.schema import (
    Customer,
    FxRate,
    Invoice,
    Price,
    Subscription,
    SubscriptionChange,
    SubscriptionItem,
    Ticket,
)
from app.store.windows import TableSpec, fts_expression, search_words

C = Customer.__table__
MRR_TIP = (
    "Monthly recurring revenue of the customer's active and past-due subscriptions, in the customer's currency: "
    "quantity × unit price normalised to a month (annual prices count a twelfth), after coupons. Trials count "
    "nothing yet."
)
SPEC = TableSpec(
    name="customers",
    source=C,
    key=C.c.id,
    columns=(
        w.Column("name", "Name", C.c.name, width=170),
        w.Column("email", "Email", C.c.email, width=190),
        w.Column("plan", "Plan", columns.customer_plan(C.c.id), width=150,
                 tooltip="Plan of the customer's most telling subscription (past due first, then active, trialing)"),
        w.Column("currency", "Currency", columns.customer_currency(C.c.id), width=76,
                 tooltip="The currency the customer is billed in; MRR is shown in it"),
        w.Column("mrr", "MRR", columns.customer_mrr(C.c.id), w.CENTS, width=96, tooltip=MRR_TIP),
        w.Column("status", "Status", columns.customer_status(C.c.id), width=80, words=True,
                 tooltip="From the customer's subscriptions: past due, active, trialing, "
                 "or canceled when none is live"),
        w.Column("created", "Customer since", C.c.created, w.DATETIME, width=122),
        w.Column("delinquent", "Delinquent", C.c.delinquent, w.BOOL, width=84,
                 tooltip="Stripe marks a customer delinquent when an invoice payment failed"),
    ),
    default_sort="name",
    fts_table="customers_fts",
    filters={
        "paying": columns.has_subscription(C.c.id, PAYING),
        "trialing": columns.has_subscription(C.c.id, ("trialing",)),
        "past_due": columns.has_subscription(C.c.id, ("past_due",)),
        "churned": columns.churned(C.c.id),
    },
)

#: What the revenue figures read: a change to any of them redoes the figures (incrementally).
FIGURE_TABLES = frozenset(t.name for t in (
    Customer.__table__, Subscription.__table__, SubscriptionItem.__table__, SubscriptionChange.__table__,
    Price.__table__, Invoice.__table__, Ticket.__table__, FxRate.__table__,
))

SEARCH_LIMIT = 50
# The LIMIT sits inside the FTS subquery, so a common word costs no more than a rare one.
_IN_FTS = text("customers.rowid IN (SELECT rowid FROM customers_fts WHERE customers_fts MATCH :q LIMIT :n)")


def load_figures(engine: Engine, settings: Settings, month: dt.date | None,
                 cache: MovementCache | None = None) -> figures.RevenueFigures:
    """The revenue figure set as of now (a worker job; ``cache`` keeps the movements between calls)."""
    with engine.connect() as conn:
        return figures.revenue_figures(conn, settings, _Request(utcnow(), month), cache)


@dataclass(frozen=True)
class _Request:
    now: dt.datetime
    month: dt.date | None


def load_drill(engine: Engine, settings: Settings, cache: MovementCache, month: dt.date,
               kinds: Collection[str]) -> list[drill.DrillRow]:
    """The customers behind a figure: ``month``'s movements of ``kinds`` (``trial``: its trials)."""
    policy = Policy.from_settings(settings)
    now = utcnow()
    with engine.connect() as conn:
        rates = load_rates(conn, policy.reporting_currency, policy.fallback_rates)
        accounts = cache.accounts(conn, policy, now)
        return drill.behind(conn, accounts, rates, month, kinds, now, policy.trial_conversion_days)


def find_customers(engine: Engine, search: str) -> list[dict[str, Any]]:
    """Up to 50 customers matching ``search`` (every word as a prefix of a name, email or id word), by name."""
    match = fts_expression(search_words(search))
    if match is None:
        return []
    stmt = select(C.c.id, C.c.name, C.c.email).where(_IN_FTS.bindparams(q=match, n=SEARCH_LIMIT)).order_by(C.c.name)
    with engine.connect() as conn:
        return [dict(r) for r in conn.execute(stmt).mappings()]


def customer_contact(engine: Engine, customer_id: str) -> dict[str, Any] | None:
    """A customer's id, name and email (what a license is issued to), or None when not cached."""
    with engine.connect() as conn:
        row = conn.execute(select(C.c.id, C.c.name, C.c.email).where(C.c.id == customer_id)).mappings().first()
    return dict(row) if row else None
