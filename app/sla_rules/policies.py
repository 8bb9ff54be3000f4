"""SLA policies as data: which tickets a policy covers, its targets per metric, its calendar.

Policies are ordered; a ticket gets the first whose conditions all hold (an
empty condition holds for every ticket).  Conditions look at the ticket's
priority, category, tier and its customer's plans (product names of live
subscriptions).  Targets are minutes of the policy's calendar for the three
metrics: first reply, next reply and resolution.

The settings file, the Ops API (``/v1/sla-policies``) and the demo backend
describe policies in one plain shape (``rules_from_mappings``); parsing
refuses a wrong policy whole, naming the field (``policies[2].first_reply_minutes``),
so the caller can keep the policy set that was in force.  ``SEED_CALENDARS``
and ``SEED_POLICIES`` are the support handbook's policy: the default.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from app.sla_rules.calendars import WEEKDAYS, Calendar, RuleError, parse_frame

FIRST_REPLY, NEXT_REPLY, RESOLUTION = "first_reply", "next_reply", "resolution"
METRICS = (FIRST_REPLY, NEXT_REPLY, RESOLUTION)
PRIORITIES = ("urgent", "high", "normal", "low")
TIERS = (1, 2, 3)
MAX_TARGET_MINUTES = 365 * 24 * 60  # a year: anything longer is a typo, not a promise
DEFAULT_PAUSE_STATUSES = ("pending", "on_hold")
DEFAULT_PRE_BREACH_SHARE = 0.25
SOLVED_STATUSES = ("solved", "closed")
STATUSES = ("new", "open", "pending", "on_hold", "solved", "closed")

Mapped = Mapping[str, Any]

# The support handbook: tier 1 answers general questions and billing in 2 h, technical issues in 4 h,
# premium customers (Professional, Enterprise) in 1 h, critical issues in 30 min around the clock;
# tier 3 answers critical issues in 1 h and the rest in 8 h; every issue is resolved within 48 h.
_NINE_TO_FIVE = ["09:00-17:00"]
SEED_CALENDARS: tuple[Mapped, ...] = (
    {"name": "Support hours", "timezone": "America/New_York", "holiday_country": "US", "holidays": [],
     "always_open": False, **{d: (_NINE_TO_FIVE if i < 5 else []) for i, d in enumerate(WEEKDAYS)}},
    {"name": "24/7", "timezone": "UTC", "holiday_country": "", "holidays": [], "always_open": True,
     **{d: [] for d in WEEKDAYS}},
)
_ANY: Mapped = {"priorities": [], "categories": [], "plans": [], "tiers": []}
_TECHNICAL = ["bug", "outage", "license"]
SEED_POLICIES: tuple[Mapped, ...] = (
    {**_ANY, "name": "Tier 3 critical", "priorities": ["urgent"], "tiers": [3], "calendar": "24/7",
     "first_reply_minutes": 60, "next_reply_minutes": 60, "resolution_minutes": 48 * 60},
    {**_ANY, "name": "Critical", "priorities": ["urgent"], "calendar": "24/7",
     "first_reply_minutes": 30, "next_reply_minutes": 30, "resolution_minutes": 48 * 60},
    {**_ANY, "name": "Tier 3 standard", "tiers": [3], "calendar": "Support hours",
     "first_reply_minutes": 8 * 60, "next_reply_minutes": 8 * 60, "resolution_minutes": 48 * 60},
    {**_ANY, "name": "Premium customers", "plans": ["Professional", "Enterprise"], "calendar": "Support hours",
     "first_reply_minutes": 60, "next_reply_minutes": 60, "resolution_minutes": 48 * 60},
    {**_ANY, "name": "Technical issues", "categories": _TECHNICAL, "calendar": "Support hours",
     "first_reply_minutes": 4 * 60, "next_reply_minutes": 4 * 60, "resolution_minutes": 48 * 60},
    {**_ANY, "name": "General and billing", "calendar": "Support hours",
     "first_reply_minutes": 2 * 60, "next_reply_minutes": 2 * 60, "resolution_minutes": 48 * 60},
)


@dataclass(frozen=True)
class Facts:
    """What a policy's conditions look at, as they stand at one moment of the ticket's life."""

    priority: str
    category: str | None
    tier: int
    plans: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Policy:
    """One policy: conditions (empty = any), targets in seconds per metric, and its calendar."""

    name: str
    calendar: Calendar
    targets: tuple[tuple[str, int], ...]  # (metric, seconds) for each of METRICS
    priorities: frozenset[str] = frozenset()
    categories: frozenset[str] = frozenset()
    plans: frozenset[str] = frozenset()
    tiers: frozenset[int] = frozenset()

    def target(self, metric: str) -> int:
        for name, seconds in self.targets:
            if name == metric:
                return seconds
        raise KeyError(metric)

    def matches(self, facts: Facts) -> bool:
        return (
            (not self.priorities or facts.priority in self.priorities)
            and (not self.categories or (facts.category or "") in self.categories)
            and (not self.tiers or facts.tier in self.tiers)
            and (not self.plans or bool(self.plans & facts.plans))
        )


@dataclass(frozen=True)
class Rules:
    """Everything a clock needs: the ordered policies, the pausing statuses, the pre-breach share."""

    policies: tuple[Policy, ...]
    pause_statuses: frozenset[str] = frozenset(DEFAULT_PAUSE_STATUSES)
    pre_breach_share: float = DEFAULT_PRE_BREACH_SHARE
    fingerprint: str = field(default="", compare=False)  # of the plain form; equal rules, equal fingerprint

    def policy_for(self, facts: Facts) -> Policy | None:
        """The first policy whose conditions hold (None: no policy covers the ticket, no clock runs)."""
        return next((p for p in self.policies if p.matches(facts)), None)


# --------------------------------------------------------------------------- the plain shape


def _strings(value: Any, field_name: str, choices: Sequence[str] | None = None) -> frozenset[str]:
    if not isinstance(value, (list, tuple)) or not all(isinstance(v, str) and v.strip() for v in value):
        raise RuleError(field_name, "must be a list of names")
    for i, v in enumerate(value):
        if choices is not None and v not in choices:
            raise RuleError(f"{field_name}[{i}]", f"{v!r} is not one of {', '.join(choices)}")
    return frozenset(value)


def _minutes(value: Any, field_name: str) -> int:
    """A target in minutes → seconds; zero, negative, non-finite and absurd targets are refused."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise RuleError(field_name, f"{value!r} is not a number of minutes")
    if value <= 0:
        raise RuleError(field_name, f"{value!r}: a target must be more than 0 minutes")
    if value > MAX_TARGET_MINUTES:
        raise RuleError(field_name, f"{value!r}: a target must be at most {MAX_TARGET_MINUTES:,} minutes (a year)")
    return round(value * 60)


