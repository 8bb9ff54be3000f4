"""Building a report from the hand-worked business: sections per kind and role, headline, freshness, usage sums.

Rules checked: docs/metrics.md § "Report figures" (usage sums, bands, roles,
freshness) on hand-computed cases.
"""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import insert

from app.config.settings import Settings
from app.reports.build import ReportError, build_report, freshness, roles_for
from app.reports.inputs import band
from app.reports.usage import UsageDay, totals
from app.store.schema import SyncState, UsageDaily
from tests.support.dataset import NOW

TODAY = NOW.date()


def _build(engine, kind="monthly", role="executive", day=TODAY):
    with engine.connect() as conn:
        return build_report(conn, Settings(), kind, day, role, NOW)


def test_each_role_sees_its_dashboard_level_only(business):
    areas = {role: [s.area for s in _build(business, role=role).sections]
             for role in ("executive", "finance", "support", "operations", "product")}
    assert areas == {
        "executive": ["kpis", "revenue", "health", "support", "costs", "usage"],
        "finance": ["kpis", "revenue", "costs"],
        "support": ["kpis", "support"],
        "operations": ["kpis", "health", "costs"],
        "product": ["kpis", "usage"],
    }


def test_the_scorecard_section_holds_the_kpis_the_role_may_see(business):
    finance = _build(business, role="finance").sections[0].tables[0]
    assert [row[0].text for row in finance.rows] == [
        "MRR", "Customer churn", "Active customers", "Trial users", "Cloud cost this month",
        "Gross margin after cloud"]
    assert finance.columns == ("KPI", "Value", "Target", "Band", "Variance", "Source")


def test_the_monthly_headline_leads_with_mrr_churn_uptime_sla_cost_and_margin(business):
    report = _build(business)
    assert [f.label for f in report.headline] == [
        "MRR", "Customer churn", "Uptime (30 days)", "SLA attainment (resolution)", "Cloud cost this month",
        "Gross margin after cloud"]
    assert report.title == "Monthly strategic review" and report.role == "executive"
    assert report.as_of == NOW  # the month runs: figures as of now


def test_a_daily_and_a_weekly_report_read_the_seven_day_windows(business):
    daily, weekly = _build(business, "daily"), _build(business, "weekly")
    assert "Least available service (24h)" in [f.label for f in daily.headline]
    assert "Resolution SLA met (7 days)" in [f.label for f in weekly.headline]
    assert [s.area for s in weekly.sections] == ["usage", "revenue", "support", "health"]


def test_only_an_executive_may_report_for_another_role():
    assert roles_for("executive") == ("executive", "product", "operations", "finance", "support")
    assert roles_for("support") == ("support",)


def test_a_future_period_and_an_unknown_kind_are_refused(business):
    with pytest.raises(ReportError, match="in the future"):
        _build(business, day=NOW.date() + dt.timedelta(days=40))
    with pytest.raises(ReportError, match="unknown report kind"):
        _build(business, kind="yearly")


def test_usage_sums_the_days_and_weights_the_success_rate_by_volume():
    days = [UsageDay(dt.date(2026, 11, 16), 100, 3, 2, 1, 1_000, 0.90),
            UsageDay(dt.date(2026, 11, 17), 300, 5, 0, 2, 3_000, 1.00)]
    t = totals(days)
    assert (t.signups, t.trial_starts, t.conversions, t.processing_volume) == (8, 2, 3, 4_000)
    assert t.active_users == 200  # the average day
    assert t.success_rate == pytest.approx(0.975)  # (1000 × 0.9 + 3000 × 1.0) / 4000, not the mean 0.95
    assert totals([]).success_rate is None and totals([]).active_users is None


def test_the_usage_section_reads_the_period_days(cache):
    with cache.engine.begin() as conn:
        conn.execute(insert(UsageDaily), [
            {"day": dt.date(2026, 11, 15), "active_users": 50, "signups": 9, "trial_starts": 0, "conversions": 0,
             "processing_volume": 10, "processing_success_rate": 1.0},  # the Sunday before the week
            {"day": dt.date(2026, 11, 16), "active_users": 70, "signups": 4, "trial_starts": 1, "conversions": 1,
             "processing_volume": 200, "processing_success_rate": 0.99},
        ])
    report = _build(cache.engine, "weekly", "product")
    figures = {f.label: f.value for f in report.sections[0].figures}
    assert figures["Registrations"] == "4" and figures["Processing volume"] == "200"
    assert figures["Processing success"] == "99.00 %"


def test_freshness_names_each_source_with_its_last_successful_sync(cache):
    at = dt.datetime(2026, 11, 18, 14, 0)
    with cache.engine.begin() as conn:
        conn.execute(insert(SyncState), [
            {"resource": "ops:tickets", "last_success_at": at},
            {"resource": "stripe:subscriptions", "last_success_at": None},
        ])
        got = {f.source: f.text for f in freshness(conn)}
    assert got["Tickets"] == "2026-11-18 14:00 UTC"
    assert got["Stripe subscriptions"] == "never" and got["Costs"] == "never"


def test_bands_read_a_figure_against_its_target():
    assert band(2.0, 5.0, higher_is_better=False, warning_margin=2.5) == "good"
    assert band(6.0, 5.0, higher_is_better=False, warning_margin=2.5) == "warning"
    assert band(9.0, 5.0, higher_is_better=False, warning_margin=2.5) == "critical"
    assert band(None, 5.0, higher_is_better=True, warning_margin=1) == "unknown"
    assert band(3.0, None, higher_is_better=True, warning_margin=1) == ""
