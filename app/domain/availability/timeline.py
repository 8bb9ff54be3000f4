"""Availability by duration: what each health check says about the time that follows it.

The rule (docs/metrics.md § Service health, "Availability by duration"):

* a check's result holds from its instant until the next check of the
  service, for at most twice the service's check interval;
* time no check covers is *unknown*: it counts neither as up nor as down;
* maintenance windows are cut out: time inside one is neither up, down nor
  unknown;
* checks at the same instant (two vantage points) count as one, failed if
  either failed;
* nothing holds past the end of the time line (``until``, normally now).

So a service checked every 30 s while down and every 5 min while up is
judged by how long it was down, not by how many checks failed, and a night
without checks is not a night of downtime.

``Timeline`` is the reference implementation, in plain Python: it serves one
service's details, the burn-rate episodes and the tests.  The services table
computes the same rule inside SQLite for every service at once
(``coverage_sql``); the tests hold the two to the same answers.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import accumulate

EPOCH = dt.datetime(1970, 1, 1)
HOLD_INTERVALS = 2  # a check holds for at most this many check intervals


def seconds(moment: dt.datetime) -> float:
    """Naive UTC → seconds since the epoch (the timeline's unit)."""
    return (moment - EPOCH).total_seconds()


def moment(epoch_s: float) -> dt.datetime:
    return EPOCH + dt.timedelta(seconds=epoch_s)


@dataclass(frozen=True)
class Check:
    """One health check as availability needs it: when, and whether it passed."""

    at: dt.datetime
    ok: bool


@dataclass(frozen=True)
class Span:
    """A half-open stretch of time ``[start, end)`` (naive UTC)."""

    start: dt.datetime
    end: dt.datetime

    @property
    def seconds(self) -> float:
        return max(0.0, (self.end - self.start).total_seconds())


@dataclass(frozen=True)
class Segment:
    """A stretch of the time line one check's result holds, in epoch seconds."""

    start: float
    end: float
    ok: bool


@dataclass(frozen=True)
class Coverage:
    """How a window of time divides: up, down, maintenance and unknown seconds (they add up to the window)."""

    up_s: float
    down_s: float
    maintenance_s: float
    unknown_s: float

    @property
    def known_s(self) -> float:
        return self.up_s + self.down_s

    @property
    def availability(self) -> float | None:
        """Up time over known time; None when nothing is known (unknown is not 100 %)."""
        return self.up_s / self.known_s if self.known_s > 0 else None

    @property
    def error_ratio(self) -> float | None:
        """Down time over known time (what burn rates divide by the SLO's allowance)."""
        return self.down_s / self.known_s if self.known_s > 0 else None


def merge_spans(spans: Iterable[Span]) -> list[Span]:
    """Overlapping or touching spans joined, in time order (two maintenance windows never count twice)."""
    merged: list[Span] = []
    for span in sorted((s for s in spans if s.end > s.start), key=lambda s: s.start):
        if merged and span.start <= merged[-1].end:
            if span.end > merged[-1].end:
                merged[-1] = Span(merged[-1].start, span.end)
        else:
            merged.append(span)
    return merged


def overlap_s(spans: Sequence[Span], start: dt.datetime, end: dt.datetime) -> float:
    """Seconds of ``[start, end)`` inside ``spans`` (merged first by the caller)."""
    return sum(max(0.0, (min(end, s.end) - max(start, s.start)).total_seconds()) for s in spans)


def hold_segments(checks: Iterable[Check], interval_s: float, until: dt.datetime) -> list[Segment]:
    """Each check's stretch: until the next check, at most ``HOLD_INTERVALS`` × the interval, never past ``until``."""
    ordered = sorted(checks, key=lambda c: (c.at, not c.ok))  # at one instant the failure comes last and holds
    cap, end_s = HOLD_INTERVALS * interval_s, seconds(until)
    result: list[Segment] = []
    for i, check in enumerate(ordered):
        start = seconds(check.at)
        if start >= end_s:
            break
        following = seconds(ordered[i + 1].at) if i + 1 < len(ordered) else end_s
        end = min(following, start + cap, end_s)
        if end > start:
            result.append(Segment(start, end, check.ok))
    return result


def _cut(segments: Sequence[Segment], spans: Sequence[Span]) -> list[Segment]:
    """``segments`` with the merged ``spans`` (maintenance) cut out."""
    cuts = [(seconds(s.start), seconds(s.end)) for s in spans]
    result: list[Segment] = []
    for seg in segments:
        pieces = [(seg.start, seg.end)]
        for lo, hi in cuts:
            if hi <= seg.start or lo >= seg.end:
                continue
            pieces = [p for a, b in pieces for p in ((a, min(b, lo)), (max(a, hi), b)) if p[1] > p[0]]
        result.extend(Segment(a, b, seg.ok) for a, b in pieces)
    return result


class Timeline:
    """One service's checks as up/down stretches, maintenance cut out; answers any window in O(log n)."""

    def __init__(
        self,
        checks: Iterable[Check],
        interval_s: float,
        until: dt.datetime,
        maintenance: Iterable[Span] = (),
    ) -> None:
        self.until = until
        self.maintenance = merge_spans(maintenance)
        self.segments = _cut(hold_segments(checks, interval_s, until), self.maintenance)
        self._starts = [s.start for s in self.segments]
        self._up = [0.0, *accumulate((s.end - s.start) if s.ok else 0.0 for s in self.segments)]
        self._down = [0.0, *accumulate(0.0 if s.ok else (s.end - s.start) for s in self.segments)]

    def _before(self, t: float) -> tuple[float, float]:
        """Up and down seconds of the time line before instant ``t``."""
        i = bisect.bisect_right(self._starts, t)  # segments starting at or before t
        up, down = self._up[i], self._down[i]
        if i:
            last = self.segments[i - 1]
            beyond = max(0.0, last.end - t)  # the part of the last segment after t
            if last.ok:
                up -= beyond
            else:
                down -= beyond
        return up, down

    def coverage(self, start: dt.datetime, end: dt.datetime) -> Coverage:
        """How ``[start, end)`` divides into up, down, maintenance and unknown time."""
        if end <= start:
            return Coverage(0.0, 0.0, 0.0, 0.0)
        up_b, down_b = self._before(seconds(end))
        up_a, down_a = self._before(seconds(start))
        up, down = max(0.0, up_b - up_a), max(0.0, down_b - down_a)
        maintenance = overlap_s(self.maintenance, start, end)
        total = (end - start).total_seconds()
        return Coverage(up, down, maintenance, max(0.0, total - up - down - maintenance))

    def last(self, duration: dt.timedelta, now: dt.datetime | None = None) -> Coverage:
        """Coverage of the ``duration`` that ends ``now`` (default: the time line's end)."""
        end = now or self.until
        return self.coverage(end - duration, end)


def coverage(
    checks: Iterable[Check],
    interval_s: float,
    start: dt.datetime,
    end: dt.datetime,
    maintenance: Iterable[Span] = (),
) -> Coverage:
    """The rule in one call: how ``[start, end)`` divides, given a service's checks and maintenance windows.

    ``end`` is also where the time line stops (no check holds past it).
    """
    return Timeline(checks, interval_s, end, maintenance).coverage(start, end)


def day_start(moment_: dt.datetime) -> dt.datetime:
    return dt.datetime(moment_.year, moment_.month, moment_.day)


def days(timeline: Timeline, first: dt.date, count: int) -> list[tuple[dt.date, Coverage]]:
    """Coverage of ``count`` UTC days from ``first`` (the 90-day status bar); today runs to the time line's end."""
    result = []
    for n in range(count):
        day = first + dt.timedelta(days=n)
        start = dt.datetime(day.year, day.month, day.day)
        result.append((day, timeline.coverage(start, min(start + dt.timedelta(days=1), timeline.until))))
    return result