def _text(data: Mapped, name: str, default: str | None = None) -> str:
    value = data.get(name, default)
    if not isinstance(value, str):
        raise RuleError(name, "must be text")
    return value


def calendar_from_mapping(data: Mapped) -> Calendar:
    """``{"name", "timezone", "holiday_country", "holidays", "always_open", "monday": ["09:00-17:00"], …}``."""
    if not isinstance(data, Mapping):
        raise RuleError("", "must be a table of calendar fields")
    days: list[tuple[tuple[int, int], ...]] = []
    for day in WEEKDAYS:
        frames = data.get(day, [])
        if not isinstance(frames, (list, tuple)):
            raise RuleError(day, "must be a list of frames like 09:00-17:00")
        days.append(tuple(parse_frame(f, f"{day}[{i}]") for i, f in enumerate(frames)))
    off: set[dt.date] = set()
    for i, text in enumerate(data.get("holidays") or []):
        try:
            off.add(dt.date.fromisoformat(text))
        except (TypeError, ValueError):
            raise RuleError(f"holidays[{i}]", f"{text!r} is not a date in the calendar (YYYY-MM-DD)") from None
    always = data.get("always_open", False)
    if not isinstance(always, bool):
        raise RuleError("always_open", "must be true or false")
    return Calendar(
        _text(data, "name"), _text(data, "timezone", "UTC"), tuple(days), _text(data, "holiday_country", ""),
        frozenset(off), always,
    )


