"""Which days a report covers and which moment its figures describe (docs/metrics.md § "Overview and reports").

Days are UTC calendar days: settings hold no display time zone, and the cache
keeps naive UTC.  A daily report covers the day of ``date``; a weekly one the
ISO week holding it (Monday to Sunday); a monthly one its calendar month.  The
figures are taken *as of* the period's end, or now while the period runs, so a
report of the current month equals the screen and ``opsconsole metrics``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from app.reports import DAILY, KINDS, MONTHLY, WEEKLY


@dataclass(frozen=True)
class Period:
    kind: str
    start: dt.date  # first day, inclusive
    end: dt.date  # last day, inclusive

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def month(self) -> dt.date:
        """The month (its first day) the period ends in: the month figure sets are asked for."""
        return self.end.replace(day=1)

    def as_of(self, now: dt.datetime) -> dt.datetime:
        """The end of the period's last day (naive UTC), or ``now`` while the period is not over."""
        end = dt.datetime.combine(self.end + dt.timedelta(days=1), dt.time())
        return min(end, now)

    def last_day(self, now: dt.datetime) -> dt.date:
        """The last day with figures: the period's end, or today while it runs."""
        return min(self.end, now.date())

    def text(self) -> str:
        if self.kind == DAILY:
            return f"{self.start:%A %d %B %Y} (UTC)"
        if self.kind == WEEKLY:
            year, week, _ = self.start.isocalendar()
            return f"Week {week} of {year}: {self.start:%d %b} – {self.end:%d %b %Y} (UTC)"
        return f"{self.start:%B %Y} ({self.start.day}–{self.end.day} {self.end:%b}, UTC)"


def period_for(kind: str, day: dt.date) -> Period:
    """The period of ``kind`` holding ``day``."""
    if kind == DAILY:
        return Period(kind, day, day)
    if kind == WEEKLY:
        monday = day - dt.timedelta(days=day.weekday())
        return Period(kind, monday, monday + dt.timedelta(days=6))
    if kind == MONTHLY:
        first = day.replace(day=1)
        following = (first + dt.timedelta(days=32)).replace(day=1)
        return Period(kind, first, following - dt.timedelta(days=1))
    raise ValueError(f"unknown report kind {kind!r}; known: {', '.join(KINDS)}")
