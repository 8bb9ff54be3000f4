"""Ticket actions: the pending event and its outbox entry are written together or not at all."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from app.domain import tickets
from app.store.schema import AppState, OutboxEntry, TicketEvent
from tests.support.dataset import NOW


def test_record_event_writes_the_event_and_the_outbox_entry(business):
    with business.begin() as conn:
        me = {"user": {"id": "usr_1", "name": "Maya Chen"}, "role": "support"}  # what sync stores from /me
        conn.execute(AppState.__table__.insert().values(key="me", value_json=me))
    changes = tickets.record_event(business, 101, "reply", body="Fixed in 2.3.1", now=NOW)
    (event_id,) = changes.tables["ticket_events"]  # the write reports what it changed: event, ticket, outbox
    assert changes.touches_key("tickets", 101) and not changes.touches_key("tickets", 102)
    with business.connect() as conn:
        event = conn.execute(select(TicketEvent.__table__).where(TicketEvent.id == event_id)).mappings().one()
        entry = conn.execute(select(OutboxEntry.__table__)).mappings().one()
    assert (event["ticket_id"], event["kind"], event["author"], event["body"], event["pending"]) == (
        101, "reply", "Maya Chen", "Fixed in 2.3.1", True
    )
    assert (entry["kind"], entry["path"], entry["state"]) == ("ticket_event", "/v1/tickets/101/events", "pending")
    assert entry["idempotency_key"] == event_id
    assert changes.touches_key("outbox", entry["id"])
    assert entry["payload_json"] == {
        "id": event_id, "kind": "reply", "author": "Maya Chen", "body": "Fixed in 2.3.1", "data": None,
        "created_at": "2026-11-18T14:30:00.000Z",
    }


def test_a_failed_outbox_write_leaves_no_event(business, monkeypatch):
    def broken(*_args, **_kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(tickets.outbox, "enqueue", broken)
    with pytest.raises(RuntimeError):
        tickets.record_event(business, 101, "status", data={"status": "solved"}, now=NOW)
    with business.connect() as conn:
        assert conn.execute(select(func.count()).select_from(TicketEvent).where(TicketEvent.pending)).scalar() == 0


def test_ticket_detail_with_customer_facts(business):
    tickets.record_event(business, 103, "note", body="Checked the logs", now=NOW + dt.timedelta(minutes=1))
    with business.connect() as conn:
        detail = tickets.ticket_detail(conn, 103)
        assert tickets.ticket_detail(conn, 999) is None
        assert tickets.current_author(conn) is None  # never synced: no /me yet
        assert set(tickets.known_assignees(conn)) == {"Maya Chen", "Priya Nair"}
    assert detail is not None
    assert detail.customer_name == "Acme Corp"
    assert detail.customer_plan == "Professional annual"
    assert detail.customer_mrr_cents == pytest.approx(299000 / 12 * 0.8)
    assert [e["kind"] for e in detail.events] == ["note"]


def test_events_newest_first(business):
    with business.connect() as conn:
        detail = tickets.ticket_detail(conn, 101)
    assert detail is not None
    assert [e["id"] for e in detail.events] == ["te_101_1", "te_101_0"]


def test_escalation_quotes_the_facts_the_next_tier_needs():
    body = tickets.escalation_body("Export fails", "Cleared cache", "All 40 seats", "Professional annual", 19933.3)
    assert body.splitlines() == [
        "Summary: Export fails",
        "Steps tried: Cleared cache",
        "Impact: All 40 seats",
        "Customer: Professional annual, MRR $199.33",
    ]
    assert tickets.next_tier(1) == 2
    assert tickets.next_tier(3) == 3