def policy_from_mapping(data: Mapped, calendars: Mapping[str, Calendar]) -> Policy:
    """A policy whose ``calendar`` is a name among ``calendars`` or a calendar table of its own."""
    if not isinstance(data, Mapping):
        raise RuleError("", "must be a table of policy fields")
    name = _text(data, "name")
    if not name.strip():
        raise RuleError("name", "a policy needs a name")
    ref = data.get("calendar")
    if isinstance(ref, Mapping):
        try:
            calendar = calendar_from_mapping(ref)
        except RuleError as exc:
            raise exc.within("calendar") from None
    elif isinstance(ref, str) and ref in calendars:
        calendar = calendars[ref]
    else:
        known = ", ".join(calendars) or "none"
        raise RuleError("calendar", f"{ref!r} names no calendar (known: {known})")
    tiers = data.get("tiers", [])
    if not isinstance(tiers, (list, tuple)) or any(type(t) is not int or t not in TIERS for t in tiers):
        raise RuleError("tiers", "must be a list of tiers 1, 2 or 3")
    return Policy(
        name, calendar,
        tuple((m, _minutes(data.get(f"{m}_minutes"), f"{m}_minutes")) for m in METRICS),
        _strings(data.get("priorities", []), "priorities", PRIORITIES),
        _strings(data.get("categories", []), "categories"),
        _strings(data.get("plans", []), "plans"),
        frozenset(tiers),
    )


def _indexed(kind: str, items: Iterable[Mapped], parse: Any) -> list[Any]:
    parsed = []
    for i, item in enumerate(items):
        try:
            parsed.append(parse(item))
        except RuleError as exc:
            raise exc.within(f"{kind}[{i}]") from None
    return parsed


def fingerprint(calendars: Sequence[Mapped], policies: Sequence[Mapped], pause: Iterable[str], share: float) -> str:
    """A short digest of the plain rules: stored clocks remember the rules they were computed with."""
    import hashlib  # here, not at the top: the window's start reads the settings but no rules (OpenSSL, 3-4 ms)

    plain = {"calendars": list(calendars), "policies": list(policies), "pause": sorted(pause), "share": share}
    return hashlib.sha256(json.dumps(_canonical(plain), sort_keys=True, default=str).encode()).hexdigest()[:16]


def _canonical(value: Any) -> Any:
    """60 and 60.0 minutes are one target, a tuple and a list one list: the fingerprint must agree."""
    if isinstance(value, Mapping):
        return {str(k): _canonical(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_canonical(v) for v in value]
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def rules_from_mappings(
    calendars: Sequence[Mapped],
    policies: Sequence[Mapped],
    pause_statuses: Iterable[str] = DEFAULT_PAUSE_STATUSES,
    pre_breach_share: float = DEFAULT_PRE_BREACH_SHARE,
) -> Rules:
    """Parse the plain shape whole; ``RuleError`` names the first wrong field (``policies[1].tiers``)."""
    parsed_calendars = _indexed("calendars", calendars, calendar_from_mapping)
    by_name = {c.name: c for c in parsed_calendars}
    if len(by_name) != len(parsed_calendars):
        raise RuleError("calendars", "two calendars have the same name")
    parsed = _indexed("policies", policies, lambda p: policy_from_mapping(p, by_name))
    if not parsed:
        raise RuleError("policies", "at least one policy is needed")
    pause = frozenset(pause_statuses)
    unknown = sorted(pause - set(STATUSES) | (pause & set(SOLVED_STATUSES)))
    if unknown:
        raise RuleError("pause_statuses", f"{unknown[0]!r} cannot pause a clock (use {', '.join(STATUSES[:4])})")
    if not 0 < pre_breach_share < 1:
        raise RuleError("pre_breach_share", "must be a share between 0 and 1 (0.25 = a quarter of the target left)")
    return Rules(tuple(parsed), pause, pre_breach_share, fingerprint(calendars, policies, pause, pre_breach_share))


def seed_rules() -> Rules:
    """The handbook's policy set with the default pausing statuses and pre-breach share."""
    return rules_from_mappings(SEED_CALENDARS, SEED_POLICIES)
