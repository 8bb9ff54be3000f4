"""The desk's Stripe actions against localstripe, an independent Stripe imitation: refunds, coupons, plan changes,
cancellations — checked with Stripe before confirming, queued, pushed by sync, and read back.

localstripe cannot put a coupon on a subscription (it knows no ``discounts``),
so coupons are checked here for existence only — offline against the synced
coupons, online against Stripe; applying one is covered against the demo backend.
"""

from __future__ import annotations

import pytest
import stripe
from sqlalchemy import select

from app.clock import utcnow
from app.config.settings import Settings
from app.connectors.config import SyncConfig
from app.domain.customer_desk import actions as a
from app.domain.customer_desk.diagnosis import diagnose
from app.domain.customer_desk.online import prepare
from app.domain.customer_desk.queue import submit
from app.store.schema import Refund, Subscription, SubscriptionItem
from app.sync.engine import SyncEngine
from tests.support.desk import sign_in

KEY = "sk_test_localstripe"
OBJECTS = ("products", "plans", "coupons", "customers", "subscriptions", "invoices", "charges", "refunds")
REASON = "As agreed with the customer"


def _customer(client: stripe.StripeClient, name: str) -> str:
    method = client.v1.payment_methods.create(params={
        "type": "card", "card": {"number": "4242424242424242", "exp_month": 12, "exp_year": 2030, "cvc": "123"}})
    return client.v1.customers.create(params={
        "name": name, "email": f"{name.lower()}@example.com", "payment_method": method.id,
        "invoice_settings": {"default_payment_method": method.id}}).id


@pytest.fixture
def account(localstripe):
    """Three paying customers on a monthly plan, a yearly plan beside it, and a coupon."""
    client = stripe.StripeClient(KEY, base_addresses={"api": localstripe})
    product = client.v1.products.create(params={"name": "Professional"})
    monthly = client.v1.plans.create(params={"amount": 4_900, "currency": "usd", "interval": "month",
                                             "product": product.id, "nickname": "Pro monthly"})
    yearly = client.v1.plans.create(params={"amount": 49_000, "currency": "usd", "interval": "year",
                                            "product": product.id, "nickname": "Pro yearly"})
    client.v1.coupons.create(params={"id": "SAVE20", "percent_off": 20, "duration": "forever"})
    subs = {}
    for name in ("Ada", "Bob", "Cleo"):
        customer = _customer(client, name)
        subs[name] = client.v1.subscriptions.create(params={"customer": customer, "items": [{"plan": monthly.id}]})
    return client, SyncConfig(stripe_api_base=localstripe, stripe_api_key=KEY, stripe_objects=OBJECTS), subs, yearly


def _request(kind: str, sub, **fields) -> a.DeskRequest:
    return a.DeskRequest(kind, sub.customer, sub.id, REASON, **fields)


def test_desk_actions_reach_localstripe_and_come_back(cache, account):
    client, config, subs, yearly = account
    engine = SyncEngine(cache.engine, config)
    assert engine.run_once().ok
    sign_in(cache.engine, "finance")
    settings = Settings()
    with cache.engine.connect() as conn:
        ada = diagnose(conn, subs["Ada"].customer, utcnow(), settings)
    assert ada is not None and ada.payment_method.label == "Visa •••• 4242, expires 12/2030"
    (paid,) = ada.invoices
    assert [c["status"] for c in paid.attempts] == ["succeeded"] and paid.refundable.left == 4_900

    refund = a.DeskRequest(a.REFUND, ada.customer["id"], paid.invoice["id"], REASON, amount_cents=1_000)
    change = _request(a.CHANGE_PLAN, subs["Bob"], price_id=yearly.id, quantity=2)
    later = _request(a.CANCEL_AT_PERIOD_END, subs["Ada"])
    now = _request(a.CANCEL_NOW, subs["Cleo"])
    confirmations = {kind: prepare(cache.engine, config, r, settings) for kind, r in
                     ((a.REFUND, refund), (a.CHANGE_PLAN, change), (a.CANCEL_AT_PERIOD_END, later),
                      (a.CANCEL_NOW, now))}
    assert all(c.checked.startswith("Checked with Stripe just now") for c in confirmations.values())
    assert confirmations[a.REFUND].text.startswith("Refund $10.00 to Ada")
    for request in (refund, change, later, now):
        submit(cache.engine, request, settings)
    report = engine.run_once()
    assert report.ok and report.pushed == 4, report

    refunds = client.v1.refunds.list().data
    assert [(r.amount, r.metadata["opsconsole_reason"]) for r in refunds] == [(1_000, REASON)]
    bob = client.v1.subscriptions.retrieve(subs["Bob"].id)
    assert (bob["items"].data[0].plan.id, bob["items"].data[0].quantity) == (yearly.id, 2)
    assert client.v1.subscriptions.retrieve(subs["Ada"].id).cancel_at_period_end is True
    assert client.v1.subscriptions.retrieve(subs["Cleo"].id).status == "canceled"
    with cache.engine.connect() as conn:  # what Stripe answered is in the cache already
        assert conn.execute(select(Refund.amount_cents)).scalars().all() == [1_000]
        items = conn.execute(select(SubscriptionItem.price_id, SubscriptionItem.quantity)
                             .where(SubscriptionItem.subscription_id == subs["Bob"].id)).all()
        statuses = dict(conn.execute(select(Subscription.id, Subscription.status)).all())
        ada = diagnose(conn, subs["Ada"].customer, utcnow(), settings)
    assert items == [(yearly.id, 2)] and statuses[subs["Cleo"].id] == "canceled"
    assert ada is not None and ada.invoices[0].refundable.left == 3_900
    assert [x.state for x in ada.actions] == ["sent", "sent"]
    with pytest.raises(a.Refusal, match=r"at most \$39\.00 can be refunded, not \$40\.00"):
        submit(cache.engine, a.DeskRequest(a.REFUND, ada.customer["id"], paid.invoice["id"], REASON,
                                           amount_cents=4_000), settings)


def test_coupons_are_checked_offline_against_the_cache_and_online_against_stripe(cache, account):
    client, config, subs, _ = account
    assert SyncEngine(cache.engine, config).run_once().ok
    sign_in(cache.engine, "support")
    unknown = _request(a.APPLY_COUPON, subs["Ada"], coupon_id="SAVE99")
    with pytest.raises(a.Refusal, match="no valid coupon 'SAVE99'"):
        prepare(cache.engine, config, unknown, Settings())
    known = _request(a.APPLY_COUPON, subs["Ada"], coupon_id="SAVE20")
    assert "(20 % off)" in prepare(cache.engine, config, known, Settings()).planned.summary
    client.v1.coupons.delete("SAVE20")  # gone from Stripe since the last sync
    with pytest.raises(a.Refusal, match="Stripe has no coupon 'SAVE20'"):
        prepare(cache.engine, config, known, Settings())


def test_a_customer_deleted_in_stripe_since_the_last_sync_is_refused_online(cache, account):
    client, config, subs, _ = account
    assert SyncEngine(cache.engine, config).run_once().ok
    sign_in(cache.engine, "finance")
    client.v1.customers.delete(subs["Bob"].customer)
    with pytest.raises(a.Refusal, match="Stripe no longer has this customer"):
        prepare(cache.engine, config, _request(a.CANCEL_NOW, subs["Bob"]), Settings())
