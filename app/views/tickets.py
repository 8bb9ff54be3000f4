"""The Tickets table: tickets by SLA due time, the SLA filters, one ticket's story, known assignees.

"Breached" and "about to breach" compare with *now* through bound parameters
evaluated each time a query runs, so a tab left open overnight stays right.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import DateTime, Engine, and_, bindparam

from app import clock
from app.domain import sla
from app.domain import tickets as domain
from app.store import windows as w
from app.store.schema import Ticket
from app.store.windows import TableSpec

T = Ticket.__table__
ABOUT_TO_BREACH = dt.timedelta(hours=4)
# "Now" is read each time a query runs (through ``clock``, so a test can move it).
_NOW = bindparam("sla_now", callable_=lambda: clock.utcnow(), type_=DateTime)
_SOON = bindparam("sla_soon", callable_=lambda: clock.utcnow() + ABOUT_TO_BREACH, type_=DateTime)
UNSOLVED = T.c.status.not_in(sla.SOLVED_STATUSES)

SPEC = TableSpec(
    name="tickets",
    source=T,
    key=T.c.id,
    columns=(
        w.Column("id", "#", T.c.id, width=52),
        w.Column(
            "sla_due_at", "SLA due", T.c.sla_due_at, w.DATETIME, width=116,
            tooltip="When the resolution SLA runs out (local time). Red: breached and unsolved; "
            "amber: less than one business hour left",
        ),
        w.Column("subject", "Subject", T.c.subject, width=250),
        w.Column("status", "Status", T.c.status, width=66, words=True),
        w.Column("priority", "Priority", T.c.priority, width=60, words=True),
        w.Column("tier", "Tier", T.c.tier, w.INT, width=36, tooltip="Support tier holding the ticket (1–3)"),
        w.Column("assignee", "Assignee", T.c.assignee, width=110),
        w.Column("requester", "Requester", T.c.requester_email, width=170),
        w.Column("category", "Category", T.c.category, width=90, words=True),
        w.Column("updated_at", "Updated", T.c.updated_at, w.DATETIME, width=116),
    ),
    default_sort="sla_due_at",
    fts_table="tickets_fts",
    filters={
        "open": UNSOLVED,
        "about_to_breach": and_(UNSOLVED, T.c.sla_due_at > _NOW, T.c.sla_due_at <= _SOON),
        "breached": and_(UNSOLVED, T.c.sla_due_at <= _NOW),
        "escalated": and_(UNSOLVED, T.c.escalated.is_(True)),
        "unassigned": and_(UNSOLVED, T.c.assignee.is_(None)),
    },
)

#: What one ticket's detail reads: the ticket (by key), its events, its customer's billing.
DETAIL_TABLES = frozenset(
    {"tickets", "ticket_events", "customers", "subscriptions", "subscription_items", "prices", "products"}
)


def load_ticket(engine: Engine, ticket_id: int) -> domain.TicketDetail | None:
    with engine.connect() as conn:
        return domain.ticket_detail(conn, ticket_id)


def load_assignees(engine: Engine) -> list[str]:
    with engine.connect() as conn:
        return domain.known_assignees(conn)
