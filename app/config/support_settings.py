"""Support settings: ``[sla]`` (calendars, ordered policies, pausing statuses, the pre-breach share)
and ``[tickets]`` (the team's own reply templates).

Calendars and policies are lists of tables (``[[sla.calendars]]``,
``[[sla.policies]]``) in the shape ``app.sla_rules.policies`` parses; their
defaults are the support handbook's (``SEED_CALENDARS``, ``SEED_POLICIES``).
Each field is checked like any setting (a target of 0 minutes names
``[sla] policies[2].first_reply_minutes``); ``cross_check`` then parses the
whole set, so an unknown time zone or holiday country, a frame ending before
it starts or a policy naming no calendar is refused naming its field, and the
policy set falls back whole: half a policy set would be a different policy.
An Ops API that serves ``/v1/sla-policies`` overrides these (``app.domain.sla``).
"""

from __future__ import annotations

import dataclasses
import string
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from app.config.fields import ISO_DATE, meta
from app.sla_rules.calendars import RuleError
from app.sla_rules.policies import (
    DEFAULT_PAUSE_STATUSES,
    DEFAULT_PRE_BREACH_SHARE,
    MAX_TARGET_MINUTES,
    PRIORITIES,
    SEED_CALENDARS,
    SEED_POLICIES,
    STATUSES,
    Rules,
    rules_from_mappings,
)

_FRAME = r"^([01]\d|2[0-3]):[0-5]\d-(([01]\d|2[0-3]):[0-5]\d|24:00)$"
_NAME = r"^\S.{0,79}$"
_COUNTRY = r"^([A-Z]{2,3}(-[A-Z0-9]{1,5})?)?$"
MINE, ALL = "mine", "all"


def _frames(day: str, default: tuple[str, ...]) -> Any:
    return field(default=default, metadata=meta(pattern=_FRAME, item=str,
                                                 help=f"Working frames on {day.capitalize()}, e.g. 09:00-12:30"))


def _target(metric: str) -> Any:
    return field(default=120.0, metadata=meta(minimum=1, maximum=MAX_TARGET_MINUTES,
                                              help=f"{metric} target, minutes of the policy's calendar"))


@dataclass(frozen=True)
class CalendarSetting:
    """One business calendar (``[[sla.calendars]]``)."""

    name: str = field(default="Support hours", metadata=meta(pattern=_NAME, help="What policies call it"))
    timezone: str = field(default="America/New_York", metadata=meta(help="IANA time zone, e.g. Europe/Berlin"))
    holiday_country: str = field(
        default="US", metadata=meta(pattern=_COUNTRY, help="Public holidays of this country (US, DE-BY…); empty: none")
    )
    holidays: tuple[str, ...] = field(
        default=(), metadata=meta(pattern=ISO_DATE, is_date=True, item=str, help="Extra days off (YYYY-MM-DD)")
    )
    always_open: bool = field(default=False, metadata=meta(help="24/7: every second counts; frames are ignored"))
    monday: tuple[str, ...] = _frames("monday", ("09:00-17:00",))
    tuesday: tuple[str, ...] = _frames("tuesday", ("09:00-17:00",))
    wednesday: tuple[str, ...] = _frames("wednesday", ("09:00-17:00",))
    thursday: tuple[str, ...] = _frames("thursday", ("09:00-17:00",))
    friday: tuple[str, ...] = _frames("friday", ("09:00-17:00",))
    saturday: tuple[str, ...] = _frames("saturday", ())
    sunday: tuple[str, ...] = _frames("sunday", ())


@dataclass(frozen=True)
class PolicySetting:
    """One SLA policy (``[[sla.policies]]``); the first whose conditions hold covers a ticket."""

    name: str = field(default="Policy", metadata=meta(pattern=_NAME, help="Shown in the queue and the reports"))
    calendar: str = field(default="Support hours", metadata=meta(pattern=_NAME, help="The calendar it counts in"))
    priorities: tuple[str, ...] = field(
        default=(), metadata=meta(choices=PRIORITIES, item=str, help="Only these priorities (empty: any)")
    )
    categories: tuple[str, ...] = field(default=(), metadata=meta(item=str, help="Only these categories (empty: any)"))
    plans: tuple[str, ...] = field(
        default=(), metadata=meta(item=str, help="Only customers on these plans, e.g. Professional (empty: any)")
    )
    tiers: tuple[int, ...] = field(
        default=(), metadata=meta(minimum=1, maximum=3, item=int, help="Only tickets at these tiers (empty: any)")
    )
    first_reply_minutes: float = _target("First reply")
    next_reply_minutes: float = _target("Next reply")
    resolution_minutes: float = _target("Resolution")


def _from_plain(kind: type[Any], plain: Mapping[str, Any]) -> Any:
    return kind(**{k: tuple(v) if isinstance(v, list) else v for k, v in plain.items()})


