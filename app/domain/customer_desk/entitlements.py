"""Which features a customer has, and why (docs/metrics.md, "Entitlements").

A feature reaches a customer through their plan, a staged rollout, or a
per-customer grant; a per-customer *deny* withholds it whatever else says
yes.  The order of the rule:

1. a running deny override for the feature → withheld;
2. a running grant of the feature, or of a plan that includes it → granted;
3. the customer's plan includes it → granted;
4. rollout ``everyone`` → granted; ``premium_N`` → granted to the customers
   on a premium plan (professional, enterprise) whose *bucket* is below N,
   the bucket being a stable hash of feature and customer in 0–99;
5. otherwise not included.

A grant runs from its creation until it expires or is revoked; the server
writes nothing when a grant runs out, so "expired" is decided here, by the clock.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

PREMIUM_TIERS = ("professional", "enterprise")
ROLLOUT_SHARES = {"premium_5": 5, "premium_25": 25, "premium_50": 50, "premium_100": 100}

# Grant states, as the desk shows them.
RUNNING, EXPIRED, REVOKED, WAITING = "running", "expired", "revoked", "waiting to send"


@dataclass(frozen=True)
class Entitlement:
    feature: str
    name: str
    included: bool
    source: str  # why, in words: "plan", "rollout (25 % of premium)", "grant until 2026-12-01", "withheld: …"


def bucket(feature: str, customer_id: str) -> int:
    """The customer's place in a feature's rollout, 0–99, the same on every workstation and every day."""
    digest = hashlib.sha256(f"{feature}:{customer_id}".encode()).digest()
    return int.from_bytes(digest[:4], "big") % 100


def grant_state(grant: dict[str, Any], now: dt.datetime) -> str:
    """running, expired or revoked (a revocation waiting to be sent already counts)."""
    if grant.get("revoked_at") is not None:
        return REVOKED
    expires = grant.get("expires_at")
    if expires is not None and expires <= now:
        return EXPIRED
    return RUNNING


def in_rollout(phase: str, tier: str | None, feature: str, customer_id: str) -> bool:
    if phase == "everyone":
        return True
    share = ROLLOUT_SHARES.get(phase)
    return share is not None and tier in PREMIUM_TIERS and bucket(feature, customer_id) < share


def _grant_words(grant: dict[str, Any]) -> str:
    until = grant.get("expires_at")
    text = f"until {until:%Y-%m-%d}" if until is not None else "until revoked"
    return f"{'withheld' if grant['effect'] == 'deny' else 'granted'} {text} — {grant['reason']}"


def entitlements(
    customer_id: str,
    tier: str | None,
    flags: Sequence[dict[str, Any]],
    grants: Sequence[dict[str, Any]],
    now: dt.datetime,
) -> list[Entitlement]:
    """Every feature flag, with whether the customer has it and the rule that decided."""
    running = [g for g in grants if grant_state(g, now) == RUNNING]
    plan_grants = {g["plan"]: g for g in running if g.get("plan") and g["effect"] == "grant"}
    result = []
    for flag in flags:
        key, plans = flag["id"], tuple(flag.get("plans_json") or ())
        own = [g for g in running if g.get("feature") == key]
        deny = next((g for g in own if g["effect"] == "deny"), None)
        grant = next((g for g in own if g["effect"] == "grant"), None)
        via_plan = next((g for tier_name, g in plan_grants.items() if tier_name in plans), None)
        if deny is not None:
            entry = Entitlement(key, flag["name"], False, _grant_words(deny))
        elif grant is not None or via_plan is not None:
            chosen = grant or via_plan
            assert chosen is not None  # one of the two holds here
            words = _grant_words(chosen)
            if chosen is via_plan:
                words = f"{chosen['plan'].capitalize()} plan {words}"
            entry = Entitlement(key, flag["name"], True, words)
        elif tier is not None and tier in plans:
            entry = Entitlement(key, flag["name"], True, f"{tier.capitalize()} plan")
        elif in_rollout(flag["rollout_phase"], tier, key, customer_id):
            entry = Entitlement(key, flag["name"], True, f"rollout: {_phase_words(flag['rollout_phase'])}")
        else:
            entry = Entitlement(key, flag["name"], False, _missing_words(flag, plans))
        result.append(entry)
    return result


def _phase_words(phase: str) -> str:
    share = ROLLOUT_SHARES.get(phase)
    return "everyone" if phase == "everyone" else f"{share} % of premium"


def _missing_words(flag: dict[str, Any], plans: tuple[str, ...]) -> str:
    where = f"{', '.join(p.capitalize() for p in plans)} only" if plans else "in no plan"
    phase = flag["rollout_phase"]
    if phase in ROLLOUT_SHARES:
        return f"{where}; not in the {_phase_words(phase)} rollout"
    return where
