"""Rule "Error budget" (docs/metrics.md § Service health): allowance, consumption, state, month boundaries."""

from __future__ import annotations

import datetime as dt

import pytest

from app.domain.availability import budget as b
from app.domain.availability.timeline import Check, coverage


def test_three_nines_over_30_days_allow_43_2_minutes():
    period = b.budget_period(dt.datetime(2026, 3, 15), b.ROLLING_30D)
    assert b.allowance_s(0.999, period) == pytest.approx(43.2 * 60)


def test_a_calendar_month_allows_its_own_length():
    assert b.allowance_s(0.999, b.budget_period(dt.datetime(2026, 2, 10), b.CALENDAR_MONTH)) == pytest.approx(
        28 * 86.4)
    assert b.budget_period(dt.datetime(2026, 12, 31, 23), b.CALENDAR_MONTH).end == dt.datetime(2027, 1, 1)


def test_budget_states():
    assert b.budget_state(100, 10, 0.25) == b.HEALTHY
    assert b.budget_state(100, 80, 0.25) == b.AT_RISK
    assert b.budget_state(100, 100, 0.25) == b.EXHAUSTED
    budget = b.error_budget(0.999, b.budget_period(dt.datetime(2026, 3, 31), b.ROLLING_30D), 3000.0, 0.25)
    assert budget.state == b.EXHAUSTED
    assert budget.remaining_s == pytest.approx(2592 - 3000)
    assert budget.remaining_share == pytest.approx((2592 - 3000) / 2592)
    assert b.error_budget(1.0, b.month_span(dt.datetime(2026, 3, 3)), 0, 0.25).remaining_share is None


def test_at_a_month_boundary_the_calendar_budget_starts_afresh_and_the_rolling_one_remembers():
    # 20 min down from 23:40 on 28 Feb to 00:00, then up; now is 1 March 00:10 (checks every minute)
    start = dt.datetime(2026, 2, 28, 23, 40)
    history = [Check(start + dt.timedelta(minutes=m), m >= 20) for m in range(30)]
    now = dt.datetime(2026, 3, 1, 0, 10)
    month = b.budget_period(now, b.CALENDAR_MONTH)
    rolling = b.budget_period(now, b.ROLLING_30D)
    used_month = coverage(history, 60, month.start, now).down_s
    used_rolling = coverage(history, 60, rolling.start, now).down_s
    assert (used_month, used_rolling) == (0.0, 20 * 60.0)
    assert b.error_budget(0.999, month, used_month, 0.25).allowance_s == pytest.approx(31 * 86.4)
    # 99.95 % over 30 days allows 1,296 s; 1,200 used leaves 7 %: at risk, while the new month is untouched
    assert b.error_budget(0.9995, rolling, used_rolling, 0.25).state == b.AT_RISK
    assert b.error_budget(0.9995, month, used_month, 0.25).state == b.HEALTHY
