"""A customer's diagnosis as the detail panel shows it: the facts first, then one small table per concern.

The order follows the support procedures: where the customer stands and
what they pay, the card and the invoices with their payment attempts (a
billing problem), entitlements and grants (an access problem), usage and
processing failures (a processing problem), then tickets, licenses and the
history.  Statuses are words ("Past due"), money is right-aligned with its
currency, and colours are the palette's.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtGui import QColor

from app.domain.customer_desk import lifecycle
from app.domain.customer_desk.diagnosis import Diagnosis
from app.domain.customer_desk.money import money
from app.domain.revenue import discount_text
from ui import formatting as fmt
from ui.widgets.detail_panel import DetailView, LogEntry, LogSection, TableSection
from ui.widgets.palette import AMBER, GREEN, GREY, RED

STAGE_COLORS: dict[str, QColor] = {
    lifecycle.AT_RISK: RED, lifecycle.CHURNED: GREY, lifecycle.TRIAL: AMBER, lifecycle.EXPANDING: GREEN,
    lifecycle.ACTIVE: GREEN, lifecycle.NO_SUBSCRIPTION: GREY,
}
STATUS_COLORS: dict[str, QColor] = {"past_due": RED, "unpaid": RED, "trialing": AMBER, "canceled": GREY,
                                    "open": AMBER, "uncollectible": RED, "void": GREY, "failed": RED}
CARD_COLORS: dict[str, QColor] = {"expired": RED, "expires this month": AMBER, "none on file": AMBER}
MRR_TIP = ("Monthly recurring revenue of the customer's active and past-due subscriptions: annual prices count a "
           "twelfth, coupons are applied. Trials count nothing yet.")


def _subscription_status(sub: dict[str, Any]) -> str:
    notes = [fmt.status(sub["status"])]
    if sub["status"] == "trialing" and sub.get("trial_end") is not None:
        notes.append(f"trial ends {fmt.local_day(sub['trial_end'])}")
    if sub.get("cancel_at_period_end"):
        notes.append("cancels at period end")
    if sub.get("pause_collection"):
        notes.append("collection paused")
    return ", ".join(notes)


def _coupon(sub: dict[str, Any]) -> str:
    if not sub.get("coupon_id"):
        return "—"
    return f"{sub['coupon_id']} ({discount_text(sub['percent_off'], sub['amount_off_cents'])})"


def _subscriptions(d: Diagnosis) -> TableSection:
    return TableSection(
        "Subscriptions", ("Plan", "Status", "MRR", "Period ends", "Discount"),
        [(s["plan"], _subscription_status(s), fmt.cents(s["mrr_cents"]), fmt.local_day(s["current_period_end"]),
          _coupon(s)) for s in d.subscriptions],
        numeric=frozenset({2}), colors=[STATUS_COLORS.get(s["status"]) for s in d.subscriptions],
        empty="No subscriptions",
    )


def _attempts(attempts: list[dict[str, Any]]) -> str:
    """"declined 11-15 (insufficient funds), paid 11-18" — each attempt's day and outcome."""
    parts = []
    for charge in attempts:
        day = fmt.local_day(charge["created"])[5:]
        if charge["status"] == "failed":
            parts.append(f"declined {day} ({fmt.status(charge.get('failure_code') or 'declined').lower()})")
        else:
            parts.append(f"{'paid' if charge['status'] == 'succeeded' else charge['status']} {day}")
    return ", ".join(parts) or "—"


def _invoices(d: Diagnosis) -> TableSection:
    rows, colors = [], []
    for facts in d.invoices:
        i, room = facts.invoice, facts.refundable
        refunded = money(room.refunded, i["currency"]) if room.refunded else ""
        rows.append((i.get("number") or i["id"], money(i["amount_due_cents"], i["currency"]), fmt.status(i["status"]),
                     fmt.local_day(i["created"]), _attempts(facts.attempts), refunded))
        colors.append(STATUS_COLORS.get(i.get("status") or ""))
    title = f"Invoices and payment attempts (last {len(d.invoices)})" if d.invoices else "Invoices"
    return TableSection(title, ("Number", "Amount", "Status", "Date", "Attempts", "Refunded"), rows,
                        numeric=frozenset({1, 5}), colors=colors, empty="No invoices")


def _entitlements(d: Diagnosis) -> TableSection:
    return TableSection(
        "Entitlements", ("Feature", "Access", "Why"),
        [(e.name, "yes" if e.included else "no", e.source) for e in d.entitlements],
        colors=[None if e.included else GREY for e in d.entitlements],
        empty="No feature flags in the cache yet — they come from the Ops API",
    )


