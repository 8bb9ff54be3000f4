"""The generated business: deterministic per seed, and shaped like the handbook says."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict

from app.demo import stripe_objects
from app.demo.backend import DemoBackend
from app.demo.business import OPS_RESOURCES
from app.demo.catalog import PRICE_BY_ID
from app.demo.finance import BUDGETS
from tests.app.demo.support import NOW, SMALL


def _snapshot(backend: DemoBackend) -> dict[str, list]:
    business = backend.business
    snapshot = {r: business.feed(r).page(None, None, 100_000)[0] for r in OPS_RESOURCES}
    snapshot["stripe"] = [stripe_objects.render(o) for o in
                          (*business.billing.customers, *business.billing.subscriptions, *business.billing.invoices)]
    snapshot["events"] = [stripe_objects.event(e) for e in business.billing.events]
    return snapshot


def test_same_seed_same_business_and_another_seed_another():
    first, again = _snapshot(DemoBackend(**SMALL)), _snapshot(DemoBackend(**SMALL))
    assert first == again
    other = _snapshot(DemoBackend(**SMALL, seed=2))
    assert other["tickets"] != first["tickets"]
    assert other["stripe"] != first["stripe"]


def test_sizes_follow_the_options():
    business = DemoBackend(**SMALL).business
    assert len(business.billing.customers) == SMALL["customers"]
    assert len(business.feed("tickets")) == SMALL["tickets"]
    assert len(business.feed("services")) == 10


def test_plans_prices_and_annual_discount():
    def prices(interval):
        return {(p.product_id, p.currency): p.unit_amount for p in PRICE_BY_ID.values() if p.interval == interval}

    monthly, annual = prices("month"), prices("year")
    assert monthly["prod_starter", "usd"] == 9_900 and monthly["prod_professional", "usd"] == 29_900
    assert monthly["prod_enterprise", "usd"] == 99_900
    assert monthly["prod_starter", "eur"] == 8_900 and monthly["prod_starter", "gbp"] == 7_900
    assert all(annual[key] == 10 * monthly[key] for key in annual)


def test_a_year_of_subscription_history_has_every_lifecycle():
    billing = DemoBackend(customers=1_000, tickets=0, now=NOW).business.billing
    statuses = Counter(s.status for s in billing.subscriptions)
    assert {"active", "trialing", "canceled", "past_due"} <= set(statuses)
    assert any(s.coupon_id for s in billing.subscriptions)
    assert any(s.cancel_at_period_end for s in billing.subscriptions)
    oldest = min(c.created for c in billing.customers)
    assert dt.datetime.fromtimestamp(oldest, dt.UTC).replace(tzinfo=None) < NOW - dt.timedelta(days=330)
    types = Counter(e.type for e in billing.events)
    assert types["invoice.paid"] and types["customer.subscription.updated"] and types["customer.created"]
    assert all(e.created >= NOW.timestamp() - 31 * 86_400 for e in billing.events)


def test_tickets_tell_a_consistent_story():
    business = DemoBackend(**{**SMALL, "tickets": 5_000}).business
    tickets = business.feed("tickets").page(None, None, 10_000)[0]
    events = defaultdict(list)
    for event in business.feed("ticket_events").page(None, None, 100_000)[0]:
        events[event["ticket_id"]].append(event)
    assert {t["status"] for t in tickets} >= {"new", "open", "pending", "solved", "closed"}
    assert {t["tier"] for t in tickets} == {1, 2, 3}
    for ticket in tickets:
        log = sorted(events[ticket["id"]], key=lambda e: e["id"])
        if ticket["status"] == "new":
            assert log == [] and ticket["assignee"] is None
            continue
        assert log[-1]["created_at"] == ticket["updated_at"]
        assert all(ticket["created_at"] <= e["created_at"] <= ticket["updated_at"] for e in log)
        if ticket["status"] in ("solved", "closed"):
            assert log[-1]["data"] == {"status": ticket["status"]}
            assert ticket["resolved_at"] == ticket["updated_at"]
        assert ticket["escalated"] == (ticket["tier"] > 1)


def test_services_flap_and_some_incidents_are_open():
    business = DemoBackend(**SMALL).business
    checks = business.feed("health_checks").page(None, None, 100_000)[0]
    failures = Counter(c["service_id"] for c in checks if not c["ok"])
    assert len(checks) == 10 * 7 * 24 * 12
    assert failures["cdn"] > 5 * failures["billing"]
    incidents = business.feed("incidents").page(None, None, 1_000)[0]
    assert {i["severity"] for i in incidents} >= {"P1", "P2", "P3", "P4"}
    assert 1 <= sum(i["resolved_at"] is None for i in incidents) <= 5


def test_costs_span_thirteen_months_and_approach_their_budgets():
    business = DemoBackend(**SMALL).business
    costs = business.feed("costs").page(None, None, 100_000)[0]
    months = Counter()
    for row in costs:
        months[row["charge_period_start"].strftime("%Y-%m"), row["service_name"]] += row["effective_cost_micros"]
    assert len({month for month, _ in months}) >= 13
    last_full_month = (NOW.replace(day=1) - dt.timedelta(days=1)).strftime("%Y-%m")
    ratios = {s: months[last_full_month, s] / 10_000 / BUDGETS[s][0] for s in BUDGETS}
    assert max(ratios.values()) > 0.95 and min(ratios.values()) > 0.5
    assert len({s for _, s in months}) > 8  # more services than colours: the pane must group the small ones
    credits = [r for r in costs if r["charge_category"] == "Credit"]
    assert credits and all(r["effective_cost_micros"] < 0 and r["service_name"] == "firebase" for r in credits)
    budgets = {b["service"]: b["monthly_cents"] for b in business.feed("budgets").page(None, None, 100)[0]}
    assert budgets["firebase"] == 80_000 and budgets["anthropic"] == 50_000 and budgets["total"] == 260_000
    usage = business.feed("usage").page(None, None, 1_000)[0]
    assert sum(u["trial_starts"] for u in usage) > 0 and all(0 < u["processing_success_rate"] <= 1 for u in usage)


def test_usage_carries_what_only_the_server_can_count():
    """MAU (distinct users of 30 days) above any day's users, 30-day cohorts from the 31st day, NPS answers,
    and each feature's reach and 30-day users (docs/metrics.md § Product usage)."""
    business = DemoBackend(**SMALL).business
    usage = business.feed("usage").page(None, None, 1_000)[0]
    assert all(u["monthly_active_users"] >= u["active_users"] for u in usage)
    assert usage[0]["retention_cohort_users"] is None  # nobody signed up 30 days before the history starts
    later = [u for u in usage[31:] if u["retention_cohort_users"]]
    assert later and all(0 <= u["retention_cohort_retained"] <= u["retention_cohort_users"] for u in later)
    assert all(u["nps_promoters"] + u["nps_passives"] + u["nps_detractors"] >= 0 for u in usage)
    assert all(6 <= u["avg_session_minutes"] <= 14 for u in usage if u["avg_session_minutes"] is not None)
    flags = business.feed("feature_flags").page(None, None, 100)[0]
    assert all(0 < f["active_users_30d"] <= f["users_with_access"] for f in flags)
    assert business.feed("usage").page(None, None, 1_000)[0] == usage  # deterministic
