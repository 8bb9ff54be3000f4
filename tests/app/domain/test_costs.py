"""Costs against budgets: levels at the thresholds, the forecast, growth scenarios, the overview (no Qt)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from app.config.settings import BudgetSettings
from app.domain import costs
from app.domain.costs import BudgetLimit, CostLine

M = 1_000_000  # micros per dollar
NOV = dt.date(2026, 11, 1)
BUDGET_800 = BudgetLimit("firebase", 800 * M)


@pytest.mark.parametrize(
    ("dollars", "expected"),
    [(0, "ok"), (639.999999, "ok"), (640, "warning"), (759.999999, "warning"), (760, "critical"), (900, "critical")],
)
def test_levels_switch_exactly_at_80_and_95_percent(dollars, expected):
    assert costs.level(round(dollars * M), BUDGET_800) == expected


def test_no_budget_or_a_zero_budget_is_never_a_warning():
    assert costs.level(10**12, None) == costs.OK
    assert costs.level(10**12, BudgetLimit("x", 0)) == costs.OK
    assert costs.ratio(5, None) is None


def test_settings_budgets_are_the_fallback_and_synced_budgets_replace_them(engine, add_budget):
    with engine.connect() as conn:
        fallback = costs.load_budgets(conn, BudgetSettings())
    assert {s: b.monthly_micros for s, b in fallback.items()} == {
        "firebase": 800 * M, "anthropic": 500 * M, "total": 2000 * M
    }
    assert {b.origin for b in fallback.values()} == {costs.SETTINGS}

    add_budget("cdn", 200)
    with engine.connect() as conn:
        synced = costs.load_budgets(conn, BudgetSettings())
    assert list(synced) == ["cdn"]
    assert synced["cdn"].monthly_micros == 200 * M and synced["cdn"].origin == costs.SYNCED


def test_forecast_is_mtd_plus_the_run_rate_over_the_days_left():
    assert costs.forecast_micros(100 * M, 70 * M, 7, 10) == 200 * M
    assert costs.forecast_micros(100 * M, 70 * M, 7, 0) == 100 * M  # month complete
    assert costs.forecast_micros(100 * M, 0, 0, 10) == 100 * M  # nothing to base a rate on


def test_month_summary_levels_forecast_and_other_currencies(engine, add_costs):
    add_costs("firebase", NOV, 32, days=20)  # 640 of 800: exactly the warning line
    add_costs("anthropic", dt.date(2026, 11, 20), 475)  # 475 of 500: exactly critical
    add_costs("stripe", NOV, 1, days=20)  # no budget in the settings
    add_costs("firebase", NOV, 99, currency="EUR", source="gcp_billing")
    with engine.connect() as conn:
        summary = costs.month_summary(conn, dt.date(2026, 11, 17), costs.budgets_from_settings(BudgetSettings()))

    assert summary.month == NOV and summary.as_of == dt.date(2026, 11, 20)
    assert summary.remaining_days == 10 and summary.run_rate_days == 7
    assert [line.service for line in summary.lines] == ["firebase", "anthropic", "stripe"]
    firebase, anthropic, stripe = summary.lines
    assert (firebase.mtd_micros, firebase.level, firebase.ratio) == (640 * M, costs.WARNING, 0.8)
    assert firebase.forecast_micros == 960 * M and firebase.forecast_level == costs.CRITICAL
    assert (anthropic.mtd_micros, anthropic.level) == (475 * M, costs.CRITICAL)
    assert anthropic.forecast_micros == 475 * M + round(475 * M * 10 / 7)
    assert stripe.budget is None and stripe.level == costs.OK and stripe.forecast_micros == 30 * M
    assert summary.total.mtd_micros == 1135 * M and summary.total.level == costs.OK
    assert summary.total.forecast_micros == sum(line.forecast_micros for line in summary.lines)
    assert summary.other_currencies == (("EUR", 99 * M),)


def test_the_run_rate_window_reaches_into_the_previous_month(engine, add_costs):
    add_costs("firebase", dt.date(2026, 10, 28), 10, days=7)  # 28 Oct … 3 Nov
    with engine.connect() as conn:
        summary = costs.month_summary(conn, NOV, {})
    line = summary.line("firebase")
    assert line is not None and line.mtd_micros == 30 * M
    assert line.forecast_micros == 30 * M + 27 * 10 * M


def test_days_without_any_figures_are_left_out_of_the_run_rate(engine, add_costs):
    add_costs("firebase", NOV, 10, days=2)  # a fresh import: two days of history only
    with engine.connect() as conn:
        summary = costs.month_summary(conn, NOV, {})
    assert summary.run_rate_days == 2
    assert summary.total.forecast_micros == 300 * M  # 10 a day for 30 days, not 10 × 2 / 7 a day


def test_a_past_month_forecasts_what_it_spent(engine, add_costs):
    add_costs("firebase", dt.date(2026, 10, 1), 10, days=31)
    add_costs("firebase", NOV, 50, days=3)
    with engine.connect() as conn:
        october = costs.month_summary(conn, dt.date(2026, 10, 1), {})
    assert october.remaining_days == 0
    assert october.total.forecast_micros == october.total.mtd_micros == 310 * M


def test_growth_scenarios_compound_monthly_from_the_forecast():
    line = CostLine("firebase", 500 * M, 700 * M, BUDGET_800)
    ten, twenty_five, fifty = costs.scenarios(line, dt.date(2026, 11, 15))
    assert ten.growth == Decimal("0.10")
    assert [m.month for m in ten.months] == [dt.date(2026, 12, 1), dt.date(2027, 1, 1), dt.date(2027, 2, 1)]
    assert [m.amount_micros for m in ten.months] == [770 * M, 847 * M, 931_700_000]
    assert [m.level for m in ten.months] == [costs.CRITICAL] * 3  # 96 % already in December
    assert fifty.months[0].amount_micros == 1050 * M and fifty.months[0].ratio == pytest.approx(1.3125)
    no_budget = costs.scenarios(CostLine("x", 1, 100 * M, None), NOV)[0]
    assert no_budget.months[0].ratio is None and no_budget.months[0].level == costs.OK
    assert twenty_five.months[2].amount_micros == round(700 * M * 1.25**3)


def test_daily_series_fills_missing_days_and_spreads_budgets_by_month(engine, add_costs):
    add_costs("firebase", dt.date(2026, 10, 30), 10, days=3)
    add_costs("anthropic", dt.date(2026, 11, 1), 5)
    with engine.connect() as conn:
        series = costs.daily_series(conn, dt.date(2025, 12, 1), dt.date(2026, 11, 30))
    assert series.days == (dt.date(2026, 10, 30), dt.date(2026, 10, 31), dt.date(2026, 11, 1))
    assert series.by_service == {"anthropic": (0, 0, 5 * M), "firebase": (10 * M, 10 * M, 10 * M)}
    assert series.total == (10 * M, 10 * M, 15 * M)
    assert costs.daily_budget(BudgetLimit("x", 31 * M), series.days) == (M, M, 31 * M // 30)


def test_overview_of_an_empty_cache_is_empty(engine):
    overview = costs.cost_overview(engine, BudgetSettings())
    assert overview.summary is None and overview.months == () and overview.series.days == ()
    assert set(overview.budgets) == {"firebase", "anthropic", "total"}


def test_overview_offers_every_month_with_costs_and_defaults_to_the_newest(engine, add_costs):
    add_costs("firebase", dt.date(2025, 11, 20), 1)
    add_costs("firebase", dt.date(2026, 2, 3), 2)
    overview = costs.cost_overview(engine, BudgetSettings())
    assert overview.months == (dt.date(2026, 2, 1), dt.date(2026, 1, 1), dt.date(2025, 12, 1), dt.date(2025, 11, 1))
    assert overview.summary is not None and overview.summary.month == dt.date(2026, 2, 1)
    older = costs.cost_overview(engine, BudgetSettings(), dt.date(2025, 11, 5))
    assert older.summary is not None and older.summary.total.mtd_micros == 1 * M
    assert older.series.days[-1] == dt.date(2025, 11, 20)  # the chart ends with the chosen month
    unknown = costs.cost_overview(engine, BudgetSettings(), dt.date(2020, 1, 1))
    assert unknown.summary is not None and unknown.summary.month == dt.date(2026, 2, 1)
