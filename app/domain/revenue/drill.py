"""The customers behind a figure: a month's movements of some kinds (or its trials), biggest change first.

A tile or a bar of the revenue screen is a sum of movements; this lists them
with the customer's MRR before and after (in their currency, and in the
reporting currency at that day's rate), which is what "drill down" shows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Sequence
from dataclasses import dataclass

from sqlalchemy import Connection, select

from app.domain.revenue.fx import Rates, code
from app.domain.revenue.monthly import add_months
from app.domain.revenue.movements import (
    CURRENCY,
    CUSTOMER,
    DAY,
    KINDS,
    MOVES,
    TRIALS,
    Account,
    each_move,
    each_trial,
    from_ts,
    to_ts,
)
from app.store.schema import Customer

TRIAL = "trial"
LIMIT = 2_000
_C = Customer.__table__


@dataclass(frozen=True)
class DrillRow:
    """One customer behind a figure: a movement of theirs (or a trial), with MRR before and after."""

    customer_id: str
    name: str
    at: dt.datetime
    what: str  # new | expansion | contraction | churn | reactivation | trial converted | not converted | still open
    currency: str
    before: float  # native minor units
    after: float
    before_reporting: float | None  # reporting minor units at the day's rate (None: not converted)
    after_reporting: float | None


def _trial_outcomes(account: Account, start: int, end: int, window: int,
                    now: int) -> list[tuple[int, str, float]]:
    outcomes = []
    for started, paid, ended in each_trial(account[TRIALS]):
        if not start <= started < end:
            continue
        if paid - started <= window and paid <= now:  # paid == NEVER: it has not
            mrr = next((after for at, _, _, after in each_move(account[MOVES]) if at >= paid), 0.0)
            outcomes.append((started, "trial converted", mrr))
        else:
            undecided = started + window > now and ended > now
            outcomes.append((started, "trial still open" if undecided else "trial not converted", 0.0))
    return outcomes


def behind(conn: Connection, accounts: Sequence[Account], rates: Rates, month: dt.date, kinds: Collection[str],
           now: dt.datetime, trial_days: int, limit: int = LIMIT) -> list[DrillRow]:
    """The movements of ``kinds`` (``trial``: trials) in ``month``, largest change first, at most ``limit``."""
    start = to_ts(dt.datetime.combine(month, dt.time()))
    now_ts = to_ts(now)
    end = min(to_ts(dt.datetime.combine(add_months(month, 1), dt.time())), now_ts)
    found: list[tuple[str, int, str, str, float, float]] = []
    for account in accounts:
        customer_id, currency = account[CUSTOMER], code(account[CURRENCY])
        if TRIAL in kinds:
            found.extend((customer_id, at, what, currency, 0.0, mrr)
                         for at, what, mrr in _trial_outcomes(account, start, end, trial_days * DAY, now_ts))
        found.extend((customer_id, at, KINDS[kind], currency, before, after)
                     for at, kind, before, after in each_move(account[MOVES])
                     if start <= at < end and KINDS[kind] in kinds)
    found.sort(key=lambda r: -abs(r[5] - r[4]))
    found = found[:limit]
    names = _names(conn, sorted({r[0] for r in found}))
    rows = []
    for cid, at, what, currency, before, after in found:
        day = from_ts(at).date()
        rows.append(DrillRow(cid, names.get(cid, cid), from_ts(at), what, currency, before, after,
                             rates.convert(before, currency, day), rates.convert(after, currency, day)))
    return rows


def _names(conn: Connection, ids: list[str]) -> dict[str, str]:
    names: dict[str, str] = {}
    for i in range(0, len(ids), 500):
        stmt = select(_C.c.id, _C.c.name, _C.c.email).where(_C.c.id.in_(ids[i:i + 500]))
        names.update({r.id: r.name or r.email or r.id for r in conn.execute(stmt)})
    return names
