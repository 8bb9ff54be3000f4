"""Actions checked in words and queued with their outbox entry; a refusal writes nothing."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from sqlalchemy import delete, func, select

from app.config.settings import DeskSettings, Settings
from app.domain.customer_desk import actions as a
from app.domain.customer_desk.queue import discard_action, retry_action, submit
from app.store import outbox
from app.store.schema import AccessGrant, Customer, DeskAction, OutboxEntry
from tests.app.domain.customer_desk.support import diagnosis_of
from tests.support.dataset import NOW
from tests.support.desk import ACME_PAID, ACME_REFUNDED, sign_in

REASON = "Customer asked on ticket 103"


def refund(amount: int, invoice: str = "in_acme_1") -> a.DeskRequest:
    return a.DeskRequest(a.REFUND, "cus_acme", invoice, REASON, amount_cents=amount)


def _written(engine) -> tuple[int, int]:
    with engine.connect() as conn:
        return (conn.execute(select(func.count()).select_from(DeskAction)).scalar_one(),
                conn.execute(select(func.count()).select_from(OutboxEntry)).scalar_one())


def _refused(engine, request: a.DeskRequest, match: str, settings: Settings | None = None) -> None:
    before = _written(engine)
    with pytest.raises(a.Refusal, match=match):
        submit(engine, request, settings or Settings(), NOW)
    assert _written(engine) == before  # nothing queued


def test_a_refund_above_the_support_cap_is_refused_before_anything_is_queued(desk_cache):
    """Rule "Refund cap": support refunds at most the setting's amount at once (default $500)."""
    _refused(desk_cache, refund(50_001), r"support role can refund at most \$500\.00 at once; a refund of "
                                         r"\$500\.01 needs the finance role")
    capped = Settings(desk=DeskSettings(support_refund_cap_usd=1_000))
    assert submit(desk_cache, refund(50_001), capped, NOW).summary.startswith("Refund $500.01")
    sign_in(desk_cache, "finance")
    assert submit(desk_cache, refund(100_000), Settings(), NOW).summary == (
        "Refund $1,000.00 to Acme Corp (invoice ACME-0001)")


def test_a_queued_refund_goes_to_stripe_by_the_outbox_with_its_key(desk_cache):
    queued = submit(desk_cache, refund(29_900), Settings(), NOW)
    assert queued.summary == "Refund $299.00 to Acme Corp (invoice ACME-0001)"
    with desk_cache.connect() as conn:
        entry = conn.execute(select(OutboxEntry.__table__)).mappings().one()
        action = conn.execute(select(DeskAction.__table__)).mappings().one()
    assert (entry["backend"], entry["method"], entry["path"], entry["state"]) == (
        "stripe", "POST", "/v1/refunds", "pending")
    assert entry["idempotency_key"] == queued.action_id == action["id"]
    assert entry["payload_json"]["charge"] == "ch_acme_1" and entry["payload_json"]["amount"] == 29_900
    assert entry["payload_json"]["metadata"]["opsconsole_reason"] == REASON
    assert (action["actor"], action["role"], action["reason"], action["amount_cents"]) == (
        "Maya Chen", "support", REASON, 29_900)
    assert queued.changes.touches_key("desk_actions", queued.action_id)
    shown = diagnosis_of(desk_cache, "cus_acme")
    assert [(x.summary, x.words) for x in shown.actions] == [(queued.summary, "waiting to send")]


@pytest.mark.parametrize(("amount", "words"), [
    (0, r"must be more than \$0\.00"),
    (-500, r"must be more than \$0\.00; -\$5\.00 cannot be given back"),
])
def test_refunds_of_nothing_or_less_are_refused(desk_cache, amount, words):
    _refused(desk_cache, refund(amount), words)


def test_refunds_never_add_up_to_more_than_was_paid(desk_cache):
    """Rule "Refundable amount": what was paid, less refunds made and refunds still waiting."""
    sign_in(desk_cache, "finance")
    left = ACME_PAID - ACME_REFUNDED
    _refused(desk_cache, refund(left + 1), r"\$2,392\.00 was paid and \$100\.00 already refunded; at most "
                                           r"\$2,292\.00 can be refunded, not \$2,292\.01")
    submit(desk_cache, refund(left - 100), Settings(), NOW)  # queued offline, not yet sent
    _refused(desk_cache, refund(200), r"and \$2,291\.00 waiting to be; at most \$1\.00")
    submit(desk_cache, refund(100), Settings(), NOW)
    _refused(desk_cache, refund(1), "already refunded in full")


