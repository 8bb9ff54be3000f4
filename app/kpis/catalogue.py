"""The scorecard's shapes, the band rule and who sees which KPI (docs/metrics.md § "Overview and reports").

The overview tab and the reports share these: a reading is one KPI's value,
its target in words, its band and variance, where it comes from and where a
click on it leads.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from app.roles import EXECUTIVE, FINANCE, OPERATIONS, PRODUCT, ROLES, SUPPORT

Band = Literal["good", "warning", "critical", "unknown"]  # green / amber / red / grey (no data or no target)
GOOD: Band = "good"
WARNING: Band = "warning"
CRITICAL: Band = "critical"
UNKNOWN: Band = "unknown"

AREAS = (EXECUTIVE, PRODUCT, OPERATIONS, FINANCE, SUPPORT)

# The figure sets a role's dashboard level may read (issue 16: finance sees revenue and costs, support sees
# support, operations health and costs, product usage; executives everything).
SOURCES_BY_ROLE: dict[str, frozenset[str]] = {
    EXECUTIVE: frozenset({"revenue", "health", "support", "costs", "licenses", "usage"}),
    PRODUCT: frozenset({"usage"}),
    OPERATIONS: frozenset({"health", "costs"}),
    FINANCE: frozenset({"revenue", "costs"}),
    SUPPORT: frozenset({"support", "licenses"}),
}
assert set(SOURCES_BY_ROLE) == set(ROLES)


@dataclass(frozen=True)
class KpiReading:
    """One KPI as a dashboard tile or a report row shows it."""

    key: str  # stable id: "dau", "mrr", "uptime"…
    label: str  # "Daily active users"
    area: str  # the dashboard it belongs to first (one of AREAS)
    value: float | None  # None when the cache cannot say ("—", band "unknown")
    unit: str  # "%", "count", "minutes", "hours", "seconds", "score", "points", "money"
    currency: str | None  # for unit "money"
    target_text: str  # the rule in words: "≥ 1,000 (amber ≥ 500, red below)"
    band: Band
    variance: float | None  # distance from the green line in the KPI's unit; positive = on the good side
    source: str  # the figure set it comes from
    pane: str  # the pane a click opens (an app.roles pane)
    pane_filter: str | None  # the filter that click applies (the pane's filter token), or None
    series: tuple[float, ...]  # sparkline points, oldest first (may be empty)


@dataclass(frozen=True)
class Scorecard:
    """Every KPI for a period, and how fresh each source's data is."""

    as_of: dt.datetime  # naive UTC
    period_start: dt.date
    period_end: dt.date
    readings: tuple[KpiReading, ...]
    freshness: tuple[tuple[str, dt.datetime | None], ...]  # (source label, last successful sync)

    def reading(self, key: str) -> KpiReading:
        """The reading ``key`` (KeyError names it)."""
        for r in self.readings:
            if r.key == key:
                return r
        raise KeyError(f"no KPI {key!r} in the scorecard")


def band(value: float | None, good: float, warning: float, *, higher_is_better: bool = True) -> Band:
    """Green at or past ``good``, amber at or past ``warning``, else red; grey without a value.

    "Past" is above for higher-is-better KPIs and below for the others
    (resolution time, churn): the thresholds themselves are green/amber.
    """
    if value is None:
        return UNKNOWN
    if higher_is_better:
        return GOOD if value >= good else WARNING if value >= warning else CRITICAL
    return GOOD if value <= good else WARNING if value <= warning else CRITICAL


def variance(value: float | None, good: float, *, higher_is_better: bool = True) -> float | None:
    """How far ``value`` is from the green line, positive on the good side (either direction of better)."""
    if value is None:
        return None
    return value - good if higher_is_better else good - value


def visible_to(role: str, readings: Iterable[KpiReading]) -> tuple[KpiReading, ...]:
    """The readings ``role``'s dashboard level allows, by their source (an unknown role sees none)."""
    allowed = SOURCES_BY_ROLE.get(role, frozenset())
    return tuple(r for r in readings if r.source in allowed)
