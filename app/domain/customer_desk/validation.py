"""Bad input refused in words before anything is queued; good input turned into the exact write.

``plan(request, diagnosis, settings, action_id, now)`` checks a request
against the customer as the cache holds them — who may act, what was paid
and already refunded (or is waiting to be), the support refund cap, whether
the coupon or plan exists, whether anything would change at all — and
returns the ``Planned`` action: the sentence the user confirms, with the
money in it, and the Stripe or Ops API call.  Every refusal is a
``Refusal`` whose message is the reason, written for the person at the desk.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from app.config.settings import Settings
from app.domain import revenue
from app.domain.customer_desk import actions as a
from app.domain.customer_desk.diagnosis import Diagnosis
from app.domain.customer_desk.history import REASON_KEY
from app.domain.customer_desk.money import money
from app.store import outbox

MAX_QUANTITY = 10_000
MAX_GRANT_DAYS = 366
LIVE = ("active", "past_due", "trialing", "unpaid")
Planner = Callable[[a.DeskRequest, Diagnosis, Settings, str, dt.datetime], a.Planned]


def plan(
    request: a.DeskRequest, diagnosis: Diagnosis | None, settings: Settings, action_id: str, now: dt.datetime
) -> a.Planned:
    """The action to queue for ``request``, or ``Refusal`` saying why not (nothing is written either way)."""
    planner = _PLANNERS.get(request.kind)
    if planner is None:
        raise a.Refusal(f"There is no action called {request.kind!r}.")
    if diagnosis is None:
        raise a.Refusal("This customer is no longer in the cache: Stripe deleted them, or the last sync did not "
                        "see them. Nothing was queued.")
    if not diagnosis.permissions.can_act:
        raise a.Refusal(diagnosis.permissions.why_not)
    reason = request.reason.strip()
    if len(reason) < 3:
        raise a.Refusal("Say why (at least a few words): the reason is recorded with the action.")
    if len(reason) > a.REASON_CHARS:
        raise a.Refusal(f"Keep the reason to {a.REASON_CHARS} characters (it has {len(reason)}).")
    _no_duplicate(request, diagnosis)
    return planner(request, diagnosis, settings, action_id, now)


def _no_duplicate(request: a.DeskRequest, diagnosis: Diagnosis) -> None:
    """The same action on the same thing, still waiting or refused, would apply twice: retry or discard it."""
    if request.kind == a.REFUND:
        return  # partial refunds add up; the refundable amount counts the waiting ones
    granted = request.feature or request.plan
    for action in diagnosis.actions:
        same_grant = request.kind == a.GRANT_ACCESS and action.details.get("grants") == granted
        if action.open and action.kind == request.kind and (action.target_id == request.target_id or same_grant):
            raise a.Refusal(f"The same action is already {action.words} ({action.summary}); retry or discard it "
                            "instead.")


def _metadata(action_id: str, reason: str, diagnosis: Diagnosis) -> dict[str, str]:
    """Who and why, kept on the Stripe object too (Stripe caps a metadata value at 500 characters)."""
    meta = {"opsconsole_action": action_id, REASON_KEY: reason.strip()[: a.REASON_CHARS]}
    if diagnosis.permissions.actor:
        meta["opsconsole_actor"] = diagnosis.permissions.actor[: a.REASON_CHARS]
    return meta


def _stripe(kind: str, method: str, path: str, payload: dict[str, Any] | None = None) -> a.Call:
    return a.Call(kind, outbox.STRIPE, method, path, payload or {})


# --------------------------------------------------------------------------- invoices


def _invoice(request: a.DeskRequest, diagnosis: Diagnosis) -> Any:
    facts = diagnosis.invoice(request.target_id)
    if facts is None:
        raise a.Refusal(f"Invoice {request.target_id} is not one of {diagnosis.name}'s invoices in the cache.")
    return facts


def _refund(request: a.DeskRequest, d: Diagnosis, _s: Settings, action_id: str, _now: dt.datetime) -> a.Planned:
    facts = _invoice(request, d)
    invoice, room = facts.invoice, facts.refundable
    number, currency = invoice.get("number") or invoice["id"], invoice.get("currency") or "usd"
    amount = request.amount_cents
    if amount is None:
        raise a.Refusal("Say how much to refund.")
    if amount <= 0:
        raise a.Refusal(f"A refund must be more than {money(0, currency)}; {money(amount, currency)} cannot be given "
                        "back.")
    charge = next((c for c in reversed(facts.attempts) if c["status"] == "succeeded"), None)
    if charge is None or room.paid == 0:
        raise a.Refusal(f"Invoice {number} has no successful payment to refund (as of the last sync).")
    if room.left == 0:
        given = money(room.refunded + room.waiting, currency)
        raise a.Refusal(f"Invoice {number} was already refunded in full ({given} of {money(room.paid, currency)}).")
    if amount > room.left:
        waiting = f" and {money(room.waiting, currency)} waiting to be" if room.waiting else ""
        raise a.Refusal(f"Invoice {number}: {money(room.paid, currency)} was paid and "
                        f"{money(room.refunded, currency)} already refunded{waiting}; at most "
                        f"{money(room.left, currency)} can be refunded, not {money(amount, currency)}.")
    cap = d.permissions.refund_cap_cents
    if cap is not None and amount > cap:
        raise a.Refusal(f"The {d.permissions.role} role can refund at most {money(cap, currency)} at once; a refund "
                        f"of {money(amount, currency)} needs the finance role.")
    payload = {"charge": charge["id"], "amount": amount, "metadata": _metadata(action_id, request.reason, d)}
    return a.Planned(request, f"Refund {money(amount, currency)} to {d.name} (invoice {number})",
                     _stripe("stripe_refund", "POST", "/v1/refunds", payload), amount, currency,
                     {"invoice": number, "charge": charge["id"]})


def _retry_payment(request: a.DeskRequest, d: Diagnosis, _s: Settings, _id: str, _now: dt.datetime) -> a.Planned:
    facts = _invoice(request, d)
    invoice = facts.invoice
    number, currency = invoice.get("number") or invoice["id"], invoice.get("currency") or "usd"
    status = invoice.get("status")
    if status == "paid":
        raise a.Refusal(f"Invoice {number} is already paid.")
    if status != "open":
        raise a.Refusal(f"Invoice {number} is {status}: only an open invoice can be charged again.")
    due = int(invoice["amount_due_cents"]) - int(invoice["amount_paid_cents"])
    if due <= 0:
        raise a.Refusal(f"Invoice {number} has nothing left to pay.")
    card = d.payment_method
    warning = ""
    if card.state == "expired":
        warning = " — the card on file has expired: Stripe will most likely decline it"
    summary = f"Charge {money(due, currency)} to {d.name}'s {card.label} now (invoice {number}){warning}"
    return a.Planned(request, summary, _stripe("stripe_pay_invoice", "POST", f"/v1/invoices/{invoice['id']}/pay"),
                     due, currency, {"invoice": number})


# --------------------------------------------------------------------------- subscriptions


def _subscription(request: a.DeskRequest, d: Diagnosis, *, live: bool = True) -> dict[str, Any]:
    sub = d.subscription(request.target_id)
    if sub is None:
        raise a.Refusal(f"Subscription {request.target_id} is not one of {d.name}'s subscriptions in the cache.")
    if live and sub["status"] not in LIVE:
        raise a.Refusal(f"{sub['plan']} is {_status_words(sub['status'])}: there is nothing to change on it.")
    return sub


def _status_words(status: str) -> str:
    return status.replace("_", " ")


def _update(kind: str, sub: dict[str, Any], payload: dict[str, Any]) -> a.Call:
    return _stripe(kind, "POST", f"/v1/subscriptions/{sub['id']}", payload)


def _sub_mrr(sub: dict[str, Any], items: list[dict[str, Any]], percent_off: float | None,
             amount_off: int | None) -> float:
    priced = (revenue.Item(int(i["unit_amount_cents"] or 0), int(i["quantity"]), i["interval"],
                           int(i["interval_count"] or 1)) for i in items)
    return revenue.subscription_mrr(priced, percent_off, amount_off)


def _extend_trial(request: a.DeskRequest, d: Diagnosis, s: Settings, action_id: str, now: dt.datetime) -> a.Planned:
    sub = _subscription(request, d)
    if sub["status"] != "trialing" or sub.get("trial_end") is None:
        raise a.Refusal(f"{sub['plan']} is {_status_words(sub['status'])}, not in a trial: there is no trial to "
                        "extend.")
    until, ends = request.until, sub["trial_end"]
    if until is None:
        raise a.Refusal("Choose the new end of the trial.")
    if until <= max(ends, now):
        raise a.Refusal(f"The trial already runs until {ends:%Y-%m-%d %H:%M} UTC: choose a later date.")
    days = (until - ends).total_seconds() / 86_400
    limit = s.desk.max_trial_extension_days
    if days > limit:
        raise a.Refusal(f"A trial can be extended by at most {limit} days at once; {days:.0f} days were asked.")
    payload = {"trial_end": int(until.replace(tzinfo=dt.UTC).timestamp()),
               "metadata": _metadata(action_id, request.reason, d)}
    return a.Planned(request, f"Extend {d.name}'s trial of {sub['plan']} from {ends:%Y-%m-%d} to {until:%Y-%m-%d} "
                              f"(+{days:.0f} days, free)", _update("stripe_extend_trial", sub, payload),
                     details={"from": ends.isoformat(), "to": until.isoformat()})


def _apply_coupon(request: a.DeskRequest, d: Diagnosis, _s: Settings, action_id: str, _now: dt.datetime) -> a.Planned:
    sub = _subscription(request, d)
    wanted = (request.coupon_id or "").strip()
    if not wanted:
        raise a.Refusal("Choose the coupon to apply.")
    coupon = next((c for c in d.coupons if c["id"] == wanted), None)
    if coupon is None:
        raise a.Refusal(f"There is no valid coupon {wanted!r} in Stripe (as of the last sync).")
    if sub.get("coupon_id") == wanted:
        raise a.Refusal(f"{sub['plan']} already has coupon {wanted}.")
    new_mrr = _sub_mrr(sub, sub["items"], coupon["percent_off"], coupon["amount_off_cents"])
    words = revenue.discount_text(coupon["percent_off"], coupon["amount_off_cents"])
    payload = {"discounts": [{"coupon": wanted}], "metadata": _metadata(action_id, request.reason, d)}
    return a.Planned(request, f"Apply coupon {wanted} ({words}) to {d.name}'s {sub['plan']}: MRR "
                              f"{money(sub['mrr_cents'])} → {money(new_mrr)}",
                     _update("stripe_apply_coupon", sub, payload),
                     details={"coupon": wanted, "mrr_delta_cents": new_mrr - sub["mrr_cents"]})


def _remove_coupon(request: a.DeskRequest, d: Diagnosis, _s: Settings, action_id: str, _now: dt.datetime) -> a.Planned:
    sub = _subscription(request, d)
    if not sub.get("coupon_id"):
        raise a.Refusal(f"{sub['plan']} has no coupon to remove.")
    new_mrr = _sub_mrr(sub, sub["items"], None, None)
    payload = {"discounts": "", "metadata": _metadata(action_id, request.reason, d)}
    return a.Planned(request, f"Remove coupon {sub['coupon_id']} from {d.name}'s {sub['plan']}: MRR "
                              f"{money(sub['mrr_cents'])} → {money(new_mrr)}",
                     _update("stripe_remove_coupon", sub, payload),
                     details={"coupon": sub["coupon_id"], "mrr_delta_cents": new_mrr - sub["mrr_cents"]})


def _change_plan(request: a.DeskRequest, d: Diagnosis, _s: Settings, action_id: str, _now: dt.datetime) -> a.Planned:
    sub = _subscription(request, d)
    if len(sub["items"]) != 1:
        raise a.Refusal(f"{sub['plan']} has {len(sub['items'])} items; change it in the Stripe dashboard.")
    item = sub["items"][0]
    price = next((p for p in d.prices if p["id"] == request.price_id), None)
    if price is None:
        raise a.Refusal(f"There is no active plan {request.price_id!r} in Stripe (as of the last sync).")
    quantity = item["quantity"] if request.quantity is None else request.quantity
    if not 1 <= quantity <= MAX_QUANTITY:
        raise a.Refusal(f"The quantity must be a whole number from 1 to {MAX_QUANTITY:,}, not {quantity:,}.")
    if price["id"] == item["price_id"] and quantity == item["quantity"]:
        raise a.Refusal(f"{d.name} already has {quantity} × {item['plan']}: nothing would change.")
    new_item = {**item, "price_id": price["id"], "unit_amount_cents": price["unit_amount_cents"],
                "interval": price["interval"], "interval_count": price["interval_count"], "quantity": quantity}
    new_mrr = _sub_mrr(sub, [new_item], sub.get("percent_off"), sub.get("amount_off_cents"))
    new_name = price["nickname"] or price.get("product_name") or price["id"]
    field = "plan" if price.get("is_legacy_plan") else "price"  # a legacy plan id goes where plans went
    # Stripe prorates a plan change by default (``proration_behavior`` create_prorations); not sending
    # it also keeps Stripe-compatible test servers that predate the parameter working.
    payload = {"items": [{"id": item["id"], field: price["id"], "quantity": quantity}],
               "metadata": _metadata(action_id, request.reason, d)}
    summary = (f"Change {d.name} from {item['quantity']} × {item['plan']} ({money(sub['mrr_cents'])} a month) to "
               f"{quantity} × {new_name} ({money(new_mrr)} a month)")
    return a.Planned(request, summary, _update("stripe_change_plan", sub, payload),
                     details={"from": f"{item['quantity']} × {item['plan']}", "to": f"{quantity} × {new_name}",
                              "price": price["id"], "quantity": quantity,
                              "mrr_delta_cents": new_mrr - sub["mrr_cents"]})


def _cancel_now(request: a.DeskRequest, d: Diagnosis, _s: Settings, _id: str, _now: dt.datetime) -> a.Planned:
    sub = _subscription(request, d)
    return a.Planned(request, f"Cancel {d.name}'s {sub['plan']} now: {money(sub['mrr_cents'])} of MRR stops today",
                     _stripe("stripe_cancel_now", "DELETE", f"/v1/subscriptions/{sub['id']}"),
                     details={"mrr_delta_cents": -sub["mrr_cents"]})


def _cancel_at_period_end(
    request: a.DeskRequest, d: Diagnosis, _s: Settings, action_id: str, _now: dt.datetime
) -> a.Planned:
    sub = _subscription(request, d)
    if sub.get("cancel_at_period_end"):
        raise a.Refusal(f"{sub['plan']} already ends at the end of its period.")
    end = sub.get("current_period_end")
    when = f"on {end:%Y-%m-%d}" if end is not None else "at the end of the period"
    payload = {"cancel_at_period_end": True, "metadata": _metadata(action_id, request.reason, d)}
    return a.Planned(request, f"Cancel {d.name}'s {sub['plan']} {when}: {money(sub['mrr_cents'])} of MRR stops then",
                     _update("stripe_cancel_at_period_end", sub, payload))


def _pause(request: a.DeskRequest, d: Diagnosis, _s: Settings, action_id: str, _now: dt.datetime) -> a.Planned:
    sub = _subscription(request, d)
    if sub.get("pause_collection"):
        raise a.Refusal(f"Payment collection of {sub['plan']} is already paused.")
    payload = {"pause_collection": {"behavior": "keep_as_draft"}, "metadata": _metadata(action_id, request.reason, d)}
    return a.Planned(request, f"Pause payment collection of {d.name}'s {sub['plan']}: new invoices stay drafts and "
                              "nothing is charged until it resumes", _update("stripe_pause_collection", sub, payload))


def _resume(request: a.DeskRequest, d: Diagnosis, _s: Settings, action_id: str, _now: dt.datetime) -> a.Planned:
    sub = _subscription(request, d)
    if not sub.get("pause_collection"):
        raise a.Refusal(f"Payment collection of {sub['plan']} is not paused.")
    payload = {"pause_collection": "", "metadata": _metadata(action_id, request.reason, d)}
    return a.Planned(request, f"Resume payment collection of {d.name}'s {sub['plan']} "
                              f"({money(sub['mrr_cents'])} a month)", _update("stripe_resume_collection", sub, payload))


# --------------------------------------------------------------------------- access (Ops API)


def _grant(request: a.DeskRequest, d: Diagnosis, _s: Settings, action_id: str, now: dt.datetime) -> a.Planned:
    if (request.feature is None) == (request.plan is None):
        raise a.Refusal("Choose either a feature or a plan to grant.")
    if request.feature is not None:
        feature = next((e for e in d.entitlements if e.feature == request.feature), None)
        if feature is None:
            raise a.Refusal(f"There is no feature {request.feature!r} (as of the last sync of the feature flags).")
        if feature.included:
            raise a.Refusal(f"{d.name} already has {feature.name} ({feature.source}).")
        what = feature.name
    else:
        tiers = {p.get("tier") for p in d.prices} | {i["tier"] for s in d.subscriptions for i in s["items"]}
        if request.plan not in tiers:
            raise a.Refusal(f"There is no plan {request.plan!r}; plans: {', '.join(sorted(t for t in tiers if t))}.")
        what = f"the {str(request.plan).capitalize()} plan's features"
    until = request.until
    if until is None or until <= now:
        raise a.Refusal("Choose when the access ends: a date after today.")
    if until > now + dt.timedelta(days=MAX_GRANT_DAYS):
        raise a.Refusal(f"Temporary access lasts at most a year; choose a date before {now:%Y}-{now:%m-%d} next year.")
    body = {"id": action_id, "customer_id": d.customer["id"], "feature": request.feature, "plan": request.plan,
            "effect": "grant", "reason": request.reason.strip(), "granted_by": d.permissions.actor,
            "created_at": _iso(now), "expires_at": _iso(until)}
    return a.Planned(request, f"Grant {d.name} {what} until {until:%Y-%m-%d}",
                     a.Call("access_grant", outbox.OPS, "POST", "/v1/access_grants", body),
                     details={"grants": request.feature or request.plan, "until": until.isoformat()})


def _revoke(request: a.DeskRequest, d: Diagnosis, _s: Settings, _id: str, now: dt.datetime) -> a.Planned:
    grant = d.grant(request.target_id)
    if grant is None:
        raise a.Refusal(f"Grant {request.target_id} is not one of {d.name}'s grants in the cache.")
    if grant.get("pending") and grant.get("revoked_at") is None:
        raise a.Refusal("This grant has not reached the Ops API yet: discard it from the waiting actions instead.")
    if grant["state"] != "running":
        raise a.Refusal(f"This grant is already {grant['state']}.")
    what = grant.get("feature") or f"the {str(grant.get('plan')).capitalize()} plan"
    body = {"reason": request.reason.strip(), "revoked_at": _iso(now), "revoked_by": d.permissions.actor}
    by = f" (granted by {grant['granted_by']})" if grant.get("granted_by") else ""
    return a.Planned(request, f"Revoke {d.name}'s access to {what}{by}",
                     a.Call("access_revoke", outbox.OPS, "POST", f"/v1/access_grants/{grant['id']}/revoke", body))


def _iso(value: dt.datetime) -> str:
    return value.isoformat(timespec="seconds") + "Z"


_PLANNERS: dict[str, Planner] = {
    a.REFUND: _refund, a.RETRY_PAYMENT: _retry_payment, a.EXTEND_TRIAL: _extend_trial,
    a.APPLY_COUPON: _apply_coupon, a.REMOVE_COUPON: _remove_coupon, a.CHANGE_PLAN: _change_plan,
    a.CANCEL_NOW: _cancel_now, a.CANCEL_AT_PERIOD_END: _cancel_at_period_end, a.PAUSE_COLLECTION: _pause,
    a.RESUME_COLLECTION: _resume, a.GRANT_ACCESS: _grant, a.REVOKE_ACCESS: _revoke,
}
