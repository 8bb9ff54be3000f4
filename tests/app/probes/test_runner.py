"""Probing from the workstation: who is due, retries before Down, results stored beside the backend's checks."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from sqlalchemy import insert, select

from app.config.settings import HealthSettings, ProbeTarget, Settings
from app.domain.availability import figures as fig
from app.probes import runner
from app.store.schema import HealthCheck, Service
from tests.app.probes.support import serve

NOW = dt.datetime(2026, 3, 10, 12, 0)


@pytest.fixture(scope="module")
def http():
    with serve() as base:
        yield base


def settings_with(**health) -> Settings:
    return Settings(health=HealthSettings(**health))


def test_next_probe_waits_the_interval_or_the_retry_interval():
    health = HealthSettings(probe_interval_s=60, probe_retry_interval_s=20, down_after_failures=2)
    assert runner.next_probe_at([], health) is None
    assert runner.next_probe_at([(NOW, True)], health) == NOW + dt.timedelta(seconds=60)
    assert runner.next_probe_at([(NOW, False), (NOW - dt.timedelta(minutes=1), True)], health) == (
        NOW + dt.timedelta(seconds=20))  # pending: retry soon
    assert runner.next_probe_at([(NOW, False), (NOW - dt.timedelta(seconds=20), False)], health) == (
        NOW + dt.timedelta(seconds=60))  # confirmed down: back to the interval


def test_a_round_probes_synced_and_settings_targets_and_stores_workstation_checks(engine, http):
    with engine.begin() as conn:
        for row in ({"id": "api", "name": "API", "url": f"{http}/ok", "json_path": "status.db", "json_value": "ok"},
                    {"id": "web", "name": "Web", "url": f"{http}/down"}, {"id": "nourl", "name": "No URL"}):
            conn.execute(insert(Service.__table__).values(**row))
    settings = settings_with(probes=(ProbeTarget("Status page", f"{http}/ok", keyword="healthy"),))
    first = runner.run_probes(engine, settings)
    assert {k: r.ok for k, r in first.results.items()} == {"api": True, "web": False, "local:status-page": True}
    assert first.changes.touches(["health_checks"])
    with engine.connect() as conn:
        rows = conn.execute(select(HealthCheck.service_id, HealthCheck.source, HealthCheck.ok)).all()
        local = conn.execute(select(Service.name).where(Service.id == "local:status-page")).scalar_one()
    assert sorted(rows) == [("api", "workstation", True), ("local:status-page", "workstation", True),
                            ("web", "workstation", False)]
    assert local == "Status page"
    assert runner.run_probes(engine, settings).results == {}  # nobody is due a second later


def test_retries_turn_pending_into_down(engine, http):
    with engine.begin() as conn:
        conn.execute(insert(Service.__table__).values(id="web", name="Web", url=f"{http}/down", probe_interval_s=60))
    settings = settings_with(probe_retry_interval_s=5)
    t0 = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    runner.run_probes(engine, settings, now=t0)
    with engine.connect() as conn:
        assert fig.compute(conn, t0 + dt.timedelta(seconds=1), settings.health).services[0].state == "Degraded"
    assert runner.run_probes(engine, settings, now=t0 + dt.timedelta(seconds=2)).results == {}  # retry not due yet
    retried = runner.run_probes(engine, settings, now=t0 + dt.timedelta(seconds=6))
    assert list(retried.results) == ["web"]
    with engine.connect() as conn:
        service = fig.compute(conn, dt.datetime.now(dt.UTC).replace(tzinfo=None), settings.health).services[0]
    assert service.state == "Down" and "HTTP 503" in service.state_reason


def test_probes_can_be_turned_off(engine, http):
    with engine.begin() as conn:
        conn.execute(insert(Service.__table__).values(id="api", name="API", url=f"{http}/ok"))
    off = dataclasses.replace(Settings(), health=HealthSettings(probes_enabled=False))
    assert runner.run_probes(engine, off).results == {}
