"""Timelines written the way the tests reason about them: minutes after a fixed start."""

from __future__ import annotations

import datetime as dt

from app.domain.availability.timeline import Check, Span

T0 = dt.datetime(2026, 3, 1, 0, 0)


def at(minutes: float) -> dt.datetime:
    return T0 + dt.timedelta(minutes=minutes)


def checks(*pairs: tuple[float, bool]) -> list[Check]:
    """``checks((0, True), (5, False))``: a check at minute 0 that passed, one at minute 5 that failed."""
    return [Check(at(m), ok) for m, ok in pairs]


def span(start_min: float, end_min: float) -> Span:
    return Span(at(start_min), at(end_min))
