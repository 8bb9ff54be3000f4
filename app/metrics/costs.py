"""Figure set ``costs``: the Costs pane's figures for a month (``opsconsole metrics costs --json [--month]``)."""

from __future__ import annotations

from sqlalchemy import Connection

from app.config.settings import Settings
from app.domain.costs.figures import CostFigures, month_data
from app.metrics import MetricsRequest


def costs(conn: Connection, settings: Settings, request: MetricsRequest) -> CostFigures:
    """The same ``month_data`` the pane draws: month to date, forecasts, budgets, anomalies, economics, plans."""
    return month_data(conn, settings, request.month, request.now).figures
