"""Cost alert rules: budget thresholds once a month on actual and on forecast; anomalies unless expected."""

from __future__ import annotations

import dataclasses
import datetime as dt

from app.alerts import rules, run_alerts
from app.config.settings import Settings
from app.domain.costs import anomalies
from app.domain.costs.alerts import anomaly_alerts, budget_alerts

NOV = dt.date(2026, 11, 1)
NOW = dt.datetime(2026, 11, 21, 9)


def _keys(notices):
    return sorted((n.key, n.severity) for n in notices)


def test_each_threshold_notifies_once_a_month_on_actual_and_on_forecast(engine, add_costs):
    add_costs("firebase", NOV, 33, days=20)  # $660 of $800 (82.5 %); forecast $990 (124 %)
    with engine.connect() as conn:
        notices = list(budget_alerts(conn, NOW, Settings()))
    assert _keys(notices) == [
        ("firebase:actual:0.8:2026-11", "warning"),
        ("firebase:forecast:0.8:2026-11", "warning"),
        ("firebase:forecast:0.95:2026-11", "critical"),
    ]
    assert notices[0].title == "firebase: spend this month at 80% of its budget" and notices[0].pane == "costs"
    assert "$660.00 of the $800.00 budget for November 2026 (82.5%)" in notices[0].body
    first = run_alerts(engine, Settings(), now=NOW, rule_set=[budget_alerts])
    again = run_alerts(engine, Settings(), now=NOW + dt.timedelta(hours=1), rule_set=[budget_alerts])
    assert first.recorded == 3 and again.recorded == 0  # a crossing notifies once


def test_thresholds_come_from_the_settings(engine, add_costs):
    add_costs("firebase", NOV, 33, days=20)
    settings = Settings()
    settings = dataclasses.replace(settings, budgets=dataclasses.replace(
        settings.budgets, actual_thresholds=(0.5,), forecast_thresholds=()))
    with engine.connect() as conn:
        assert _keys(budget_alerts(conn, NOW, settings)) == [("firebase:actual:0.5:2026-11", "warning")]


def test_a_month_without_costs_raises_no_budget_alert(engine, add_costs):
    add_costs("firebase", dt.date(2026, 10, 1), 900)
    with engine.connect() as conn:
        assert list(budget_alerts(conn, NOW, Settings())) == []


def test_anomalies_notify_unless_marked_as_expected(engine, add_costs):
    for n in range(28):
        add_costs("cdn", dt.date(2026, 10, 20) + dt.timedelta(days=n), 100 + n % 3)
    add_costs("cdn", dt.date(2026, 11, 17), 400)
    with engine.connect() as conn:
        (notice,) = anomaly_alerts(conn, NOW, Settings())
    assert notice.key == "cdn:2026-11-17" and notice.kind == "costs.anomaly" and notice.record == "cdn:2026-11-17"
    assert notice.title.startswith("cdn: $29") and "above its usual cost on 17 Nov" in notice.title
    anomalies.mark_expected(engine, "cdn", dt.date(2026, 11, 17))
    with engine.connect() as conn:
        assert list(anomaly_alerts(conn, NOW, Settings())) == []


def test_the_cost_rules_are_registered():
    assert {budget_alerts, anomaly_alerts} <= set(rules())
