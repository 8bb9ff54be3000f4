"""Month-end forecast per service, with an 80 % interval, and the day a budget runs out.

Rule (docs/metrics.md § Costs, "Forecast"): each service is projected from
*its own* last day with figures (``as_of``), so a source that publishes a
few days late is not under-forecast by the days it has not sent yet:

* run rate = the service's average daily cost over the ``RUN_RATE_DAYS`` days
  ending on its ``as_of`` (days without a figure count as 0, days before its
  first figure are not counted);
* forecast = month to date + run rate × the days of the month after ``as_of``;
* 80 % interval = forecast ± 1.2816 × σ × √(days left), σ the sample standard
  deviation of the service's daily cost over the ``SPREAD_DAYS`` days ending on
  its ``as_of`` (days independent); the low end is never below month to date;
* the total is the sum of the services' forecasts (so the table adds up) and
  its interval √(Σ σ² × days left) across services (services independent).

The path ``value(d)`` = Σ services (actual to date up to min(d, as_of) +
run rate × days after as_of) is what the cumulative chart draws and what the
burn-down reads: the first day it reaches the budget.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from fractions import Fraction

from app.domain.costs.months import days, month_end, month_start
from app.domain.costs.store import ServiceDays

RUN_RATE_DAYS = 7
SPREAD_DAYS = 28
Z80 = 1.2816  # two-sided 80 % of a normal distribution
LOOKBACK = max(RUN_RATE_DAYS, SPREAD_DAYS)  # days before the month the forecast reads


@dataclass(frozen=True)
class ServiceForecast:
    """One service's month: spend so far, its own last day, the projection and its range."""

    service: str
    mtd_micros: int
    as_of: dt.date | None  # the service's last day with figures (None: none in the month or just before)
    remaining_days: int  # days of the month after ``as_of``
    run_rate_micros: int  # average daily cost used for the days left
    daily_sd_micros: int  # σ of its daily cost
    forecast_micros: int
    low_micros: int
    high_micros: int
    actual: tuple[int, ...]  # daily spend from the 1st to ``as_of`` (for the cumulative path)


def _window(values: dict[dt.date, int], last: dt.date, length: int) -> list[int]:
    """Daily values of the ``length`` days ending on ``last``, 0 where missing, from the first figure on."""
    first_seen = min(values)
    first = max(last - dt.timedelta(days=length - 1), first_seen)
    return [values.get(day, 0) for day in days(first, last)]


def _sd(values: Sequence[int]) -> float:
    if len(values) < 2:
        return 0.0
    mean = sum(values) / len(values)
    return math.sqrt(sum((v - mean) ** 2 for v in values) / (len(values) - 1))


def service_forecast(service: str, values: dict[dt.date, int], month: dt.date) -> ServiceForecast:
    """The forecast of one service for ``month`` from its daily values (the month and ``LOOKBACK`` days before)."""
    first, last = month_start(month), month_end(month)
    seen = [day for day in values if day <= last]
    mtd_days = [day for day in seen if day >= first]
    if not seen:
        return ServiceForecast(service, 0, None, 0, 0, 0, 0, 0, 0, ())
    as_of = max(seen)
    remaining = (last - max(as_of, first - dt.timedelta(days=1))).days
    mtd = sum(values[day] for day in mtd_days)
    rate_window = _window(values, as_of, RUN_RATE_DAYS)
    rate = round(Fraction(sum(rate_window), len(rate_window)))
    sd = round(_sd(_window(values, as_of, SPREAD_DAYS)))  # published rounded: the range is computed from it
    forecast = mtd + rate * remaining
    half = round(Z80 * sd * math.sqrt(remaining))
    actual = tuple(values.get(day, 0) for day in days(first, as_of)) if as_of >= first else ()
    return ServiceForecast(service, mtd, as_of, remaining, rate, sd, forecast, max(mtd, forecast - half),
                           forecast + half, actual)


