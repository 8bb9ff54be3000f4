"""MRR normalisation (annual plans, coupons), the KPIs, and SQL agreeing with the pure rule."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.domain import revenue
from app.store.schema import Customer
from tests.support.dataset import EXPECTED_MRR, NOW

C = Customer.__table__


@pytest.mark.parametrize(
    ("interval", "count", "months"),
    [("month", 1, 1), ("year", 1, 12), ("month", 3, 3), ("week", 2, 24 / 52), (None, 1, 0)],
)
def test_months_per_period(interval, count, months):
    assert revenue.months_per_period(interval, count) == pytest.approx(months)


def test_annual_price_counts_a_twelfth():
    assert revenue.Item(120_000, 1, "year").monthly_cents == pytest.approx(10_000)
    assert revenue.Item(9_900, 3, "month").monthly_cents == 29_700
    assert revenue.Item(5_000, 1, None).monthly_cents == 0  # one-off prices are not recurring


def test_percent_off_applies_to_the_whole_subscription():
    items = [revenue.Item(299_000, 1, "year"), revenue.Item(1_000, 2, "year")]
    assert revenue.subscription_mrr(items, percent_off=25) == pytest.approx((299_000 + 2_000) / 12 * 0.75)


def test_amount_off_is_spread_over_the_billing_period():
    assert revenue.subscription_mrr([revenue.Item(999_000, 1, "year")], amount_off_cents=120_000) == pytest.approx(
        83_250 - 10_000
    )
    assert revenue.subscription_mrr([revenue.Item(9_900, 1, "month")], amount_off_cents=1_000) == 8_900


def test_a_coupon_never_makes_mrr_negative():
    assert revenue.subscription_mrr([revenue.Item(900, 1, "month")], amount_off_cents=5_000) == 0


def test_churn_pct():
    assert revenue.churn_pct(3, 100) == 3.0
    assert revenue.churn_pct(0, 0) is None


def test_sql_mrr_agrees_with_the_pure_rule(business):
    with business.connect() as conn:
        rows = dict(conn.execute(select(C.c.id, revenue.customer_mrr(C.c.id))).all())
        acme_detail = revenue.customer_detail(conn, "cus_acme")
    assert rows == pytest.approx(EXPECTED_MRR)
    assert acme_detail is not None
    assert acme_detail.subscriptions[0]["mrr_cents"] == pytest.approx(EXPECTED_MRR["cus_acme"])


def test_customer_status_and_plan(business):
    with business.connect() as conn:
        rows = {
            r[0]: r[1:]
            for r in conn.execute(select(C.c.id, revenue.customer_status(C.c.id), revenue.customer_plan(C.c.id)))
        }
    assert rows["cus_acme"] == ("active", "Professional annual")
    assert rows["cus_cyan"] == ("trialing", "Enterprise monthly")
    assert rows["cus_dune"] == ("past_due", "Starter monthly")
    assert rows["cus_echo"] == ("canceled", "Starter monthly")


def test_filters_by_subscription(business):
    def ids(condition):
        with business.connect() as conn:
            return set(conn.execute(select(C.c.id).where(condition)).scalars())

    assert ids(revenue.has_subscription(C.c.id, revenue.PAYING)) == {"cus_acme", "cus_bolt", "cus_dune", "cus_fern"}
    assert ids(revenue.has_subscription(C.c.id, ("trialing",))) == {"cus_cyan"}
    assert ids(revenue.churned(C.c.id)) == {"cus_echo"}


def test_kpis(business):
    with business.connect() as conn:
        k = revenue.compute_kpis(conn, NOW, churn_target_pct=3.0)
    paying = sum(v for c, v in EXPECTED_MRR.items())
    assert k.mrr_cents == pytest.approx(paying)
    assert k.arr_cents == pytest.approx(12 * paying)
    assert (k.active_customers, k.trialing_customers, k.past_due_customers) == (4, 1, 1)
    # Echo churned 10 days ago; five customers were paying 30 days ago (Cyan only started its trial since).
    assert (k.churned_30d, k.churn_base) == (1, 5)
    assert k.churn_pct == pytest.approx(20.0)
    assert k.churn_over_target


def test_customer_detail(business):
    with business.connect() as conn:
        dune = revenue.customer_detail(conn, "cus_dune")
        acme = revenue.customer_detail(conn, "cus_acme")
        assert revenue.customer_detail(conn, "cus_missing") is None
    assert dune is not None and acme is not None
    assert [i["number"] for i in dune.invoices] == ["DUNE-0003"]
    assert [i["number"] for i in acme.invoices] == ["ACME-0001", "ACME-0000"]  # newest first
    assert acme.subscriptions[0]["discount"] == "20 % off"
    assert (acme.tickets, acme.open_tickets) == (1, 1)
