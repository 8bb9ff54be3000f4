"""Customers at risk (rule "At risk"): each signal, the customers it names, and one notification per episode."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import insert

from app.domain.revenue.risk import at_risk, at_risk_alerts
from app.notifications import record
from app.store.schema import CustomerUsage, Invoice, Ticket
from tests.app.domain.revenue.support import settings
from tests.support.revenue import Ledger, day

NOW = day(5, 20)


@pytest.fixture
def ledger(cache) -> Ledger:
    ledger = Ledger(cache.engine).price("starter", 10_000).price("pro", 30_000).price("eur", 20_000,
                                                                                           currency="eur")
    ledger.rate("EUR", dt.date(2026, 1, 1), 1.10)
    for name, price in (("late", "pro"), ("failed", "starter"), ("down", "pro"), ("leaving", "starter"),
                        ("loud", "eur"), ("spiky", "starter"), ("fine", "pro"), ("gone", "starter"),
                        ("quiet", "starter")):
        ledger.start(f"sub_{name}", name, price, day(1, 10))
    ledger.change("sub_late", day(5, 1), status="past_due")
    ledger.change("sub_down", day(5, 10), price_id="starter")
    ledger.schedule_cancel("sub_leaving", day(5, 12))
    ledger.end("sub_gone", day(3, 1))
    with cache.engine.begin() as conn:
        conn.execute(insert(Invoice).values(id="in_1", customer_id="failed", subscription_id="sub_failed",
                                            status="open", amount_due_cents=10_000, amount_paid_cents=0,
                                            created=day(5, 15)))
        tickets = [("loud", "urgent", day(5, 1)), ("loud", "urgent", day(5, 2)), ("gone", "urgent", day(5, 1)),
                   ("gone", "urgent", day(5, 2)), ("spiky", "normal", day(5, 15)), ("spiky", "low", day(5, 16)),
                   ("spiky", "normal", day(5, 18)), ("fine", "urgent", day(5, 1))]
        conn.execute(insert(Ticket), [
            {"id": i, "subject": "help", "customer_id": cid, "status": "open", "priority": priority,
             "created_at": at, "updated_at": at} for i, (cid, priority, at) in enumerate(tickets, 1)])
        # Active users per day over the two weeks to 19 May: "quiet" halves from 12 May's third day, "fine"
        # falls 40 %, "gone" (no longer a customer) stops.
        first = dt.date(2026, 5, 6)
        weeks = {"quiet": [10] * 7 + [10, 10, 3, 3, 3, 3, 3], "fine": [10] * 7 + [6] * 7, "gone": [10] * 7 + [0] * 7}
        conn.execute(insert(CustomerUsage), [
            {"id": f"{cid}:{n}", "customer_id": cid, "day": first + dt.timedelta(days=n), "active_users": users}
            for cid, series in weeks.items() for n, users in enumerate(series)])
    return ledger


def signals(customers):
    return {c.customer_id: [s.name for s in c.signals] for c in customers}


def test_rule_at_risk_signals(ledger):
    with ledger.engine.connect() as conn:
        found = at_risk(conn, NOW, settings())
    assert signals(found) == {
        "late": ["Past due"], "failed": ["Payment failed"], "down": ["Downgraded"],
        "leaving": ["Cancellation scheduled"], "loud": ["Urgent tickets"], "spiky": ["Ticket spike"],
        "quiet": ["Usage drop"],
    }  # "fine" has one urgent ticket and lost 40 % of its users; "gone" is no longer a customer
    by_id = {c.customer_id: c for c in found}
    assert by_id["late"].since == day(5, 1) and by_id["down"].signals[0].detail == "pro → starter"
    assert by_id["loud"].currency == "EUR" and by_id["loud"].mrr == pytest.approx(22_000)  # €200 at 1.10
    assert [c.customer_id for c in found][:2] == ["late", "loud"]  # most MRR first
    (drop,) = by_id["quiet"].signals  # 70 user-days, then 2 × 10 + 5 × 3 = 35: down 50 %
    assert (drop.since, drop.detail) == (
        dt.datetime(2026, 5, 15), "35 active user-days in the week to 2026-05-19, down 50 % from 70")


def test_rule_at_risk_thresholds_are_settings(ledger):
    with ledger.engine.connect() as conn:
        found = at_risk(conn, NOW, settings(risk_urgent_tickets=1, risk_ticket_spike=4, risk_downgrade_days=5,
                                            risk_usage_drop_percent=40))
    names = signals(found)
    assert names["fine"] == ["Urgent tickets", "Usage drop"] and "spiky" not in names and "down" not in names


def test_rule_at_risk_notifies_once_per_episode(ledger):
    with ledger.engine.begin() as conn:
        first = record(conn, at_risk_alerts(conn, NOW, settings()), now=NOW)
        again = record(conn, at_risk_alerts(conn, NOW + dt.timedelta(hours=1), settings()), now=NOW)
    assert first.new == 7 and again.new == 0
    ledger.change("sub_late", day(5, 21), status="active")  # recovered…
    ledger.change("sub_late", day(6, 1), status="past_due")  # …and at risk again: a new episode
    later = day(6, 2)
    with ledger.engine.begin() as conn:
        notices = [n for n in at_risk_alerts(conn, later, settings()) if n.record == "late"]
        assert record(conn, notices, now=later).new == 1
    assert notices[0].key == "late:at_risk:2026-06-01T12:00" and notices[0].kind == "revenue.at_risk"
