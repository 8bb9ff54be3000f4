"""The customer's history, newest first: subscription changes, payments, refunds, grants and desk actions.

``subscription_history`` reads the subscription rows as the cache holds them
now (when each began, its trial, its cancellation and end), which is all the
history a row keeps.  A table of subscription changes built from Stripe's
events (plan, quantity, status and coupon, each with its time) can replace
it: it is the one function to point there.  Payments and refunds come from
the invoices' attempts; grants and desk actions carry who did it and why.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from app.domain.customer_desk.money import InvoiceFacts, money
from app.domain.customer_desk.state import ActionEntry

STRIPE, DESK, OPS = "Stripe", "desk", "Ops API"
REASON_KEY = "opsconsole_reason"  # the Stripe metadata key the desk writes its reason under


@dataclass(frozen=True)
class HistoryEntry:
    at: dt.datetime
    what: str
    who: str | None = None
    why: str | None = None
    source: str = STRIPE


def _plan(sub: dict[str, Any]) -> str:
    return str(sub.get("plan") or "a plan")


def subscription_history(subscriptions: Sequence[dict[str, Any]], now: dt.datetime) -> list[HistoryEntry]:
    """What the subscription rows say happened: starts, trials, cancellations, ends (see the module doc)."""
    entries: list[HistoryEntry] = []
    for sub in subscriptions:
        plan = _plan(sub)
        entries.append(HistoryEntry(sub["created"], f"Subscribed to {plan}"))
        if sub.get("trial_start") is not None:
            entries.append(HistoryEntry(sub["trial_start"], f"Trial of {plan} started"))
        if sub.get("trial_end") is not None and sub["trial_end"] <= now:
            entries.append(HistoryEntry(sub["trial_end"], f"Trial of {plan} ended"))
        if sub.get("canceled_at") is not None:
            when = "at period end" if sub.get("cancel_at_period_end") else "now"
            entries.append(HistoryEntry(sub["canceled_at"], f"Cancellation of {plan} requested ({when})"))
        if sub.get("ended_at") is not None:
            entries.append(HistoryEntry(sub["ended_at"], f"{plan} ended"))
    return entries


def payment_history(invoices: Iterable[InvoiceFacts]) -> list[HistoryEntry]:
    """Declined payment attempts and refunds on the invoices shown."""
    entries: list[HistoryEntry] = []
    for facts in invoices:
        number = facts.invoice.get("number") or facts.invoice["id"]
        for charge in facts.attempts:
            if charge["status"] == "failed":
                reason = charge.get("failure_message") or charge.get("failure_code") or "declined"
                entries.append(HistoryEntry(
                    charge["created"], f"Payment of {money(charge['amount_cents'], charge['currency'])} for "
                                       f"{number} declined: {reason}"))
        entries.extend(
            HistoryEntry(
                refund["created"], f"Refunded {money(refund['amount_cents'], refund['currency'])} of {number} "
                f"({refund['status']})",
                why=(refund.get("metadata_json") or {}).get(REASON_KEY) or refund.get("reason"),
            )
            for refund in facts.refunds
        )
    return entries


def grant_history(grants: Iterable[dict[str, Any]]) -> list[HistoryEntry]:
    entries: list[HistoryEntry] = []
    for grant in grants:
        what = grant.get("feature") or f"the {str(grant.get('plan') or '').capitalize()} plan"
        verb = "Withheld" if grant["effect"] == "deny" else "Granted"
        until = f" until {grant['expires_at']:%Y-%m-%d}" if grant.get("expires_at") else ""
        entries.append(HistoryEntry(grant["created_at"], f"{verb} {what}{until}", grant.get("granted_by"),
                                    grant["reason"], OPS))
        if grant.get("revoked_at") is not None:
            entries.append(HistoryEntry(grant["revoked_at"], f"Revoked {what}", grant.get("revoked_by"),
                                        grant.get("revoke_reason"), OPS))
    return entries


def action_history(actions: Iterable[ActionEntry]) -> list[HistoryEntry]:
    return [HistoryEntry(a.created_at, f"{a.summary} — {a.words}", a.actor, a.reason, DESK) for a in actions]


def history(
    subscriptions: Sequence[dict[str, Any]],
    invoices: Iterable[InvoiceFacts],
    actions: Iterable[ActionEntry],
    grants: Iterable[dict[str, Any]],
    now: dt.datetime,
) -> list[HistoryEntry]:
    """Everything above, newest first."""
    entries = [*subscription_history(subscriptions, now), *payment_history(invoices), *grant_history(grants),
               *action_history(actions)]
    return sorted(entries, key=lambda e: e.at, reverse=True)
