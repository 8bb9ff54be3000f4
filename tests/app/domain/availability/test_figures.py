"""The ``health`` figure set on the hand-worked business (tests/support/dataset.py), rule by rule."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import insert

from app import cli
from app.config.settings import HealthSettings, Settings
from app.domain.availability import budget as bud
from app.domain.availability import figures as fig
from app.domain.availability import state as st
from app.metrics import FIGURE_SETS, MetricsRequest, figure_set, to_jsonable
from app.store.schema import MaintenanceWindow
from app.views.services import load_health
from tests.support.dataset import NOW


def figures(engine, health=HealthSettings(), now=NOW) -> dict[str, fig.ServiceFigures]:  # noqa: B008 - frozen
    with engine.connect() as conn:
        return {s.id: s for s in fig.compute(conn, now, health).services}


def test_current_state_of_each_service(business):
    got = figures(business)
    assert {k: s.state for k, s in got.items()} == {
        "api": st.UP, "cdn": st.DOWN, "backups": st.DEGRADED, "auth": st.DOWN}
    assert got["cdn"].state_since == NOW - dt.timedelta(minutes=31)
    assert "HTTP 503" in got["cdn"].state_reason
    assert "Slow" in got["backups"].state_reason
    assert got["auth"].last_check_source == "workstation"


def test_availability_by_duration_on_the_dataset(business):
    cdn, api = figures(business)["cdn"], figures(business)["api"]
    assert cdn.availability["24h"] == pytest.approx(1350 / 1411)
    assert cdn.coverage["24h"].down_s == pytest.approx(61 * 60, abs=0.01)
    assert api.availability["24h"] == 1.0
    assert api.coverage["24h"].unknown_s == pytest.approx(29 * 60, abs=0.01)
    assert api.availability["90d"] == 1.0  # the days before the first check are unknown, not down


def test_budget_and_its_state(business):
    cdn = figures(business)["cdn"]
    assert cdn.budget.allowance_s == pytest.approx(0.01 * 30 * 86400)
    assert cdn.budget.consumed_s == pytest.approx(3660, abs=0.01)
    assert cdn.budget.state == bud.HEALTHY
    auth = figures(business, HealthSettings(budget_period="calendar_month"))["auth"]
    assert auth.budget.allowance_s == pytest.approx(0.0005 * 30 * 86400)  # November has 30 days
    assert auth.budget.consumed_s == pytest.approx(180, abs=0.01)


def test_burn_rates_page_for_a_hard_outage(business):
    auth = figures(business)["auth"]
    assert auth.burn_rates["5m"] == pytest.approx(1 / 0.0005)  # all 3 known minutes of the last 5 down
    assert auth.burn_level == "page"
    assert figures(business)["api"].burn_level is None


def test_maintenance_makes_state_and_cuts_time(business):
    with business.begin() as conn:
        conn.execute(insert(MaintenanceWindow.__table__).values(
            id="mw-1", service_id="cdn", title="Edge upgrade", starts_at=NOW - dt.timedelta(minutes=40),
            ends_at=NOW + dt.timedelta(minutes=20), updated_at=NOW))
    cdn = figures(business)["cdn"]
    assert (cdn.state, cdn.maintenance_until) == (st.MAINTENANCE, NOW + dt.timedelta(minutes=20))
    # 40 min cut out: the two failures of the last 31 min and 9 min of the pass before them
    assert cdn.coverage["24h"].down_s == pytest.approx(30 * 60, abs=0.01)
    assert cdn.coverage["24h"].maintenance_s == pytest.approx(40 * 60, abs=0.01)


def test_status_bar_days(business):
    api = figures(business)["api"]
    assert len(api.days) == fig.STATUS_DAYS and api.days[-1].day == NOW.date()
    assert api.days[0].level == fig.NO_DATA and api.days[-1].level == fig.MET
    assert figures(business)["cdn"].days[-1].level == fig.OUTAGE  # 61 min down today: an hour or more


def test_drafts_for_services_down_without_an_incident(business):
    view = load_health(business, HealthSettings(), NOW)
    assert [(d.service_id, d.severity) for d in view.drafts] == [("auth", "P1")]  # CDN has INC-1
    assert view.figures.states[st.DOWN] == 2 and view.figures.open_incidents == 1


def test_cli_json_is_the_figure_set(business, capsys, monkeypatch):
    from app import clock

    monkeypatch.setattr(clock, "utcnow", lambda: NOW)
    assert FIGURE_SETS["health"] == "app.domain.availability.figures:health_figures"
    with business.connect() as conn:
        direct = figure_set("health")(conn, Settings(), MetricsRequest(NOW))
    assert cli.main(["metrics", "health", "--json"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed == to_jsonable(direct)
    assert printed["services"][0]["state"] == "Down" and len(printed["services"][0]["days"]) == 90
