"""Policies as data (rule: "Support and SLA: Policies"): the handbook's set, matching, refusals naming the field."""

from __future__ import annotations

import pytest

from app.sla_rules.calendars import RuleError
from app.sla_rules.policies import SEED_CALENDARS, SEED_POLICIES, Facts, rules_from_mappings, seed_rules


def test_the_handbook_policy():
    rules = seed_rules()
    targets = {p.name: (p.target("first_reply") // 60, p.target("resolution") // 3600) for p in rules.policies}
    assert targets == {
        "Tier 3 critical": (60, 48), "Critical": (30, 48), "Tier 3 standard": (480, 48),
        "Premium customers": (60, 48), "Technical issues": (240, 48), "General and billing": (120, 48),
    }
    assert rules.policy_for(Facts("low", "how-to", 2)).name == "General and billing"  # tier 2: tier 1's rules
    assert rules.policy_for(Facts("high", "billing", 1, frozenset({"Professional"}))).name == "Premium customers"
    assert rules.pause_statuses == {"pending", "on_hold"} and rules.pre_breach_share == 0.25


def test_first_match_wins_and_no_match_means_no_clock():
    only_urgent = [{"name": "Urgent", "priorities": ["urgent"], "calendar": "24/7", "first_reply_minutes": 30,
                    "next_reply_minutes": 30, "resolution_minutes": 600}]
    rules = rules_from_mappings(SEED_CALENDARS, only_urgent)
    assert rules.policy_for(Facts("urgent", None, 1)).name == "Urgent"
    assert rules.policy_for(Facts("normal", None, 1)) is None


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"first_reply_minutes": 0}, "policies[5].first_reply_minutes"),
        ({"next_reply_minutes": -5}, "policies[5].next_reply_minutes"),
        ({"resolution_minutes": float("nan")}, "policies[5].resolution_minutes"),
        ({"calendar": "Weekends"}, "policies[5].calendar"),
        ({"priorities": ["critical"]}, "policies[5].priorities[0]"),
        ({"tiers": [4]}, "policies[5].tiers"),
        ({"calendar": {"name": "Own", "timezone": "Atlantis/Capital", "monday": ["09:00-17:00"]}},
         "policies[5].calendar.timezone"),
    ],
)
def test_a_wrong_policy_is_refused_whole_naming_the_field(change, field):
    policies = [dict(p) for p in SEED_POLICIES]
    policies[5] = {**policies[5], **change}
    with pytest.raises(RuleError) as refused:
        rules_from_mappings(SEED_CALENDARS, policies)
    assert refused.value.field == field


def test_pause_statuses_and_share_are_checked():
    with pytest.raises(RuleError, match="pause_statuses"):
        rules_from_mappings(SEED_CALENDARS, SEED_POLICIES, ("solved",))
    with pytest.raises(RuleError, match="pre_breach_share"):
        rules_from_mappings(SEED_CALENDARS, SEED_POLICIES, pre_breach_share=1.0)


def test_the_fingerprint_ignores_how_numbers_are_written():
    as_floats = [{**p, "first_reply_minutes": float(p["first_reply_minutes"])} for p in SEED_POLICIES]
    assert rules_from_mappings(SEED_CALENDARS, as_floats).fingerprint == seed_rules().fingerprint
    slower = [{**p, "first_reply_minutes": 999} for p in SEED_POLICIES]
    assert rules_from_mappings(SEED_CALENDARS, slower).fingerprint != seed_rules().fingerprint
