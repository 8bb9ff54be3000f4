"""The ``usage`` figure set on hand-worked days (tests/support/usage.py): docs/metrics.md § "Product usage"."""

from __future__ import annotations

import datetime as dt

import pytest

from app.config.settings import Settings
from app.domain.usage import rules
from app.domain.usage.figures import usage_figures
from app.metrics import MetricsRequest
from tests.support import dataset, usage


@pytest.fixture
def figures(engine):
    usage.fill(engine)
    with engine.connect() as conn:
        return usage_figures(conn, Settings(), MetricsRequest(now=dataset.NOW))


def test_dau_is_the_average_of_the_months_days_and_mau_the_apis_distinct_count(figures):
    """Rules "DAU" and "MAU": October's row is outside November's average."""
    assert figures.days_with_figures == 3
    assert figures.dau == pytest.approx(usage.EXPECTED["dau"])
    assert figures.dau_latest == 1300
    assert figures.mau == usage.EXPECTED["mau"]
    assert figures.mau_growth_pct == pytest.approx(usage.EXPECTED["mau_growth_pct"])
    assert figures.stickiness_pct == pytest.approx(usage.EXPECTED["stickiness_pct"])


def test_retention_sums_the_cohorts_and_session_is_weighted_by_users(figures):
    """Rules "30-day retention" and "Average session": a day without the figure is left out."""
    assert figures.retention_30d_pct == pytest.approx(usage.EXPECTED["retention_30d_pct"])
    assert figures.avg_session_minutes == pytest.approx(usage.EXPECTED["avg_session_minutes"])


def test_nps_and_the_free_to_paid_funnel(figures):
    """Rules "NPS" and "Free to paid"."""
    assert figures.nps == pytest.approx(usage.EXPECTED["nps"])
    assert figures.nps_responses == 15
    funnel = figures.free_to_paid
    assert (funnel.signups, funnel.trial_starts, funnel.conversions) == (200, 40, 20)
    assert funnel.trial_pct == pytest.approx(20.0)
    assert funnel.paid_pct == pytest.approx(usage.EXPECTED["free_to_paid_pct"])


def test_feature_adoption_per_feature_with_its_rollout_phase(figures):
    """Rule "Feature adoption": users of the last 30 days over the users the rollout reaches."""
    by_id = {f.id: f for f in figures.features}
    assert [f.name for f in figures.features] == ["Audit log", "New reports", "Single sign-on"]
    assert by_id["audit_log"].adoption_pct == pytest.approx(75.0)
    assert by_id["sso"].rollout_phase == "premium_25"
    assert by_id["new_reports"].adoption_pct is None
    assert figures.feature_adoption_pct == pytest.approx(usage.EXPECTED["feature_adoption_pct"])


def test_a_past_month_ends_on_its_last_day(engine):
    usage.fill(engine)
    with engine.connect() as conn:
        october = usage_figures(conn, Settings(), MetricsRequest(now=dataset.NOW, month=dt.date(2026, 10, 1)))
    assert october.last_day == dt.date(2026, 10, 18)
    assert october.as_of == dt.datetime(2026, 11, 1)
    assert october.free_to_paid.signups == 999
    assert october.mau_growth_pct is None  # no row 30 days before


def test_an_empty_cache_says_nothing_rather_than_zero(engine):
    with engine.connect() as conn:
        empty = usage_figures(conn, Settings(), MetricsRequest(now=dataset.NOW))
    assert (empty.dau, empty.mau, empty.retention_30d_pct, empty.nps, empty.free_to_paid.paid_pct) == (
        None, None, None, None, None)
    assert empty.days == ()


@pytest.mark.parametrize(("args", "expected"), [
    ((0, 0, 0), None), ((10, 0, 0), 100.0), ((0, 0, 4), -100.0), ((6, 2, 2), 40.0),
])
def test_nps_edges(args, expected):
    """Rule "NPS" (Bain): −100 to 100, None without answers."""
    assert rules.nps(*args) == expected


def test_growth_needs_a_positive_base():
    assert rules.growth(10, 0) is None
    assert rules.growth(90, 100) == pytest.approx(-10.0)
