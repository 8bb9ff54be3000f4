"""The MRR rule (annual plans, coupons), the SQL that writes it for the customers table, one customer's billing."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select
from sqlalchemy.dialects import sqlite

from app.domain.revenue import columns, customer, mrr
from app.store.schema import Customer, Subscription, SubscriptionChange
from tests.support.dataset import EXPECTED_MRR

C, S, H = Customer.__table__, Subscription.__table__, SubscriptionChange.__table__


@pytest.mark.parametrize(
    ("interval", "count", "months"),
    [("month", 1, 1), ("year", 1, 12), ("month", 3, 3), ("week", 2, 24 / 52), (None, 1, 0), ("fortnight", 1, 0)],
)
def test_rule_mrr_months_per_period(interval, count, months):
    assert mrr.months_per_period(interval, count) == pytest.approx(months)


def test_rule_mrr_annual_price_counts_a_twelfth():
    assert mrr.Item(120_000, 1, "year").monthly_cents == pytest.approx(10_000)
    assert mrr.Item(9_900, 3, "month").monthly_cents == 29_700
    assert mrr.Item(5_000, 1, None).monthly_cents == 0  # one-off prices are not recurring


def test_rule_mrr_percent_off_applies_to_the_whole_subscription():
    items = [mrr.Item(299_000, 1, "year"), mrr.Item(1_000, 2, "year")]
    assert mrr.subscription_mrr(items, percent_off=25) == pytest.approx((299_000 + 2_000) / 12 * 0.75)
    assert mrr.subscription_mrr(items, percent_off=100) == 0  # a 100 % coupon: not a paying subscription


def test_rule_mrr_amount_off_is_spread_over_the_billing_period():
    assert mrr.subscription_mrr([mrr.Item(999_000, 1, "year")], amount_off_cents=120_000) == pytest.approx(
        83_250 - 10_000
    )
    assert mrr.subscription_mrr([mrr.Item(9_900, 1, "month")], amount_off_cents=1_000) == 8_900


def test_rule_mrr_a_coupon_never_makes_mrr_negative():
    assert mrr.subscription_mrr([mrr.Item(900, 1, "month")], amount_off_cents=5_000) == 0


def test_sql_mrr_agrees_with_the_pure_rule(business):
    with business.connect() as conn:
        rows = dict(conn.execute(select(C.c.id, columns.customer_mrr(C.c.id))).tuples().all())
        acme_detail = customer.customer_detail(conn, "cus_acme")
    assert rows == pytest.approx(EXPECTED_MRR)
    assert acme_detail is not None
    assert acme_detail.subscriptions[0]["mrr_cents"] == pytest.approx(EXPECTED_MRR["cus_acme"])


def test_customer_status_plan_and_currency(business):
    with business.connect() as conn:
        rows = {
            r[0]: r[1:]
            for r in conn.execute(select(C.c.id, columns.customer_status(C.c.id), columns.customer_plan(C.c.id),
                                         columns.customer_currency(C.c.id)))
        }
    assert rows["cus_acme"] == ("active", "Professional annual", "USD")
    assert rows["cus_cyan"] == ("trialing", "Enterprise monthly", "USD")
    assert rows["cus_dune"] == ("past_due", "Starter monthly", "USD")
    assert rows["cus_echo"] == ("canceled", "Starter monthly", "USD")


def test_filters_by_subscription(business):
    def ids(condition):
        with business.connect() as conn:
            return set(conn.execute(select(C.c.id).where(condition)).scalars())

    assert ids(columns.has_subscription(C.c.id, mrr.PAYING)) == {"cus_acme", "cus_bolt", "cus_dune", "cus_fern"}
    assert ids(columns.has_subscription(C.c.id, ("trialing",))) == {"cus_cyan"}
    assert ids(columns.churned(C.c.id)) == {"cus_echo"}


def test_customer_detail(business):
    with business.connect() as conn:
        dune = customer.customer_detail(conn, "cus_dune")
        acme = customer.customer_detail(conn, "cus_acme")
        assert customer.customer_detail(conn, "cus_missing") is None
    assert dune is not None and acme is not None
    assert [i["number"] for i in dune.invoices] == ["DUNE-0003"]
    assert [i["number"] for i in acme.invoices] == ["ACME-0001", "ACME-0000"]  # newest first
    assert acme.subscriptions[0]["discount"] == "20 % off"
    assert (acme.tickets, acme.open_tickets) == (1, 1)
    assert acme.currency == "usd" and acme.mrr_cents == pytest.approx(EXPECTED_MRR["cus_acme"])


def test_a_customers_history_is_its_subscriptions_changes_newest_first(business):
    with business.begin() as conn:
        subs = conn.execute(select(S.c.id, S.c.customer_id).where(S.c.customer_id.in_(["cus_acme", "cus_dune"])))
        for n, (sub_id, customer_id) in enumerate(sorted(subs.tuples())):
            for day in (3, 1, 2):  # not in time order
                conn.execute(H.insert().values(
                    subscription_id=sub_id, customer_id=customer_id, at=dt.datetime(2026, 5, day, n), kind="quantity",
                    source="event", status_after="active", mrr_before_cents=0, mrr_after_cents=0, plan_mrr_cents=0,
                    cancel_at_period_end=False, recorded_at=dt.datetime(2026, 6, 1)))
    with business.connect() as conn:
        acme = customer.customer_detail(conn, "cus_acme")
        expected = conn.execute(select(H.c.id).where(H.c.customer_id == "cus_acme")
                                .order_by(H.c.at.desc(), H.c.id.desc())).scalars().all()
        sql = str(customer.HISTORY_OF.compile(dialect=sqlite.dialect()))
        parameters = ("cus_acme", customer.HISTORY_LIMIT, 0)
        plan = [row[-1] for row in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + sql, parameters)]
    assert acme is not None and len(expected) >= 3 and [row["id"] for row in acme.history] == expected
    assert [row["at"] for row in acme.history] == sorted((row["at"] for row in acme.history), reverse=True)
    assert any("ix_subscription_changes_subscription_at" in step for step in plan), plan
    assert not any(step.startswith("SCAN subscription_changes") for step in plan), plan
