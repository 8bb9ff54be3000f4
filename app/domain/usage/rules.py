"""The usage rules as pure functions over plain numbers (docs/metrics.md § "Product usage").

Kept apart from the SQL so each rule is tested on hand-worked numbers.  Every
ratio is None when its denominator is zero or unknown: "no data", never 0 %.
"""

from __future__ import annotations

from collections.abc import Iterable


def pct(part: float | None, whole: float | None) -> float | None:
    """``part`` as a percentage of ``whole``; None without a positive whole."""
    if part is None or whole is None or whole <= 0:
        return None
    return 100.0 * part / whole


def average_dau(active: Iterable[int]) -> float | None:
    """Average DAU: the mean of the daily active users of the period's days (Mixpanel's "average DAU")."""
    days = list(active)
    return sum(days) / len(days) if days else None


def stickiness(dau: float | None, mau: int | None) -> float | None:
    """DAU/MAU in percent: how many of the month's users come on an average day."""
    return pct(dau, mau)


def growth(now: int | None, before: int | None) -> float | None:
    """Month-over-month change in percent of a count (MAU now against MAU 30 days earlier)."""
    if now is None or before is None or before <= 0:
        return None
    return 100.0 * (now - before) / before


def weighted_session(days: Iterable[tuple[float | None, int]]) -> float | None:
    """Average session minutes over days ``(day's average, day's active users)``, weighted by users.

    A day without the figure is left out, so a server that stops sending it does
    not pull the average to zero.
    """
    known = [(minutes, users) for minutes, users in days if minutes is not None and users > 0]
    users = sum(u for _, u in known)
    return sum(m * u for m, u in known) / users if users else None


def nps(promoters: int, passives: int, detractors: int) -> float | None:
    """Net Promoter Score: % promoters (9–10) − % detractors (0–6), from −100 to 100 (Bain)."""
    answers = promoters + passives + detractors
    return 100.0 * (promoters - detractors) / answers if answers else None


def mean(values: Iterable[float | None]) -> float | None:
    """The mean of the known values (None when none is known)."""
    known = [v for v in values if v is not None]
    return sum(known) / len(known) if known else None
