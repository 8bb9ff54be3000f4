"""Budgets like AWS Budgets: levels at the thresholds, settings as the fallback, synced budgets as the truth."""

from __future__ import annotations

import pytest

from app.config.settings import BudgetSettings, ServiceBudget
from app.domain.costs import budgets
from app.domain.costs.budgets import BudgetLimit

M = 1_000_000
BUDGET_800 = BudgetLimit("firebase", 800 * M)


@pytest.mark.parametrize(
    ("dollars", "expected"),
    [(0, "ok"), (639.999999, "ok"), (640, "warning"), (759.999999, "warning"), (760, "critical"), (900, "critical")],
)
def test_levels_switch_exactly_at_80_and_95_percent(dollars, expected):
    """Rule "Costs ▸ Budgets": warning from 80 %, critical from 95 %, the threshold itself included."""
    assert budgets.level(round(dollars * M), BUDGET_800) == expected


def test_no_budget_or_a_zero_budget_is_never_a_warning():
    assert budgets.level(10**12, None) == budgets.OK
    assert budgets.level(10**12, BudgetLimit("x", 0)) == budgets.OK
    assert budgets.ratio(5, None) is None
    assert not budgets.crossed(10**12, BudgetLimit("x", 0), 0.8)


def test_a_threshold_crossing_is_critical_from_the_critical_share():
    assert BUDGET_800.severity(0.8) == budgets.WARNING and BUDGET_800.severity(0.95) == budgets.CRITICAL
    assert budgets.crossed(640 * M, BUDGET_800, 0.8) and not budgets.crossed(640 * M - 1, BUDGET_800, 0.8)


def test_settings_budgets_are_the_fallback_and_synced_budgets_replace_them(engine, add_budget):
    with engine.connect() as conn:
        fallback = budgets.load_budgets(conn, BudgetSettings())
    assert {s: b.monthly_micros for s, b in fallback.items()} == {
        "firebase": 800 * M, "anthropic": 500 * M, "total": 2000 * M
    }
    assert {b.origin for b in fallback.values()} == {budgets.SETTINGS}
    custom = budgets.budgets_from_settings(BudgetSettings(services=(ServiceBudget("cdn", 12.5),), total=30))
    assert {s: b.monthly_micros for s, b in custom.items()} == {"cdn": 12_500_000, "total": 30 * M}

    add_budget("cdn", 200)
    with engine.connect() as conn:
        synced = budgets.load_budgets(conn, BudgetSettings())
    assert list(synced) == ["cdn"]
    assert synced["cdn"].monthly_micros == 200 * M and synced["cdn"].origin == budgets.SYNCED
