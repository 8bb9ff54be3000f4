"""The scorecard reads every value from the figure set that owns it: docs/metrics.md § "Overview and reports"."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from sqlalchemy import insert

from app.config.settings import Settings
from app.kpis.scorecard import scorecard
from app.metrics import MetricsRequest, figure_set
from app.sla_rules.policies import RESOLUTION
from app.store.schema import SyncState
from tests.support import dataset, usage

REQUEST = MetricsRequest(now=dataset.NOW)


@pytest.fixture
def card(business):
    usage.fill(business)
    with business.begin() as conn:
        conn.execute(insert(SyncState).values(resource="ops:usage", last_success_at=dataset.NOW))
    with business.connect() as conn:
        return scorecard(conn, Settings(), REQUEST), {
            name: figure_set(name)(conn, Settings(), REQUEST)
            for name in ("revenue", "usage", "health", "support", "costs", "licenses")
        }


def test_the_figure_set_kpis_is_the_scorecard(business):
    assert figure_set("kpis") is scorecard


def test_values_are_the_owning_figure_sets_own(card):
    """Rule "One source": no KPI is recomputed."""
    s, sets = card
    value = {r.key: r.value for r in s.readings}
    revenue, u, health, support = sets["revenue"], sets["usage"], sets["health"], sets["support"]
    assert value["mrr"] == pytest.approx(revenue.current.mrr / 100)
    assert value["churn_rate"] == revenue.current.customer_churn_pct
    assert value["active_customers"] == revenue.current.customers
    assert value["trial_users"] == revenue.current.trials_open
    assert value["dau"] == pytest.approx(usage.EXPECTED["dau"]) == u.dau
    assert value["mau"] == u.mau
    assert value["nps"] == pytest.approx(usage.EXPECTED["nps"])
    assert value["open_incidents"] == health.open_incidents
    assert value["open_tickets"] == support.queue["open"]
    resolution = next(m for m in support.medians if (m.metric, m.days) == (RESOLUTION, 30))
    assert value["resolution_time"] == (None if resolution.seconds is None else resolution.seconds / 3600)
    assert value["csat"] == support.satisfaction.average
    assert value["licenses_over_cap"] == sets["licenses"].over_cap
    known = [s.availability["30d"] for s in health.services if s.availability["30d"] is not None]
    assert value["uptime"] == pytest.approx(100 * sum(known) / len(known))


def test_bands_follow_the_targets_in_settings(card, business):
    """DAU 1,100 is green against 1,000; raising the green line to 2,000 makes it amber (amber from 500)."""
    s, _ = card
    assert s.reading("dau").band == "good"
    assert s.reading("dau").variance == pytest.approx(100.0)
    assert s.reading("dau").target_text == "≥ 1,000 (amber ≥ 500, red below)"
    stricter = dataclasses.replace(Settings(), targets=dataclasses.replace(Settings().targets, dau_good=2000.0))
    with business.connect() as conn:
        assert scorecard(conn, stricter, REQUEST).reading("dau").band == "warning"


def test_period_freshness_and_limited_sources(card, business):
    s, _ = card
    assert (s.period_start, s.period_end, s.as_of) == (dt.date(2026, 11, 1), dt.date(2026, 11, 18), dataset.NOW)
    assert dict(s.freshness)["Product usage"] == dataset.NOW
    assert dict(s.freshness)["Stripe subscriptions"] is None
    with business.connect() as conn:
        product = scorecard(conn, Settings(), REQUEST, sources=("usage",))
    assert {r.source for r in product.readings} == {"usage"}
    with pytest.raises(KeyError, match="no KPI"):
        product.reading("mrr")


def test_a_zero_from_a_source_never_synced_is_no_data(engine):
    """An empty cache: "0 open tickets" and "0 open incidents" are grey until their source has synced once."""
    with engine.connect() as conn:
        before = scorecard(conn, Settings(), REQUEST)
    assert before.reading("open_tickets").value == 0 and before.reading("open_tickets").band == "unknown"
    assert before.reading("open_incidents").band == "unknown"
    with engine.begin() as conn:
        conn.execute(insert(SyncState).values(resource="ops:tickets", last_success_at=dataset.NOW))
    with engine.connect() as conn:
        after = scorecard(conn, Settings(), REQUEST)
    assert after.reading("open_tickets").band == "good"  # synced, and truly none open
    assert after.reading("open_incidents").band == "unknown"  # health checks still never synced
