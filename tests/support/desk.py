"""What the customer desk adds to the hand-worked business (tests/support/dataset.py), worked out by hand.

* Acme Corp (Professional annual, 20 % off): two invoices of $2,392.00, each
  paid by one charge on a Mastercard •••• 5454 that expires this month; $100.00
  of the second was refunded → $2,292.00 left to refund on it.  A running grant
  of the audit log for 10 more days; an open processing failure; 14 days of usage.
* Dune Retail (Starter monthly, past due): invoice DUNE-0003 $99.00 open, one
  declined attempt 3 days ago ("Your card has insufficient funds."); Visa •••• 4242
  valid until next year.
* Bolt Labs: the SSO feature withheld (a deny override); Fern Foods: an expired grant.
* Coupons LAUNCH20 (20 % off) and PARTNER50 ($50 off); five feature flags.
* The signed-in user is Maya Chen, role support (refund cap $500 by default).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Engine, update

from app.store.app_state import ME_KEY, put_app_value
from app.store.schema import (
    AccessGrant,
    Charge,
    Coupon,
    Customer,
    CustomerUsage,
    FeatureFlag,
    Invoice,
    ProcessingFailure,
    Refund,
)
from tests.support import dataset

ACME_PAID = 239_200
ACME_REFUNDED = 10_000
FLAGS = (
    ("offline", "Offline mode", ["starter", "professional", "enterprise"], "plans"),
    ("sso", "Single sign-on", ["professional", "enterprise"], "plans"),
    ("audit_log", "Audit log", ["enterprise"], "plans"),
    ("ai_assistant", "AI assistant", ["enterprise"], "premium_100"),
    ("bulk_export", "Bulk export", ["enterprise"], "everyone"),
)


def sign_in(engine: Engine, role: str, name: str = "Maya Chen") -> None:
    """What ``/me`` last said: who is signed in, and as what."""
    with engine.begin() as conn:
        put_app_value(conn, ME_KEY, {"user": {"id": "usr_1", "name": name, "email": "maya@ops.example"},
                                     "role": role})


def fill(engine: Engine, now: dt.datetime) -> None:
    """The hand-worked business at ``now``, plus the desk's facts above; signed in as support."""
    dataset.fill(engine, now)
    days = lambda n: now - dt.timedelta(days=n)  # noqa: E731 - as in dataset.fill
    with engine.begin() as conn:
        next_year = now.year + 1
        for customer, card in (("cus_acme", ("mastercard", "5454", now.month, now.year)),
                               ("cus_dune", ("visa", "4242", now.month, next_year))):
            brand, last4, month, year = card
            conn.execute(update(Customer).where(Customer.id == customer).values(
                payment_method_id=f"pm_{customer}", card_brand=brand, card_last4=last4, card_exp_month=month,
                card_exp_year=year))
        for n in range(2):
            conn.execute(update(Invoice).where(Invoice.id == f"in_acme_{n}").values(
                payment_intent_id=f"pi_acme_{n}", charge_id=f"ch_acme_{n}", attempt_count=1))
        conn.execute(update(Invoice).where(Invoice.id == "in_dune_1").values(
            payment_intent_id="pi_dune_1", charge_id="ch_dune_1", attempt_count=1))
        dataset._put(conn, Charge, [
            {"id": f"ch_acme_{n}", "customer_id": "cus_acme", "invoice_id": f"in_acme_{n}",
             "payment_intent_id": f"pi_acme_{n}", "amount_cents": ACME_PAID, "status": "succeeded",
             "amount_refunded_cents": ACME_REFUNDED if n == 1 else 0, "card_brand": "mastercard",
             "card_last4": "5454", "created": days(400 - 365 * n)}
            for n in range(2)
        ] + [{"id": "ch_dune_1", "customer_id": "cus_dune", "invoice_id": "in_dune_1", "payment_intent_id": "pi_dune_1",
              "amount_cents": 9_900, "status": "failed", "failure_code": "insufficient_funds",
              "failure_message": "Your card has insufficient funds.", "card_brand": "visa", "card_last4": "4242",
              "created": days(3)}])
        dataset._put(conn, Refund, [{"id": "re_acme_1", "charge_id": "ch_acme_1", "payment_intent_id": "pi_acme_1",
                              "amount_cents": ACME_REFUNDED, "status": "succeeded", "reason": "requested_by_customer",
                              "created": days(30)}])
        dataset._put(conn, Coupon, [
            {"id": "LAUNCH20", "name": "Launch offer", "percent_off": 20.0, "duration": "forever"},
            {"id": "PARTNER50", "name": "Partner", "amount_off_cents": 5_000, "currency": "usd", "duration": "forever"},
        ])
        dataset._put(conn, FeatureFlag, [{"id": key, "name": name, "plans_json": plans, "rollout_phase": phase}
                                  for key, name, plans, phase in FLAGS])
        dataset._put(conn, AccessGrant, [
            {"id": "grant_acme_audit", "customer_id": "cus_acme", "feature": "audit_log", "effect": "grant",
             "reason": "Compliance pilot", "granted_by": "Sam Rivera", "created_at": days(20),
             "expires_at": now + dt.timedelta(days=10)},
            {"id": "grant_bolt_sso", "customer_id": "cus_bolt", "feature": "sso", "effect": "deny",
             "reason": "Misconfigured IdP locks users out", "granted_by": "Sam Rivera", "created_at": days(5)},
            {"id": "grant_fern_old", "customer_id": "cus_fern", "feature": "audit_log", "effect": "grant",
             "reason": "Pilot", "created_at": days(60), "expires_at": days(30)},
        ])
        dataset._put(conn, CustomerUsage, [
            {"id": f"cus_acme:{(now - dt.timedelta(days=n)).date()}", "customer_id": "cus_acme",
             "day": (now - dt.timedelta(days=n)).date(), "active_users": 10, "api_calls": 1_000, "jobs": 50,
             "failed_jobs": 1 if n == 1 else 0}
            for n in range(1, 15)
        ])
        dataset._put(conn, ProcessingFailure, [
            {"id": "pf_acme_1", "customer_id": "cus_acme", "occurred_at": days(1), "job": "import",
             "error_code": "import_timeout", "message": "The CSV import stopped after 300 s at row 4,096."},
            {"id": "pf_acme_0", "customer_id": "cus_acme", "occurred_at": days(9), "job": "export",
             "error_code": "export_quota", "message": "Quota used up.", "resolved_at": days(8)},
        ])
    sign_in(engine, "support")
