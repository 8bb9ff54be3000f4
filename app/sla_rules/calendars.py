"""Business calendars: when the support team works, as instants in UTC.

A calendar names an IANA time zone, one or more working *frames* per weekday
(local wall-clock times, ``09:00-12:30`` and ``13:30-17:00``), public holidays
of a country from the ``holidays`` package and custom dates off.  A 24/7
calendar (``always_open``) counts every second.

Business time is always computed on absolute instants: each working frame is
turned into a UTC interval on its own day, so the day daylight-saving time
starts a 00:00-06:00 frame lasts five real hours and the day it ends seven.
A local time that does not exist (inside the spring gap) is read with the
offset in force before the change, as ``zoneinfo`` does with ``fold=0``.
Times in and out are naive UTC, the cache's convention.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DAY_MINUTES = 24 * 60
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
MAX_DAYS = 3_660  # ten years: a calendar that never opens again stops the walk here
_FRAME = re.compile(r"^\s*([01]\d|2[0-3]):([0-5]\d)\s*-\s*(([01]\d|2[0-3]):([0-5]\d)|24:00)\s*$")

Frame = tuple[int, int]  # [start, end) in minutes after local midnight; end at most 24:00
Interval = tuple[dt.datetime, dt.datetime]  # naive UTC


class RuleError(ValueError):
    """A calendar or policy that cannot be used; ``field`` names the wrong one (``calendars[0].timezone``)."""

    def __init__(self, field_name: str, message: str) -> None:
        super().__init__(f"{field_name}: {message}")
        self.field = field_name
        self.message = message

    def within(self, prefix: str) -> RuleError:
        """The same error with its field path under ``prefix`` (``calendars[0]`` + ``timezone``)."""
        return RuleError(f"{prefix}.{self.field}" if prefix else self.field, self.message)


def parse_frame(text: object, field_name: str = "frame") -> Frame:
    """``"09:00-17:00"`` → (540, 1020); refuses a frame whose end is not after its start."""
    match = _FRAME.match(text) if isinstance(text, str) else None
    if match is None:
        raise RuleError(field_name, f"{text!r} is not a working frame like 09:00-17:00")
    start = int(match[1]) * 60 + int(match[2])
    end = DAY_MINUTES if match[3] == "24:00" else int(match[4]) * 60 + int(match[5])
    if end <= start:
        raise RuleError(field_name, f"{text!r} ends before it starts")
    return start, end


def format_frame(frame: Frame) -> str:
    start, end = frame
    return f"{start // 60:02d}:{start % 60:02d}-{end // 60:02d}:{end % 60:02d}"


@lru_cache(maxsize=64)
def zone(name: str) -> ZoneInfo:
    """The IANA zone ``name``; ``RuleError`` when the zone database does not know it."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise RuleError("timezone", f"{name!r} is not a known IANA time zone") from None


def check_holiday_country(code: str) -> None:
    """``"US"`` or ``"DE-BY"`` (country-subdivision) must be known to the ``holidays`` package."""
    import holidays  # imported on first use: it loads hundreds of country modules

    country, _, subdivision = code.partition("-")
    supported = holidays.list_supported_countries()
    if country not in supported:
        raise RuleError("holiday_country", f"{code!r} is not a country the holidays package knows")
    if subdivision and subdivision not in supported[country]:
        raise RuleError("holiday_country", f"{code!r}: {country} has no subdivision {subdivision!r}")


@lru_cache(maxsize=256)
def public_holidays(code: str, year: int) -> frozenset[dt.date]:
    """The public holidays of ``code`` (``"US"``, ``"DE-BY"``) in ``year``."""
    import holidays

    country, _, subdivision = code.partition("-")
    return frozenset(holidays.country_holidays(country, subdiv=subdivision or None, years=year))


