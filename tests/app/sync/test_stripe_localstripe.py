"""The Stripe connector and pull against localstripe, an independent Stripe imitation.

localstripe serves only part of the API, which narrows these tests:

* it has no ``/v1/prices`` endpoint, so only legacy plans are pulled here
  (prices are covered against the demo backend);
* subscriptions cannot carry a coupon (``coupon`` is not an accepted update
  field), and it rejects the ``discounts`` expansion — the connector falls back
  to the legacy ``discount`` field, so coupons are created but no subscription
  row can show one;
* trials never start (such subscriptions stay "incomplete");
* subscription updates emit no event (only created/deleted do), so the
  incremental step is exercised with creations, a cancellation and a deletion.
"""

from __future__ import annotations

import stripe
from sqlalchemy import select

from app.connectors.config import SyncConfig
from app.store.schema import Customer, Price, Product, Subscription, SubscriptionItem
from app.sync.engine import SyncEngine

OBJECTS = ("products", "plans", "customers", "subscriptions", "invoices")
KEY = "sk_test_localstripe"


def _client(base: str) -> stripe.StripeClient:
    return stripe.StripeClient(KEY, base_addresses={"api": base})


def _paying_customer(client: stripe.StripeClient, name: str) -> str:
    method = client.v1.payment_methods.create(
        params={"type": "card", "card": {"number": "4242424242424242", "exp_month": 12, "exp_year": 2030, "cvc": "123"}}
    )
    customer = client.v1.customers.create(
        params={
            "name": name,
            "email": f"{name.lower()}@example.com",
            "payment_method": method.id,
            "invoice_settings": {"default_payment_method": method.id},
            "metadata": {"segment": "smb"},
        }
    )
    return customer.id


def _rows(cache, model) -> dict:
    with cache.engine.connect() as conn:
        return {r.id: r for r in conn.execute(select(model.__table__)).all()}


def test_full_pass_then_events(cache, localstripe) -> None:
    client = _client(localstripe)
    product = client.v1.products.create(params={"name": "Professional"})
    monthly = client.v1.plans.create(
        params={
            "amount": 4900, "currency": "usd", "interval": "month", "product": product.id, "nickname": "Pro monthly"
        }
    )
    yearly = client.v1.plans.create(
        params={"amount": 49000, "currency": "usd", "interval": "year", "product": product.id, "nickname": "Pro yearly"}
    )
    client.v1.coupons.create(params={"id": "SAVE20", "percent_off": 20, "duration": "forever"})
    ada = _paying_customer(client, "Ada")
    bob = client.v1.customers.create(params={"name": "Bob", "email": "bob@example.com"}).id
    active = client.v1.subscriptions.create(params={"customer": ada, "items": [{"plan": monthly.id, "quantity": 3}]})
    unpaid = client.v1.subscriptions.create(
        params={"customer": bob, "items": [{"plan": monthly.id}], "trial_period_days": 7}
    )
    trial = client.v1.subscriptions.create(
        params={"customer": _paying_customer(client, "Eve"), "items": [{"plan": yearly.id}], "trial_period_days": 14}
    )

    config = SyncConfig(stripe_api_base=localstripe, stripe_api_key=KEY, stripe_objects=OBJECTS)
    engine = SyncEngine(cache.engine, config)
    report = engine.run_once()
    assert report.errors == {}, report.errors

    assert set(_rows(cache, Product)) == {product.id}
    prices = _rows(cache, Price)
    assert prices[monthly.id].unit_amount_cents == 4900 and prices[monthly.id].interval == "month"
    assert prices[yearly.id].is_legacy_plan and prices[yearly.id].interval == "year"
    customers = _rows(cache, Customer)
    assert customers[ada].email == "ada@example.com" and customers[ada].metadata_json == {"segment": "smb"}
    subs = _rows(cache, Subscription)
    assert subs[active.id].status == "active" and subs[active.id].customer_id == ada
    # localstripe leaves trial subscriptions "incomplete" (it never starts a trial),
    # which at least shows that statuses other than active are pulled.
    assert subs[unpaid.id].status == "incomplete" and subs[trial.id].status == "incomplete"
    assert subs[active.id].current_period_end > subs[active.id].current_period_start
    items = _rows(cache, SubscriptionItem)
    assert {(i.subscription_id, i.price_id, i.quantity) for i in items.values()} == {
        (active.id, monthly.id, 3),
        (unpaid.id, monthly.id, 1),
        (trial.id, yearly.id, 1),
    }

    # Incremental: a new customer and subscription, a cancellation, a deleted customer.
    cleo = _paying_customer(client, "Cleo")
    third = client.v1.subscriptions.create(params={"customer": cleo, "items": [{"plan": yearly.id}]})
    client.v1.subscriptions.cancel(trial.id)
    doomed = client.v1.customers.create(params={"name": "Dee"}).id
    report = engine.run_once()
    assert report.errors == {}, report.errors
    assert report.resources["stripe:events"].rows > 0
    assert _rows(cache, Subscription)[third.id].status == "active"
    assert _rows(cache, Subscription)[trial.id].status == "canceled"
    assert doomed in _rows(cache, Customer)

    client.v1.customers.delete(doomed)
    report = engine.run_once()
    assert report.errors == {}, report.errors
    assert doomed not in _rows(cache, Customer)


def test_subscriptions_of_every_status(cache, localstripe) -> None:
    """``status=all``: canceled subscriptions are pulled too (the default list hides them)."""
    client = _client(localstripe)
    product = client.v1.products.create(params={"name": "Starter"})
    plan = client.v1.plans.create(params={"amount": 900, "currency": "usd", "interval": "month", "product": product.id})
    ada = _paying_customer(client, "Ada")
    gone = client.v1.subscriptions.create(params={"customer": ada, "items": [{"plan": plan.id}]})
    client.v1.subscriptions.cancel(gone.id)

    config = SyncConfig(stripe_api_base=localstripe, stripe_api_key=KEY, stripe_objects=OBJECTS)
    report = SyncEngine(cache.engine, config).run_once()
    assert report.errors == {}, report.errors
    row = _rows(cache, Subscription)[gone.id]
    assert row.status == "canceled" and row.ended_at is not None  # localstripe sets no canceled_at
