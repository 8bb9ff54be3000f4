"""The Tickets table: the queue by SLA urgency, its views, one ticket's story, known assignees, macros.

The queue sorts on ``sla_rank`` (the next breach instant the console computed,
paused clocks after running ones) and its SLA views compare the stored
instants with *now* through bound parameters evaluated each time a query
runs, so a tab left open overnight stays right.  The state column and the
filters use one rule (``app.domain.sla.queue``): the amber of "about to
breach" and the filter of that name always agree.
"""

from __future__ import annotations

from sqlalchemy import DateTime, Engine, and_, bindparam, func, select

from app import clock
from app.config.settings import Settings
from app.domain import tickets as domain
from app.domain.sla import evaluation, kpis, queue
from app.sla_rules.policies import SOLVED_STATUSES
from app.store import windows as w
from app.store.app_state import ME_KEY
from app.store.schema import AppState, Ticket
from app.store.windows import TableSpec

T = Ticket.__table__
_A = AppState.__table__
# "Now" is read each time a query runs (through ``clock``, so a test can move it).
_NOW = bindparam("sla_now", callable_=lambda: clock.utcnow(), type_=DateTime)
UNSOLVED = T.c.status.not_in(SOLVED_STATUSES)
# The signed-in user as ticket actions name them (``app.domain.tickets.current_author``): /me's name, else email.
_ME = (
    select(func.coalesce(func.json_extract(_A.c.value_json, "$.user.name"),
                         func.json_extract(_A.c.value_json, "$.user.email")))
    .where(_A.c.key == ME_KEY).scalar_subquery()
)
_SLA = queue.filters_sql(T.c.status, T.c.sla_rank, T.c.sla_warn_at, _NOW)

SPEC = TableSpec(
    name="tickets",
    source=T,
    key=T.c.id,
    columns=(
        w.Column("id", "#", T.c.id, width=56),
        w.Column(
            "sla", "SLA", T.c.sla_rank, w.DATETIME, width=172,
            tooltip="Time to the next SLA target (first reply, next reply or resolution), counted by the "
            "console from the policy, its business calendar and the ticket's history. Red: breached; amber: "
            "less than the pre-breach share of the target left; paused while pending or on hold",
        ),
        w.Column("sla_state", "SLA state", queue.state_sql(T.c.status, T.c.sla_rank, T.c.sla_warn_at, _NOW),
                 width=104, sortable=False, words=True,
                 sort_note="it depends on the time now, so it changes while the table is read; sort by SLA instead"),
        w.Column("sla_metric", "Target", T.c.sla_metric, width=84, words=True,
                 tooltip="Which target the countdown is for: first reply, next reply or resolution"),
        w.Column("subject", "Subject", T.c.subject, width=250),
        w.Column("status", "Status", T.c.status, width=70, words=True),
        w.Column("priority", "Priority", T.c.priority, width=62, words=True),
        w.Column("tier", "Tier", T.c.tier, w.INT, width=40, tooltip="Support tier holding the ticket (1–3)"),
        w.Column("assignee", "Assignee", T.c.assignee, width=110),
        w.Column("sla_policy", "Policy", T.c.sla_policy, width=120,
                 tooltip="The SLA policy covering the ticket now (first matching policy)"),
        w.Column("requester", "Requester", T.c.requester_email, width=170),
        w.Column("category", "Category", T.c.category, width=90, words=True),
        w.Column("updated_at", "Updated", T.c.updated_at, w.DATETIME, width=116),
    ),
    default_sort="sla",
    fts_table="tickets_fts",
    filters={
        "open": UNSOLVED,
        "mine": and_(UNSOLVED, T.c.assignee == _ME),
        "breached": _SLA[queue.BREACHED],
        "about_to_breach": _SLA[queue.ABOUT_TO_BREACH],
        "paused": _SLA[queue.PAUSED],
        "unassigned": and_(UNSOLVED, T.c.assignee.is_(None)),
        "escalated": and_(UNSOLVED, T.c.escalated.is_(True)),
        **{f"tier_{tier}": and_(UNSOLVED, T.c.tier == tier) for tier in (1, 2, 3)},
    },
)

#: What one ticket's detail reads: the ticket (by key), its events and clocks, its rating, its customer's billing.
DETAIL_TABLES = frozenset(
    {"tickets", "ticket_events", "ticket_slas", "ticket_ratings", "customers", "subscriptions",
     "subscription_items", "prices", "products"}
)


def load_ticket(engine: Engine, ticket_id: int) -> domain.TicketDetail | None:
    with engine.connect() as conn:
        return domain.ticket_detail(conn, ticket_id)


def load_assignees(engine: Engine) -> list[str]:
    with engine.connect() as conn:
        return domain.known_assignees(conn)


#: What the support figures read (the KPI strip refreshes when one of them changes).
KPI_TABLES = frozenset({"tickets", "ticket_slas", "ticket_ratings", "ticket_events", "sla_policies", "app_state"})


def load_support_figures(engine: Engine, settings: Settings) -> kpis.SupportFigures:
    """The support figure set as of now: the same function ``opsconsole metrics support`` runs."""
    with engine.connect() as conn:
        return kpis.support_figures(conn, settings, kpis.AsOf(clock.utcnow()))


#: The background job a policy, calendar or threshold change runs (with progress), and the window's opening.
adopt_settings = evaluation.adopt_settings
