"""One customer on one screen: what the diagnosis reads about the hand-worked business (tests/support/desk.py)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import insert

from app.domain.customer_desk import lifecycle
from app.domain.customer_desk.summary import escalation_summary
from app.store.schema import Activation, License
from tests.app.domain.customer_desk.support import diagnosis_of
from tests.support.dataset import NOW
from tests.support.desk import ACME_PAID, ACME_REFUNDED


def test_a_past_due_customer_shows_why(desk_cache):
    d = diagnosis_of(desk_cache, "cus_dune")
    assert d.stage.stage == lifecycle.AT_RISK and d.stage.reasons == ("a payment failed (past due)",)
    card = d.payment_method
    assert card.label == "Visa •••• 4242, expires 11/2027" and card.state == "valid"
    assert card.last_failure == "Your card has insufficient funds. (insufficient_funds)"
    unpaid = d.invoice("in_dune_1")
    assert unpaid is not None and [a["status"] for a in unpaid.attempts] == ["failed"]
    assert unpaid.refundable.left == 0
    assert d.permissions.role == "support" and d.permissions.actor == "Maya Chen"
    assert d.permissions.refund_cap_cents == 50_000
    assert any("declined: Your card has insufficient funds." in h.what for h in d.history)


def test_invoices_carry_their_attempts_refunds_and_what_is_left(desk_cache):
    d = diagnosis_of(desk_cache, "cus_acme")
    second = d.invoice("in_acme_1")
    assert second is not None
    assert [r["id"] for r in second.refunds] == ["re_acme_1"]
    assert second.refundable.left == ACME_PAID - ACME_REFUNDED
    assert d.payment_method.state == "expires this month"
    assert d.tier == "professional"


def test_entitlements_usage_failures_and_tickets(desk_cache):
    d = diagnosis_of(desk_cache, "cus_acme")
    has = {e.feature: (e.included, e.source) for e in d.entitlements}
    assert has["sso"] == (True, "Professional plan")
    assert has["audit_log"][0] is True and has["audit_log"][1].startswith("granted until")
    assert has["ai_assistant"][0] is True  # premium_100: every professional customer
    assert has["bulk_export"] == (True, "rollout: everyone")
    assert d.usage.jobs == 14 * 50 and d.usage.failed_jobs == 1 and d.usage.active_users == 10
    assert [f["id"] for f in d.failures] == ["pf_acme_1", "pf_acme_0"]  # the open one first
    assert d.tickets_total == 1 and d.tickets[0]["id"] == 103
    bolt = diagnosis_of(desk_cache, "cus_bolt")
    assert {e.feature: e.included for e in bolt.entitlements}["sso"] is False  # withheld
    fern = diagnosis_of(desk_cache, "cus_fern")
    assert [g["state"] for g in fern.grants] == ["expired"]


def test_the_summary_carries_what_an_escalation_needs(desk_cache):
    text = escalation_summary(diagnosis_of(desk_cache, "cus_dune"))
    for fact in ("Dune Retail (cus_dune)", "Stage: at risk", "MRR: $99.00", "Starter monthly · past due",
                 "Visa •••• 4242", "insufficient funds", "Unpaid invoice: DUNE-0003 $99.00, 1 attempt(s)"):
        assert fact in text, fact


def test_licenses_show_the_seats_their_machines_hold(desk_cache):
    """Seats in use: the licenses rule (machines holding a seat), read here through its one SQL expression."""
    issued = NOW - dt.timedelta(days=30)
    with desk_cache.begin() as conn:
        conn.execute(insert(License), [{
            "id": "lic_acme", "key_id": "k1", "product": "ops", "customer_id": "cus_acme", "plan": "professional",
            "seats": 5, "issued_at": issued, "not_before": issued, "expires_at": NOW + dt.timedelta(days=300),
        }])
        conn.execute(insert(Activation), [
            {"id": f"act_{n}", "license_id": "lic_acme", "fingerprint": f"fp{n}", "first_seen_at": issued,
             "last_seen_at": issued} for n in range(2)
        ])
    d = diagnosis_of(desk_cache, "cus_acme")
    assert [(lic["id"], lic["in_use"], lic["seats"]) for lic in d.licenses] == [("lic_acme", 2, 5)]
    assert "License: professional, 2 of 5 seats in use" in escalation_summary(d)