def test_bad_input_is_refused_in_words(desk_cache):
    reason = {"reason": REASON}
    cases = [
        (a.DeskRequest(a.REFUND, "cus_dune", "in_dune_1", REASON, amount_cents=100), "no successful payment"),
        (a.DeskRequest(a.REFUND, "cus_acme", "in_dune_1", REASON, amount_cents=100), "not one of Acme Corp's"),
        (a.DeskRequest(a.RETRY_PAYMENT, "cus_acme", "in_acme_1", **reason), "already paid"),
        (a.DeskRequest(a.APPLY_COUPON, "cus_bolt", "sub_bolt", REASON, coupon_id="FREE99"), "no valid coupon 'FREE99'"),
        (a.DeskRequest(a.APPLY_COUPON, "cus_bolt", "sub_bolt", REASON, coupon_id=" "), "Choose the coupon"),
        (a.DeskRequest(a.CHANGE_PLAN, "cus_bolt", "sub_bolt", REASON, price_id="price_starter_m", quantity=3),
         "already has 3 × Starter monthly: nothing would change"),
        (a.DeskRequest(a.CHANGE_PLAN, "cus_bolt", "sub_bolt", REASON, price_id="price_gold"), "no active plan"),
        (a.DeskRequest(a.CHANGE_PLAN, "cus_bolt", "sub_bolt", REASON, price_id="price_pro_y", quantity=0),
         "from 1 to 10,000"),
        (a.DeskRequest(a.EXTEND_TRIAL, "cus_bolt", "sub_bolt", REASON, until=NOW + dt.timedelta(days=3)),
         "not in a trial"),
        (a.DeskRequest(a.EXTEND_TRIAL, "cus_cyan", "sub_cyan", REASON, until=NOW + dt.timedelta(days=60)),
         "at most 30 days at once"),
        (a.DeskRequest(a.CANCEL_NOW, "cus_echo", "sub_echo", **reason), "canceled: there is nothing to change"),
        (a.DeskRequest(a.REMOVE_COUPON, "cus_dune", "sub_dune", **reason), "has no coupon"),
        (a.DeskRequest(a.RESUME_COLLECTION, "cus_dune", "sub_dune", **reason), "is not paused"),
        (a.DeskRequest(a.GRANT_ACCESS, "cus_acme", None, REASON, feature="sso", until=NOW + dt.timedelta(days=3)),
         "already has Single sign-on"),
        (a.DeskRequest(a.GRANT_ACCESS, "cus_bolt", None, REASON, feature="audit_log"), "Choose when the access ends"),
        (a.DeskRequest(a.REVOKE_ACCESS, "cus_fern", "grant_fern_old", **reason), "already expired"),
        (a.DeskRequest(a.REFUND, "cus_acme", "in_acme_1", "ok", amount_cents=100), "Say why"),
    ]
    for request, words in cases:
        _refused(desk_cache, request, words)


def test_a_customer_deleted_in_stripe_meanwhile_is_refused(desk_cache):
    with desk_cache.begin() as conn:
        conn.execute(delete(Customer).where(Customer.id == "cus_acme"))  # what sync does on customer.deleted
    _refused(desk_cache, refund(100), "no longer in the cache: Stripe deleted them")


@pytest.mark.parametrize("role", ["executive", "product", "operations"])
def test_read_only_roles_cannot_act(desk_cache, role):
    sign_in(desk_cache, role)
    _refused(desk_cache, refund(100), f"Read-only: the {role} role can look at customers")


def test_the_same_action_twice_is_refused_while_the_first_waits(desk_cache):
    cancel = a.DeskRequest(a.CANCEL_AT_PERIOD_END, "cus_bolt", "sub_bolt", REASON)
    first = submit(desk_cache, cancel, Settings(), NOW)
    _refused(desk_cache, cancel, "already waiting to send")
    discard_action(desk_cache, first.action_id)
    assert diagnosis_of(desk_cache, "cus_bolt").actions[0].words == "discarded"
    submit(desk_cache, cancel, Settings(), NOW)  # after a discard it may be asked again


def test_refused_actions_are_retried_or_discarded(desk_cache):
    queued = submit(desk_cache, a.DeskRequest(a.RETRY_PAYMENT, "cus_dune", "in_dune_1", REASON), Settings(), NOW)
    assert "Charge $99.00 to Dune Retail's Visa •••• 4242" in queued.summary
    with desk_cache.begin() as conn:
        conn.execute(OutboxEntry.__table__.update().values(state=outbox.REFUSED, last_error="Your card was declined."))
    entry = diagnosis_of(desk_cache, "cus_dune").actions[0]
    assert entry.open and entry.words == "refused: Your card was declined."
    assert retry_action(desk_cache, queued.action_id).touches(["outbox"])
    assert diagnosis_of(desk_cache, "cus_dune").actions[0].words == (
        "waiting to send — last attempt: Your card was declined.")


