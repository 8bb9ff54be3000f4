"""Availability, error budgets and service state: the arithmetic and the SQL that feeds it."""

from __future__ import annotations

import datetime as dt

import pytest

from app.domain import availability as av
from tests.support.dataset import NOW


def test_availability_of_no_checks_is_unknown_not_perfect():
    assert av.availability(0, 0) is None
    assert av.availability(999, 1000) == pytest.approx(0.999)


def test_allowed_downtime_of_three_nines_is_43_minutes_a_30_day_month():
    assert av.allowed_downtime_min(0.999, 30 * 1440) == pytest.approx(43.2)
    assert av.month_minutes(dt.datetime(2026, 11, 5)) == 30 * 1440
    assert av.month_minutes(dt.datetime(2026, 12, 5)) == 31 * 1440


def test_error_budget_uses_the_failed_share_over_the_elapsed_month():
    now = dt.datetime(2026, 11, 16)  # 15 days = 21,600 min into a 30-day month
    budget = av.error_budget(0.999, ok=9990, total=10_000, now=now)  # 0.1 % failed
    assert budget.allowed_min == pytest.approx(43.2)
    assert budget.used_min == pytest.approx(21.6)
    assert budget.left_min == pytest.approx(21.6)
    assert budget.left_share == pytest.approx(0.5)
    assert not budget.low
    overspent = av.error_budget(0.999, ok=9900, total=10_000, now=now)
    assert overspent.left_min == pytest.approx(43.2 - 216.0)
    assert overspent.low
    assert av.budget_text(overspent) == "overspent 172.8 min"
    assert av.budget_text(budget) == "21.6 min (50%)"
    assert "43.2 min" in av.budget_explanation(budget, 0.999)


def test_no_checks_spend_no_budget():
    assert av.error_budget(0.99, 0, 0, NOW).used_min == 0


@pytest.mark.parametrize(
    ("ok", "latency", "incidents", "state"),
    [(None, None, 0, av.UNKNOWN), (False, 10.0, 0, av.DOWN), (True, 10.0, 0, av.UP),
     (True, 2600.0, 0, av.DEGRADED), (True, 10.0, 1, av.DEGRADED)],
)
def test_service_state(ok, latency, incidents, state):
    assert av.service_state(ok, latency, 5.0, incidents) == state


def test_service_health_from_the_cache(business):
    with business.connect() as conn:
        services = {s.id: s for s in av.service_health(conn, NOW)}
    assert set(services) == {"api", "cdn", "backups"}
    api, cdn, backups = services["api"], services["cdn"], services["backups"]
    assert (api.state, api.latency_ms, api.availability_24h, api.open_incidents) == (av.UP, 50.0, 1.0, 0)
    assert cdn.state == av.DOWN  # the latest check failed
    assert cdn.last_error == "HTTP 503"
    assert cdn.availability_30d == pytest.approx(46 / 48)
    assert cdn.open_incidents == 1
    assert backups.state == av.DEGRADED  # passed, but slower than half its 2 s timeout
    assert cdn.budget.allowed_min == pytest.approx(0.01 * 30 * 1440)


def test_incident_detail_lists_updates_newest_first(business):
    with business.connect() as conn:
        detail = av.incident_detail(conn, "INC-1")
        assert av.incident_detail(conn, "INC-404") is None
    assert detail is not None
    assert detail.service_name == "CDN"
    assert [u["id"] for u in detail.updates] == ["INC-1-2", "INC-1-1"]
