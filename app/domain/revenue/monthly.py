"""The month's figures from every account's movements: MRR, its movements, churn, retention, ARPA, LTV, growth.

Each figure's rule is in ``docs/metrics.md`` § Revenue (ChartMogul's
definitions, B2B formula); in short, for a calendar month (UTC):

* MRR at the month's end (now, for the current month), each account's own
  currency converted at that day's rate; movements converted at the rate of
  the day they happened; what rates moved in between is the FX impact
  (ChartMogul's "exchange rate impact": no movement is made of it);
* customer churn rate = accounts active at the start and not at the end ÷
  accounts active at the start (so joining and leaving within the month, or
  leaving and coming back, is not churn; trials never paid are never active);
* gross MRR churn = (churn + contraction) ÷ MRR at the start; net MRR churn =
  (churn + contraction − expansion − reactivation) ÷ MRR at the start;
* NRR and GRR of the opening cohort: the MRR at the month's end of the accounts
  active at its start ÷ their MRR at its start (GRR caps each account at its
  starting MRR); new accounts do not count; one rate for both ends;
* quick ratio = (new + expansion + reactivation) ÷ (churn + contraction);
* ARPA = MRR ÷ active accounts at the end; LTV = ARPA ÷ the mean customer
  churn rate of the six full months before (— when that mean is zero);
* trial→paid: trials started in the month, paid within N days, of those decided.

A currency with no rate is left out of every amount and listed apart with its
own MRR; counts of customers include it.  Ratios with a zero denominator are
None ("—").
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from app.domain.revenue.fx import Rates, code
from app.domain.revenue.movements import (
    CHURN,
    CONTRACTION,
    DAY,
    EXPANSION,
    NEW,
    REACTIVATION,
    Account,
    each_move,
    each_trial,
    to_ts,
)
from app.domain.revenue.policy import LTV_TRAILING_MONTHS

_EPOCH_ORDINAL = dt.date(1970, 1, 1).toordinal()


@dataclass(frozen=True)
class Unconverted:
    """MRR in a currency with no rate to the reporting currency: shown apart, never summed."""

    currency: str
    mrr: float  # minor units of ``currency``
    customers: int


@dataclass(frozen=True)
class MonthFigures:
    """One calendar month; amounts in minor units of the reporting currency, ratios in percent."""

    month: dt.date
    as_of: dt.datetime
    mrr: float
    arr: float
    mrr_start: float
    new_mrr: float
    expansion_mrr: float
    contraction_mrr: float
    churn_mrr: float
    reactivation_mrr: float
    net_new_mrr: float
    fx_impact: float
    customers_start: int
    customers: int
    new_customers: int
    reactivated_customers: int
    churned_customers: int
    customer_churn_pct: float | None
    gross_mrr_churn_pct: float | None
    net_mrr_churn_pct: float | None
    nrr_pct: float | None
    grr_pct: float | None
    quick_ratio: float | None
    arpa: float | None
    ltv: float | None
    mom_growth_pct: float | None
    yoy_growth_pct: float | None
    trials_started: int
    trials_converted: int
    trials_open: int
    trial_conversion_pct: float | None
    not_converted: list[Unconverted] = field(default_factory=list)


def add_months(month: dt.date, n: int) -> dt.date:
    index = month.year * 12 + month.month - 1 + n
    return dt.date(index // 12, index % 12 + 1, 1)


def month_of(moment: dt.datetime) -> dt.date:
    return dt.date(moment.year, moment.month, 1)


def months_up_to(last: dt.date, count: int) -> list[dt.date]:
    return [add_months(last, i - count + 1) for i in range(count)]


def _pct(part: float, whole: float) -> float | None:
    return 100.0 * part / whole if whole else None


def _ordinal(ts: int) -> int:
    return ts // DAY + _EPOCH_ORDINAL


class _Ledger:
    """Per-month sums over every account's movements (native amounts per currency, counts per currency)."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.mrr_delta: dict[str, list[float]] = defaultdict(lambda: [0.0] * (size + 1))  # index 0: before
        self.active_delta: dict[str, list[int]] = defaultdict(lambda: [0] * (size + 1))
        self.moved = [[0.0] * 5 for _ in range(size)]  # converted, per kind
        self.nrr_adj: dict[str, list[float]] = defaultdict(lambda: [0.0] * size)
        self.grr_adj: dict[str, list[float]] = defaultdict(lambda: [0.0] * size)
        self.churned = [0] * size
        self.new = [0] * size
        self.reactivated = [0] * size
        self.trials = [[0, 0, 0] for _ in range(size)]  # started, converted, still open


