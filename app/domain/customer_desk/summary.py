"""The facts an escalation needs, as plain text to paste into a ticket or a chat ("Copy summary").

Written from the same ``Diagnosis`` the desk shows, so the pasted text and
the screen agree; worded for a reader who has neither in front of them.
"""

from __future__ import annotations

from app.domain.customer_desk.diagnosis import Diagnosis
from app.domain.customer_desk.money import money
from app.domain.revenue import discount_text

SHOWN = 3  # items listed per part; the rest are counted


def _more(count: int) -> str:
    return f" (+{count - SHOWN} more)" if count > SHOWN else ""


def escalation_summary(d: Diagnosis) -> str:
    c = d.customer
    lines = [
        f"Customer: {d.name} ({c['id']}){', ' + c['email'] if c.get('email') else ''}",
        f"Stage: {d.stage.stage} — {'; '.join(d.stage.reasons)}",
        f"MRR: {money(d.mrr_cents)}",
    ]
    for sub in d.subscriptions[:SHOWN]:
        parts = [f"{sub['plan']}", sub["status"].replace("_", " ")]
        if sub.get("current_period_end") is not None:
            parts.append(f"period ends {sub['current_period_end']:%Y-%m-%d}")
        if sub.get("trial_end") is not None and sub["status"] == "trialing":
            parts.append(f"trial ends {sub['trial_end']:%Y-%m-%d}")
        if sub.get("cancel_at_period_end"):
            parts.append("cancels at period end")
        if sub.get("pause_collection"):
            parts.append("collection paused")
        if sub.get("coupon_id"):
            parts.append(f"coupon {sub['coupon_id']} ({discount_text(sub['percent_off'], sub['amount_off_cents'])})")
        lines.append("Subscription: " + " · ".join(parts))
    card = d.payment_method
    card_line = f"Card: {card.label} ({card.state})"
    if card.last_failure:
        card_line += f" · last declined {card.last_failure_at:%Y-%m-%d}: {card.last_failure}"
    lines.append(card_line)
    unpaid = [f for f in d.invoices if f.invoice.get("status") == "open"]
    for facts in unpaid[:SHOWN]:
        i = facts.invoice
        lines.append(f"Unpaid invoice: {i.get('number') or i['id']} {money(i['amount_due_cents'], i['currency'])}, "
                     f"{len(facts.attempts)} attempt(s)")
    lines.append("Features: " + (", ".join(e.name for e in d.entitlements if e.included) or "none"))
    withheld = [f"{e.name} ({e.source})" for e in d.entitlements if not e.included and e.source.startswith("withheld")]
    if withheld:
        lines.append("Withheld: " + "; ".join(withheld))
    running = [g for g in d.grants if g["state"] == "running" and g["effect"] == "grant"]
    if running:
        lines.append("Grants: " + "; ".join(
            f"{g.get('feature') or g.get('plan')} until {g['expires_at']:%Y-%m-%d}" if g.get("expires_at")
            else f"{g.get('feature') or g.get('plan')} until revoked" for g in running[:SHOWN]) + _more(len(running)))
    u = d.usage
    if u.days:
        rate = f" ({u.failure_rate:.2%})" if u.failure_rate is not None else ""
        lines.append(f"Usage, last {len(u.days)} days: {u.active_users or 0:.1f} active users a day, "
                     f"{u.api_calls:,} API calls, {u.jobs:,} jobs, {u.failed_jobs:,} failed{rate}")
    open_failures = [f for f in d.failures if f.get("resolved_at") is None]
    lines.extend(f"Processing failure: {failure['occurred_at']:%Y-%m-%d %H:%M} UTC {failure['job']} "
                 f"{failure['error_code']} — {failure['message']}" for failure in open_failures[:SHOWN])
    lines.append(f"Tickets: {d.tickets_total:,} ({d.tickets_unsolved:,} unsolved)" + "".join(
        f"; #{t['id']} {t['subject']} ({t['status']}, {t['priority']})" for t in d.tickets[:SHOWN]))
    for lic in d.licenses[:SHOWN]:
        state = "revoked" if lic.get("revoked_at") else f"expires {lic['expires_at']:%Y-%m-%d}"
        lines.append(f"License: {lic['plan']}, {lic['in_use']:,} of {lic['seats']:,} seats in use, {state}")
    lines.extend(f"Desk action: {action.summary} — {action.words} (by {action.actor or 'unknown'}: {action.reason})"
                 for action in d.actions[:SHOWN])
    lines.append(f"As of {d.as_of:%Y-%m-%d %H:%M} UTC, from the console's cache.")
    return "\n".join(lines)
