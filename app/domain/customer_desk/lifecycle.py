"""Where a customer stands: trial → active → expanding → at risk → churned (docs/metrics.md, "Lifecycle stage").

The stage is decided from the customer's subscriptions and a few *signals*
read from their history.  The at-risk signals are a deliberately simple,
swappable set (past due, a cancellation scheduled, collection paused, a
downgrade in the last ``at_risk_downgrade_days``); the revenue pane's risk
model can replace ``risk_signals`` without touching the stages.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

NO_SUBSCRIPTION = "no subscription"
TRIAL = "trial"
ACTIVE = "active"
EXPANDING = "expanding"
AT_RISK = "at risk"
CHURNED = "churned"
STAGES = (NO_SUBSCRIPTION, TRIAL, ACTIVE, EXPANDING, AT_RISK, CHURNED)

LIVE = ("active", "past_due", "trialing", "unpaid", "incomplete")
EXPANSION_WINDOW = dt.timedelta(days=30)


@dataclass(frozen=True)
class PlanMove:
    """A change of a subscription's monthly value: an upgrade (positive) or a downgrade, and when."""

    at: dt.datetime
    mrr_delta_cents: float


@dataclass(frozen=True)
class Stage:
    stage: str
    reasons: tuple[str, ...]  # why, in words ("payment failed: past due since 2026-11-15")


def risk_signals(
    subscriptions: Sequence[dict[str, Any]], moves: Sequence[PlanMove], now: dt.datetime, downgrade_days: int
) -> tuple[str, ...]:
    """The reasons a paying customer may leave soon, in words; empty when none holds."""
    reasons: list[str] = []
    live = [s for s in subscriptions if s["status"] in LIVE]
    if any(s["status"] in ("past_due", "unpaid") for s in live):
        reasons.append("a payment failed (past due)")
    if any(s.get("cancel_at_period_end") or s.get("cancel_at") for s in live):
        reasons.append("a cancellation is scheduled")
    if any(s.get("pause_collection") for s in live):
        reasons.append("payment collection is paused")
    recent = now - dt.timedelta(days=downgrade_days)
    if any(m.mrr_delta_cents < 0 and m.at >= recent for m in moves):
        reasons.append(f"downgraded in the last {downgrade_days} days")
    return tuple(reasons)


def lifecycle_stage(
    subscriptions: Sequence[dict[str, Any]], moves: Sequence[PlanMove], now: dt.datetime, downgrade_days: int = 30
) -> Stage:
    """The customer's stage; the first rule that holds wins (churned, at risk, trial, expanding, active)."""
    if not subscriptions:
        return Stage(NO_SUBSCRIPTION, ("never subscribed",))
    live = [s for s in subscriptions if s["status"] in LIVE]
    if not live:
        return Stage(CHURNED, ("no live subscription",))
    risks = risk_signals(subscriptions, moves, now, downgrade_days)
    if risks:
        return Stage(AT_RISK, risks)
    if all(s["status"] == "trialing" for s in live):
        return Stage(TRIAL, ("every live subscription is in its trial",))
    if any(m.mrr_delta_cents > 0 and m.at >= now - EXPANSION_WINDOW for m in moves):
        return Stage(EXPANDING, ("upgraded in the last 30 days",))
    return Stage(ACTIVE, ("paying, nothing at risk",))
