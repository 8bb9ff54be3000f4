"""``[targets]``: the business guide's KPI targets, each a "good" and a "warning" threshold.

A reading at or past ``*_good`` is green, at or past ``*_warning`` amber, beyond it red
(docs/metrics.md § "Overview and reports", "Bands").  Which side is better
depends on the KPI (lower resolution time is better); the band rule knows, the
settings only hold numbers.  Monthly churn's green line is ``[kpi]
monthly_churn_pct``, which the revenue tab already reads: one setting per number.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from app.config.fields import meta


def _t(default: float, label: str, unit: str, *, minimum: float = 0.0, maximum: float | None = None) -> Any:
    return field(default=default, metadata=meta(minimum=minimum, maximum=maximum, label=label, unit=unit,
                                                help=f"{label} ({unit})"))


@dataclass(frozen=True)
class TargetSettings:
    """Green and amber lines per KPI; the defaults are the business operations guide's targets."""

    user_growth_good: float = _t(10.0, "User growth: green from", "% a month", minimum=-100, maximum=1000)
    user_growth_warning: float = _t(0.0, "User growth: amber from", "% a month", minimum=-100, maximum=1000)
    free_to_paid_good: float = _t(10.0, "Free to paid: green from", "%", maximum=100)
    free_to_paid_warning: float = _t(5.0, "Free to paid: amber from", "%", maximum=100)
    dau_good: float = _t(1_000.0, "Daily active users: green from", "users")
    dau_warning: float = _t(500.0, "Daily active users: amber from", "users")
    mau_good: float = _t(10_000.0, "Monthly active users: green from", "users")
    mau_warning: float = _t(5_000.0, "Monthly active users: amber from", "users")
    retention_good: float = _t(70.0, "30-day retention: green from", "%", maximum=100)
    retention_warning: float = _t(50.0, "30-day retention: amber from", "%", maximum=100)
    session_good: float = _t(10.0, "Average session: green from", "min", maximum=1440)
    session_warning: float = _t(5.0, "Average session: amber from", "min", maximum=1440)
    feature_adoption_good: float = _t(60.0, "Feature adoption: green from", "%", maximum=100)
    feature_adoption_warning: float = _t(40.0, "Feature adoption: amber from", "%", maximum=100)
    uptime_good: float = _t(99.9, "Uptime: green from", "%", maximum=100)
    uptime_warning: float = _t(99.5, "Uptime: amber from", "%", maximum=100)
    response_good: float = _t(2.0, "Response time: green up to", "s", maximum=600)
    response_warning: float = _t(3.0, "Response time: amber up to", "s", maximum=600)
    resolution_good: float = _t(4.0, "Resolution time: green up to", "h", maximum=720)
    resolution_warning: float = _t(8.0, "Resolution time: amber up to", "h", maximum=720)
    csat_warning: float = _t(4.0, "Satisfaction: amber from", "of 5", maximum=5)
    nps_good: float = _t(30.0, "NPS: green from", "points", minimum=-100, maximum=100)
    nps_warning: float = _t(0.0, "NPS: amber from", "points", minimum=-100, maximum=100)
    sla_good: float = _t(95.0, "SLA attainment: green from", "%", maximum=100)
    sla_warning: float = _t(90.0, "SLA attainment: amber from", "%", maximum=100)
    churn_warning: float = _t(10.0, "Monthly churn: amber up to", "%", maximum=100)
    gross_margin_good: float = _t(70.0, "Gross margin: green from", "%", minimum=-1000, maximum=100)
    gross_margin_warning: float = _t(50.0, "Gross margin: amber from", "%", minimum=-1000, maximum=100)
