"""Monthly budgets per service and for the whole business, and the levels a spend reaches against them.

Like AWS Budgets: a budget is a monthly amount with a warning and a critical
share (defaults 80 % and 95 %, from the seeds); spend is judged *actual*
(month to date) and *forecast* (month end) against it.  Budgets come from the
Ops API once it sends any (then that list is the truth: a service it leaves
out is one it does not budget), else from the settings.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import Connection, select

from app.config.settings import BudgetSettings
from app.store.schema import Budget

OK, WARNING, CRITICAL = "ok", "warning", "critical"
TOTAL = "total"  # the budget (and summary line) of the whole business
MICROS_PER_UNIT = 1_000_000
SYNCED, SETTINGS = "synced", "settings"  # where a budget came from

_B = Budget.__table__.c


@dataclass(frozen=True)
class BudgetLimit:
    """One service's monthly budget and the shares of it that warn and alarm."""

    service: str
    monthly_micros: int
    warn_ratio: float = 0.80
    critical_ratio: float = 0.95
    origin: str = SETTINGS

    def severity(self, threshold: float) -> str:
        """The severity of crossing ``threshold`` (a share): critical from the critical share, else warning."""
        return CRITICAL if threshold >= self.critical_ratio else WARNING


def level(amount_micros: int, budget: BudgetLimit | None) -> str:
    """``ok``, ``warning`` (≥ warn ratio) or ``critical`` (≥ critical ratio) for a spend.

    Compared in ``Decimal`` so the threshold itself counts: 640 of 800 is a
    warning.  No budget (or a zero one, meaning "not budgeted") is always ``ok``.
    """
    if budget is None or budget.monthly_micros <= 0:
        return OK
    if amount_micros >= budget.monthly_micros * Decimal(str(budget.critical_ratio)):
        return CRITICAL
    if amount_micros >= budget.monthly_micros * Decimal(str(budget.warn_ratio)):
        return WARNING
    return OK


def ratio(amount_micros: int, budget: BudgetLimit | None) -> float | None:
    """Spend as a share of the budget (1.0 = all of it), None without a budget."""
    if budget is None or budget.monthly_micros <= 0:
        return None
    return amount_micros / budget.monthly_micros


def crossed(amount_micros: int, budget: BudgetLimit, threshold: float) -> bool:
    """Whether a spend has reached ``threshold`` of the budget (exactly, in Decimal)."""
    return budget.monthly_micros > 0 and amount_micros >= budget.monthly_micros * Decimal(str(threshold))


def _micros(dollars: float) -> int:
    return int(Decimal(str(dollars)) * MICROS_PER_UNIT)


def budgets_from_settings(settings: BudgetSettings) -> dict[str, BudgetLimit]:
    """The budgets of the settings file, for when the Ops API has not sent any."""
    budgets = {
        b.service: BudgetLimit(b.service, _micros(b.monthly), settings.warn_ratio, settings.critical_ratio)
        for b in settings.services
    }
    budgets[TOTAL] = BudgetLimit(TOTAL, _micros(settings.total), settings.warn_ratio, settings.critical_ratio)
    return budgets


def load_budgets(conn: Connection, fallback: BudgetSettings) -> dict[str, BudgetLimit]:
    """Budgets synced from the Ops API when there are any, else those of the settings (all or nothing)."""
    rows = conn.execute(select(_B.service, _B.monthly_cents, _B.warn_ratio, _B.critical_ratio)).all()
    if not rows:
        return budgets_from_settings(fallback)
    return {
        r.service: BudgetLimit(r.service, r.monthly_cents * 10_000, r.warn_ratio, r.critical_ratio, SYNCED)
        for r in rows
    }
