"""What sync does for SLAs while it stores pages: validate policies, keep tickets' clocks current.

Each hook runs in the page's own transaction (``app.sync.ops_resources``), so
a ticket's row, its events and its clocks are never out of step in the cache:

* a page of tickets re-evaluates those tickets (status, priority, tier moved);
* a page of ticket events re-evaluates the tickets they belong to;
* a page of SLA policies re-evaluates every open ticket under the new rules;
* after a Stripe pass that changed subscriptions, the open tickets of their
  customers are re-evaluated: the plan decides the premium policy.

A policy the clocks could not use (a zero target, an unknown zone) is refused
like any unstorable row: quarantined with the field named, while the version
cached before stays in force.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Hashable
from typing import Any

from sqlalchemy import Connection, select

from app.connectors.ops_rows import Converter
from app.domain.sla.evaluation import evaluate_tickets, stale_open_tickets
from app.domain.sla.rules import rules_in_force
from app.sla_rules.calendars import RuleError
from app.sla_rules.policies import SOLVED_STATUSES, policy_from_mapping
from app.store.changes import Changes
from app.store.limits import Unstorable
from app.store.schema import Subscription, Ticket

_JSON = ("priorities", "categories", "plans", "tiers", "calendar")
_CHUNK = 500


def policy_converter(base: Converter) -> Converter:
    """``base`` (the column-checking converter), then the policy parsed as the clocks would use it."""

    def convert(item: dict[str, Any], now: dt.datetime) -> dict[str, Any]:
        row = base(item, now)
        plain = {k: row[k] for k in ("name", "first_reply_minutes", "next_reply_minutes", "resolution_minutes")}
        plain.update({k: row[f"{k}_json"] if row[f"{k}_json"] is not None else [] for k in _JSON})
        try:
            policy_from_mapping(plain, {})
        except RuleError as exc:
            raise Unstorable(f"{exc.field}: {exc.message}") from None
        return row

    return convert


def _ticket_ids(items: list[dict[str, Any]], field: str) -> list[int]:
    ids = []
    for item in items:
        value = item.get(field)
        if not item.get("deleted") and isinstance(value, (int, str)) and str(value).isdigit():
            ids.append(int(value))
    return ids


def tickets_changed(conn: Connection, items: list[dict[str, Any]]) -> Changes:
    return evaluate_tickets(conn, _ticket_ids(items, "id"))


def events_changed(conn: Connection, items: list[dict[str, Any]]) -> Changes:
    return evaluate_tickets(conn, _ticket_ids(items, "ticket_id"))


def policies_changed(conn: Connection, items: list[dict[str, Any]]) -> Changes:
    """New policies: every open ticket evaluated under other rules is re-evaluated now."""
    in_force = rules_in_force(conn)
    return evaluate_tickets(conn, stale_open_tickets(conn, in_force.rules.fingerprint), in_force=in_force)


def plans_changed(conn: Connection, subscription_ids: frozenset[Hashable] | None) -> Changes:
    """Subscriptions changed (``None``: which is unknown): re-evaluate their customers' open tickets."""
    t, s = Ticket.__table__, Subscription.__table__
    open_tickets = select(t.c.id).where(t.c.status.not_in(SOLVED_STATUSES), t.c.customer_id.is_not(None))
    if subscription_ids is None:
        return evaluate_tickets(conn, list(conn.execute(open_tickets).scalars()))
    ids = sorted(str(i) for i in subscription_ids)
    tickets: list[int] = []
    for start in range(0, len(ids), _CHUNK):
        customers = select(s.c.customer_id).where(s.c.id.in_(ids[start:start + _CHUNK]))
        tickets.extend(conn.execute(open_tickets.where(t.c.customer_id.in_(customers))).scalars())
    return evaluate_tickets(conn, tickets)
