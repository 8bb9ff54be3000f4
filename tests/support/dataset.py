"""A small, realistic business for domain and pane tests, with every number worked out by hand.

Customers (MRR in cents, as the rule says it should be):

* Acme Corp — Professional annual ($2,990/yr), 20 % off → 299000 / 12 × 0.8 = 19933.33
* Bolt Labs — 3 × Starter monthly ($99), $10 off per month → 29700 − 1000 = 28700
* Cyan Health — Enterprise monthly, trialing → 0 (trials do not count)
* Dune Retail — Starter monthly, past due, delinquent → 9900
* Echo Media — canceled 10 days ago → churned, 0
* Fern Foods — Enterprise annual ($9,990/yr), $1,200 off per year → 83250 − 10000 = 73250

Tickets cover each filter and SLA state of the Tickets tab; services and incidents each
state of the Health tab.  Core tests fill it at the fixed ``NOW``; pane tests
fill it at the wall clock, because the panes read it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Connection, Engine, insert

from app.domain.sla.evaluation import evaluate_tickets
from app.store.schema import (
    Customer,
    HealthCheck,
    Incident,
    IncidentUpdate,
    Invoice,
    Price,
    Product,
    Service,
    Subscription,
    SubscriptionItem,
    Ticket,
    TicketEvent,
)

NOW = dt.datetime(2026, 11, 18, 14, 30)  # a Wednesday afternoon, naive UTC

EXPECTED_MRR = {
    "cus_acme": 299000 / 12 * 0.8,
    "cus_bolt": 3 * 9900 - 1000,
    "cus_cyan": 0.0,
    "cus_dune": 9900.0,
    "cus_echo": 0.0,
    "cus_fern": 999000 / 12 - 120000 / 12,
}


def _put(conn: Connection, model: type, rows: list[dict[str, Any]]) -> None:
    """Insert rows one by one: they set different columns, and each keeps the schema's defaults."""
    for row in rows:
        conn.execute(insert(model).values(**row))