def aggregate(accounts: Sequence[Account], rates: Rates, months: Sequence[dt.date], as_of: dt.datetime,
              trial_days: int, outcomes_until: dt.datetime | None = None) -> list[MonthFigures]:
    """Figures for each of ``months`` (consecutive, oldest first), as of ``as_of``.

    A month's trials are judged with what is known by ``outcomes_until`` (now:
    a trial's outcome comes after its month), by default ``as_of``.
    """
    size = len(months)
    starts = [to_ts(dt.datetime.combine(m, dt.time())) for m in months]
    now_ts = to_ts(as_of)
    ends = [min(to_ts(dt.datetime.combine(add_months(m, 1), dt.time())), now_ts) for m in months]
    ledger = _Ledger(size)
    known = to_ts(max(outcomes_until or as_of, as_of))
    codes: dict[str | None, str] = {}
    for _customer, native, moves, trials, _first_paid, _first_mrr, _valid_until in accounts:
        currency = codes.get(native)
        if currency is None:
            currency = codes[native] = code(native)
        _post(moves, currency, ledger, starts, ends[-1], rates)
        if trials:
            _post_trials(trials, ledger, starts, ends[-1], known, trial_days)
    return _figures(ledger, rates, months, starts, ends)


def _post(moves: bytes, currency: str, ledger: _Ledger, starts: list[int], last_end: int,
          rates: Rates) -> None:
    """One account's movements into the ledger (the hot loop of the month figures: locals, no properties)."""
    mrr_delta, active_delta = ledger.mrr_delta[currency], ledger.active_delta[currency]
    moved, factor_of, find = ledger.moved, rates.factor, bisect.bisect_right
    same = currency == rates.reporting  # most accounts: a factor of 1 on every day, no lookup
    active = month_start_active = False
    month = -2
    month_start_mrr = previous_after = 0.0
    for at, kind, before, after in each_move(moves):
        if at >= last_end:
            break
        index = find(starts, at) - 1  # -1: before the first month
        if index != month:
            if month >= 0:
                _close_month(ledger, currency, month, month_start_active, active, month_start_mrr, previous_after)
            month, month_start_mrr, month_start_active = index, before, active
        previous_after = after
        mrr_delta[index + 1] += after - before
        if kind in (NEW, REACTIVATION):
            active_delta[index + 1] += 1
            active = True
            amount = after
        elif kind == CHURN:
            active_delta[index + 1] -= 1
            active = False
            amount = before
        else:
            amount = abs(after - before)
        if index < 0:
            continue
        if kind == NEW:
            ledger.new[index] += 1
        elif kind == REACTIVATION:
            ledger.reactivated[index] += 1
        factor = 1.0 if same else factor_of(currency, at // DAY + _EPOCH_ORDINAL)
        if factor is not None:  # not converted: in its currency's own MRR, listed apart
            moved[index][kind] += amount * factor
    if month >= 0:
        _close_month(ledger, currency, month, month_start_active, active, month_start_mrr, previous_after)


def _close_month(ledger: _Ledger, currency: str, month: int, was_active: bool, is_active: bool,
                 start_mrr: float, end_mrr: float) -> None:
    """An account's month with movements: churned or not (B2B), and how its opening MRR moved."""
    if was_active:
        if not is_active:
            ledger.churned[month] += 1
        ledger.nrr_adj[currency][month] += end_mrr - start_mrr
        ledger.grr_adj[currency][month] += min(end_mrr, start_mrr) - start_mrr


def _post_trials(trials: bytes, ledger: _Ledger, starts: list[int], last_end: int, now: int,
                 trial_days: int) -> None:
    window = trial_days * DAY
    for started, paid, ended in each_trial(trials):
        if started >= last_end:
            continue
        index = bisect.bisect_right(starts, started) - 1
        if index < 0:
            continue
        counts = ledger.trials[index]
        counts[0] += 1
        if paid - started <= window and paid <= now:  # paid == NEVER: it has not
            counts[1] += 1
        elif started + window > now and ended > now:
            counts[2] += 1  # still inside its window, and neither paid nor ended: undecided


def _figures(ledger: _Ledger, rates: Rates, months: Sequence[dt.date], starts: list[int],
             ends: list[int]) -> list[MonthFigures]:
    currencies = sorted(set(ledger.mrr_delta) | set(ledger.active_delta))
    native = {c: _running(ledger.mrr_delta[c]) for c in currencies}  # [before, end of month 0, …]
    active = {c: [int(n) for n in _running(ledger.active_delta[c])] for c in currencies}
    factors_end = [{c: rates.factor(c, _ordinal(ends[i] - 1)) for c in currencies} for i in range(len(months))]
    before_first = {c: rates.factor(c, _ordinal(starts[0] - 1)) for c in currencies}

    def converted(values: dict[str, list[float]], index: int, factors: dict[str, float | None]) -> float:
        return sum(values[c][index] * f for c in currencies if (f := factors[c]) is not None)

    figures: list[MonthFigures] = []
    churn_rates: list[float | None] = []
    mrr_ends: list[float] = []
    for i, month in enumerate(months):
        f_end = factors_end[i]
        f_start = before_first if i == 0 else factors_end[i - 1]
        mrr = converted(native, i + 1, f_end)
        mrr_start = converted(native, i, f_start)
        moved = ledger.moved[i]
        new, expansion, contraction, churn, reactivation = (moved[NEW], moved[EXPANSION], moved[CONTRACTION],
                                                            moved[CHURN], moved[REACTIVATION])
        net_new = new + expansion + reactivation - contraction - churn
        customers_start = sum(active[c][i] for c in currencies)
        customers = sum(active[c][i + 1] for c in currencies)
        converted_customers = sum(active[c][i + 1] for c in currencies if f_end[c] is not None)
        opening = converted(native, i, f_end)
        kept = opening + sum(ledger.nrr_adj[c][i] * f for c in currencies if (f := f_end[c]) is not None)
        kept_gross = opening + sum(ledger.grr_adj[c][i] * f for c in currencies if (f := f_end[c]) is not None)
        churn_pct = _pct(ledger.churned[i], customers_start)
        churn_rates.append(churn_pct)
        arpa = mrr / converted_customers if converted_customers else None
        trailing = [r for r in churn_rates[max(0, i - LTV_TRAILING_MONTHS):i] if r is not None]
        mean_churn = sum(trailing) / len(trailing) if len(trailing) == LTV_TRAILING_MONTHS else None
        started, paid, still_open = ledger.trials[i]
        mrr_ends.append(mrr)
        figures.append(MonthFigures(
            month=month, as_of=dt.datetime.fromtimestamp(ends[i], dt.UTC).replace(tzinfo=None),
            mrr=mrr, arr=12 * mrr, mrr_start=mrr_start,
            new_mrr=new, expansion_mrr=expansion, contraction_mrr=contraction, churn_mrr=churn,
            reactivation_mrr=reactivation, net_new_mrr=net_new, fx_impact=mrr - mrr_start - net_new,
            customers_start=customers_start, customers=customers, new_customers=ledger.new[i],
            reactivated_customers=ledger.reactivated[i], churned_customers=ledger.churned[i],
            customer_churn_pct=churn_pct,
            gross_mrr_churn_pct=_pct(churn + contraction, mrr_start),
            net_mrr_churn_pct=_pct(churn + contraction - expansion - reactivation, mrr_start),
            nrr_pct=_pct(kept, opening), grr_pct=_pct(kept_gross, opening),
            quick_ratio=(new + expansion + reactivation) / (churn + contraction) if churn + contraction else None,
            arpa=arpa,
            ltv=arpa / (mean_churn / 100.0) if arpa is not None and mean_churn else None,
            mom_growth_pct=_pct(mrr - mrr_ends[i - 1], mrr_ends[i - 1]) if i >= 1 else None,
            yoy_growth_pct=_pct(mrr - mrr_ends[i - 12], mrr_ends[i - 12]) if i >= 12 else None,
            trials_started=started, trials_converted=paid, trials_open=still_open,
            trial_conversion_pct=_pct(paid, started - still_open),
            not_converted=[Unconverted(c, round(native[c][i + 1], 4), active[c][i + 1]) for c in currencies
                           if f_end[c] is None and (native[c][i + 1] or active[c][i + 1])],
        ))
    return figures


def _running(deltas: Sequence[float]) -> list[float]:
    """[before, after month 0, after month 1, …] from [before, month 0 delta, month 1 delta, …]."""
    out, total = [], 0.0
    for d in deltas:
        total += d
        out.append(total)
    return out
