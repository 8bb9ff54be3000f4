"""Computing tickets' SLA clocks from the cache and storing them, in batches.

Two callers: sync, for the tickets a page changed (a tickets page, or the
tickets whose events a ticket_events page brought), inside the page's own
transaction; and ``reevaluate_open``, after the rules changed, for every open
ticket whose clocks followed other rules -- in the background, in
transactions of ``BATCH`` tickets, with progress, resumable because each
ticket remembers the fingerprint of the rules it was evaluated with.

A batch costs four indexed reads (the tickets, their events, their
customers' plans, their stored clocks), the clocks in Python, and
executemany writes of what changed only (``_store``).  Solved
tickets older than ``HORIZON`` are skipped: no figure looks that far back,
and the first sync of a year of history would otherwise compute a million
clocks nobody reads.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import Connection, Engine, func, or_, select

from app.clock import utcnow
from app.config.support_settings import SlaSettings
from app.domain.sla.queue import queue_fields
from app.domain.sla.rules import SETTINGS_KEY, RulesInForce, rules_in_force, store_settings
from app.sla_rules.clocks import Event, Ticket, TicketClocks, evaluate
from app.sla_rules.policies import SOLVED_STATUSES
from app.store.app_state import APP_TABLE
from app.store.changes import NOTHING, Changes
from app.store.schema import Price, Product, Subscription, SubscriptionItem, TicketEvent, TicketSla
from app.store.schema import Ticket as TicketRow
from app.tasks import CancelToken, Progress, ProgressCallback, no_progress

BATCH = 500  # tickets per read and write (SQLite's bound-parameter limit is far above)
HORIZON = dt.timedelta(days=35)  # the longest KPI window (30 days) and a margin
PLAN_STATUSES = ("active", "past_due", "trialing")  # a customer on these is served as on that plan

_T, _E, _S = TicketRow.__table__, TicketEvent.__table__, TicketSla.__table__


def _plans(conn: Connection, customer_ids: Iterable[str]) -> dict[str, frozenset[str]]:
    """Product names of each customer's live subscriptions (what policies' ``plans`` conditions name)."""
    ids = sorted(set(customer_ids))
    if not ids:
        return {}
    s, i, p, prod = (m.__table__ for m in (Subscription, SubscriptionItem, Price, Product))
    rows = conn.execute(
        select(s.c.customer_id, func.coalesce(prod.c.name, p.c.nickname, p.c.id))
        .select_from(s.join(i, i.c.subscription_id == s.c.id).join(p, p.c.id == i.c.price_id)
                     .outerjoin(prod, prod.c.id == p.c.product_id))
        .where(s.c.customer_id.in_(ids), s.c.status.in_(PLAN_STATUSES))
    )
    found: dict[str, set[str]] = defaultdict(set)
    for customer_id, plan in rows:
        found[customer_id].add(plan)
    return {c: frozenset(names) for c, names in found.items()}


def _tickets_rows(conn: Connection, columns: str, table: str, ticket_ids: Sequence[int]) -> Any:
    """``columns`` of ``table``'s rows for ``ticket_ids``, read through the driver: values as stored.

    Parsing half a million times and JSON values through SQLAlchemy is most of a
    re-evaluation's reading otherwise, and these columns are stored in one known
    form (``_db_time``'s).
    """
    marks = ", ".join("?" * len(ticket_ids))
    return conn.exec_driver_sql(
        f"SELECT {columns} FROM {table} WHERE ticket_id IN ({marks})",  # noqa: S608 - constants and placeholders
        tuple(ticket_ids),
    )


def _events(conn: Connection, ticket_ids: Sequence[int]) -> dict[int, list[Event]]:
    """Each ticket's log, local (pending) actions included: a reply counts the moment it is written."""
    rows = _tickets_rows(conn, "ticket_id, created_at, kind, author_role, data_json", "ticket_events", ticket_ids)
    logs: dict[int, list[Event]] = defaultdict(list)
    for ticket_id, at, kind, role, data in rows:
        value = json.loads(data) if data else None
        logs[ticket_id].append(Event(dt.datetime.fromisoformat(at), kind, role,
                                     value if isinstance(value, dict) else None))
    return logs


def _db_time(value: dt.datetime | None) -> str | None:
    """A time as SQLAlchemy's SQLite ``DateTime`` stores it, so ORM reads see exactly what it would write."""
    return None if value is None else value.isoformat(" ", "microseconds")


def clocks_of(rows: Sequence[Any], logs: dict[int, list[Event]], plans: dict[str, frozenset[str]],
              in_force: RulesInForce) -> dict[int, TicketClocks]:
    """The clocks of ticket ``rows`` (mappings of the tickets table) under the rules in force."""
    return {
        r["id"]: evaluate(
            Ticket(r["created_at"], r["updated_at"], r["status"], r["priority"], r["tier"], r["category"],
                   plans.get(r["customer_id"] or "", frozenset()), r["first_response_at"]),
            logs.get(r["id"], ()), in_force.rules,
        )
        for r in rows
    }


_CLOCK_COLUMNS = (
    "ticket_id, metric, seq, policy, target_s, started_at, due_at, warn_at, fulfilled_at, elapsed_s, paused"
)
_INSERT_CLOCK = f"INSERT INTO ticket_slas ({_CLOCK_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"  # noqa: S608 - constants only
_DELETE_CLOCK = "DELETE FROM ticket_slas WHERE ticket_id = ? AND metric = ? AND seq = ?"
_UPDATE_TICKET = (
    "UPDATE tickets SET sla_policy = ?, sla_metric = ?, sla_rank = ?, sla_warn_at = ?, sla_agent_replies = ?, "
    "sla_rules = ? WHERE id = ?"
)
_UPDATE_RULES = "UPDATE tickets SET sla_rules = ? WHERE id = ?"
#: The queue fields of a ticket, in ``QueueFields`` order: ``_store`` compares them with what it computed.
_QUEUE_COLUMNS = (_T.c.sla_policy, _T.c.sla_metric, _T.c.sla_rank, _T.c.sla_warn_at, _T.c.sla_agent_replies)

_ClockKey = tuple[int, str, int]


def _stored_clocks(conn: Connection, ticket_ids: Sequence[int]) -> dict[_ClockKey, tuple[Any, ...]]:
    """The tickets' clock rows as stored (times as the text ``_db_time`` writes), by (ticket, metric, seq)."""
    rows = _tickets_rows(conn, _CLOCK_COLUMNS, "ticket_slas", ticket_ids)
    return {(row[0], row[1], row[2]): tuple(row) for row in rows}


def _store(conn: Connection, clocks: dict[int, TicketClocks], fingerprint: str,
           tickets: dict[int, Any]) -> None:
    """Write what differs of the tickets' clock rows and queue fields from what is stored.

    ``tickets`` are the tickets' rows as read in this transaction, with
    their ``_QUEUE_COLUMNS`` and ``sla_rules``.  Only rows that changed are
    written, because SQLite rewrites every index entry of a row it writes,
    changed or not: a policy change moves one clock of most tickets, and
    rewriting all of them and the queue's rank index besides made a
    re-evaluation of 50,000 open tickets among a million write 1.3 GB of WAL
    (0.47 GB now).  A clock row that changed is deleted and inserted again; a
    ticket whose queue fields are the same only takes the new fingerprint.
    """
    old = _stored_clocks(conn, list(clocks))
    new = {
        (tid, c.metric, c.seq): (tid, c.metric, c.seq, c.policy, c.target_s, _db_time(c.started_at),
                                 _db_time(c.due_at), _db_time(c.warn_at), _db_time(c.fulfilled_at), c.elapsed_s,
                                 c.paused)
        for tid, ticket_clocks in clocks.items() for c in ticket_clocks.clocks
    }
    gone = [key for key, row in old.items() if new.get(key) != row]
    if gone:
        conn.exec_driver_sql(_DELETE_CLOCK, gone)
    added = [row for key, row in new.items() if old.get(key) != row]
    if added:
        conn.exec_driver_sql(_INSERT_CLOCK, added)
    moved, rules_only = [], []
    for tid, ticket_clocks in clocks.items():
        q, row = queue_fields(ticket_clocks), tickets[tid]
        computed = (q.policy, q.metric, q.rank, q.warn_at, q.agent_replies)  # as _QUEUE_COLUMNS read them
        if computed != tuple(row[c.name] for c in _QUEUE_COLUMNS):
            moved.append((q.policy, q.metric, _db_time(q.rank), _db_time(q.warn_at), q.agent_replies, fingerprint,
                          tid))
        elif fingerprint != row["sla_rules"]:
            rules_only.append((fingerprint, tid))
    if moved:
        conn.exec_driver_sql(_UPDATE_TICKET, moved)
    if rules_only:
        conn.exec_driver_sql(_UPDATE_RULES, rules_only)


def evaluate_tickets(
    conn: Connection, ticket_ids: Iterable[int], *, in_force: RulesInForce | None = None,
    now: dt.datetime | None = None,
) -> Changes:
    """Compute and store the clocks of ``ticket_ids`` in the caller's transaction; returns what changed."""
    ids = sorted(set(ticket_ids))
    if not ids:
        return NOTHING
    in_force = in_force or rules_in_force(conn)
    horizon = (now or utcnow()) - HORIZON
    changed: list[int] = []
    for start in range(0, len(ids), BATCH):
        chunk = ids[start:start + BATCH]
        rows = conn.execute(
            select(_T.c.id, _T.c.created_at, _T.c.updated_at, _T.c.status, _T.c.priority, _T.c.tier,
                   _T.c.category, _T.c.customer_id, _T.c.first_response_at, _T.c.sla_rules, *_QUEUE_COLUMNS)
            .where(_T.c.id.in_(chunk))
        ).mappings().all()
        # Long-solved tickets are history no figure reads; one that never had clocks stays without.
        rows = [r for r in rows if not (r["status"] in SOLVED_STATUSES and r["updated_at"] < horizon
                                        and r["sla_rules"] is None)]
        if not rows:
            continue
        ticket_ids_here = [r["id"] for r in rows]
        clocks = clocks_of(rows, _events(conn, ticket_ids_here), _plans(conn, (r["customer_id"] for r in rows
                                                                                if r["customer_id"])), in_force)
        _store(conn, clocks, in_force.rules.fingerprint, {r["id"]: r for r in rows})
        changed.extend(ticket_ids_here)
    return Changes.rows(_T.name, changed) | Changes.of(_S.name) if changed else NOTHING


def stale_open_tickets(conn: Connection, fingerprint: str, limit: int | None = None) -> list[int]:
    """Open tickets whose clocks followed other rules than ``fingerprint`` (or were never computed)."""
    stmt = (
        select(_T.c.id)
        .where(_T.c.status.not_in(SOLVED_STATUSES), or_(_T.c.sla_rules.is_(None), _T.c.sla_rules != fingerprint))
        .order_by(_T.c.id)
    )
    return list(conn.execute(stmt if limit is None else stmt.limit(limit)).scalars())


def reevaluate_open(
    engine: Engine,
    progress: ProgressCallback = no_progress,
    cancel: CancelToken | None = None,
) -> Changes:
    """Bring every open ticket's clocks in line with the rules in force, ``BATCH`` tickets per transaction.

    What a policy, calendar or threshold change runs (in the background);
    cancelled, it keeps the batches done and resumes where it stopped.
    """
    cancel = cancel or CancelToken()
    with engine.connect() as conn:
        in_force = rules_in_force(conn)
        todo = stale_open_tickets(conn, in_force.rules.fingerprint)
    label = "Re-evaluating SLA clocks"
    progress(Progress(label, 0, len(todo)))
    for start in range(0, len(todo), BATCH):
        cancel.raise_if_cancelled()
        with engine.begin() as conn:
            evaluate_tickets(conn, todo[start:start + BATCH], in_force=in_force)
        progress(Progress(label, min(start + BATCH, len(todo)), len(todo)))
    return Changes.of(_T.name, _S.name) if todo else NOTHING


def adopt_settings(
    engine: Engine,
    sla: SlaSettings,
    progress: ProgressCallback = no_progress,
    cancel: CancelToken | None = None,
) -> Changes:
    """Hand the ``[sla]`` settings to the cache, then re-evaluate the open tickets the change concerns.

    Run when the window opens and when settings are saved: a no-op unless the
    rules in force differ from those the stored clocks followed.
    """
    with engine.begin() as conn:
        stored = store_settings(conn, sla)
    changed = reevaluate_open(engine, progress, cancel)
    return changed | (Changes.rows(APP_TABLE, [SETTINGS_KEY]) if stored else NOTHING)
