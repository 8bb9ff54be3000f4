"""The figure set ``revenue``: registered, serialisable, and ``mrr_by_month`` agreeing with it."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from app.domain.revenue import mrr_by_month, revenue_figures
from app.metrics import MetricsRequest, figure_set, to_jsonable
from tests.app.domain.revenue.support import NOW, settings
from tests.support.revenue import Ledger, day


@pytest.fixture
def ledger(cache) -> Ledger:
    ledger = Ledger(cache.engine).price("starter", 10_000).price("eur", 20_000, currency="eur")
    ledger.rate("EUR", dt.date(2026, 1, 1), 1.10)
    ledger.start("sub_a", "a", "starter", day(1, 10)).start("sub_b", "b", "eur", day(2, 10))
    ledger.end("sub_a", day(5, 10)).start("sub_f", "f", "starter", day(3, 1), percent_off=100.0)
    return ledger


def test_the_revenue_figure_set_is_registered_and_serialises(ledger):
    assert figure_set("revenue") is revenue_figures
    with ledger.engine.connect() as conn:
        figures = revenue_figures(conn, settings(), MetricsRequest(NOW))
    data = json.loads(json.dumps(to_jsonable(figures)))
    assert data["month"] == "2026-07-01" and data["currency"] == "USD"
    assert len(data["months"]) == 24 and data["current"]["mrr"] == pytest.approx(22_000)
    assert data["policies"][1] == "Churn at the end of the paid period"


def test_mrr_by_month_for_unit_economics(ledger):
    with ledger.engine.connect() as conn:
        months = mrr_by_month(conn, settings(), [dt.date(2026, 1, 1), dt.date(2026, 3, 15), dt.date(2026, 6, 1)],
                              now=NOW)
    assert {m: (v.mrr_cents, v.customers) for m, v in months.items()} == {
        dt.date(2026, 1, 1): (pytest.approx(10_000), 1),
        dt.date(2026, 3, 1): (pytest.approx(32_000), 2),  # the 100 %-off customer does not pay
        dt.date(2026, 6, 1): (pytest.approx(22_000), 1),
    }
    assert months[dt.date(2026, 6, 1)].currency == "USD"


def test_a_past_month_is_seen_as_of_its_end(ledger):
    with ledger.engine.connect() as conn:
        march = revenue_figures(conn, settings(), MetricsRequest(NOW, dt.date(2026, 3, 1)))
    assert march.as_of == dt.datetime(2026, 4, 1) and march.current.mrr == pytest.approx(32_000)
    assert march.months[-1].month == dt.date(2026, 3, 1)
