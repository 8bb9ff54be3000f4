"""MRR movements, hand-worked: each test names the rule of docs/metrics.md § Revenue it checks."""

from __future__ import annotations

import datetime as dt
import random

import pytest
from sqlalchemy import text

from app.domain.revenue import movements
from tests.app.domain.revenue.support import moves
from tests.support.revenue import Ledger, day


@pytest.fixture
def ledger(cache) -> Ledger:
    return (Ledger(cache.engine).price("starter", 10_000).price("pro", 30_000).price("addon", 5_000)
            .price("annual", 120_000, "year"))


def test_rule_mrr_movements_new_expansion_contraction(ledger):
    ledger.start("sub_a", "acme", "starter", day(1, 10))
    ledger.change("sub_a", day(2, 3), price_id="pro")
    ledger.change("sub_a", day(4, 20), quantity=2)
    ledger.change("sub_a", day(5, 5), price_id="starter", quantity=2)
    assert moves(ledger.engine, "acme") == [
        (day(1, 10), "new", 0.0, 10_000.0),
        (day(2, 3), "expansion", 10_000.0, 30_000.0),
        (day(4, 20), "expansion", 30_000.0, 60_000.0),
        (day(5, 5), "contraction", 60_000.0, 20_000.0),
    ]


def test_rule_mrr_annual_plan_counts_a_twelfth(ledger):
    ledger.start("sub_y", "yearly", "annual", day(1, 10), period_months=12)
    assert moves(ledger.engine, "yearly") == [(day(1, 10), "new", 0.0, 10_000.0)]


def test_rule_contraction_vs_churn_cancelling_one_of_two_subscriptions(ledger):
    ledger.start("sub_main", "bolt", "pro", day(1, 5)).start("sub_addon", "bolt", "addon", day(2, 1))
    ledger.end("sub_addon", day(3, 1))  # ended at its period's end: one of two subscriptions
    ledger.end("sub_main", day(4, 5))
    assert moves(ledger.engine, "bolt") == [
        (day(1, 5), "new", 0.0, 30_000.0),
        (day(2, 1), "expansion", 30_000.0, 35_000.0),
        (day(3, 1), "contraction", 35_000.0, 30_000.0),
        (day(4, 5), "churn", 30_000.0, 0.0),
    ]


def test_rule_reactivation_after_churn(ledger):
    ledger.start("sub_1", "cyan", "starter", day(1, 1)).end("sub_1", day(2, 1))
    ledger.start("sub_2", "cyan", "pro", day(4, 15))
    assert [m[1:] for m in moves(ledger.engine, "cyan")] == [
        ("new", 0.0, 10_000.0), ("churn", 10_000.0, 0.0), ("reactivation", 0.0, 30_000.0)]


def test_rule_same_hour_changes_are_one_movement(ledger):
    ledger.start("sub_d", "dune", "starter", day(1, 1, 9))
    ledger.change("sub_d", day(3, 2, 10, 0), price_id="pro")  # a mistake…
    ledger.change("sub_d", day(3, 2, 10, 40), price_id="starter")  # …undone within the hour: no movement
    ledger.change("sub_d", day(4, 7, 10, 0), price_id="pro")
    ledger.change("sub_d", day(4, 7, 10, 30), quantity=2)  # one movement of both changes, at the first
    ledger.change("sub_d", day(5, 1, 10, 0), quantity=1)
    ledger.change("sub_d", day(5, 1, 11, 30), quantity=3)  # 90 minutes later: a movement of its own
    assert moves(ledger.engine, "dune") == [
        (day(1, 1, 9), "new", 0.0, 10_000.0),
        (day(4, 7, 10, 0), "expansion", 10_000.0, 60_000.0),
        (day(5, 1, 10, 0), "contraction", 60_000.0, 30_000.0),
        (day(5, 1, 11, 30), "expansion", 30_000.0, 90_000.0),
    ]


def test_rule_trials_count_nothing_until_paid(ledger):
    ledger.start("sub_t", "echo", "pro", day(3, 1), trial_days=14).convert("sub_t", day(3, 15))
    ledger.start("sub_n", "fern", "pro", day(3, 1), trial_days=14).end("sub_n", day(3, 15))
    assert moves(ledger.engine, "echo") == [(day(3, 15), "new", 0.0, 30_000.0)]
    assert moves(ledger.engine, "fern") == []  # a trial that never paid is never a customer, nor churn


