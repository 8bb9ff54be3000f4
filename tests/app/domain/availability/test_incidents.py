"""Incidents from the console: written at once as pending with their outbox entries, pushed exactly once;
impact (rule "Incident impact"); drafts for services that went Down."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import insert, select

from app.demo.backend import DemoBackend
from app.domain.availability import incidents as inc
from app.domain.availability.impact import incident_impact, mention_query
from app.domain.revenue.fx import Rates
from app.store.schema import Incident, IncidentUpdate, OutboxEntry, Ticket
from app.sync.engine import SyncEngine
from tests.app.sync.support import NOW as SYNC_NOW
from tests.app.sync.support import config_for
from tests.support.dataset import EXPECTED_MRR, NOW


def _new(**changes) -> inc.NewIncident:
    fields = {"title": "CDN is down", "severity": "P1", "services": ("cdn", "api"), "impact": "Images fail.",
              "message": "Looking into it.", "started_at": NOW - dt.timedelta(minutes=10)}
    return inc.NewIncident(**{**fields, **changes})


def test_actions_write_pending_rows_and_outbox_entries(business):
    opened = inc.open_incident(business, _new(), now=NOW)
    key = opened.incident_id
    inc.acknowledge(business, key, now=NOW + dt.timedelta(minutes=1))
    inc.post_update(business, key, "identified", "Bad edge config.", now=NOW + dt.timedelta(minutes=5))
    inc.post_update(business, key, "resolved", "Rolled back.", now=NOW + dt.timedelta(minutes=30))
    review = inc.Postmortem("Config pushed without review", "Fast rollback", "Slow detection",
                            (inc.FollowUp("Review edge configs", "Owen Brooks"),))
    inc.write_postmortem(business, key, review, now=NOW + dt.timedelta(hours=1))
    with business.connect() as conn:
        row = conn.execute(select(Incident.__table__).where(Incident.id == key)).mappings().one()
        kinds = conn.execute(select(OutboxEntry.kind).order_by(OutboxEntry.id)).scalars().all()
        updates = conn.execute(select(IncidentUpdate.status).where(IncidentUpdate.incident_id == key)).scalars().all()
    assert (row["status"], row["resolved_at"], row["pending"]) == ("resolved", NOW + dt.timedelta(minutes=30), True)
    assert row["acknowledged_at"] == NOW + dt.timedelta(minutes=1)
    assert (row["service_id"], row["affected_services_json"]) == ("cdn", ["api"])
    assert row["postmortem_json"]["follow_ups"] == [{"action": "Review edge configs", "owner": "Owen Brooks"}]
    assert kinds == ["incident_open", "incident_update", "incident_acknowledge", "incident_update", "incident_update",
                     "incident_postmortem"]
    assert sorted(updates) == ["identified", "investigating", "resolved"]
    assert opened.changes.touches_key("incidents", key)
    with pytest.raises(ValueError, match="severity"):
        inc.open_incident(business, _new(severity="P7"))


def test_pushed_exactly_once_and_replaced_by_the_servers_rows(cache):
    with DemoBackend(customers=30, tickets=40, now=SYNC_NOW) as backend:
        engine = SyncEngine(cache.engine, config_for(backend))
        assert engine.run_once().ok
        opened = inc.open_incident(cache.engine, _new(services=("cdn",), started_at=SYNC_NOW), now=SYNC_NOW)
        inc.acknowledge(cache.engine, opened.incident_id, now=SYNC_NOW)
        report = engine.run_once()
        assert report.ok, report.errors
        assert engine.run_once().ok  # nothing is sent twice
        with cache.engine.connect() as conn:
            row = conn.execute(select(Incident.__table__).where(Incident.id == opened.incident_id)).mappings().one()
            entries = conn.execute(select(OutboxEntry.state, OutboxEntry.idempotency_key)).all()
        assert row["pending"] is False and row["acknowledged_at"] is not None and row["status"] == "investigating"
        assert {state for state, _ in entries} == {"sent"}
        assert [backend.applied_count(k) for _, k in entries] == [1, 1, 1]


def test_impact_counts_tickets_mentioning_the_service_and_their_customers_mrr(business):
    start = NOW - dt.timedelta(hours=3)
    with business.begin() as conn:
        for tid, subject, customer, hours_ago in (
            (201, "CDN assets not loading", "cus_acme", 2), (202, "Images from the cdn time out", "cus_bolt", 1),
            (203, "Another cdn problem", "cus_bolt", 0.5), (204, "CDN slow last week", "cus_fern", 100),
            (205, "Invoice question", "cus_fern", 1),
        ):
            at = NOW - dt.timedelta(hours=hours_ago)
            conn.execute(insert(Ticket.__table__).values(
                id=tid, subject=subject, status="new", priority="high", customer_id=customer, created_at=at,
                updated_at=at))
        got = incident_impact(conn, ["cdn"], start, NOW, Rates("USD"))
        in_euros = incident_impact(conn, ["cdn"], start, NOW, Rates("EUR", fallback={"USD": 0.9}))
        no_rate = incident_impact(conn, ["cdn"], start, NOW, Rates("EUR"))
    assert (got.tickets, got.customers) == (3, 2)
    assert got.mrr_minor == pytest.approx(EXPECTED_MRR["cus_acme"] + EXPECTED_MRR["cus_bolt"])
    assert [t.id for t in got.listed] == [201, 202, 203]
    assert {(t.customer_id, t.currency) for t in got.listed} == {("cus_acme", "USD"), ("cus_bolt", "USD")}
    assert (in_euros.currency, in_euros.unconverted) == ("EUR", 0)
    assert in_euros.mrr_minor == pytest.approx(0.9 * (EXPECTED_MRR["cus_acme"] + EXPECTED_MRR["cus_bolt"]))
    assert (no_rate.customers, no_rate.unconverted, no_rate.mrr_minor) == (2, 2, 0.0)
    assert mention_query([("api", "API Server")]) == '{subject body} : ("api server" OR "api"*)'


def test_incident_detail_lists_updates_newest_first_with_impact(business):
    with business.connect() as conn:
        detail = inc.incident_detail(conn, "INC-1", NOW, Rates("USD"))
        assert inc.incident_detail(conn, "INC-404", NOW, Rates("USD")) is None
    assert detail is not None
    assert detail.services == {"cdn": "CDN"}
    assert [u["id"] for u in detail.updates] == ["INC-1-2", "INC-1-1"]
    assert detail.impact.tickets == 0


def test_a_dismissed_draft_stays_away_for_that_outage_only(business):
    down = [("auth", "Auth", "critical", NOW - dt.timedelta(minutes=3), "timed out")]
    with business.connect() as conn:
        (draft,) = inc.draft_incidents(conn, down)
    assert (draft.severity, draft.title) == ("P1", "Auth is down")
    inc.dismiss_draft(business, draft, now=NOW)
    with business.connect() as conn:
        assert inc.draft_incidents(conn, down) == []
        later = [("auth", "Auth", "critical", NOW + dt.timedelta(hours=1), "timed out")]
        assert len(inc.draft_incidents(conn, later)) == 1
