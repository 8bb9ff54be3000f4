"""Calendar months as the cost rules count them: a month is its first day."""

from __future__ import annotations

import calendar
import datetime as dt


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def month_end(day: dt.date) -> dt.date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def add_months(month: dt.date, count: int) -> dt.date:
    """The first day of the month ``count`` months after ``month`` (negative goes back)."""
    index = month.year * 12 + month.month - 1 + count
    return dt.date(index // 12, index % 12 + 1, 1)


def days_in_month(day: dt.date) -> int:
    return calendar.monthrange(day.year, day.month)[1]


def days(first: dt.date, last: dt.date) -> list[dt.date]:
    """Every day from ``first`` to ``last``, both included."""
    return [first + dt.timedelta(days=n) for n in range((last - first).days + 1)]


def months(first: dt.date, last: dt.date) -> list[dt.date]:
    """The first days of the months from ``first``'s to ``last``'s, oldest first."""
    count = (last.year - first.year) * 12 + last.month - first.month + 1
    return [add_months(month_start(first), n) for n in range(max(count, 0))]
