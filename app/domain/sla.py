"""Support SLA clocks: time counted in the support team's business hours only.

A ticket's SLA clock stops at night, at weekends and on holidays, so "due in
one hour" at 16:30 on a Friday means Monday morning for the team.  Everything
here is pure: cache times are naive UTC, business hours are local to
``BusinessHours.timezone``, and the caller passes ``now`` so tests (and every
cell of a table painted in one pass) agree on the time.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from zoneinfo import ZoneInfo

from app.config.settings import BusinessHours

BREACHED = "breached"  # due time passed and the ticket is not solved
DUE_SOON = "due_soon"  # within DUE_SOON_SECONDS of business time
ON_TRACK = "on_track"
NO_SLA = "no_sla"  # solved, or no due time: nothing to watch

DUE_SOON_SECONDS = 3_600  # one business hour
SOLVED_STATUSES = ("solved", "closed")
_MAX_DAYS = 3_660  # ten years of calendar: a safety stop for absurd spans


@lru_cache(maxsize=8)
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def _clock(text: str) -> dt.time:
    hours, minutes = text.split(":")
    return dt.time(int(hours), int(minutes))


def _to_local(utc_naive: dt.datetime, zone: ZoneInfo) -> dt.datetime:
    return utc_naive.replace(tzinfo=dt.UTC).astimezone(zone)


def is_working_day(day: dt.date, hours: BusinessHours) -> bool:
    return day.isoweekday() in hours.weekdays and day.isoformat() not in hours.holidays


def business_seconds_between(
    start: dt.datetime, end: dt.datetime, hours: BusinessHours, *, stop_after: float | None = None
) -> float:
    """Business seconds in ``[start, end)`` (naive UTC); 0 when ``end <= start``.

    ``stop_after`` returns as soon as the count exceeds it: a caller asking
    "is it within an hour?" should not walk a year of calendar to find out.
    """
    if end <= start:
        return 0.0
    zone = _zone(hours.timezone)
    open_at, close_at = _clock(hours.start), _clock(hours.end)
    local_start, local_end = _to_local(start, zone), _to_local(end, zone)
    total = 0.0
    day = local_start.date()
    for _ in range(_MAX_DAYS):
        if day > local_end.date():
            break
        if is_working_day(day, hours):
            # Day boundaries built in the zone, so a DST change shortens or lengthens the day correctly.
            opens = dt.datetime.combine(day, open_at, tzinfo=zone)
            closes = dt.datetime.combine(day, close_at, tzinfo=zone)
            lo, hi = max(opens, local_start), min(closes, local_end)
            if hi > lo:
                total += (hi - lo).total_seconds()
                if stop_after is not None and total > stop_after:
                    return total
        day += dt.timedelta(days=1)
    return total


def classify(
    due_at: dt.datetime | None, status: str, now: dt.datetime, hours: BusinessHours
) -> str:
    """Where a ticket stands against its SLA: breached, due soon (≤ 1 business hour), on track, or none."""
    if due_at is None or status in SOLVED_STATUSES:
        return NO_SLA
    if due_at <= now:
        return BREACHED
    left = business_seconds_between(now, due_at, hours, stop_after=DUE_SOON_SECONDS)
    return DUE_SOON if left <= DUE_SOON_SECONDS else ON_TRACK


def describe(due_at: dt.datetime | None, status: str, now: dt.datetime, hours: BusinessHours) -> str:
    """A sentence for the SLA cell's tooltip: how late, or how much business time is left."""
    state = classify(due_at, status, now, hours)
    if state == NO_SLA:
        return "No SLA clock: the ticket is solved or has no due time"
    assert due_at is not None
    if state == BREACHED:
        return f"SLA breached {format_duration((now - due_at).total_seconds())} ago (wall-clock time)"
    week = 7 * 24 * 3_600.0
    left = business_seconds_between(now, due_at, hours, stop_after=week)
    span = "more than a week" if left > week else format_duration(left)
    when = "due within the next business hour" if state == DUE_SOON else "on track"
    return (
        f"SLA {when}: {span} of business hours left "
        f"({hours.start}–{hours.end} {hours.timezone}, working days only)"
    )


def format_duration(seconds: float) -> str:
    """'2 d 3 h', '3 h 20 min', '12 min': coarse enough to read at a glance."""
    minutes = int(seconds // 60)
    if minutes < 60:
        return f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    if hours < 24:
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"
    days, hours = divmod(hours, 24)
    return f"{days} d {hours} h" if hours else f"{days} d"
