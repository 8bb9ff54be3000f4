"""The Stripe subset through the official stripe package: pagination, filters, events, retention."""

from __future__ import annotations

import datetime as dt

import pytest
import requests
import stripe


@pytest.fixture
def client(backend) -> stripe.StripeClient:
    return stripe.StripeClient(backend.stripe_api_key, base_addresses={"api": backend.stripe_api_base})


def test_auto_pagination_lists_every_customer_newest_first(client):
    customers = list(client.v1.customers.list(params={"limit": 7}).auto_paging_iter())
    assert len(customers) == len({c.id for c in customers}) == 150
    assert [c.created for c in customers] == sorted((c.created for c in customers), reverse=True)
    assert all(c.id.startswith("cus_") and c.object == "customer" for c in customers)


def test_subscriptions_hide_canceled_unless_asked(backend, client):
    billing = backend.business.billing
    default = list(client.v1.subscriptions.list(params={"limit": 100}).auto_paging_iter())
    everything = list(client.v1.subscriptions.list(params={"limit": 100, "status": "all"}).auto_paging_iter())
    canceled = client.v1.subscriptions.list(params={"limit": 100, "status": "canceled"}).data
    assert len(everything) == len(billing.subscriptions)
    assert len(default) == sum(s.status != "canceled" for s in billing.subscriptions)
    assert canceled and all(s.status == "canceled" for s in canceled)


def test_objects_are_shaped_like_stripe(backend, client):
    with_coupon = next(s for s in backend.business.billing.subscriptions if s.coupon_id)
    sub = client.v1.subscriptions.retrieve(with_coupon.id)
    item = sub["items"].data[0]
    assert item.id.startswith("si_") and item.price.id.startswith(("price_", "plan_")) and item.price.unit_amount
    assert sub.discount.coupon.id == with_coupon.coupon_id
    assert {"percent_off", "amount_off"} <= set(sub.discount.coupon)
    invoice = client.v1.invoices.list(params={"limit": 1, "subscription": sub.id}).data[0]
    assert invoice.id.startswith("in_") and invoice.subscription == sub.id and isinstance(invoice.created, int)
    assert {p.id for p in client.v1.products.list().data} >= {"prod_starter", "prod_professional", "prod_enterprise"}
    assert len(client.v1.prices.list(params={"limit": 100}).data) == 7
    assert client.v1.plans.retrieve("price_starter_annual").amount == 99_000


def test_ending_before_pages_backwards(client):
    newest = client.v1.customers.list(params={"limit": 10}).data
    earlier = client.v1.customers.list(params={"limit": 4, "ending_before": newest[-1].id})
    assert [c.id for c in earlier.data] == [c.id for c in newest[-5:-1]] and earlier.has_more


def test_missing_objects_are_resource_missing(backend, client):
    with pytest.raises(stripe.InvalidRequestError) as raised:
        client.v1.customers.retrieve("cus_nope")
    assert raised.value.code == "resource_missing" and raised.value.http_status == 404
    response = requests.get(backend.stripe_api_base + "/v1/payouts",
                            headers={"Authorization": f"Bearer {backend.stripe_api_key}"}, timeout=5)
    assert response.status_code == 404 and "Unrecognized request URL" in response.json()["error"]["message"]


def test_events_follow_test_mutations(backend, client):
    since = int(backend.clock.now().timestamp())
    backend.clock.advance(dt.timedelta(minutes=1))
    touched = backend.business.touch_customers(3)
    victim = next(s for s in backend.business.billing.subscriptions if s.status == "active")
    backend.business.cancel_subscription(victim.id)
    new = backend.business.create_customer("Fresh Start Ltd", "hello@fresh.example")
    backend.business.delete_customer(touched[0])
    events = list(client.v1.events.list(params={"created": {"gte": since}, "limit": 2}).auto_paging_iter())
    assert [e.type for e in reversed(events)] == [
        "customer.updated", "customer.updated", "customer.updated", "customer.subscription.deleted",
        "customer.created", "customer.deleted"]
    assert {e.data.object.id for e in events if e.type == "customer.updated"} == set(touched)
    assert events[1].data.object.id == new and events[2].data.object.status == "canceled"
    assert client.v1.customers.retrieve(touched[0]).get("deleted") is True
    only = client.v1.events.list(params={"type": "customer.subscription.*", "created": {"gte": since}}).data
    assert [e.data.object.id for e in only] == [victim.id]


def test_events_older_than_thirty_days_are_gone(backend, client):
    oldest = list(client.v1.events.list(params={"limit": 100}).auto_paging_iter())[-1]
    backend.clock.advance(dt.timedelta(days=31))
    assert client.v1.events.list(params={"limit": 100}).data == []
    with pytest.raises(stripe.InvalidRequestError):
        client.v1.events.list(params={"ending_before": oldest.id})


def test_catalog_lists_page_too(client):
    first = client.v1.prices.list(params={"limit": 3})
    rest = client.v1.prices.list(params={"limit": 10, "starting_after": first.data[-1].id})
    assert first.has_more and not rest.has_more
    assert len({p.id for p in (*first.data, *rest.data)}) == 7
    assert [p.id for p in client.v1.prices.list(params={"active": "false"}).data] == ["plan_team_legacy"]
