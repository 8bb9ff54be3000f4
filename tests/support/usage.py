"""Product usage worked out by hand: three November days, the day 30 days before, and three features.

At ``dataset.NOW`` (2026-11-18), November's rows are the 15th, 16th and 17th:

* average DAU (900 + 1,100 + 1,300) / 3 = 1,100; MAU on the 17th 10,000, on 18 October 8,000 → growth 25 %
* stickiness 1,100 / 10,000 = 11 %
* 30-day retention (70 + 40) / (100 + 50) = 73.33 % (the 17th has no cohort figure)
* average session (12 × 900 + 8 × 1,300) / (900 + 1,300) = 9.636… min (the 16th has none)
* NPS: promoters 8, passives 4, detractors 3 → (8 − 3) / 15 = 33.33
* free to paid: 200 sign-ups, 40 trials (20 %), 20 paid (10 %)
* adoption: audit log 150 / 200 = 75 %, SSO 30 / 100 = 30 %, new reports unknown → mean 52.5 %
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Engine, insert

from app.store.schema import FeatureFlag, UsageDaily

EXPECTED = {
    "dau": 1100.0, "mau": 10_000, "mau_growth_pct": 25.0, "stickiness_pct": 11.0, "retention_30d_pct": 110 / 150 * 100,
    "avg_session_minutes": (12 * 900 + 8 * 1300) / 2200, "nps": 100 * 5 / 15, "free_to_paid_pct": 10.0,
    "feature_adoption_pct": 52.5,
}


def _day(day: dt.date, active: int, mau: int, **extra: Any) -> dict[str, Any]:
    return {"day": day, "active_users": active, "monthly_active_users": mau, "signups": 0, "trial_starts": 0,
            "conversions": 0, "processing_volume": active * 10, "processing_success_rate": 0.99, **extra}


ROWS = (
    _day(dt.date(2026, 10, 18), 500, 8_000, signups=999, conversions=999),  # outside the month
    _day(dt.date(2026, 11, 15), 900, 9_500, avg_session_minutes=12.0, retention_cohort_users=100,
         retention_cohort_retained=70, nps_promoters=5, nps_passives=3, nps_detractors=2, signups=40,
         trial_starts=10, conversions=4),
    _day(dt.date(2026, 11, 16), 1_100, 9_800, retention_cohort_users=50, retention_cohort_retained=40,
         nps_promoters=0, nps_passives=0, nps_detractors=0, signups=60, trial_starts=12, conversions=6),
    _day(dt.date(2026, 11, 17), 1_300, 10_000, avg_session_minutes=8.0, nps_promoters=3, nps_passives=1,
         nps_detractors=1, signups=100, trial_starts=18, conversions=10),
)
FLAGS = (
    {"id": "audit_log", "name": "Audit log", "plans_json": ["enterprise"], "rollout_phase": "plans",
     "users_with_access": 200, "active_users_30d": 150},
    {"id": "sso", "name": "Single sign-on", "plans_json": ["professional"], "rollout_phase": "premium_25",
     "users_with_access": 100, "active_users_30d": 30},
    {"id": "new_reports", "name": "New reports", "plans_json": [], "rollout_phase": "premium_5"},
)


def fill(engine: Engine) -> None:
    """Insert the usage days and the features."""
    with engine.begin() as conn:
        conn.execute(insert(UsageDaily), [dict(r) for r in ROWS[:1]])
        for row in ROWS[1:]:
            conn.execute(insert(UsageDaily).values(**row))
        for flag in FLAGS:
            conn.execute(insert(FeatureFlag).values(**flag))