def test_rule_churn_recognition_end_of_paid_period_or_when_scheduled(ledger):
    # Canceled on the spot on 10 March, paid up to 1 April.
    ledger.start("sub_g", "gala", "starter", day(3, 1)).end("sub_g", day(3, 10), paid_until=day(4, 1))
    # Cancellation scheduled on 5 March, ends with its period on 1 April.
    ledger.start("sub_h", "hale", "starter", day(3, 1)).schedule_cancel("sub_h", day(3, 5)).end("sub_h", day(4, 1))
    assert moves(ledger.engine, "gala")[-1] == (day(4, 1), "churn", 10_000.0, 0.0)
    assert moves(ledger.engine, "hale")[-1] == (day(4, 1), "churn", 10_000.0, 0.0)
    scheduled = {"churn_recognition": "when_scheduled"}
    assert moves(ledger.engine, "gala", **scheduled)[-1] == (day(3, 10), "churn", 10_000.0, 0.0)
    assert moves(ledger.engine, "hale", **scheduled)[-1] == (day(3, 5), "churn", 10_000.0, 0.0)


def test_rule_churn_when_scheduled_comes_back_when_withdrawn(ledger):
    ledger.start("sub_i", "iris", "starter", day(3, 1)).schedule_cancel("sub_i", day(3, 5))
    ledger.change("sub_i", day(3, 20), cancel_at_period_end=False, canceled_at=None)
    assert [m[:2] for m in moves(ledger.engine, "iris", churn_recognition="when_scheduled")] == [
        (day(3, 1), "new"), (day(3, 5), "churn"), (day(3, 20), "reactivation")]
    assert [m[1] for m in moves(ledger.engine, "iris")] == ["new"]  # by default nothing ended


def test_rule_past_due_churns_after_n_days_when_set(ledger):
    ledger.start("sub_j", "jade", "pro", day(3, 1)).change("sub_j", day(4, 1), status="past_due")
    ledger.change("sub_j", day(4, 20), status="active")
    assert [m[1] for m in moves(ledger.engine, "jade")] == ["new"]  # default: counts until canceled
    assert moves(ledger.engine, "jade", past_due_churn_days=10) == [
        (day(3, 1), "new", 0.0, 30_000.0),
        (day(4, 11), "churn", 30_000.0, 0.0),
        (day(4, 20), "reactivation", 0.0, 30_000.0),
    ]


def test_rule_free_plans_are_not_paying_customers_unless_the_policy_says(ledger):
    ledger.start("sub_f", "free", "starter", day(2, 1), percent_off=100.0)
    ledger.start("sub_k", "kite", "starter", day(2, 1)).change("sub_k", day(3, 1), percent_off=100.0,
                                                                 coupon_id="FREE")
    assert moves(ledger.engine, "free") == []
    assert moves(ledger.engine, "kite")[-1] == (day(3, 1), "churn", 10_000.0, 0.0)
    counted = {"free_plans_are_customers": True}
    assert moves(ledger.engine, "free", **counted) == [(day(2, 1), "new", 0.0, 0.0)]
    assert moves(ledger.engine, "kite", **counted)[-1] == (day(3, 1), "contraction", 10_000.0, 0.0)


def test_history_instants_are_whole_seconds_as_strftime_gives_them(cache):
    """The replay reads times as unix seconds with arithmetic on julianday, not strftime('%s'): the same numbers."""
    rng = random.Random(7)
    stamps = ["2026-01-31 23:59:59.999999", "2026-01-31 23:59:59.9995", "2026-01-31 23:59:59.9994",
              "2026-02-01 00:00:00.000000",
              "1970-01-01 00:00:00", "2038-01-19 03:14:08.5", "2100-12-31 23:59:59.000001", None]
    stamps += [(dt.datetime(1971, 1, 1) + dt.timedelta(seconds=rng.randrange(4_000_000_000),
                                                      microseconds=rng.randrange(1_000_000))).isoformat(" ")
               for _ in range(20_000)]
    ours = movements._SECONDS.format("x")
    with cache.engine.connect() as conn:
        conn.execute(text("CREATE TEMP TABLE stamps (x TEXT)"))
        conn.execute(text("INSERT INTO stamps VALUES (:x)"), [{"x": s} for s in stamps])
        both = f"SELECT x, CAST(strftime('%s', x) AS INTEGER), {ours} FROM stamps"  # noqa: S608 - a fixed expression
        pairs = conn.execute(text(both)).all()
    assert len(pairs) == len(stamps)
    assert [p for p in pairs if p[1] != p[2]] == []
    seconds = {p[0]: p[2] for p in pairs}  # SQLite keeps whole milliseconds: .9995 is the next second for both
    assert seconds["2026-01-31 23:59:59.9994"] == movements.to_ts(dt.datetime(2026, 1, 31, 23, 59, 59))
    assert seconds["2026-01-31 23:59:59.9995"] == movements.to_ts(dt.datetime(2026, 2, 1))
