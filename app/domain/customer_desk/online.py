"""Before the user confirms: ask Stripe what the cache cannot know, when Stripe can be reached.

* Is the customer still there?  Deleted in Stripe since the last sync → refused.
* Does the coupon still exist?  Deleted since the last sync → refused.
* For a plan or quantity change: the proration Stripe computes
  (``POST /v1/invoices/create_preview``), shown in the confirmation.

Offline — no Stripe key, or Stripe does not answer within a few seconds —
the action is checked against the cache only and queued; the confirmation
says so.  Nothing here writes anything.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine

from app.config.settings import Settings
from app.connectors.config import SyncConfig
from app.connectors.errors import ConnectorError, Refused
from app.connectors.retry import RetryPolicy
from app.connectors.stripe_api import StripeSource
from app.domain.customer_desk import actions as a
from app.domain.customer_desk.money import money
from app.domain.customer_desk.queue import check
from app.store import outbox
from app.tasks import CancelToken

# Asked while a person waits: a short timeout and one retry, then fall back to the cache.
PREVIEW_TIMEOUT_S = 8.0
PREVIEW_RETRY = RetryPolicy(attempts=2, base_delay=0.2, max_delay=1.0, retry_after_cap=2.0)
OFFLINE = "Stripe could not be reached: checked against the cache only; it is sent with the next sync."
NO_STRIPE = "No Stripe key is set up: checked against the cache only; it is sent once sync can reach Stripe."
CACHE_ONLY = "Checked against the cache; it is sent to the Ops API with the next sync."


@dataclass(frozen=True)
class Confirmation:
    """What the confirmation dialog shows: the action, the money, Stripe's preview and how it was checked."""

    planned: a.Planned
    checked: str  # how the action was checked, in words
    proration: list[tuple[str, int]]  # (description, cents) lines Stripe would add now
    next_invoice_cents: int | None = None
    currency: str = "usd"

    @property
    def text(self) -> str:
        lines = [self.planned.summary + "."]
        if self.proration:
            net = sum(cents for _, cents in self.proration)
            lines.append(f"Stripe prorates the rest of the period: {money(net, self.currency)} "
                         f"({'charged' if net >= 0 else 'credited'} on the next invoice).")
            lines += [f"  • {words}: {money(cents, self.currency)}" for words, cents in self.proration]
        if self.next_invoice_cents is not None:
            lines.append(f"Next invoice: {money(self.next_invoice_cents, self.currency)}.")
        lines.append(self.checked)
        return "\n".join(lines)


def prepare(
    engine: Engine, config: SyncConfig, request: a.DeskRequest, settings: Settings, now: dt.datetime | None = None,
    cancel: CancelToken | None = None,
) -> Confirmation:
    """Check ``request`` against the cache, then against Stripe when it answers; ``Refusal`` when refused."""
    planned = check(engine, request, settings, now)
    if planned.call.backend != outbox.STRIPE:
        return Confirmation(planned, CACHE_ONLY, [])
    if not config.stripe_enabled:
        return Confirmation(planned, NO_STRIPE, [])
    quick = dataclasses.replace(config, timeout=min(config.timeout, PREVIEW_TIMEOUT_S), retry=PREVIEW_RETRY)
    source = StripeSource(quick, cancel or CancelToken())
    try:
        return _ask_stripe(source, planned)
    except Refused as refused:  # Stripe said no to a question: that is its answer to the action too
        raise a.Refusal(f"Stripe says: {refused.message.removeprefix('Stripe: ')}") from None
    except ConnectorError:
        return Confirmation(planned, OFFLINE, [])
    finally:
        source.close()


def _ask_stripe(source: StripeSource, planned: a.Planned) -> Confirmation:
    request = planned.request
    customer = source.retrieve(f"/v1/customers/{request.customer_id}")
    if customer is None or customer.get("deleted"):
        raise a.Refusal("Stripe no longer has this customer (deleted since the last sync): nothing was queued.")
    if request.kind == a.APPLY_COUPON and source.retrieve(f"/v1/coupons/{request.coupon_id}") is None:
        raise a.Refusal(f"Stripe has no coupon {request.coupon_id!r} (deleted since the last sync): nothing was "
                        "queued.")
    if request.kind != a.CHANGE_PLAN:
        return Confirmation(planned, "Checked with Stripe just now.", [])
    item = planned.call.payload["items"][0]
    preview = source.post("/v1/invoices/create_preview", {
        "customer": request.customer_id, "subscription": request.target_id,
        "subscription_details": {"items": [item]},  # prorated, as the change itself will be
    })
    lines = [(str(line.get("description") or "Proration"), int(line.get("amount") or 0))
             for line in (preview.get("lines") or {}).get("data") or () if _is_proration(line)]
    return Confirmation(planned, "Checked with Stripe just now; the proration is Stripe's own preview.", lines,
                        int(preview.get("amount_due") or 0), str(preview.get("currency") or "usd"))


def _is_proration(line: dict[str, Any]) -> bool:
    """Older API versions mark proration lines on the line, newer ones under ``parent``."""
    details = (line.get("parent") or {}).get("subscription_item_details") or {}
    return bool(line.get("proration") or details.get("proration"))
