"""The revenue screen's KPI tiles: each figure with its formula (in numbers) in the tooltip, its band and trend.

Every value comes from ``app.domain.revenue.figures.RevenueFigures`` -- the
figure set the CLI prints -- formatted here and nowhere else; the two bands
the targets define (monthly churn below its target, LTV above its) colour
their tiles green or red.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from app.domain.revenue.figures import RevenueFigures
from app.domain.revenue.monthly import MonthFigures, add_months
from ui import formatting as fmt
from ui.widgets.kpi_strip import Kpi
from ui.widgets.palette import AMBER, GREEN, RED

MRR, ARR, GROWTH, CHURN, NET_CHURN, NRR, ARPA, LTV, TRIALS, AT_RISK = (
    "MRR", "ARR", "Growth", "Customer churn", "Net MRR churn", "NRR", "ARPA", "LTV", "Trial → paid", "At risk",
)
LABELS = (MRR, ARR, GROWTH, CHURN, NET_CHURN, NRR, ARPA, LTV, TRIALS, AT_RISK)
#: The movements behind each tile (what a click on it lists); "trial" lists the month's trials.
DRILLS: dict[str, tuple[str, ...]] = {
    MRR: ("new", "expansion", "reactivation", "contraction", "churn"),
    ARR: ("new", "expansion", "reactivation", "contraction", "churn"),
    GROWTH: ("new", "expansion", "reactivation", "contraction", "churn"),
    CHURN: ("churn",),
    NET_CHURN: ("churn", "contraction", "expansion", "reactivation"),
    NRR: ("expansion", "contraction", "churn", "reactivation"),
    ARPA: ("new", "churn"),
    LTV: ("churn",),
    TRIALS: ("trial",),
}


def tiles(f: RevenueFigures) -> list[Kpi]:
    m, cur = f.current, f.currency
    when = "now" if is_current(m) else f"the end of {fmt.month_name(m.month)}"
    name = fmt.month_name(m.month)

    def money(value: float | None) -> str:
        return fmt.money(value, cur)

    def headline(value: float | None) -> str:
        return fmt.money_headline(value, cur)

    def trend(pick: Callable[[MonthFigures], float | None]) -> list[float | None]:
        return [pick(x) for x in f.months]

    not_converted = "; ".join(f"{u.currency} {fmt.money(u.mrr, u.currency)} from {u.customers:,} customers"
                              for u in f.not_converted)
    churn_max, ltv_min = f.targets.monthly_churn_max_pct, f.targets.ltv_min * 100
    churn_color = None if m.customer_churn_pct is None else RED if m.customer_churn_pct > churn_max else GREEN
    ltv_color = None if m.ltv is None else GREEN if m.ltv >= ltv_min else RED
    growth_color = None if m.mom_growth_pct is None else GREEN if m.mom_growth_pct >= 0 else RED
    at_risk_mrr = sum(a.mrr or 0.0 for a in f.at_risk)
    return [
        Kpi(MRR, headline(m.mrr),
            f"Monthly recurring revenue at {when}: {money(m.mrr)}. Active and past-due subscriptions, quantity × price "
            "a month, after coupons; other currencies at the day's rate."
            + (f"\nNot converted (no rate): {not_converted}." if not_converted else ""),
            trend=trend(lambda x: x.mrr), note=f"{m.customers:,} customers"),
        Kpi(ARR, headline(m.arr), f"Annual run rate: MRR × 12 = {money(m.mrr)} × 12 = {money(m.arr)}.",
            trend=trend(lambda x: x.arr)),
        Kpi(GROWTH, _signed_pct(m.mom_growth_pct),
            f"MRR growth month on month: (MRR at {when} − MRR at the end of the month before) ÷ the latter"
            f" = ({money(m.mrr)} − {money(m.mrr_start)}) ÷ {money(m.mrr_start)}.\n"
            f"Year on year: {_signed_pct(m.yoy_growth_pct)}. Net new MRR: {money(m.net_new_mrr)}"
            f" (FX impact {money(m.fx_impact)}).",
            growth_color, note=f"YoY {_signed_pct(m.yoy_growth_pct)}", trend=trend(lambda x: x.mom_growth_pct)),
        Kpi(CHURN, fmt.percent(m.customer_churn_pct),
            f"Customers who churned in {name} ({m.churned_customers:,}) ÷ customers at its start "
            f"({m.customers_start:,}). A customer churns when their last paying subscription ends; joining and "
            f"churning within the month, churning and coming back, and trials never paid are not churn.\n"
            f"Target: below {churn_max:g} % a month.",
            churn_color, note=f"target < {churn_max:g} %", trend=trend(lambda x: x.customer_churn_pct),
            target=churn_max),
        Kpi(NET_CHURN, fmt.percent(m.net_mrr_churn_pct),
            f"(Churn {money(m.churn_mrr)} + contraction {money(m.contraction_mrr)} − expansion "
            f"{money(m.expansion_mrr)} − reactivation {money(m.reactivation_mrr)}) ÷ MRR at the month's start "
            f"{money(m.mrr_start)}. Negative: existing customers grow. Gross MRR churn (no offsets): "
            f"{fmt.percent(m.gross_mrr_churn_pct)}.",
            note=f"gross {fmt.percent(m.gross_mrr_churn_pct)}", trend=trend(lambda x: x.net_mrr_churn_pct)),
        Kpi(NRR, fmt.percent(m.nrr_pct),
            f"Net revenue retention of {name}: the MRR at {when} of the customers active at the month's start ÷ "
            "their MRR at its start; new customers excluded, one exchange rate for both ends. GRR caps each "
            f"customer at their starting MRR: {fmt.percent(m.grr_pct)}.",
            note=f"GRR {fmt.percent(m.grr_pct)}", trend=trend(lambda x: x.nrr_pct)),
        Kpi(ARPA, headline(m.arpa),
            f"Average revenue per account: MRR ÷ customers = {money(m.mrr)} ÷ {m.customers:,} = {money(m.arpa)}"
            " (customers in a currency with no rate left out of both).", trend=trend(lambda x: x.arpa)),
        Kpi(LTV, headline(m.ltv),
            f"Customer lifetime value: ARPA ÷ the mean customer churn rate of the six full months before "
            f"{name} = {money(m.arpa)} ÷ that mean = {money(m.ltv)}. \"—\" when that churn is 0 (no lifetime can "
            "be estimated).\n"
            f"Target: above {fmt.money(ltv_min, cur)}.",
            ltv_color, note=f"target > {fmt.money(ltv_min, cur)}", trend=trend(lambda x: x.ltv), target=ltv_min),
        Kpi(TRIALS, fmt.percent(m.trial_conversion_pct),
            f"Trials started in {name} ({m.trials_started:,}) that became paying within the policy's window "
            f"({m.trials_converted:,}), of those decided: {m.trials_open:,} are still inside their window.",
            note=trial_note(m), trend=trend(lambda x: x.trial_conversion_pct)),
        Kpi(AT_RISK, f"{len(f.at_risk):,}",
            "Paying customers with a risk signal: past due or a failed payment, a downgrade lately, a "
            "cancellation scheduled, several urgent tickets or a ticket spike. Click to see them and why.",
            AMBER if f.at_risk else None, note=f"{headline(at_risk_mrr)} MRR"),
    ]


def is_current(m: MonthFigures) -> bool:
    """Whether the month is still running (its figures are as of now, not of its end)."""
    return m.as_of < dt.datetime.combine(add_months(m.month, 1), dt.time())


def _signed_pct(value: float | None) -> str:
    return fmt.MISSING if value is None else f"{value:+.1f} %"


def trial_note(m: MonthFigures) -> str:
    """The counts under the trial conversion: converted of the trials decided, and how many are still open.

    The rate counts decided trials only, so "0 of 1" under a "—" (one trial,
    still inside its window) read as a conversion of none.
    """
    decided = m.trials_started - m.trials_open
    counts = f"{m.trials_converted:,} of {decided:,}"
    return f"{counts} · {m.trials_open:,} open" if m.trials_open else f"{counts} decided"