def _grants(d: Diagnosis) -> TableSection:
    rows, colors = [], []
    for g in d.grants:
        what = g.get("feature") or f"{str(g.get('plan')).capitalize()} plan"
        state = "waiting to send" if g.get("pending") else g["state"]
        until = fmt.local_day(g["expires_at"]) if g.get("expires_at") else "until revoked"
        rows.append((what, "withheld" if g["effect"] == "deny" else "granted", until, state,
                     g.get("granted_by") or "", g["reason"]))
        colors.append(AMBER if g.get("pending") else GREY if g["state"] != "running" else None)
    return TableSection("Access grants and overrides", ("What", "Effect", "Until", "State", "By", "Why"), rows,
                        colors=colors, empty="No grants")


def _usage_words(d: Diagnosis) -> str:
    u = d.usage
    if not u.days:
        return "no usage reported yet"
    rate = f" ({fmt.share(u.failure_rate)})" if u.failure_rate is not None else ""
    return (f"{u.active_users or 0:,.1f} active users a day · {u.jobs:,} jobs, {u.failed_jobs:,} failed{rate} · "
            f"{u.api_calls:,} API calls (last {len(u.days)} days)")


def _failures(d: Diagnosis) -> TableSection:
    return TableSection(
        "Processing failures", ("When", "Job", "Error", "Resolved"),
        [(fmt.when(f["occurred_at"]), f["job"], f"{f['error_code']}: {f['message']}",
          fmt.when(f["resolved_at"]) if f.get("resolved_at") else "open") for f in d.failures],
        colors=[GREY if f.get("resolved_at") else RED for f in d.failures], empty="No processing failures",
    )


def _tickets(d: Diagnosis) -> TableSection:
    return TableSection(
        f"Tickets ({d.tickets_total:,}, {d.tickets_unsolved:,} unsolved)", ("#", "Subject", "Status", "Priority"),
        [(str(t["id"]), t["subject"], fmt.status(t["status"]), fmt.status(t["priority"])) for t in d.tickets],
        empty="No tickets",
    )


def _licenses(d: Diagnosis) -> TableSection:
    rows = []
    for lic in d.licenses:
        state = "revoked" if lic.get("revoked_at") else fmt.expiry_words(lic["expires_at"])
        seats = f"{lic['in_use']:,} of {lic['seats']:,}"
        rows.append((fmt.status(lic["plan"]), seats, state, lic.get("issued_by") or ""))
    return TableSection("Licenses", ("Plan", "Seats in use", "State", "Issued by"), rows, numeric=frozenset({1}),
                        colors=[GREY if lic.get("revoked_at") else None for lic in d.licenses], empty="No licenses")


def _history(d: Diagnosis) -> LogSection:
    entries = []
    for h in d.history:
        heading = f"{fmt.when(h.at)} · {h.source}" + (f" · {h.who}" if h.who else "") + f" · {h.what}"
        entries.append(LogEntry(heading, f"Why: {h.why}" if h.why else ""))
    return LogSection("History (newest first)", entries, empty="Nothing recorded yet")


def render_diagnosis(d: Diagnosis) -> DetailView:
    c, card = d.customer, d.payment_method
    live = [s for s in d.subscriptions if s["status"] in lifecycle.LIVE]
    card_words = f"{card.label} — {card.state}"
    if card.last_failure:
        card_words += f"\nlast declined {fmt.local_day(card.last_failure_at)}: {card.last_failure}"
    return DetailView(
        title=d.name,
        fields=(
            ("MRR", f"{fmt.cents(d.mrr_cents)} from {len(live)} live subscription{'s' if len(live) != 1 else ''}"),
            ("Card", card_words),
            ("Usage", _usage_words(d)),
            ("Email", c["email"] or ""),
            ("Customer since", fmt.when(c["created"])),
            ("Balance", fmt.cents(c["balance_cents"])),
            ("Stripe id", c["id"]),
        ),
        tooltips={
            "MRR": MRR_TIP,
            "Card": "The default payment method and the customer's last declined payment attempt",
            "Balance": "Stripe customer balance: negative is credit in the customer's favour",
        },
        sections=(_subscriptions(d), _invoices(d), _entitlements(d), _grants(d), _failures(d), _tickets(d),
                  _licenses(d), _history(d)),
    )