def test_plan_changes_coupons_and_cancellations_say_the_money(desk_cache):
    plans = {
        a.CHANGE_PLAN: a.DeskRequest(a.CHANGE_PLAN, "cus_bolt", "sub_bolt", REASON, price_id="price_ent_m",
                                     quantity=1),
        a.APPLY_COUPON: a.DeskRequest(a.APPLY_COUPON, "cus_dune", "sub_dune", REASON, coupon_id="LAUNCH20"),
        a.CANCEL_NOW: a.DeskRequest(a.CANCEL_NOW, "cus_fern", "sub_fern", REASON),
        a.EXTEND_TRIAL: a.DeskRequest(a.EXTEND_TRIAL, "cus_cyan", "sub_cyan", REASON,
                                      until=NOW + dt.timedelta(days=16)),
        a.PAUSE_COLLECTION: a.DeskRequest(a.PAUSE_COLLECTION, "cus_acme", "sub_acme", REASON),
    }
    summaries = {kind: submit(desk_cache, request, Settings(), NOW).summary for kind, request in plans.items()}
    assert summaries == {
        a.CHANGE_PLAN: "Change Bolt Labs from 3 × Starter monthly ($287.00 a month) to 1 × Enterprise monthly "
                       "($989.00 a month)",
        a.APPLY_COUPON: "Apply coupon LAUNCH20 (20 % off) to Dune Retail's Starter monthly: MRR $99.00 → $79.20",
        a.CANCEL_NOW: "Cancel Fern Foods's Enterprise annual now: $732.50 of MRR stops today",
        a.EXTEND_TRIAL: "Extend Cyan Health's trial of Enterprise monthly from 2026-11-27 to 2026-12-04 "
                        "(+7 days, free)",
        a.PAUSE_COLLECTION: "Pause payment collection of Acme Corp's Professional annual: new invoices stay drafts "
                            "and nothing is charged until it resumes",
    }
    with desk_cache.connect() as conn:
        calls = {(r.method, r.path) for r in conn.execute(select(OutboxEntry.method, OutboxEntry.path))}
        changes = conn.execute(select(OutboxEntry.payload_json).where(OutboxEntry.kind == "stripe_change_plan"))
        item = changes.scalar_one()["items"][0]
    assert ("DELETE", "/v1/subscriptions/sub_fern") in calls
    assert item == {"id": "si_bolt", "price": "price_ent_m", "quantity": 1}


def test_access_grants_show_at_once_and_a_discard_takes_them_back(desk_cache):
    until = NOW + dt.timedelta(days=14)
    queued = submit(desk_cache, a.DeskRequest(a.GRANT_ACCESS, "cus_bolt", None, REASON, feature="audit_log",
                                              until=until), Settings(), NOW)
    assert queued.summary == "Grant Bolt Labs Audit log until 2026-12-02"
    bolt = diagnosis_of(desk_cache, "cus_bolt")
    assert {e.feature: e.included for e in bolt.entitlements}["audit_log"] is True
    assert bolt.grant(queued.action_id)["pending"] is True
    discard_action(desk_cache, queued.action_id)
    with desk_cache.connect() as conn:
        assert conn.execute(select(AccessGrant.id).where(AccessGrant.id == queued.action_id)).first() is None
    revoke = submit(desk_cache, a.DeskRequest(a.REVOKE_ACCESS, "cus_acme", "grant_acme_audit", REASON), Settings(),
                    NOW)
    assert revoke.summary == "Revoke Acme Corp's access to audit_log (granted by Sam Rivera)"
    acme = diagnosis_of(desk_cache, "cus_acme")
    assert acme.grant("grant_acme_audit")["state"] == "revoked"
    discard_action(desk_cache, revoke.action_id)
    assert diagnosis_of(desk_cache, "cus_acme").grant("grant_acme_audit")["state"] == "running"


def test_the_offline_role_from_settings_applies_before_any_sync(cache):
    from tests.support import dataset

    dataset.fill(cache.engine, NOW)  # no /me answer in this cache
    offline_support = Settings(sync=dataclasses.replace(Settings().sync, offline_role="support"))
    d = diagnosis_of(cache.engine, "cus_dune", offline_support)
    assert d.permissions.role == "support" and d.permissions.can_act and d.permissions.actor is None
    assert not diagnosis_of(cache.engine, "cus_dune").permissions.can_act  # the default offline role: executive
