"""Feature flags, per-customer access grants, per-customer usage and processing failures (Ops API).

The flags are the handbook's: what each plan includes, plus features in a
staged rollout (a share of premium customers, then everyone).  Grants,
usage and failures are generated from the billing history, deterministic for
the seed: a handful of grants and overrides in every state (running,
expired, revoked, withheld), the last two weeks of each live customer's
usage, and processing failures for a few customers — recent enough for a
support agent to be asked about them.
"""

from __future__ import annotations

import datetime as dt
import random
import uuid
from typing import Any

from app.demo import vocabulary as words
from app.demo.billing import Billing
from app.demo.catalog import PRICE_BY_ID, PRODUCT_BY_ID

Row = dict[str, Any]
TIERS = ("starter", "professional", "enterprise", "team")
ROLLOUT_PHASES = ("plans", "premium_5", "premium_25", "premium_50", "premium_100", "everyone")
USAGE_DAYS = 14
FLAGS_WRITTEN = dt.datetime(2025, 11, 3, 9)

# id, name, description, plans that include it, rollout phase
FLAGS: tuple[tuple[str, str, str, tuple[str, ...], str], ...] = (
    ("offline", "Offline mode", "Work without a connection and sync later.", TIERS, "plans"),
    ("sso", "Single sign-on", "Sign in through the customer's SAML or OIDC provider.",
     ("professional", "enterprise", "team"), "plans"),
    ("api_access", "API access", "Read and write the account through the public API.",
     ("professional", "enterprise"), "plans"),
    ("audit_log", "Audit log", "Who changed what, searchable and exportable.", ("enterprise",), "plans"),
    ("priority_support", "Priority support", "Tier 2 answers within four business hours.", ("enterprise",), "plans"),
    ("bulk_export", "Bulk export", "Export every record at once.", ("professional", "enterprise"), "everyone"),
    ("ai_assistant", "AI assistant", "Drafts replies and summarises long threads.", ("enterprise",), "premium_25"),
    ("new_reports", "New reports", "The redesigned reports, in early access.", (), "premium_5"),
)
FLAG_IDS = tuple(f[0] for f in FLAGS)

_FAILURES = (
    ("import", "import_timeout", "The CSV import stopped after 300 s at row {n:,}; the rest was not read."),
    ("import", "import_bad_row", "Row {n:,} of the upload has 14 columns where 12 were expected."),
    ("export", "export_quota", "The export was refused: the daily export quota of the plan is used up."),
    ("sync", "sync_auth_expired", "The connected account's token expired; the customer must sign in again."),
    ("report", "report_render", "The scheduled report could not be rendered: a chart had {n:,} series."),
)
_GRANT_REASONS = (
    "Evaluating the Enterprise plan before renewal",
    "Compensation for last week's outage",
    "Pilot of the audit log for their compliance review",
    "Sales-led trial extension",
)


def flag_rows() -> list[Row]:
    return [{"id": key, "name": name, "description": text, "plans": list(plans), "rollout_phase": phase,
             "updated_at": FLAGS_WRITTEN} for key, name, text, plans, phase in FLAGS]


def tier_of(price_id: str) -> str:
    return PRODUCT_BY_ID[PRICE_BY_ID[price_id].product_id].tier


def _live_customers(billing: Billing) -> list[tuple[str, str]]:
    """(customer id, plan tier) of customers with a live subscription, oldest customer first."""
    live = {s.customer: tier_of(s.price_id) for s in billing.subscriptions
            if s.status in ("active", "trialing", "past_due")}
    return [(c.id, live[c.id]) for c in billing.customers if c.id in live]