def _plain(item: Any) -> dict[str, Any]:
    return {k: list(v) if isinstance(v, tuple) else v for k, v in dataclasses.asdict(item).items()}


@dataclass(frozen=True)
class SlaSettings:
    """``[sla]``: business calendars, SLA policies, and what counts as waiting or about to breach."""

    pre_breach_share: float = field(
        default=DEFAULT_PRE_BREACH_SHARE,
        metadata=meta(minimum=0.01, maximum=0.99,
                      help="A clock is about to breach when this share of its target is left (0.25 = a quarter)"),
    )
    pause_statuses: tuple[str, ...] = field(
        default=DEFAULT_PAUSE_STATUSES,
        metadata=meta(choices=STATUSES[:4], item=str,
                      help="Statuses that stop every SLA clock (waiting on the customer)"),
    )
    alert_scope: str = field(
        default=MINE,
        metadata=meta(choices=(MINE, ALL), help="Pre-breach alerts for my tickets, or for every ticket (a team lead)"),
    )
    first_contact_resolution_pct: float = field(
        default=70.0, metadata=meta(minimum=0, maximum=100, help="Target: solved tickets answered once, %")
    )
    satisfaction_target: float = field(
        default=4.5, metadata=meta(minimum=1, maximum=5, help="Target: average satisfaction rating (1–5)")
    )
    calendars: tuple[CalendarSetting, ...] = field(
        default_factory=lambda: tuple(_from_plain(CalendarSetting, c) for c in SEED_CALENDARS),
        metadata=meta(item=CalendarSetting, min_items=1, help="Business calendars the policies count in"),
    )
    policies: tuple[PolicySetting, ...] = field(
        default_factory=lambda: tuple(_from_plain(PolicySetting, p) for p in SEED_POLICIES),
        metadata=meta(item=PolicySetting, min_items=1, help="SLA policies, first match wins"),
    )

    def plain(self) -> dict[str, Any]:
        """The rules in the plain shape ``app.sla_rules.policies`` reads (JSON-safe)."""
        return {
            "calendars": [_plain(c) for c in self.calendars], "policies": [_plain(p) for p in self.policies],
            "pause_statuses": list(self.pause_statuses), "pre_breach_share": self.pre_breach_share,
        }

    def rules(self) -> Rules:
        """These settings as clock rules (``RuleError`` names a wrong field; ``cross_check`` reports it)."""
        plain = self.plain()
        return rules_from_mappings(plain["calendars"], plain["policies"], plain["pause_statuses"],
                                   plain["pre_breach_share"])

    def cross_check(self) -> list[tuple[tuple[str, ...], str]]:
        """Problems between fields: (the keys that fall back to their defaults, the message naming the field)."""
        try:
            self.rules()
        except RuleError as exc:
            return [(("calendars", "policies"), f"{exc.field}: {exc.message}")]
        return []



@dataclass(frozen=True)
class MacroSetting:
    """A reply template of the team's own (``[[tickets.macros]]``), beside the standard ones."""

    name: str = field(default="Macro", metadata=meta(pattern=_NAME, help="What the Reply form lists"))
    body: str = field(
        default="Hi {first_name},\n\n", metadata=meta(pattern=r"\S", help="The reply; placeholders in braces")
    )
    set_status: str = field(
        default="", metadata=meta(choices=("", *STATUSES), help="Status to set with the reply (empty: keep it)")
    )


@dataclass(frozen=True)
class TicketSettings:
    """``[tickets]``: the team's own reply templates."""

    macros: tuple[MacroSetting, ...] = field(
        default=(), metadata=meta(item=MacroSetting, help="The team's reply templates, after the standard ones")
    )

    def cross_check(self) -> list[tuple[tuple[str, ...], str]]:
        """A template naming a placeholder that does not exist is refused before anyone sends it."""
        for i, macro in enumerate(self.macros):
            unknown = unknown_placeholders(macro.body)
            if unknown:
                known = ", ".join("{" + p + "}" for p in PLACEHOLDERS)
                return [(("macros",), f"macros[{i}].body: unknown placeholder {{{unknown[0]}}} (known: {known})")]
        return []


# What a reply template may say in braces; ``app.domain.macros`` fills them in.
PLACEHOLDERS = ("first_name", "customer_name", "plan", "ticket_id", "subject", "agent")


def unknown_placeholders(body: str) -> list[str]:
    """Placeholders of ``body`` that ``PLACEHOLDERS`` does not name ({{ and }} are literal braces)."""
    try:
        named = [name for _, name, _, _ in string.Formatter().parse(body) if name is not None]
    except ValueError:
        return ["(an unmatched brace)"]
    return [name for name in named if name not in PLACEHOLDERS]