def fill(engine: Engine, now: dt.datetime) -> None:
    """Insert the business as it stands at ``now`` (naive UTC)."""
    days = lambda n: now - dt.timedelta(days=n)  # noqa: E731 - reads better than a def here
    hours = lambda n: now - dt.timedelta(hours=n)  # noqa: E731 - as days above
    with engine.begin() as conn:
        _put(conn, Product, [
            {"id": "prod_starter", "name": "Starter"}, {"id": "prod_pro", "name": "Professional"},
            {"id": "prod_ent", "name": "Enterprise"},
        ])
        _put(conn, Price, [
            {"id": "price_starter_m", "product_id": "prod_starter", "nickname": "Starter monthly",
             "unit_amount_cents": 9900, "interval": "month", "interval_count": 1},
            {"id": "price_pro_y", "product_id": "prod_pro", "nickname": "Professional annual",
             "unit_amount_cents": 299000, "interval": "year", "interval_count": 1},
            {"id": "price_ent_m", "product_id": "prod_ent", "nickname": "Enterprise monthly",
             "unit_amount_cents": 99900, "interval": "month", "interval_count": 1},
            {"id": "price_ent_y", "product_id": "prod_ent", "nickname": "Enterprise annual",
             "unit_amount_cents": 999000, "interval": "year", "interval_count": 1},
        ])
        _put(conn, Customer, [
            {"id": "cus_acme", "name": "Acme Corp", "email": "billing@acme.example", "created": days(400)},
            {"id": "cus_bolt", "name": "Bolt Labs", "email": "ops@bolt-labs.example", "created": days(200)},
            {"id": "cus_cyan", "name": "Cyan Health", "email": "it@cyan-health.example", "created": days(5)},
            {"id": "cus_dune", "name": "Dune Retail", "email": "finance@dune.example", "created": days(90),
             "delinquent": True},
            {"id": "cus_echo", "name": "Echo Media", "email": "hello@echo-media.example", "created": days(300)},
            {"id": "cus_fern", "name": "Fern Foods", "email": "accounts@fern-foods.example", "created": days(100)},
        ])
        subs = [
            ("sub_acme", "cus_acme", "active", days(400), {"percent_off": 20.0}),
            ("sub_bolt", "cus_bolt", "active", days(200), {"amount_off_cents": 1000}),
            ("sub_cyan", "cus_cyan", "trialing", days(5), {"trial_start": days(5), "trial_end": days(-9)}),
            ("sub_dune", "cus_dune", "past_due", days(90), {}),
            ("sub_echo", "cus_echo", "canceled", days(300), {"canceled_at": days(10), "ended_at": days(10)}),
            ("sub_fern", "cus_fern", "active", days(100), {"amount_off_cents": 120000}),
        ]
        _put(conn, Subscription, [
            {"id": sid, "customer_id": cid, "status": status, "created": created,
             "current_period_start": days(10), "current_period_end": days(-20), **extra}
            for sid, cid, status, created, extra in subs
        ])
        _put(conn, SubscriptionItem, [
            {"id": "si_acme", "subscription_id": "sub_acme", "price_id": "price_pro_y", "quantity": 1},
            {"id": "si_bolt", "subscription_id": "sub_bolt", "price_id": "price_starter_m", "quantity": 3},
            {"id": "si_cyan", "subscription_id": "sub_cyan", "price_id": "price_ent_m", "quantity": 1},
            {"id": "si_dune", "subscription_id": "sub_dune", "price_id": "price_starter_m", "quantity": 1},
            {"id": "si_echo", "subscription_id": "sub_echo", "price_id": "price_starter_m", "quantity": 1},
            {"id": "si_fern", "subscription_id": "sub_fern", "price_id": "price_ent_y", "quantity": 1},
        ])
        _put(conn, Invoice, [
            {"id": f"in_acme_{n}", "customer_id": "cus_acme", "subscription_id": "sub_acme", "number": f"ACME-{n:04d}",
             "status": "paid", "amount_due_cents": 239200, "amount_paid_cents": 239200, "created": days(400 - 365 * n)}
            for n in range(2)
        ] + [
            {"id": "in_dune_1", "customer_id": "cus_dune", "subscription_id": "sub_dune", "number": "DUNE-0003",
             "status": "open", "amount_due_cents": 9900, "amount_paid_cents": 0, "created": days(3)},
        ])
        _support(conn, now, hours)
        _health(conn, now)


def _support(conn: Connection, now: dt.datetime, hours: Any) -> None:
    """Five tickets, one per SLA state whatever the time of day (the clocks that decide run 24/7 or are
    met or paused), with their clocks computed as sync would:

    * 101 urgent, created 50 h ago: the Critical policy (24/7) resolves in 48 h, so breached 2 h ago;
    * 102 pending, answered an hour after it came in: paused;
    * 103 urgent, created 25 min ago and unanswered: 5 of its 30 minutes left, about to breach;
    * 104 new, an hour old, technical (4 business hours): on track;
    * 105 solved: no clock.
    """
    def ticket(tid: int, subject: str, status: str, due: dt.datetime | None, **extra):
        return {
            "id": tid, "subject": subject, "body": f"Hi team,\n\n{subject}.\n\nThanks", "status": status,
            "priority": extra.pop("priority", "normal"), "tier": extra.pop("tier", 1), "category": "bug",
            "assignee": extra.pop("assignee", "Maya Chen"), "requester_email": "ops@bolt-labs.example",
            "customer_id": extra.pop("customer_id", "cus_bolt"), "created_at": extra.pop("created_at", hours(30)),
            "updated_at": hours(1), "sla_due_at": due, "escalated": extra.pop("escalated", False), **extra,
        }

    _put(conn, Ticket, [
        ticket(101, "Export to CSV fails with error 500", "open", hours(2), priority="urgent", created_at=hours(50)),
        ticket(102, "Invoice shows the wrong VAT number", "pending", None),
        ticket(103, "Sync stuck at 43 percent", "open", now + dt.timedelta(minutes=5), tier=2, escalated=True,
               assignee="Priya Nair", customer_id="cus_acme", requester_email="it@acme.example", priority="urgent",
               created_at=now - dt.timedelta(minutes=25)),
        ticket(104, "How do I add seats to my plan", "new", None, assignee=None, created_at=hours(1)),
        ticket(105, "Password reset email never arrives", "solved", None),
    ])
    _put(conn, TicketEvent, [
        {"id": "te_101_0", "ticket_id": 101, "kind": "assignee", "author": "Triage", "author_role": "system",
         "data_json": {"assignee": "Maya Chen"}, "created_at": hours(29)},
        {"id": "te_101_1", "ticket_id": 101, "kind": "reply", "author": "Maya Chen", "author_role": "agent",
         "body": "Thanks, we are looking into it.", "created_at": hours(28)},
        {"id": "te_102_0", "ticket_id": 102, "kind": "reply", "author": "Maya Chen", "author_role": "agent",
         "body": "Could you send us a copy of the invoice?", "created_at": hours(29)},
    ])
    evaluate_tickets(conn, [101, 102, 103, 104, 105], now=now)


