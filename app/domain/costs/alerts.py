"""Alert rules of the costs: budget thresholds crossed (actual and forecast) and new anomalies.

Pure functions of the cache, the moment and the settings (``app.alerts``
records what is new).  Each notice's key names one transition:

* ``costs.budget``: ``<service>:<actual|forecast>:<threshold>:<YYYY-MM>`` -- a
  threshold crossed by this month's spend or its month-end forecast notifies
  once a month, whatever the spend does after;
* ``costs.anomaly``: ``<service>:<YYYY-MM-DD>`` -- an anomaly of the last
  ``ANOMALY_DAYS`` days with figures, unless marked as expected.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from sqlalchemy import Connection

from app.config.settings import Settings
from app.domain.costs import anomalies, budgets, forecast, store
from app.domain.costs.months import month_end, month_start
from app.notices import Notice

ANOMALY_DAYS = 7
PANE = "costs"


def _name(service: str) -> str:
    return "Total" if service == budgets.TOTAL else service


def _dollars(micros: int) -> str:
    return f"${micros / 1_000_000:,.2f}"


def budget_alerts(conn: Connection, now: dt.datetime, settings: Settings) -> Iterator[Notice]:
    """``costs.budget``: each threshold of each budget crossed this month, on actual and on forecast spend."""
    month = month_start(now.date())
    by_service = store.service_days(conn, month - dt.timedelta(days=forecast.LOOKBACK), month_end(month))
    if not any(month <= day for values in by_service.values() for day in values):
        return
    projected = forecast.forecasts(by_service, month)
    for service, budget in sorted(budgets.load_budgets(conn, settings.budgets).items()):
        parts = list(projected.values()) if service == budgets.TOTAL else [projected[service]] \
            if service in projected else []
        combined = forecast.combine(parts)
        bases = (
            ("actual", combined.mtd_micros, settings.budgets.actual_thresholds, "spend this month"),
            ("forecast", combined.forecast_micros, settings.budgets.forecast_thresholds, "month-end forecast"),
        )
        for basis, amount, thresholds, words in bases:
            for threshold in sorted(set(thresholds)):
                if not budgets.crossed(amount, budget, threshold):
                    continue
                yield Notice(
                    "costs.budget", f"{service}:{basis}:{threshold:g}:{month:%Y-%m}",
                    f"{_name(service)}: {words} at {threshold:.0%} of its budget",
                    f"{_dollars(amount)} of the {_dollars(budget.monthly_micros)} budget for {month:%B %Y} "
                    f"({budgets.ratio(amount, budget):.1%}).",
                    severity=budget.severity(threshold), pane=PANE, record=service,
                )


def anomaly_alerts(conn: Connection, now: dt.datetime, settings: Settings) -> Iterator[Notice]:
    """``costs.anomaly``: anomalies of the last days with figures not marked as expected."""
    newest, _ = store.newest_and_oldest(conn)
    if newest is None:
        return
    found = anomalies.anomalies(conn, newest - dt.timedelta(days=ANOMALY_DAYS - 1), newest, settings.costs)
    for anomaly in anomalies.unmarked(found):
        yield Notice(
            "costs.anomaly", anomaly.key,
            f"{anomaly.service}: {_dollars(anomaly.excess_micros)} above its usual cost on {anomaly.day:%d %b}",
            f"{_dollars(anomaly.cost_micros)} against an expected {_dollars(anomaly.expected_micros)} for a "
            f"{anomaly.day:%A}. Mark it as expected in the Costs tab if it was planned.",
            pane=PANE, record=anomaly.key,
        )
