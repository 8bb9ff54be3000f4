"""Cohorts by month of first payment (rule "Cohorts"): customers and net MRR retained, month by month."""

from __future__ import annotations

import datetime as dt

import pytest

from app.domain.revenue import revenue_figures
from app.metrics import MetricsRequest
from tests.app.domain.revenue.support import NOW, settings
from tests.support.revenue import Ledger, day


def test_rule_cohorts_customer_and_net_mrr_retention(cache):
    ledger = Ledger(cache.engine).price("starter", 10_000).price("pro", 30_000)
    for name in ("a", "b", "c", "d"):
        ledger.start(f"sub_{name}", name, "starter", day(1, 10))
    ledger.start("sub_t", "t", "starter", day(1, 20), trial_days=14).convert("sub_t", day(2, 3))  # a Feb payer
    ledger.end("sub_a", day(2, 10)).change("sub_b", day(2, 20), price_id="pro")
    ledger.start("sub_a2", "a", "starter", day(3, 5))
    with cache.engine.connect() as conn:
        f = revenue_figures(conn, settings(), MetricsRequest(NOW, dt.date(2026, 4, 1)))
    rows = {r.month: r for r in f.cohorts.rows}
    january, february = rows[dt.date(2026, 1, 1)], rows[dt.date(2026, 2, 1)]
    assert (january.customers, january.mrr) == (4, pytest.approx(40_000))
    assert january.customer_retention_pct == pytest.approx([100, 75, 100, 100])  # Jan … Apr; then not yet
    assert january.mrr_retention_pct == pytest.approx([100, 125, 150, 150])  # B upgrades, A churns, A returns
    assert (february.customers, february.customer_retention_pct) == (1, pytest.approx([100, 100, 100]))
    assert rows[dt.date(2025, 12, 1)].customers == 0 and f.cohorts.span == 24