def _health(conn: Connection, now: dt.datetime) -> None:
    """Services in every state, worked out by hand (rules of docs/metrics.md § Service health).

    * API Server: checked every 30 min for a day, all passed: Up; 24 h → 1,411 min up, 29 min unknown.
    * CDN: the same checks, three failed (1, 31 and 301 min ago; each holds until the next, 30 min):
      Down since 31 min ago (two failures in a row); 61 min down of 1,411 known → 95.68 %; P1 incident open.
    * Backups: one check 5 min ago that took 2.5 s (threshold 2 s): Degraded.
    * Auth: failed 3, 2 and 1 min ago (checked every minute): Down with no incident, so a draft (critical → P1).
    """
    _put(conn, Service, [
        {"id": "api", "name": "API Server", "slo_target": 0.999, "timeout_s": 5.0, "probe_interval_s": 1800,
         "criticality": "critical"},
        {"id": "cdn", "name": "CDN", "slo_target": 0.99, "timeout_s": 5.0, "probe_interval_s": 1800,
         "criticality": "medium"},
        {"id": "backups", "name": "Backups", "slo_target": 0.99, "timeout_s": 2.0, "probe_interval_s": 300},
        {"id": "auth", "name": "Auth", "slo_target": 0.9995, "probe_interval_s": 60, "criticality": "critical"},
    ])
    checks = []
    for n in range(48):  # every 30 min for a day
        at = now - dt.timedelta(minutes=30 * n + 1)
        checks.append({"service_id": "api", "checked_at": at, "ok": True, "latency_ms": 50.0, "source": "api"})
        failed = n in (0, 1, 10)
        checks.append({"service_id": "cdn", "checked_at": at, "ok": not failed, "latency_ms": 30.0, "source": "api",
                       "status_code": 503 if failed else 200, "error": "HTTP 503" if failed else None})
    checks.append({"service_id": "backups", "checked_at": now - dt.timedelta(minutes=5), "ok": True,
                   "latency_ms": 2500.0, "source": "api"})
    checks.extend({"service_id": "auth", "checked_at": now - dt.timedelta(minutes=m), "ok": False,
                   "error": "timed out after 10 s", "source": "workstation"} for m in (3, 2, 1))
    _put(conn, HealthCheck, checks)
    _put(conn, Incident, [
        {"id": "INC-1", "service_id": "cdn", "title": "CDN returning 503 in eu-west", "severity": "P1",
         "status": "identified", "started_at": now - dt.timedelta(hours=3), "updated_at": now},
        {"id": "INC-2", "service_id": "api", "title": "Slow API responses", "severity": "P3", "status": "resolved",
         "started_at": now - dt.timedelta(days=4), "resolved_at": now - dt.timedelta(days=4, hours=-2),
         "updated_at": now - dt.timedelta(days=4)},
    ])
    _put(conn, IncidentUpdate, [
        {"id": "INC-1-1", "incident_id": "INC-1", "status": "investigating", "body": "Looking into 503s.",
         "author": "Owen Brooks", "created_at": now - dt.timedelta(hours=3)},
        {"id": "INC-1-2", "incident_id": "INC-1", "status": "identified", "body": "A bad edge config; rolling back.",
         "author": "Owen Brooks", "created_at": now - dt.timedelta(hours=2)},
    ])
