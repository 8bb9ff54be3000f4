"""The customers table, the business KPIs, one customer's billing, and the customer look-ups dialogs make.

The plan, status and MRR columns are correlated subqueries
(``app.domain.revenue``): each is computed for the rows in view only, through
the subscriptions' customer index, which is why they cannot be sorted on.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, select, text

from app.clock import utcnow
from app.domain import revenue
from app.store import windows as w
from app.store.schema import Customer
from app.store.windows import TableSpec, fts_expression, search_words

C = Customer.__table__
MRR_TIP = (
    "Monthly recurring revenue of the customer's active and past-due subscriptions: "
    "annual prices count a twelfth, coupons are applied. Trials count nothing yet."
)
SPEC = TableSpec(
    name="customers",
    source=C,
    key=C.c.id,
    columns=(
        w.Column("name", "Name", C.c.name, width=170),
        w.Column("email", "Email", C.c.email, width=190),
        w.Column("plan", "Plan", revenue.customer_plan(C.c.id), width=130, sortable=False,
                 tooltip="Plan of the customer's most telling subscription (past due first, then active, trialing)"),
        w.Column("mrr", "MRR", revenue.customer_mrr(C.c.id), w.CENTS, width=86, sortable=False, tooltip=MRR_TIP),
        w.Column("status", "Status", revenue.customer_status(C.c.id), width=72, sortable=False, words=True,
                 tooltip="From the customer's subscriptions: past due, active, trialing, "
                 "or canceled when none is live"),
        w.Column("created", "Customer since", C.c.created, w.DATETIME, width=122),
        w.Column("delinquent", "Delinquent", C.c.delinquent, w.BOOL, width=76,
                 tooltip="Stripe marks a customer delinquent when an invoice payment failed"),
    ),
    default_sort="name",
    fts_table="customers_fts",
    filters={
        "paying": revenue.has_subscription(C.c.id, revenue.PAYING),
        "trialing": revenue.has_subscription(C.c.id, ("trialing",)),
        "past_due": revenue.has_subscription(C.c.id, ("past_due",)),
        "churned": revenue.churned(C.c.id),
    },
)

#: What the KPI strip reads (one customer's detail is the desk's: ``app.domain.customer_desk.diagnosis``).
KPI_TABLES = SPEC.tables

SEARCH_LIMIT = 50
# The LIMIT sits inside the FTS subquery, so a common word costs no more than a rare one.
_IN_FTS = text("customers.rowid IN (SELECT rowid FROM customers_fts WHERE customers_fts MATCH :q LIMIT :n)")


def load_kpis(engine: Engine, churn_target_pct: float) -> revenue.Kpis:
    with engine.connect() as conn:
        return revenue.compute_kpis(conn, utcnow(), churn_target_pct)


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
