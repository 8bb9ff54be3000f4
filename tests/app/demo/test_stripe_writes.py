"""The demo's Stripe writes through the official stripe package: Stripe's shapes, refusals, events, idempotency."""

from __future__ import annotations

import datetime as dt

import pytest
import stripe

from app.demo.backend import DemoBackend
from app.demo.wire import unix
from tests.app.demo.support import NOW


@pytest.fixture
def client(backend) -> stripe.StripeClient:
    return stripe.StripeClient(backend.stripe_api_key, base_addresses={"api": backend.stripe_api_base})


def _paid_invoice(backend):
    """A paid invoice nothing was refunded on yet."""
    charges = backend.business.payments.by_id
    return next(i for i in backend.business.billing.invoices
                if i.status == "paid" and i.amount_due > 0 and charges[i.charge].amount_refunded == 0)




def _events_since(client, since: int) -> list[str]:
    return [e.type for e in reversed(list(client.v1.events.list(params={"created": {"gte": since}}).data))]


def test_a_refund_takes_part_then_the_rest_and_no_more(backend, client):
    invoice = _paid_invoice(backend)
    since = unix(backend.clock.now())
    part = client.v1.refunds.create(params={"payment_intent": f"pi_{invoice.id[3:]}", "amount": 1000,
                                            "reason": "requested_by_customer", "metadata": {"actor": "Sam"}})
    assert part.object == "refund" and part.amount == 1000 and part.status == "succeeded"
    assert part.metadata["actor"] == "Sam" and part.charge == invoice.charge
    with pytest.raises(stripe.InvalidRequestError, match="greater than unrefunded amount") as raised:
        client.v1.refunds.create(params={"charge": part.charge, "amount": invoice.amount_due})
    assert raised.value.code == "amount_too_large"
    client.v1.refunds.create(params={"charge": part.charge})  # the rest
    charge = client.v1.charges.retrieve(part.charge)
    assert charge.amount_refunded == invoice.amount_due and charge.refunded
    with pytest.raises(stripe.InvalidRequestError, match="already been refunded") as raised:
        client.v1.refunds.create(params={"charge": part.charge})
    assert raised.value.code == "charge_already_refunded"
    assert _events_since(client, since) == ["charge.refunded", "refund.created"] * 2
    assert len(client.v1.refunds.list(params={"charge": part.charge}).data) == 2


def test_paying_an_open_invoice_charges_the_card_or_says_why_it_was_declined():
    with DemoBackend(customers=800, tickets=0, now=NOW) as backend:  # a business with both kinds of past-due
        _pay_both_kinds(backend, stripe.StripeClient(backend.stripe_api_key,
                                                     base_addresses={"api": backend.stripe_api_base}))


def _pay_both_kinds(backend, client):
    unpaid = [i for i in backend.business.billing.invoices if i.status == "open"]
    now = unix(backend.clock.now())
    good = next(i for i in unpaid if not backend.business.payments.card(i.customer).expired_at(now))
    bad = next(i for i in unpaid if backend.business.payments.card(i.customer).expired_at(now))
    paid = client.v1.invoices.pay(good.id)
    assert paid.status == "paid" and paid.amount_paid == good.amount_due and paid.attempt_count == 2
    assert client.v1.subscriptions.retrieve(good.subscription).status == "active"
    assert client.v1.charges.retrieve(paid.charge).status == "succeeded"
    with pytest.raises(stripe.CardError, match="expired") as raised:
        client.v1.invoices.pay(bad.id)
    assert raised.value.code == "expired_card" and raised.value.http_status == 402
    failed = client.v1.charges.list(params={"payment_intent": f"pi_{bad.id[3:]}"}).data[0]
    assert failed.status == "failed" and failed.failure_code == "expired_card"
    with pytest.raises(stripe.InvalidRequestError, match="already paid"):
        client.v1.invoices.pay(good.id)