def forecasts(by_service: ServiceDays, month: dt.date) -> dict[str, ServiceForecast]:
    return {service: service_forecast(service, values, month) for service, values in sorted(by_service.items())}


@dataclass(frozen=True)
class Combined:
    """Several services' forecasts added up (the total line), with the interval of their sum."""

    mtd_micros: int
    forecast_micros: int
    low_micros: int
    high_micros: int


def combine(parts: Iterable[ServiceForecast]) -> Combined:
    parts = list(parts)
    mtd = sum(p.mtd_micros for p in parts)
    forecast = sum(p.forecast_micros for p in parts)
    half = round(Z80 * math.sqrt(sum(p.daily_sd_micros ** 2 * p.remaining_days for p in parts)))
    return Combined(mtd, forecast, max(mtd, forecast - half), forecast + half)


@dataclass(frozen=True)
class CumulativePath:
    """Cumulative spend of a month: actual up to the data, then the forecast with its 80 % band."""

    days: tuple[dt.date, ...]  # every day of the month
    actual: tuple[int | None, ...]  # None after the last day with figures
    forecast: tuple[int | None, ...]  # None before the first service's ``as_of``
    low: tuple[int | None, ...]
    high: tuple[int | None, ...]


def _recorded(parts: Sequence[ServiceForecast], day: dt.date, month: dt.date) -> int:
    """What the figures say was spent from the 1st to ``day`` (lagging services only up to their ``as_of``)."""
    through = (day - month).days + 1
    return sum(sum(p.actual[:through]) for p in parts)


def _projected(parts: Sequence[ServiceForecast], day: dt.date, month: dt.date) -> tuple[int, float]:
    """The path's value on ``day`` (recorded + each service's run rate after its ``as_of``) and its variance."""
    value, variance = _recorded(parts, day, month), 0.0
    for p in parts:
        if p.as_of is None:
            continue
        ahead = max(0, (day - max(p.as_of, month - dt.timedelta(days=1))).days)
        value += p.run_rate_micros * ahead
        variance += p.daily_sd_micros ** 2 * ahead
    return value, variance


def path(parts: Sequence[ServiceForecast], month: dt.date) -> CumulativePath:
    """The month's cumulative path: recorded spend to the newest figure, the forecast from the oldest ``as_of``."""
    month = month_start(month)
    span = tuple(days(month, month_end(month)))
    known = [p.as_of for p in parts if p.as_of is not None]
    nothing: tuple[int | None, ...] = (None,) * len(span)
    if not known:
        return CumulativePath(span, nothing, nothing, nothing, nothing)
    first_ahead, last_known = max(min(known), month - dt.timedelta(days=1)), max(known)
    actual: list[int | None] = []
    forecast: list[int | None] = []
    low: list[int | None] = []
    high: list[int | None] = []
    for day in span:
        actual.append(_recorded(parts, day, month) if day <= last_known else None)
        if day < first_ahead:
            forecast.append(None)
            low.append(None)
            high.append(None)
            continue
        value, variance = _projected(parts, day, month)
        half = round(Z80 * math.sqrt(variance))
        forecast.append(value)
        low.append(max(value - half, _recorded(parts, day, month)))
        high.append(value + half)
    return CumulativePath(span, tuple(actual), tuple(forecast), tuple(low), tuple(high))


@dataclass(frozen=True)
class BurnDown:
    """When a budget runs out at this pace: ``day`` (None: not within the month); ``reached``: it already has."""

    day: dt.date | None
    reached: bool


def burn_down(parts: Sequence[ServiceForecast], month: dt.date, budget_micros: int | None) -> BurnDown:
    """The first day of ``month`` on which the projected path reaches ``budget_micros``."""
    if not budget_micros or budget_micros <= 0:
        return BurnDown(None, False)
    month = month_start(month)
    for day in days(month, month_end(month)):
        value, _ = _projected(parts, day, month)
        if value >= budget_micros:
            return BurnDown(day, _recorded(parts, day, month) >= budget_micros)
    return BurnDown(None, False)