def grant_rows(seed: int, billing: Billing, now: dt.datetime) -> list[Row]:
    """A few grants and overrides, one in each state the customer desk shows."""
    rng = random.Random(f"grants:{seed}")
    live = _live_customers(billing)
    picked = rng.sample(live, min(6, len(live)))
    rows: list[Row] = []
    # (feature, plan, effect, started days ago, lasts days (None: open-ended), revoked days ago)
    shapes = (
        (None, "enterprise", "grant", 3, 14, None),
        ("audit_log", None, "grant", 10, 30, None),
        ("sso", None, "grant", 40, 30, None),  # expired ten days ago
        ("api_access", None, "deny", 20, None, None),
        ("ai_assistant", None, "grant", 15, 60, 2),  # revoked
        ("new_reports", None, "grant", 5, None, None),
    )
    for (customer_id, _tier), (feature, plan, effect, ago, lasts, revoked) in zip(picked, shapes, strict=False):
        created = (now - dt.timedelta(days=ago)).replace(microsecond=0)
        reason = ("API calls far above the fair-use limit; paused until the integration is fixed"
                  if effect == "deny" else rng.choice(_GRANT_REASONS))
        rows.append({
            "id": str(uuid.UUID(int=rng.getrandbits(128), version=4)), "customer_id": customer_id,
            "feature": feature, "plan": plan, "effect": effect, "reason": reason,
            "granted_by": rng.choice(words.OPS_PEOPLE), "created_at": created,
            "expires_at": None if lasts is None else created + dt.timedelta(days=lasts),
            "revoked_at": None if revoked is None else created + dt.timedelta(days=ago - revoked),
            "revoked_by": None if revoked is None else rng.choice(words.OPS_PEOPLE),
            "revoke_reason": None if revoked is None else "The customer asked to turn it off",
            "updated_at": created if revoked is None else created + dt.timedelta(days=ago - revoked),
        })
    return rows


_SEATS = {"starter": 5, "professional": 50, "enterprise": 400, "team": 20}


def usage_rows(seed: int, billing: Billing, now: dt.datetime) -> list[Row]:
    """Each live customer's last ``USAGE_DAYS`` full days, published the next morning."""
    today = now.date()
    rows: list[Row] = []
    for customer_id, tier in _live_customers(billing):
        rng = random.Random(f"usage:{seed}:{customer_id}")
        seats, busy = _SEATS[tier], rng.uniform(0.2, 0.95)
        # About one customer in thirty is drifting away: a third of its users are left in the last week.
        fading = random.Random(f"usage-drop:{seed}:{customer_id}").random() < 1 / 30
        for back in range(USAGE_DAYS, 0, -1):
            day = today - dt.timedelta(days=back)
            weekend = day.weekday() >= 5
            kept = 1 / 3 if fading and back <= 7 else 1.0
            users = max(0, round(seats * busy * kept * (0.3 if weekend else 1.0) * rng.uniform(0.8, 1.1)))
            jobs = users * rng.randint(2, 6)
            rows.append({
                "id": f"{customer_id}:{day.isoformat()}", "customer_id": customer_id, "day": day,
                "active_users": users, "api_calls": users * rng.randint(40, 400), "jobs": jobs,
                "failed_jobs": sum(rng.random() < 0.01 for _ in range(jobs)),
                "updated_at": dt.datetime.combine(day, dt.time(2)) + dt.timedelta(days=1),
            })
    return rows


def failure_rows(seed: int, billing: Billing, now: dt.datetime) -> list[Row]:
    """Processing failures of about one live customer in twelve, the older ones resolved."""
    rows: list[Row] = []
    for customer_id, _tier in _live_customers(billing):
        rng = random.Random(f"failures:{seed}:{customer_id}")
        if rng.random() >= 1 / 12:
            continue
        for n in range(rng.randint(1, 4)):
            job, code, message = rng.choice(_FAILURES)
            at = (now - dt.timedelta(minutes=rng.randint(30, USAGE_DAYS * 1_440))).replace(microsecond=0)
            resolved = at + dt.timedelta(hours=rng.randint(1, 30)) if rng.random() < 0.5 else None
            if resolved is not None and resolved > now:
                resolved = None
            rows.append({
                "id": f"pf_{customer_id.removeprefix('cus_')}_{n}", "customer_id": customer_id, "occurred_at": at,
                "job": job, "error_code": code, "message": message.format(n=rng.randint(200, 90_000)),
                "resolved_at": resolved, "updated_at": resolved or at,
            })
    return rows
