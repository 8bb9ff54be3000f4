"""Daily cloud costs against the handbook's budgets, and the product's daily usage.

Costs grow month over month along a path chosen per service so that recent
months approach or cross the warning (80 %) and critical (95 %) lines, which
is what the Costs pane exists to show.  A day's costs appear the next morning
(02:00 UTC), like a billing export; usage is derived from the billing
simulation (signups, trials, conversions) so the dashboards agree.

The feed is FOCUS-shaped (docs/ops-api.json, ``CostRecord``): each day has a
Usage charge per service -- thirteen of them, so the pane has to group the
small ones -- plus a Credit charge for Firebase (Google's free tier, so its
effective cost is net of credits), a list price above the billed one where
a commitment discount applies, and one runaway day (an anomaly) four days
before the newest figures.
"""

from __future__ import annotations

import calendar
import datetime as dt
import math
import random
from collections import Counter
from typing import Any

Row = dict[str, Any]
COST_LAG = dt.timedelta(hours=26)  # day D's costs are published at D+1 02:00
HISTORY_DAYS = 396  # 13 months
ANOMALY_SERVICE, ANOMALY_FACTOR, ANOMALY_DAYS_BEFORE = "anthropic", 3.2, 4
FIREBASE_CREDIT = 0.04  # the free tier: 4 % of Firebase usage comes back as a credit

# service -> (monthly budget in cents, share of budget spent 13 months ago, share spent now)
BUDGETS = {
    "firebase": (80_000, 0.55, 0.93),
    "anthropic": (50_000, 0.35, 1.08),
    "stripe": (40_000, 0.50, 0.82),
    "storage": (15_000, 0.60, 0.78),
    "cdn": (20_000, 0.45, 0.97),
}
TOTAL_BUDGET_CENTS = 260_000
# services without a budget of their own: (typical monthly cents now, growth over 13 months)
UNBUDGETED = {
    "compute": (16_000, 1.6), "database": (9_000, 1.3), "sentry": (2_600, 1.1), "datadog": (5_200, 1.4),
    "github": (2_100, 1.0), "postmark": (900, 1.5), "twilio": (1_500, 2.0), "algolia": (1_100, 1.2),
}
# service -> (FOCUS ProviderName, ServiceCategory, list price over billed: a commitment discount)
SERVICES = {
    "firebase": ("Google Cloud", "Web", 1.0), "anthropic": ("Anthropic", "AI and Machine Learning", 1.0),
    "stripe": ("Stripe", "Business Applications", 1.0), "storage": ("AWS", "Storage", 1.25),
    "cdn": ("AWS", "Networking", 1.0), "compute": ("AWS", "Compute", 1.35),
    "database": ("Google Cloud", "Databases", 1.2), "sentry": ("Sentry", "Developer Tools", 1.0),
    "datadog": ("Datadog", "Management and Governance", 1.0), "github": ("GitHub", "Developer Tools", 1.0),
    "postmark": ("Postmark", "Integration", 1.0), "twilio": ("Twilio", "Integration", 1.0),
    "algolia": ("Algolia", "Analytics", 1.0),
}


def budget_rows(now: dt.datetime) -> list[Row]:
    since = now - dt.timedelta(days=HISTORY_DAYS + 30)
    rows = [{"id": service, "service": service, "monthly_cents": cents, "currency": "USD", "warn_ratio": 0.80,
             "critical_ratio": 0.95, "updated_at": since} for service, (cents, _, _) in BUDGETS.items()]
    rows.append({"id": "total", "service": "total", "monthly_cents": TOTAL_BUDGET_CENTS, "currency": "USD",
                 "warn_ratio": 0.80, "critical_ratio": 0.95, "updated_at": since})
    return rows


def _charge(day: dt.date, service: str, category: str, billed: int, listed: int, published: dt.datetime) -> Row:
    provider, service_category, _ = SERVICES[service]
    return {
        "id": f"{day.isoformat()}:{service}:{category}", "charge_period_start": day, "service_name": service,
        "service_category": service_category, "provider_name": provider, "charge_category": category,
        "billed_cost_micros": billed, "effective_cost_micros": billed, "list_cost_micros": listed,
        "billing_currency": "USD", "source": "opsapi", "updated_at": published,
    }


