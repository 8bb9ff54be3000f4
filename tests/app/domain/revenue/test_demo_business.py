"""The demo business exercises every revenue rule: each movement, both trial outcomes, three currencies, signals."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from sqlalchemy import select

from app.config.settings import Settings
from app.domain.revenue.figures import revenue_figures
from app.store.database import make_engine
from app.store.schema import Subscription, SubscriptionChange
from tests.support.revenue_cache import make_revenue_cache

NOW = dt.datetime(2026, 6, 1, 12)


@dataclasses.dataclass(frozen=True)
class _Request:
    now: dt.datetime
    month: dt.date | None = None


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    path = make_revenue_cache(tmp_path_factory.mktemp("demo") / "cache.sqlite3", 600, NOW)
    engine = make_engine(path)
    with engine.connect() as conn:
        figures = revenue_figures(conn, Settings(), _Request(NOW))
        subs = conn.execute(select(Subscription)).all()
        currencies = set(conn.execute(select(SubscriptionChange.currency).distinct()).scalars())
    engine.dispose()
    return figures, subs, currencies


def test_every_movement_appears_with_plausible_sizes(demo):
    figures, _, _ = demo
    months = figures.months
    for movement in ("new_mrr", "expansion_mrr", "contraction_mrr", "churn_mrr", "reactivation_mrr"):
        total = sum(getattr(m, movement) for m in months)
        assert total > 0, movement
    mrr = figures.current.mrr
    assert 0 < sum(m.churn_mrr for m in months[-12:]) / 12 < mrr * 0.2  # a churn the business survives
    assert any(m.churned_customers for m in months) and any(m.reactivated_customers for m in months)


def test_trials_convert_and_some_do_not(demo):
    figures, _, _ = demo
    started = sum(m.trials_started for m in figures.months)
    converted = sum(m.trials_converted for m in figures.months)
    assert 0 < converted < started


def test_customers_pay_in_euros_and_pounds_cancel_both_ways_and_one_has_a_full_coupon(demo):
    _, subs, currencies = demo
    assert {"usd", "eur", "gbp"} <= {(c or "").lower() for c in currencies}
    ended = [s for s in subs if s.status == "canceled" and s.ended_at and s.current_period_end]
    assert any(s.ended_at < s.current_period_end for s in ended)  # immediately
    assert any(s.ended_at >= s.current_period_end for s in ended)  # at the end of the paid period
    assert any(s.cancel_at_period_end for s in subs if s.status == "active")  # scheduled
    assert any(s.percent_off == 100 for s in subs)


def test_failed_payments_and_scheduled_cancellations_put_customers_at_risk(demo):
    figures, _, _ = demo
    signals = {s.name for r in figures.at_risk for s in r.signals}
    assert {"Past due", "Cancellation scheduled"} <= signals
    assert all(r.mrr_native > 0 for r in figures.at_risk)
