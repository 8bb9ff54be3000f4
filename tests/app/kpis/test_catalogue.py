"""Bands, variance and who sees which KPI: docs/metrics.md § "Overview and reports", "Bands"."""

from __future__ import annotations

import pytest

from app.kpis.catalogue import KpiReading, band, variance, visible_to
from app.roles import ROLES


@pytest.mark.parametrize(("value", "expected"), [
    (None, "unknown"), (10.0, "good"), (10.01, "good"), (9.99, "warning"), (5.0, "warning"), (4.99, "critical"),
])
def test_higher_is_better_edges_are_inclusive(value, expected):
    """The green and amber lines themselves are green and amber (user growth: green from 10 %, amber from 5 %)."""
    assert band(value, 10.0, 5.0) == expected


@pytest.mark.parametrize(("value", "expected"), [
    (4.0, "good"), (3.99, "good"), (4.01, "warning"), (8.0, "warning"), (8.01, "critical"), (None, "unknown"),
])
def test_lower_is_better_edges(value, expected):
    """Resolution time: green up to 4 h, amber up to 8 h, red above."""
    assert band(value, 4.0, 8.0, higher_is_better=False) == expected


def test_variance_is_positive_on_the_good_side_either_way():
    assert variance(12.0, 10.0) == pytest.approx(2.0)
    assert variance(3.0, 4.0, higher_is_better=False) == pytest.approx(1.0)
    assert variance(6.0, 4.0, higher_is_better=False) == pytest.approx(-2.0)
    assert variance(None, 4.0) is None


def _reading(source: str) -> KpiReading:
    return KpiReading(source, source, "executive", 1.0, "count", None, "", "good", None, source, "overview", None, ())


def test_each_role_sees_its_dashboards_sources_only():
    readings = [_reading(s) for s in ("revenue", "health", "support", "costs", "licenses", "usage")]
    seen = {role: {r.source for r in visible_to(role, readings)} for role in ROLES}
    assert seen == {
        "executive": {"revenue", "health", "support", "costs", "licenses", "usage"},
        "product": {"usage"},
        "operations": {"health", "costs"},
        "finance": {"revenue", "costs"},
        "support": {"support", "licenses"},
    }
    assert visible_to("nobody", readings) == ()