class Finance:
    """Costs and usage as functions of the day, so the series extends as the clock moves."""

    def __init__(self, seed: int, now: dt.datetime, daily: Counter[tuple[str, dt.date]]) -> None:
        self._seed = seed
        self._first_day = now.date() - dt.timedelta(days=HISTORY_DAYS)
        self._anomaly_day = (now - COST_LAG).date() - dt.timedelta(days=ANOMALY_DAYS_BEFORE)
        self._daily = daily

    def _rng(self, kind: str, day: dt.date) -> random.Random:
        return random.Random(f"{kind}:{self._seed}:{day.toordinal()}")

    def published_days(self, after: dt.datetime | None, until: dt.datetime) -> list[dt.date]:
        """Days whose figures were published after ``after`` and by ``until``."""
        last = (until - COST_LAG).date()
        first = self._first_day if after is None else max(self._first_day, (after - COST_LAG).date() + dt.timedelta(1))
        return [first + dt.timedelta(days=n) for n in range((last - first).days + 1)]

    def _monthly_cents(self, service: str, progress: float) -> float:
        if service in BUDGETS:
            budget, then, now = BUDGETS[service]
            return float(budget * (then + (now - then) * progress ** 1.4))
        cents, growth = UNBUDGETED[service]
        return float(cents * growth ** (progress - 1))

    def costs(self, day: dt.date) -> list[Row]:
        rng = self._rng("costs", day)
        progress = (day - self._first_day).days / HISTORY_DAYS
        weekday = 0.8 if day.weekday() >= 5 else 1.07
        days_in_month = calendar.monthrange(day.year, day.month)[1]
        published = dt.datetime.combine(day, dt.time()) + COST_LAG
        rows = []
        for service, (_, _, list_factor) in SERVICES.items():
            cents = self._monthly_cents(service, progress) / days_in_month * weekday * rng.uniform(0.85, 1.15)
            if service == ANOMALY_SERVICE and day == self._anomaly_day:
                cents *= ANOMALY_FACTOR  # a batch job left running overnight
            micros = round(cents * 10_000)
            rows.append(_charge(day, service, "Usage", micros, round(micros * list_factor), published))
            if service == "firebase":
                rows.append(_charge(day, service, "Credit", -round(micros * FIREBASE_CREDIT), 0, published))
        return rows

    def _level(self, day: dt.date) -> float:
        """The product's weekday active users around ``day``: grows over the history."""
        return 800 + 5_200 * (day - self._first_day).days / HISTORY_DAYS

    def _signups(self, day: dt.date, rng: random.Random) -> tuple[int, int]:
        """The day's active users and sign-ups (the first two draws of its generator, in this order)."""
        weekend = day.weekday() >= 5
        active = int(self._level(day) * (0.45 if weekend else 1.0) * rng.uniform(0.93, 1.07))
        signups = self._daily["signups", day]
        return active, signups + int(signups * rng.uniform(1.5, 3.0))  # most sign-ups never subscribe

    def usage(self, day: dt.date) -> Row:
        rng = self._rng("usage", day)
        progress = (day - self._first_day).days / HISTORY_DAYS
        active, signups = self._signups(day, rng)
        row: Row = {
            "id": day.isoformat(), "day": day, "active_users": active, "signups": signups,
            "trial_starts": self._daily["trial_starts", day], "conversions": self._daily["conversions", day],
            "processing_volume": active * rng.randint(30, 55),
            "processing_success_rate": round(1 - rng.betavariate(1.2, 200) * (1 + math.sin(progress * 40) ** 8 * 4), 5),
            "updated_at": dt.datetime.combine(day, dt.time()) + COST_LAG,
        }
        return row | self._engagement(day, active)

    def _engagement(self, day: dt.date, active: int) -> Row:
        """What only the server can count: MAU, sessions, the 30-day cohort, the day's NPS answers."""
        rng = self._rng("engagement", day)
        cohort_day = day - dt.timedelta(days=30)
        cohort = None if cohort_day < self._first_day else self._signups(cohort_day, self._rng("usage", cohort_day))[1]
        answers = rng.randint(4, 30) if day.weekday() < 5 else rng.randint(0, 6)
        promoters = round(answers * rng.uniform(0.40, 0.60))
        detractors = round((answers - promoters) * rng.uniform(0.25, 0.55))
        return {
            "monthly_active_users": int(self._level(day) * rng.uniform(3.35, 3.45)),
            "avg_session_minutes": round(rng.uniform(6.0, 9.0) if day.weekday() >= 5 else rng.uniform(9.0, 14.0), 1)
            if active else None,
            "retention_cohort_users": cohort,
            "retention_cohort_retained": None if cohort is None else round(cohort * rng.uniform(0.58, 0.78)),
            "nps_promoters": promoters, "nps_passives": answers - promoters - detractors,
            "nps_detractors": detractors,
        }
