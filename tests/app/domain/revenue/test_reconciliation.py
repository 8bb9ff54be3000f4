"""Reconciliation (rule "Reconciliation"): MRR against the latest paid invoice, with the reason; bad input listed."""

from __future__ import annotations

import pytest
from sqlalchemy import delete, insert

from app.domain.revenue.fx import load_rates
from app.domain.revenue.reconciliation import BAD_INPUT, MISMATCH, reconcile
from app.store.schema import Invoice, SubscriptionItem
from tests.support.revenue import Ledger, day

NOW = day(4, 20)
APRIL_1 = day(4, 1)


def paid(conn, sub, customer, plan, quantity, total, start=APRIL_1, number=None):
    conn.execute(insert(Invoice).values(
        id=f"in_{sub}", customer_id=customer, subscription_id=sub, number=number or f"N-{sub}", status="paid",
        amount_due_cents=total, amount_paid_cents=total, total_cents=total, created=start, period_start=start,
        period_end=start.replace(month=start.month + 1), billing_reason="subscription_cycle", plan=plan,
        quantity=quantity))


@pytest.fixture
def findings(cache):
    ledger = (Ledger(cache.engine).price("starter", 10_000).price("pro", 30_000)
              .price("odd", 5_000, interval="fortnight").price("chf", 9_500, currency="chf"))
    ledger.start("sub_ok", "agree", "starter", day(3, 1))
    ledger.start("sub_cp", "coupon", "pro", day(3, 1), percent_off=20.0)
    ledger.start("sub_up", "upgraded", "starter", day(3, 1)).change("sub_up", day(4, 10), price_id="pro")
    ledger.start("sub_ni", "noitems", "starter", day(3, 1))
    ledger.start("sub_odd", "odd", "odd", day(3, 1))
    ledger.start("sub_ch", "swiss", "chf", day(3, 1))
    ledger.start("sub_pd", "unpaid", "starter", day(4, 1)).change("sub_pd", day(4, 2), status="past_due")
    with cache.engine.begin() as conn:
        paid(conn, "sub_ok", "agree", "starter", 1, 10_000)
        paid(conn, "sub_cp", "coupon", "pro", 1, 24_000)
        paid(conn, "sub_up", "upgraded", "starter", 1, 10_000, number="UP-0001")
        conn.execute(delete(SubscriptionItem).where(SubscriptionItem.subscription_id == "sub_ni"))
        rates = load_rates(conn, "USD", {})
        return {f.customer_id: f for f in reconcile(conn, NOW, rates).findings}


def test_rule_reconciliation_lists_what_disagrees_with_the_reason(findings):
    assert "agree" not in findings and "coupon" not in findings
    up = findings["upgraded"]
    assert (up.kind, up.mrr, up.implied, up.difference) == (MISMATCH, 30_000, 10_000, 20_000)
    assert up.reason == "plan changed since invoice UP-0001: starter → pro"
    assert findings["unpaid"].reason == "no paid invoice yet (the latest is unpaid: past due)"


def test_rule_reconciliation_bad_input_is_shown_not_dropped(findings):
    assert {k: f.kind for k, f in findings.items() if f.kind == BAD_INPUT} == {
        "noitems": BAD_INPUT, "odd": BAD_INPUT, "swiss": BAD_INPUT}
    assert findings["noitems"].reason == "subscription without items: its MRR cannot be computed"
    assert findings["odd"].reason == "price odd bills per 'fortnight', an interval MRR does not know"
    assert findings["swiss"].reason.startswith("no exchange rate for CHF to USD")
    assert findings["swiss"].mrr == pytest.approx(9_500)


def test_reconciliation_orders_bad_input_first(cache, findings):
    del findings  # the fixture filled the cache
    with cache.engine.connect() as conn:
        rec = reconcile(conn, NOW, load_rates(conn, "USD", {}))
    assert [f.kind for f in rec.findings] == [BAD_INPUT] * 3 + [MISMATCH] * 2
    assert (rec.checked, rec.mismatches, rec.bad_input) == (7, 2, 3)
