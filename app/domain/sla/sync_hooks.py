"""What sync does for SLAs while it stores pages: validate policies, keep tickets' clocks current.

Each hook runs in the page's own transaction (``app.sync.ops_resources``), so
a ticket's row, its events and its clocks are never out of step in the cache:

* a page of tickets re-evaluates those tickets (status, priority, tier moved);
* a page of ticket events re-evaluates the tickets they belong to;
* a page of SLA policies re-evaluates every open ticket under the new rules.

A policy the clocks could not use (a zero target, an unknown zone) is refused
like any unstorable row: quarantined with the field named, while the version
cached before stays in force.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Connection

from app.connectors.ops_rows import Converter
from app.domain.sla.evaluation import evaluate_tickets, stale_open_tickets
from app.domain.sla.rules import rules_in_force
from app.sla_rules.calendars import RuleError
from app.sla_rules.policies import policy_from_mapping
from app.store.changes import Changes
from app.store.limits import Unstorable

_JSON = ("priorities", "categories", "plans", "tiers", "calendar")


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
