"""Unit economics and the seed's planning tables: hand-computed months (no Qt)."""

from __future__ import annotations

import datetime as dt

import pytest

from app.config.settings import GrowthScenario, PlanningSettings, ScalingCost
from app.domain.costs import economics, scenarios
from app.domain.costs.economics import MonthRevenue
from app.domain.costs.scenarios import PlanningBase

M = 1_000_000
OCT, NOV = dt.date(2026, 10, 1), dt.date(2026, 11, 1)


def test_unit_economics_per_month():
    """Rule "Costs ▸ Unit economics": cost per $ of MRR, margin after cloud costs, cost per paying customer."""
    rows = economics.unit_economics(
        {OCT: 2_000 * M, NOV: 2_500 * M},
        {OCT: MonthRevenue(1_000_000.0, 100), NOV: MonthRevenue(0.0, 0)},  # $10,000 MRR; then none
        forecast_month=NOV,
    )
    october, november = rows
    assert october.cost_per_mrr_dollar == pytest.approx(0.2) and october.gross_margin == pytest.approx(0.8)
    assert october.cost_per_customer_micros == 20 * M and not october.forecast
    assert november.forecast and november.cost_per_mrr_dollar is None and november.gross_margin is None
    assert november.cost_per_customer_micros is None


def test_the_seed_scenarios_are_the_default():
    assert [(s.name, s.user_growth, s.conversion, s.churn) for s in PlanningSettings().scenarios] == [
        ("conservative", 0.15, 0.12, 0.05), ("optimistic", 0.25, 0.18, 0.03), ("aggressive", 0.40, 0.22, 0.02),
    ]


def test_a_scenario_projects_users_customers_mrr_and_costs_together():
    """Rule "Costs ▸ Growth scenarios": Cₙ = Cₙ₋₁(1 − r) + c(Uₙ − Uₙ₋₁), cost scaled by the scaling table."""
    base = PlanningBase(NOV, 1_000.0, 100, 1_000_000.0, 2_000 * M)  # ARPA $100
    table = (ScalingCost("all", 1_000, 1_500, 1_800),)
    projection = scenarios.project(base, GrowthScenario("test", 0.5, 0.1, 0.05), table, 2)
    first, second = projection.months
    assert first.month == dt.date(2026, 12, 1) and first.users == 1_500
    assert first.customers == pytest.approx(100 * 0.95 + 0.1 * 500)  # 145
    assert first.mrr_cents == pytest.approx(145 * 10_000)
    assert first.cloud_cost_micros == round(2_000 * M * 1_250 / 1_000)  # load 1.5: halfway to doubled
    assert first.margin == pytest.approx((14_500 - 2_500) / 14_500)  # MRR $14,500
    assert second.users == 2_250 and second.customers == pytest.approx(145 * 0.95 + 0.1 * 750)
    assert second.cloud_cost_micros == round(2_000 * M * (1_500 + 300 * 0.25) / 1_000)  # between 2× and 3×


def test_scaling_extends_past_the_table_and_never_below_zero():
    table = (ScalingCost("a", 100, 150, 180),)
    assert scenarios.scale(table, 1.0) == 1.0 and scenarios.scale(table, 4.0) == pytest.approx(2.1)
    assert scenarios.scale(table, 0.5) == pytest.approx(0.75) and scenarios.scale(table, -5) == 0.0
    rows = scenarios.scaling_table((ScalingCost("a", 1, 2, 3), ScalingCost("b", 0.5, 1, 1.5)))
    assert rows[-1] == scenarios.ScalingRow("total", 1_500_000, 3_000_000, 4_500_000)