def _utc(day: dt.date, minute: int, tz: ZoneInfo) -> dt.datetime:
    """Local wall-clock ``minute`` of ``day`` in ``tz`` as a naive UTC instant (24:00 is the next midnight)."""
    local = dt.datetime.combine(day, dt.time(), tzinfo=tz) if minute == 0 else (
        dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), tzinfo=tz) if minute == DAY_MINUTES
        else dt.datetime.combine(day, dt.time(minute // 60, minute % 60), tzinfo=tz)
    )
    return local.astimezone(dt.UTC).replace(tzinfo=None)


@dataclass(frozen=True)
class Calendar:
    """When business time runs; built only valid (``RuleError`` names the wrong field)."""

    name: str
    timezone: str = "UTC"
    week: tuple[tuple[Frame, ...], ...] = ((), (), (), (), (), (), ())  # Monday … Sunday
    holiday_country: str = ""
    holidays: frozenset[dt.date] = field(default_factory=frozenset)
    always_open: bool = False
    _hash: int = field(default=0, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not self.name.strip():
            raise RuleError("name", "a calendar needs a name")
        zone(self.timezone)
        if self.holiday_country:
            check_holiday_country(self.holiday_country)
        if len(self.week) != 7:
            raise RuleError("week", "needs the frames of seven weekdays")
        for day, frames in zip(WEEKDAYS, self.week, strict=True):
            ordered = sorted(frames)
            for i, (start, end) in enumerate(ordered):
                if not 0 <= start < end <= DAY_MINUTES:
                    raise RuleError(f"{day}[{i}]", "a frame must end after it starts, within the day")
                if i and start < ordered[i - 1][1]:
                    raise RuleError(f"{day}[{i}]", f"{format_frame((start, end))} overlaps another frame")
        if not self.always_open and not any(self.week):
            raise RuleError("monday", "a calendar needs at least one working frame (or always_open)")
        # Hashed once: every day of every clock's walk looks its working intervals up by (calendar, day).
        object.__setattr__(self, "_hash", hash((self.name, self.timezone, self.week, self.holiday_country,
                                                self.holidays, self.always_open)))

    def __hash__(self) -> int:
        return self._hash

    @classmethod
    def always(cls, name: str = "24/7") -> Calendar:
        return cls(name, always_open=True)

    def is_working_day(self, day: dt.date) -> bool:
        if self.always_open:
            return True
        if not self.week[day.weekday()] or day in self.holidays:
            return False
        return not (self.holiday_country and day in public_holidays(self.holiday_country, day.year))

    def open_intervals(self, start: dt.datetime) -> Iterator[Interval]:
        """Working intervals at or after ``start`` (naive UTC), in order; the first is clipped to ``start``."""
        if self.always_open:
            yield start, start + dt.timedelta(days=MAX_DAYS)
            return
        day = start.replace(tzinfo=dt.UTC).astimezone(zone(self.timezone)).date()
        for _ in range(MAX_DAYS):
            for opens, closes in _day_intervals(self, day):
                if closes > start:
                    yield max(opens, start), closes
            day += dt.timedelta(days=1)

    def business_seconds(self, start: dt.datetime, end: dt.datetime) -> float:
        """Business seconds in ``[start, end)``; 0 when ``end <= start``."""
        total = 0.0
        if end <= start:
            return total
        for opens, closes in self.open_intervals(start):
            if opens >= end:
                break
            total += (min(closes, end) - opens).total_seconds()
        return total

    def add(self, start: dt.datetime, seconds: float) -> dt.datetime | None:
        """The instant ``seconds`` of business time after ``start`` (None past ``MAX_DAYS``)."""
        left = seconds
        for opens, closes in self.open_intervals(start):
            length = (closes - opens).total_seconds()
            if length >= left:
                return opens + dt.timedelta(seconds=left)
            left -= length
        return None


@lru_cache(maxsize=65_536)
def _day_intervals(calendar: Calendar, day: dt.date) -> tuple[Interval, ...]:
    """One local day's working intervals in UTC: a queue's clocks share their days, so each is converted once."""
    if not calendar.is_working_day(day):
        return ()
    tz = zone(calendar.timezone)
    spans = ((_utc(day, start, tz), _utc(day, end, tz)) for start, end in sorted(calendar.week[day.weekday()]))
    return tuple((opens, closes) for opens, closes in spans if closes > opens)
