"""Health's notifications fire on transitions only: Down, back Up, a burn-rate alert, a certificate."""

from __future__ import annotations

import dataclasses
import datetime as dt

from sqlalchemy import insert

from app.alerts import rules, run_alerts
from app.config.settings import HealthSettings, Settings
from app.domain.availability import alert_rules as ar
from app.store.schema import HealthCheck, MaintenanceWindow, Service

NOW = dt.datetime(2026, 3, 10, 12, 0)


def _fill(engine, outcomes: list[bool], *, cert: dt.datetime | None = None) -> None:
    """One service checked every minute, the last ``len(outcomes)`` minutes (oldest first)."""
    with engine.begin() as conn:
        conn.execute(insert(Service.__table__).values(id="api", name="API", probe_interval_s=60, slo_target=0.999))
        conn.execute(insert(HealthCheck.__table__), [
            {"service_id": "api", "checked_at": NOW - dt.timedelta(minutes=len(outcomes) - k), "ok": ok,
             "source": "api", "cert_expires_at": cert}
            for k, ok in enumerate(outcomes)
        ])


def keys(rule, engine, settings=Settings()) -> list[str]:  # noqa: B008 - a frozen dataclass
    with engine.connect() as conn:
        return [n.key for n in rule(conn, NOW, settings)]


def test_the_console_runs_healths_three_rules():
    assert {r.__name__ for r in rules()} >= {"health_state", "health_burn_rate", "health_certificate"}


def test_down_then_up_are_two_transitions_and_one_failure_is_none(engine):
    _fill(engine, [True] * 10 + [False] + [True] * 5 + [False, False, False] + [True] * 3)
    # the first check ran at 11:38: a lone failure at 11:48, three from 11:54, a pass at 11:57
    assert keys(ar.health_state, engine) == ["api:down:2026-03-10T11:54", "api:up:2026-03-10T11:57"]
    one = Settings(health=HealthSettings(down_after_failures=1))
    assert keys(ar.health_state, engine, one) == [
        "api:down:2026-03-10T11:48", "api:up:2026-03-10T11:49", "api:down:2026-03-10T11:54", "api:up:2026-03-10T11:57"]


def test_no_down_inside_maintenance(engine):
    _fill(engine, [True] * 5 + [False] * 3)
    with engine.begin() as conn:
        conn.execute(insert(MaintenanceWindow.__table__).values(
            id="mw", service_id=None, title="Upgrade", starts_at=NOW - dt.timedelta(minutes=10),
            ends_at=NOW + dt.timedelta(minutes=10), updated_at=NOW))
    assert keys(ar.health_state, engine) == []


def test_a_burn_rate_alert_is_keyed_by_when_it_began(engine):
    _fill(engine, [True] * 600 + [False] * 3)  # ten hours known, the last three minutes down
    got = keys(ar.health_burn_rate, engine)
    # 1 h: > 51.8 s and 5 min: > 4.3 s down from 11:58; 6 h: 3 of 360 min is 8.3× only at 12:00;
    # 3 d (600 min known): one minute is already 1.7× from 11:58
    assert got == ["api:page_1h:2026-03-10T11:58", "api:page_6h:2026-03-10T12:00", "api:ticket_3d:2026-03-10T11:58"]
    _fill_more = keys(ar.health_burn_rate, engine)
    assert _fill_more == got  # evaluated again: the same key, so one notification


def test_quiet_within_budget(engine):
    _fill(engine, [True] * 600)
    assert keys(ar.health_burn_rate, engine) == [] and keys(ar.health_state, engine) == []


def test_certificate_within_the_warning_days(engine):
    _fill(engine, [True] * 3, cert=NOW + dt.timedelta(days=9, hours=1))
    assert keys(ar.health_certificate, engine) == ["api:cert:2026-03-19"]
    later = Settings(health=HealthSettings(certificate_warn_days=7))
    assert keys(ar.health_certificate, engine, later) == []


def test_run_alerts_records_each_transition_once(engine):
    _fill(engine, [True] * 5 + [False] * 3)
    settings = Settings()
    first = run_alerts(engine, settings, now=NOW, rule_set=[ar.health_state])
    again = run_alerts(engine, settings, now=NOW, rule_set=[ar.health_state])
    assert (first.recorded, again.recorded) == (1, 0)
    assert dataclasses.replace(first, announced=[]).errors == {}
