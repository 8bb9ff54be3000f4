"""The counting policies in force, from settings: what the revenue rules ask when they have a choice.

Each is a setting (``[revenue]`` in the settings file) with a published
default (ChartMogul's, see ``docs/metrics.md`` § Revenue), and the screen
shows the ones in force (``describe``), so two people comparing numbers know
whether they counted the same way.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from app.config.settings import CHURN_AT_PERIOD_END, CHURN_WHEN_SCHEDULED, Settings
from app.domain.revenue.fx import code, parse_fallback

#: Changes of one customer within this window of the first one are one movement (a fix-up after a mistake).
MERGE_WINDOW = dt.timedelta(hours=1)
#: How many months the screen charts, and the longest a cohort is followed.
CHART_MONTHS = 24
#: LTV divides by the mean customer churn of this many full months before the month reported.
LTV_TRAILING_MONTHS = 6


@dataclass(frozen=True)
class Policy:
    reporting_currency: str = "USD"
    churn_recognition: str = CHURN_AT_PERIOD_END
    past_due_churn_days: int = 0  # 0: a past-due subscription counts until it is canceled
    free_plans_are_customers: bool = False
    trial_conversion_days: int = 30
    fallback_rates: dict[str, float] = field(default_factory=dict, hash=False, compare=True)

    @classmethod
    def from_settings(cls, settings: Settings) -> Policy:
        r = settings.revenue
        return cls(code(r.reporting_currency), r.churn_recognition, r.past_due_churn_days,
                   r.free_plans_are_customers, r.trial_conversion_days, parse_fallback(r.fallback_rates))

    @property
    def churn_when_scheduled(self) -> bool:
        return self.churn_recognition == CHURN_WHEN_SCHEDULED

    @property
    def movement_key(self) -> tuple[object, ...]:
        """What per-customer movements depend on (rates and currency only convert them afterwards)."""
        return (self.churn_recognition, self.past_due_churn_days, self.free_plans_are_customers,
                self.trial_conversion_days)

    def describe(self) -> list[str]:
        """The policies in force, one phrase each, as the screen lists them."""
        rates = ", ".join(f"{c} {r:g}" for c, r in sorted(self.fallback_rates.items())) or "none"
        return [
            f"Reported in {self.reporting_currency} (fallback rates: {rates})",
            "Churn at the end of the paid period" if not self.churn_when_scheduled
            else "Churn when the cancellation is scheduled",
            f"Past due churns after {self.past_due_churn_days} days" if self.past_due_churn_days
            else "Past due counts until canceled",
            "Free plans count as customers" if self.free_plans_are_customers else "Free plans are not customers",
            f"Trial converts within {self.trial_conversion_days} days",
        ]
