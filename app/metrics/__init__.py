"""Figure sets: the one function behind each screen's numbers, its report section and ``opsconsole metrics``.

Each domain exposes a *figure set*: a function of an open connection, the
settings and a ``MetricsRequest`` (the moment, and optionally a month) that
returns a plain dataclass of figures.  The pane shows it, the reports print
it and ``opsconsole metrics NAME --json`` serialises it with ``to_jsonable``,
so the three can never disagree for the same cache and moment.
Figure sets register below by dotted path, imported only when asked for.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import importlib
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection

from app.config.settings import Settings


@dataclass(frozen=True)
class MetricsRequest:
    """What figures are asked for: as of ``now`` (naive UTC), for ``month`` (its first day) when given."""

    now: dt.datetime
    month: dt.date | None = None


FigureSet = Callable[[Connection, Settings, MetricsRequest], Any]

# name → "module:function"; each feature adds its own line.
FIGURE_SETS: Mapping[str, str] = {
    "support": "app.domain.sla.kpis:support_figures",
    "revenue": "app.domain.revenue:revenue_figures",
    "costs": "app.metrics.costs:costs",
    "health": "app.domain.availability.figures:health_figures",
    "licenses": "app.domain.licenses:license_figures",
    "usage": "app.domain.usage.figures:usage_figures",
    "kpis": "app.kpis.scorecard:scorecard",
}


def figure_set(name: str) -> FigureSet:
    """The figure-set function registered as ``name`` (KeyError names the known ones)."""
    try:
        target = FIGURE_SETS[name]
    except KeyError:
        raise KeyError(f"unknown figure set {name!r}; known: {', '.join(sorted(FIGURE_SETS)) or 'none'}") from None
    module, _, function = target.partition(":")
    fn: FigureSet = getattr(importlib.import_module(module), function)
    return fn


def to_jsonable(value: Any) -> Any:
    """Figures → JSON values: dataclasses as objects, times as ISO 8601 (UTC with ``Z``), NaN/∞ as null."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Mapping):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        items = sorted(value, key=repr) if isinstance(value, (set, frozenset)) else value
        return [to_jsonable(v) for v in items]
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(dt.UTC).replace(tzinfo=None)
        return value.isoformat(timespec="seconds") + "Z"
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return value.total_seconds()
    if isinstance(value, enum.Enum):
        return to_jsonable(value.value)
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value
