"""The Costs figures of a month: levels, forecast, currencies apart, the month chosen (no Qt)."""

from __future__ import annotations

import datetime as dt

from app.config.settings import Settings
from app.domain.costs import budgets
from app.domain.costs.figures import cost_overview, month_data

M = 1_000_000
NOV = dt.date(2026, 11, 1)
NOW = dt.datetime(2026, 11, 21, 9)


def test_month_lines_levels_forecast_and_other_currencies(engine, add_costs):
    """Rules "Costs ▸ Budgets" and "Costs ▸ Forecast" on the month's lines; other currencies never summed."""
    add_costs("firebase", NOV, 32, days=20)  # 640 of 800: exactly the warning line
    add_costs("anthropic", dt.date(2026, 11, 20), 475)  # 475 of 500: exactly critical
    add_costs("stripe", NOV, 1, days=20)  # no budget in the settings
    add_costs("firebase", NOV, -2, days=20, category="Credit")  # credits: effective is net, billed is not
    add_costs("firebase", NOV, 99, currency="EUR", source="gcp_billing")
    with engine.connect() as conn:
        figures = month_data(conn, Settings(), dt.date(2026, 11, 17), NOW).figures

    assert figures.month == NOV and figures.as_of == dt.date(2026, 11, 20)
    assert [line.service for line in figures.lines] == ["firebase", "anthropic", "stripe"]
    firebase, anthropic, stripe = figures.lines
    assert (firebase.mtd_micros, firebase.billed_micros, firebase.level) == (600 * M, 600 * M, budgets.OK)
    assert firebase.forecast_micros == 900 * M and firebase.forecast_level == budgets.CRITICAL
    assert firebase.runs_out == dt.date(2026, 11, 27) and not firebase.ran_out  # $600 + $30 a day ≥ $800
    assert (anthropic.mtd_micros, anthropic.level) == (475 * M, budgets.CRITICAL)
    assert anthropic.forecast_micros == 475 * M + 475 * M * 10  # one day of history: its own rate
    assert stripe.budget is None and stripe.level == budgets.OK and stripe.forecast_micros == 30 * M
    assert figures.total is not None and figures.total.mtd_micros == 1095 * M
    assert figures.total.forecast_micros == sum(line.forecast_micros for line in figures.lines)
    assert figures.other_currencies == (("EUR", 99 * M),)


def test_the_month_is_the_one_asked_else_this_one_else_the_newest_with_costs(engine, add_costs):
    add_costs("firebase", dt.date(2025, 11, 20), 1)
    add_costs("firebase", dt.date(2026, 2, 3), 2)
    with engine.connect() as conn:
        newest = month_data(conn, Settings(), None, NOW).figures
        asked = month_data(conn, Settings(), dt.date(2025, 11, 5), NOW).figures
    assert newest.month == dt.date(2026, 2, 1)  # November 2026 has no costs
    assert newest.months == (dt.date(2026, 2, 1), dt.date(2026, 1, 1), dt.date(2025, 12, 1), dt.date(2025, 11, 1))
    assert asked.month == dt.date(2025, 11, 1) and asked.total is not None and asked.total.mtd_micros == 1 * M
    overview = cost_overview(engine, Settings(), dt.date(2025, 11, 5), NOW)
    assert overview.series.days[-1] == dt.date(2025, 11, 20)  # the chart ends with the chosen month


def test_an_empty_cache_has_no_month_but_keeps_the_planning_tables(engine):
    overview = cost_overview(engine, Settings(), None, NOW)
    assert overview.figures.month is None and overview.figures.lines == () and overview.series.days == ()
    assert overview.figures.scaling[-1].item == "total"


def test_unit_economics_and_scenarios_come_from_the_same_month(business, add_costs):
    add_costs("firebase", dt.date(2026, 10, 1), 10, days=31)
    add_costs("firebase", NOV, 20, days=17)
    with business.connect() as conn:
        figures = month_data(conn, Settings(), None, dt.datetime(2026, 11, 18, 14, 30)).figures
    october, november = figures.unit_economics[-2:]
    assert october.cloud_cost_micros == 310 * M and not october.forecast
    assert figures.total is not None
    assert november.forecast and november.cloud_cost_micros == figures.total.forecast_micros
    assert november.mrr_cents > 0 and november.cost_per_mrr_dollar is not None
    assert figures.planning is not None and figures.planning.cloud_cost_micros == 600 * M
    assert [p.scenario.name for p in figures.scenarios] == ["conservative", "optimistic", "aggressive"]
    assert len(figures.scenarios[0].months) == 12
