"""Ticket actions and one ticket's story: what the Tickets tab reads and writes.

A user's action (reply, status change, assignment, escalation) becomes a
``ticket_events`` row marked ``pending`` *and* an outbox entry, in one
transaction: the event shows at once as "waiting to send", and sync pushes
it with the same id, so the server's copy replaces ours when it comes back.
The ticket row itself is left as the server last described it -- the server
applies the event and the next sync brings the new status or assignee -- except
its ``updated_at``, which moves to the moment of the action: the ticket *was*
updated then, and the Tickets table shows it at once.  Its SLA clocks are
re-computed in the same transaction (pending events count), so a reply stops
the first-reply clock the moment it is written, online or not.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, Engine, insert, select, update

from app.clock import utcnow
from app.domain import revenue
from app.domain.sla.evaluation import evaluate_tickets
from app.store import outbox
from app.store.app_state import signed_in_name
from app.store.changes import Changes
from app.store.schema import Customer, Ticket, TicketEvent, TicketRating, TicketSla

STATUSES = ("new", "open", "pending", "on_hold", "solved", "closed")
PRIORITIES = ("urgent", "high", "normal", "low")
TOP_TIER = 3
AGENT = "agent"  # the author role of everything written from the console

_T, _E, _S, _R = Ticket.__table__, TicketEvent.__table__, TicketSla.__table__, TicketRating.__table__


@dataclass(frozen=True)
class TicketDetail:
    """A ticket, its latest events (newest first), its SLA clocks, its rating and the customer facts
    an escalation quotes."""

    ticket: dict[str, Any]
    events: list[dict[str, Any]]
    customer_name: str | None
    customer_plan: str | None
    customer_mrr_cents: float | None
    clocks: list[dict[str, Any]] = field(default_factory=list)  # ticket_slas rows, in the order they started
    rating: dict[str, Any] | None = None
    agent: str | None = None  # who is signed in: the name macros sign with


def ticket_detail(conn: Connection, ticket_id: int, limit: int = 200) -> TicketDetail | None:
    ticket = conn.execute(select(_T).where(_T.c.id == ticket_id)).mappings().first()
    if ticket is None:
        return None
    events = conn.execute(
        select(_E).where(_E.c.ticket_id == ticket_id).order_by(_E.c.created_at.desc(), _E.c.id.desc()).limit(limit)
    ).mappings().all()
    name = plan = mrr = None
    customer_id = ticket["customer_id"]
    if customer_id:
        c = Customer.__table__
        row = conn.execute(
            select(c.c.name, revenue.customer_plan(c.c.id), revenue.customer_mrr(c.c.id)).where(c.c.id == customer_id)
        ).first()
        if row is not None:
            name, plan, mrr = row[0], row[1], float(row[2])
    clocks = conn.execute(
        select(_S).where(_S.c.ticket_id == ticket_id).order_by(_S.c.started_at, _S.c.metric, _S.c.seq)
    ).mappings().all()
    rating = conn.execute(
        select(_R).where(_R.c.ticket_id == ticket_id).order_by(_R.c.created_at.desc()).limit(1)
    ).mappings().first()
    return TicketDetail(dict(ticket), [dict(e) for e in events], name, plan, mrr, [dict(c) for c in clocks],
                        None if rating is None else dict(rating), current_author(conn))


def known_assignees(conn: Connection, limit: int = 500) -> list[str]:
    """Names seen as assignees, for the Assign… suggestions (walks the assignee index)."""
    rows = conn.execute(
        select(_T.c.assignee).where(_T.c.assignee.is_not(None)).group_by(_T.c.assignee).limit(limit)
    )
    return [r[0] for r in rows]


def current_author(conn: Connection) -> str | None:
    """Who is acting: the signed-in user sync last heard from ``/me`` (None offline before any sync)."""
    return signed_in_name(conn)


def iso_z(value: dt.datetime) -> str:
    """Naive UTC → ``2026-01-31T12:00:00.000Z``, the API's timestamp form."""
    return value.isoformat(timespec="milliseconds") + "Z"


@dataclass(frozen=True)
class Action:
    """One event a user writes: a reply, a note, a status, assignee or priority change, an escalation."""

    kind: str
    body: str | None = None
    data: dict[str, Any] | None = None


def record_event(
    engine: Engine,
    ticket_id: int,
    kind: str,
    *,
    body: str | None = None,
    data: dict[str, Any] | None = None,
    now: dt.datetime | None = None,
) -> Changes:
    """Write one pending event and its outbox entry in one transaction; returns what it changed."""
    return record_actions(engine, ticket_id, [Action(kind, body, data)], now=now)


def record_actions(
    engine: Engine, ticket_id: int, actions: list[Action], *, now: dt.datetime | None = None
) -> Changes:
    """Write pending events (a reply *and* its status change) and their outbox entries in one transaction.

    Runs on the serialised writer thread.  Each event id is a client uuid: the
    server stores the event under it, so the pushed event and the synced one
    are the same row: the event ids are the keys reported for ``ticket_events``.
    Events of one call share the moment, in order (a microsecond apart).
    """
    now = now or utcnow()
    event_ids: list[str] = []
    entries: list[int] = []
    with engine.begin() as conn:
        author = current_author(conn)
        for n, action in enumerate(actions):
            at = now + dt.timedelta(microseconds=n)
            event_id = str(uuid.uuid4())
            conn.execute(
                insert(_E).values(
                    id=event_id, ticket_id=ticket_id, kind=action.kind, author=author, author_role=AGENT,
                    body=action.body, data_json=action.data, created_at=at, pending=True,
                )
            )
            payload = {"id": event_id, "kind": action.kind, "author": author, "body": action.body,
                       "data": action.data, "created_at": iso_z(at)}
            entries.append(outbox.enqueue(
                conn, "ticket_event", f"/v1/tickets/{ticket_id}/events", payload, idempotency_key=event_id
            ))
            event_ids.append(event_id)
        conn.execute(update(_T).where(_T.c.id == ticket_id).values(updated_at=now))
        clocks = evaluate_tickets(conn, [ticket_id], now=now)
    # The ticket's story changed too, so views keyed by the ticket (its detail) hear of it.
    return (
        Changes.rows(TicketEvent.__tablename__, event_ids)
        | Changes.rows(Ticket.__tablename__, [ticket_id])
        | Changes.rows(outbox.TABLE, entries)
        | clocks
    )


def next_tier(tier: int) -> int:
    return min(TOP_TIER, tier + 1)


def escalation_body(summary: str, steps_tried: str, impact: str, plan: str | None, mrr_cents: float | None) -> str:
    """The note the next tier reads first: what is wrong, what was tried, who is hurt and how much they pay."""
    customer = plan or "no subscription in the cache"
    if mrr_cents is not None:
        customer += f", MRR ${mrr_cents / 100:,.2f}"
    return (
        f"Summary: {summary.strip()}\n"
        f"Steps tried: {steps_tried.strip() or '—'}\n"
        f"Impact: {impact.strip() or '—'}\n"
        f"Customer: {customer}"
    )

