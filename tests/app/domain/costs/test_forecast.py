"""The month-end forecast per service from its own last day, its 80 % interval, the burn-down date (no Qt)."""

from __future__ import annotations

import datetime as dt
import math

import pytest

from app.domain.costs import forecast
from app.domain.costs.forecast import Z80
from app.domain.costs.months import days

M = 1_000_000
NOV = dt.date(2026, 11, 1)


def _values(first: dt.date, amounts: list[float]) -> dict[dt.date, int]:
    return {first + dt.timedelta(days=n): round(a * M) for n, a in enumerate(amounts)}


def test_forecast_is_month_to_date_plus_the_run_rate_over_the_days_left():
    """Rule "Costs ▸ Forecast": MTD + average of the last 7 days × days left after the service's as-of."""
    f = forecast.service_forecast("x", _values(NOV, [10] * 20), NOV)
    assert (f.mtd_micros, f.as_of, f.remaining_days, f.run_rate_micros) == (200 * M, dt.date(2026, 11, 20), 10, 10 * M)
    assert f.forecast_micros == 300 * M and f.low_micros == f.high_micros == 300 * M  # no spread, no range


def test_a_lagging_source_is_forecast_from_its_own_last_day():
    """Rule "Costs ▸ Forecast": a service three days behind is projected over its 13 days left, not 10."""
    on_time = _values(NOV, [10] * 20)
    late = _values(NOV, [5] * 17)
    parts = forecast.forecasts({"on_time": on_time, "late": late}, NOV)
    assert parts["late"].remaining_days == 13 and parts["late"].forecast_micros == 150 * M
    assert forecast.combine(parts.values()).forecast_micros == 450 * M  # not 85 + 5 × 10 + 300 = 435


def test_the_80_percent_interval_grows_with_the_spread_and_the_days_left():
    """Rule "Costs ▸ Forecast": ± 1.2816 σ √(days left); never below month to date."""
    amounts = [8, 12] * 14  # σ of 28 alternating days
    values = _values(dt.date(2026, 10, 20), amounts)  # 20 Oct … 16 Nov
    f = forecast.service_forecast("x", values, NOV)
    sigma = math.sqrt(sum((a - 10) ** 2 for a in amounts) / 27) * M
    assert f.remaining_days == 14 and f.daily_sd_micros == round(sigma)
    half = round(Z80 * f.daily_sd_micros * math.sqrt(14))
    assert (f.low_micros, f.high_micros) == (f.forecast_micros - half, f.forecast_micros + half)
    total = forecast.combine([f, f])
    assert total.high_micros - total.forecast_micros == round(Z80 * math.sqrt(2 * f.daily_sd_micros ** 2 * 14))


def test_days_before_a_service_began_are_left_out_of_the_run_rate():
    f = forecast.service_forecast("x", _values(NOV, [10, 10]), NOV)  # a fresh import: two days
    assert f.run_rate_micros == 10 * M and f.forecast_micros == 300 * M


def test_a_past_month_forecasts_what_it_spent():
    values = _values(dt.date(2026, 10, 1), [10] * 31) | _values(NOV, [50] * 3)
    f = forecast.service_forecast("x", values, dt.date(2026, 10, 1))
    assert f.remaining_days == 0 and f.forecast_micros == f.mtd_micros == 310 * M


def test_burn_down_is_the_day_the_projected_path_reaches_the_budget():
    """Rule "Costs ▸ Burn-down": the first day the path (recorded, then run rate) reaches the budget."""
    parts = [forecast.service_forecast("x", _values(NOV, [10] * 10), NOV)]  # $100 by the 10th, then $10/day
    assert forecast.burn_down(parts, NOV, 245 * M) == forecast.BurnDown(dt.date(2026, 11, 25), False)
    assert forecast.burn_down(parts, NOV, 50 * M) == forecast.BurnDown(dt.date(2026, 11, 5), True)  # happened
    assert forecast.burn_down(parts, NOV, 400 * M).day is None  # not this month at this pace
    path = forecast.path(parts, NOV)
    assert path.days == tuple(days(NOV, dt.date(2026, 11, 30)))
    assert path.actual[9] == 100 * M and path.actual[10] is None
    assert path.forecast[8] is None and path.forecast[9] == 100 * M and path.forecast[-1] == 300 * M
    assert path.low[-1] == path.high[-1] == 300 * M


@pytest.mark.parametrize("budget", [None, 0])
def test_no_budget_no_burn_down(budget):
    parts = [forecast.service_forecast("x", _values(NOV, [10] * 10), NOV)]
    assert forecast.burn_down(parts, NOV, budget) == forecast.BurnDown(None, False)
