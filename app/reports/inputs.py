"""What a section is built from: the figure sets for the report's moment, each computed once, on demand.

Sections ask for a figure set by name; only the sets of the sections a role
may see are computed (a support report never replays revenue).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection

from app.config.settings import Settings
from app.metrics import MetricsRequest, figure_set
from app.reports import DAILY, WEEKLY
from app.reports.model import Band
from app.reports.periods import Period
from app.tasks import CancelToken


@dataclass
class Inputs:
    conn: Connection
    settings: Settings
    period: Period
    as_of: dt.datetime  # naive UTC
    role: str
    cancel: CancelToken | None = None
    _cache: dict[str, Any] = field(default_factory=dict)

    @property
    def request(self) -> MetricsRequest:
        return MetricsRequest(self.as_of, self.period.month)

    @property
    def window_days(self) -> int:
        """The rolling window a figure set's windowed figures are read in: 7 days for days and weeks, else 30."""
        return 7 if self.period.kind in (DAILY, WEEKLY) else 30

    def figures(self, name: str) -> Any:
        if name not in self._cache:
            if self.cancel is not None:
                self.cancel.raise_if_cancelled()
            self._cache[name] = figure_set(name)(self.conn, self.settings, self.request)
        return self._cache[name]


def band(value: float | None, target: float | None, *, higher_is_better: bool, warning_margin: float) -> Band:
    """Good on the target's side, warning within ``warning_margin`` of it on the wrong side, else critical."""
    if value is None or target is None:
        return "unknown" if target is not None else ""
    gap = value - target if higher_is_better else target - value
    if gap >= 0:
        return "good"
    return "warning" if -gap <= warning_margin else "critical"