def test_subscription_updates_change_only_what_is_asked_and_record_what_was(backend, client):
    sub = next(s for s in backend.business.billing.subscriptions
               if s.status == "active" and s.price_id == "price_starter_monthly" and not s.coupon_id)
    since = unix(backend.clock.now())
    updated = client.v1.subscriptions.update(sub.id, params={
        "items": [{"id": sub.item_id, "price": "price_professional_monthly", "quantity": 3}],
        "proration_behavior": "create_prorations", "discounts": [{"coupon": "LAUNCH20"}],
    })
    assert updated["items"].data[0].price.id == "price_professional_monthly" and updated.quantity == 3
    assert updated.discount.coupon.id == "LAUNCH20"
    event = client.v1.events.list(params={"created": {"gte": since}, "limit": 1}).data[0]
    assert event.type == "customer.subscription.updated"
    assert set(event.data.previous_attributes) == {"items", "quantity", "discount"}
    updated = client.v1.subscriptions.update(sub.id, params={
        "discounts": "", "pause_collection": {"behavior": "void"}, "cancel_at_period_end": True})
    assert updated.discount is None and updated.pause_collection.behavior == "void"
    assert updated.cancel_at_period_end and updated.cancel_at == updated.current_period_end
    assert client.v1.subscriptions.update(sub.id, params={"pause_collection": ""}).pause_collection is None
    for params, message in (({"discounts": [{"coupon": "NOPE"}]}, "No such coupon"),
                            ({"items": [{"id": sub.item_id, "price": "price_gold"}]}, "No such price"),
                            ({"trial_end": "1"}, "future")):
        with pytest.raises(stripe.InvalidRequestError, match=message):
            client.v1.subscriptions.update(sub.id, params=params)
    canceled = client.v1.subscriptions.cancel(sub.id)
    assert canceled.status == "canceled" and canceled.ended_at
    with pytest.raises(stripe.InvalidRequestError, match="canceled subscription"):
        client.v1.subscriptions.update(sub.id, params={"cancel_at_period_end": False})


def test_trial_extension_moves_the_trial_end(backend, client):
    trial = next(s for s in backend.business.billing.subscriptions if s.status == "trialing")
    later = trial.trial_end + 7 * 86_400
    assert client.v1.subscriptions.update(trial.id, params={"trial_end": later}).trial_end == later


def test_the_proration_preview_credits_unused_time_and_charges_the_new_price(backend, client):
    sub = next(s for s in backend.business.billing.subscriptions
               if s.status == "active" and s.price_id == "price_starter_monthly" and not s.coupon_id)
    middle = (sub.period_start + sub.period_end) // 2
    preview = client.v1.invoices.create_preview(params={
        "subscription": sub.id, "subscription_details": {
            "items": [{"id": sub.item_id, "price": "price_professional_monthly"}], "proration_date": middle}})
    lines = preview.lines.data
    share = (sub.period_end - middle) / (sub.period_end - sub.period_start)
    assert [line.proration for line in lines] == [True, True, False]
    assert lines[0].amount == -round(9_900 * share) and lines[1].amount == round(29_900 * share)
    assert lines[2].amount == 29_900 and preview.total == sum(line.amount for line in lines)
    assert client.v1.subscriptions.retrieve(sub.id)["items"].data[0].price.id == "price_starter_monthly"


def test_a_replayed_key_answers_the_first_time_and_applies_once(backend, client):
    invoice = _paid_invoice(backend)
    params = {"payment_intent": f"pi_{invoice.id[3:]}", "amount": 500}
    first = client.v1.refunds.create(params=params, options={"idempotency_key": "refund-once"})
    again = client.v1.refunds.create(params=params, options={"idempotency_key": "refund-once"})
    assert again.id == first.id and backend.applied_count("refund-once") == 1
    assert client.v1.charges.retrieve(first.charge).amount_refunded == 500
    with pytest.raises(stripe.IdempotencyError):
        client.v1.refunds.create(params={**params, "amount": 600}, options={"idempotency_key": "refund-once"})


def test_a_customer_lists_with_its_card_when_expanded(backend, client):
    customer = client.v1.customers.list(params={"limit": 1, "expand": ["data.invoice_settings.default_payment_method"]})
    method = customer.data[0].invoice_settings.default_payment_method
    assert method.object == "payment_method" and len(method.card.last4) == 4 and method.card.brand
    plain = client.v1.customers.retrieve(customer.data[0].id)
    assert plain.invoice_settings.default_payment_method == method.id
    assert client.v1.coupons.retrieve("LAUNCH20").percent_off == 20.0


def test_writes_on_a_deleted_customer_are_refused(backend, client):
    sub = next(s for s in backend.business.billing.subscriptions if s.status == "active")
    backend.clock.advance(dt.timedelta(seconds=1))
    backend.business.delete_customer(sub.customer)
    with pytest.raises(stripe.InvalidRequestError, match="No such customer"):
        client.v1.subscriptions.update(sub.id, params={"cancel_at_period_end": True})
