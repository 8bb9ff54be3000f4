"""A subscription's past, rebuilt from its own record and invoices (rule "Subscription history")."""

from __future__ import annotations

import datetime as dt

from app.domain.revenue import history
from app.domain.revenue.history import BilledPeriod, PriceInfo
from tests.support.revenue import day

PRICES = {"starter": PriceInfo(10_000, "usd", "month"), "pro": PriceInfo(30_000, "usd", "month")}
FIRST_SEEN = day(6, 1)


def sub(**fields):
    row = {"id": "sub_1", "customer_id": "cus_1", "status": "active", "created": day(1, 1), "trial_start": None,
           "trial_end": None, "canceled_at": None, "ended_at": None, "cancel_at_period_end": False,
           "current_period_start": day(5, 1), "current_period_end": day(6, 1), "coupon_id": None,
           "percent_off": None, "amount_off_cents": None}
    return {**row, **fields}


def rebuilt(row, items=(("starter", 1),), periods=()):
    final = history.state_of(row, list(items), PRICES)
    changes = history.rebuild(row, final, FIRST_SEEN, periods, PRICES)
    return [(c.at, c.kind, c.after.status, c.after.plan, c.after.quantity, c.after.mrr) for c in changes]


def test_rule_history_rebuilt_from_the_record_trial_conversion_cancellation_end():
    row = sub(status="canceled", trial_start=day(1, 1), trial_end=day(1, 15), canceled_at=day(3, 10),
              ended_at=day(4, 15), current_period_end=day(4, 15))
    assert rebuilt(row) == [
        (day(1, 1), "trial_started", "trialing", "starter", 1, 0.0),
        (day(1, 15), "converted", "active", "starter", 1, 10_000.0),
        (day(3, 10), "cancel_scheduled", "active", "starter", 1, 10_000.0),
        (day(4, 15), "ended", "canceled", "starter", 1, 0.0),
    ]


def test_rule_history_immediate_cancellation_keeps_its_paid_period():
    row = sub(status="canceled", canceled_at=day(3, 10), ended_at=day(3, 10), current_period_end=day(4, 1))
    final = history.state_of(row, [("starter", 1)], PRICES)
    changes = history.rebuild(row, final, FIRST_SEEN)
    assert [(c.at, c.kind) for c in changes] == [(day(1, 1), "started"), (day(3, 10), "ended")]
    assert changes[-1].after.period_end == day(4, 1)  # churn is recognised then, by default


def test_rule_history_trial_that_never_paid_and_one_still_running():
    never = sub(status="canceled", trial_start=day(1, 1), trial_end=day(1, 15), ended_at=day(1, 15))
    assert [c[1] for c in rebuilt(never)] == ["trial_started", "ended"]
    running = sub(status="trialing", created=day(5, 25), trial_start=day(5, 25), trial_end=day(5, 29))
    assert [c[1] for c in rebuilt(running)] == ["trial_started"]  # the record says it still trials


def test_rule_history_invoices_date_plan_and_seat_changes():
    periods = [BilledPeriod(day(m, 1), day(m + 1, 1), plan, qty, None) for m, plan, qty in
               ((1, "starter", 1), (2, "starter", 1), (3, "pro", 1), (4, "pro", 2), (5, "pro", 2))]
    changes = rebuilt(sub(), items=(("pro", 2),), periods=periods)
    assert changes == [
        (day(1, 1), "started", "active", "starter", 1, 10_000.0),
        (day(3, 1), "plan", "active", "pro", 1, 30_000.0),
        (day(4, 1), "quantity", "active", "pro", 2, 60_000.0),
    ]


def test_rule_history_a_prorated_change_is_dated_by_its_invoice():
    periods = [BilledPeriod(day(5, 1), day(6, 1), "starter", 1, 10_000),
               BilledPeriod(day(5, 1), day(6, 1), None, None, 12_000, day(5, 12), update=True)]
    assert rebuilt(sub(), items=(("pro", 1),), periods=periods)[-1] == (
        day(5, 12), "plan", "active", "pro", 1, 30_000.0)
    undated = [BilledPeriod(day(5, 1), day(6, 1), "starter", 1, 10_000)]
    assert rebuilt(sub(), items=(("pro", 1),), periods=undated)[-1][:2] == (FIRST_SEEN, "plan")


def test_rule_history_past_due_since_its_period_started():
    assert rebuilt(sub(status="past_due"))[-1][:3] == (day(5, 1), "payment_failed", "past_due")


def test_rule_history_reads_change_times_from_the_record():
    active = history.state_of(sub(), [("starter", 1)], PRICES)
    ended_row = sub(status="canceled", ended_at=day(5, 20), canceled_at=day(5, 20))
    ended = history.state_of(ended_row, [("starter", 1)], PRICES)
    assert history.snapshot_time(active, ended, ended_row, FIRST_SEEN) == day(5, 20)
    bigger = history.state_of(sub(), [("starter", 3)], PRICES)
    assert history.snapshot_time(active, bigger, sub(), FIRST_SEEN) == FIRST_SEEN  # no date for seats: the read's
    assert history.observed("sub_1", "cus_1", active, active, FIRST_SEEN, history.SNAPSHOT) is None


def test_billed_periods_leave_out_one_offs_and_voids():
    rows = [
        {"period_start": day(1, 1), "period_end": day(2, 1), "plan": "starter", "quantity": 1, "total_cents": 10_000,
         "billing_reason": "subscription_cycle", "status": "paid", "created": day(1, 1)},
        {"period_start": day(1, 5), "period_end": day(1, 5), "plan": None, "quantity": None, "total_cents": 500,
         "billing_reason": "manual", "status": "paid", "created": day(1, 5)},
        {"period_start": day(2, 1), "period_end": day(3, 1), "plan": "starter", "quantity": 1, "total_cents": 10_000,
         "billing_reason": "subscription_cycle", "status": "void", "created": day(2, 1)},
    ]
    assert [p.start for p in history.billed_periods(rows)] == [day(1, 1)]
    assert history.period_months(day(1, 31), day(2, 28)) == 1.0
    assert history.period_months(dt.datetime(2026, 1, 1), dt.datetime(2027, 1, 1)) == 12.0
