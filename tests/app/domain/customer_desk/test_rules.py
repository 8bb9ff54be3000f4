"""The desk's pure rules, on hand-worked cases: docs/metrics.md, "Customer desk"."""

from __future__ import annotations

import datetime as dt

import pytest

from app.domain.customer_desk import lifecycle as lc
from app.domain.customer_desk.diagnosis import card_state
from app.domain.customer_desk.entitlements import bucket, entitlements, grant_state
from app.domain.customer_desk.money import money, parse_money, refundable

NOW = dt.datetime(2026, 11, 18, 14, 30)


def sub(status: str, **extra) -> dict:
    return {"status": status, **extra}


# --------------------------------------------------------------------------- "Lifecycle stage"


@pytest.mark.parametrize(("subs", "moves", "stage"), [
    ([], [], lc.NO_SUBSCRIPTION),
    ([sub("canceled")], [], lc.CHURNED),
    ([sub("trialing")], [], lc.TRIAL),
    ([sub("active")], [], lc.ACTIVE),
    ([sub("active")], [lc.PlanMove(NOW - dt.timedelta(days=3), 2_000)], lc.EXPANDING),
    ([sub("active")], [lc.PlanMove(NOW - dt.timedelta(days=45), 2_000)], lc.ACTIVE),  # too long ago
    ([sub("active")], [lc.PlanMove(NOW - dt.timedelta(days=10), -2_000)], lc.AT_RISK),  # a downgrade
    ([sub("past_due")], [], lc.AT_RISK),
    ([sub("active", cancel_at_period_end=True)], [], lc.AT_RISK),
    ([sub("active", pause_collection="keep_as_draft")], [], lc.AT_RISK),
    ([sub("trialing", cancel_at_period_end=True)], [], lc.AT_RISK),  # risk outranks the trial
    ([sub("canceled"), sub("active")], [], lc.ACTIVE),  # came back
])
def test_lifecycle_stage(subs, moves, stage):
    """Rule "Lifecycle stage": churned, at risk, trial, expanding, active — the first that holds."""
    assert lc.lifecycle_stage(subs, moves, NOW).stage == stage


def test_at_risk_says_every_reason_and_the_downgrade_window_is_a_setting():
    moves = [lc.PlanMove(NOW - dt.timedelta(days=20), -500)]
    stage = lc.lifecycle_stage([sub("past_due", cancel_at_period_end=True)], moves, NOW, downgrade_days=30)
    assert stage.reasons == ("a payment failed (past due)", "a cancellation is scheduled",
                             "downgraded in the last 30 days")
    assert lc.lifecycle_stage([sub("active")], moves, NOW, downgrade_days=14).stage == lc.ACTIVE


# --------------------------------------------------------------------------- "Entitlements"

FLAGS = [
    {"id": "sso", "name": "SSO", "plans_json": ["professional", "enterprise"], "rollout_phase": "plans"},
    {"id": "audit", "name": "Audit log", "plans_json": ["enterprise"], "rollout_phase": "plans"},
    {"id": "beta", "name": "Beta", "plans_json": [], "rollout_phase": "premium_50"},
    {"id": "export", "name": "Export", "plans_json": [], "rollout_phase": "everyone"},
]


def grant(feature=None, plan=None, effect="grant", expires=None, revoked=None) -> dict:
    return {"feature": feature, "plan": plan, "effect": effect, "reason": "why", "expires_at": expires,
            "revoked_at": revoked}


def _has(customer: str, tier: str | None, grants: list[dict]) -> dict[str, bool]:
    return {e.feature: e.included for e in entitlements(customer, tier, FLAGS, grants, NOW)}


def test_entitlements_from_plan_rollout_grants_and_denials():
    """Rule "Entitlements": deny beats everything; grants beat the plan; then plan, then rollout."""
    later, earlier = NOW + dt.timedelta(days=1), NOW - dt.timedelta(days=1)
    in_beta = next(c for c in (f"cus_{n}" for n in range(100)) if bucket("beta", c) < 50)
    out_beta = next(c for c in (f"cus_{n}" for n in range(100)) if bucket("beta", c) >= 50)
    assert _has(in_beta, "professional", []) == {"sso": True, "audit": False, "beta": True, "export": True}
    assert _has(out_beta, "professional", [])["beta"] is False
    assert _has(in_beta, "starter", [])["beta"] is False  # the rollout reaches premium plans only
    assert _has(out_beta, "professional", [grant("audit", expires=later)])["audit"] is True
    assert _has(out_beta, "professional", [grant("audit", expires=earlier)])["audit"] is False  # expired
    assert _has(out_beta, "professional", [grant("audit", revoked=earlier)])["audit"] is False
    assert _has(out_beta, "starter", [grant(plan="enterprise", expires=later)])["audit"] is True
    assert _has(out_beta, "enterprise", [grant("sso", effect="deny")])["sso"] is False
    assert _has(out_beta, None, [])["export"] is True  # rollout "everyone"


def test_the_rollout_bucket_is_stable_and_spread():
    buckets = [bucket("beta", f"cus_{n}") for n in range(2_000)]
    assert buckets == [bucket("beta", f"cus_{n}") for n in range(2_000)]
    assert 900 < sum(b < 50 for b in buckets) < 1_100  # about half


def test_grant_states():
    assert grant_state(grant(expires=NOW), NOW) == "expired"  # the expiry instant is already past
    assert grant_state(grant(expires=NOW + dt.timedelta(seconds=1)), NOW) == "running"
    assert grant_state(grant(), NOW) == "running"


# --------------------------------------------------------------------------- "Refundable amount", card state


def test_refundable_counts_refunds_and_waiting_ones():
    """Rule "Refundable amount": paid − max(Stripe's amount_refunded, refunds held) − refunds waiting."""
    charges = [{"id": "ch_1", "status": "succeeded", "amount_cents": 29_900, "amount_refunded_cents": 5_000},
               {"id": "ch_0", "status": "failed", "amount_cents": 29_900, "amount_refunded_cents": 0}]
    refunds = [{"charge_id": "ch_1", "amount_cents": 5_000, "status": "succeeded"},
               {"charge_id": "ch_1", "amount_cents": 2_000, "status": "succeeded"},  # made here, charge not re-synced
               {"charge_id": "ch_1", "amount_cents": 9_999, "status": "failed"}]
    room = refundable(charges, refunds, waiting=1_000)
    assert (room.paid, room.refunded, room.waiting, room.left) == (29_900, 7_000, 1_000, 21_900)
    assert refundable(charges, [], waiting=40_000).left == 0


@pytest.mark.parametrize(("text", "cents"), [("299", 29_900), ("299.5", 29_950), ("$1,299.00", 129_900),
                                             ("0.07", 7), ("-5", -500)])
def test_amounts_are_read_as_cents(text, cents):
    assert parse_money(text) == cents


@pytest.mark.parametrize("text", ["", "abc", "1.234", "12.x", "$"])
def test_bad_amounts_are_refused(text):
    with pytest.raises(ValueError, match="amount"):
        parse_money(text)


def test_money_words():
    assert (money(29_900), money(-1_050), money(123_456, "eur"), money(None)) == (
        "$299.00", "-$10.50", "1,234.56 EUR", "—")


@pytest.mark.parametrize(("month", "year", "state"), [
    (11, 2026, "expires this month"), (10, 2026, "expired"), (12, 2026, "valid"), (1, 2027, "valid"),
    (None, None, "none on file"),
])
def test_card_state(month, year, state):
    """Rule "Payment method state": a card works to the end of its expiry month."""
    assert card_state(month, year, NOW) == state
