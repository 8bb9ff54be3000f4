"""Which SLA rules are in force: the Ops API's policies, else the settings', else the handbook's.

The Ops API may serve ``/v1/sla-policies``; once any is cached they override
the settings (the business decides its promises centrally).  Otherwise the
``[sla]`` settings apply.  The settings live in a file the cache does not
see, so the window and the CLI hand them over (``adopt_settings``): the cache
keeps a copy under ``app_state["sla:settings"]``, which is what sync's
evaluation of each page reads.  The pausing statuses and the pre-breach share
always come from the settings.

Each stored clock remembers the fingerprint of the rules it followed
(``tickets.sla_rules``): when the rules in force change, the open tickets
whose fingerprint differs are the ones to re-evaluate.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from sqlalchemy import Connection, select

from app.config.support_settings import SlaSettings
from app.sla_rules.calendars import RuleError
from app.sla_rules.policies import (
    DEFAULT_PAUSE_STATUSES,
    DEFAULT_PRE_BREACH_SHARE,
    SEED_CALENDARS,
    SEED_POLICIES,
    Rules,
    rules_from_mappings,
)
from app.store.app_state import get_app_value, put_app_value
from app.store.schema import SlaPolicy

SETTINGS_KEY = "sla:settings"
FROM_API, FROM_SETTINGS, FROM_DEFAULTS = "ops_api", "settings", "defaults"
_P = SlaPolicy.__table__


@dataclass(frozen=True)
class RulesInForce:
    """The rules clocks follow now, where they come from, and why another source was passed over."""

    rules: Rules
    source: str
    problem: str | None = None


def api_policies(conn: Connection) -> list[dict[str, Any]]:
    """The cached Ops API policies in their order, in the plain shape (each with its own calendar)."""
    rows = conn.execute(select(_P).order_by(_P.c.position, _P.c.id)).mappings()
    return [
        {
            "name": r["name"], "calendar": r["calendar_json"], "priorities": r["priorities_json"] or [],
            "categories": r["categories_json"] or [], "plans": r["plans_json"] or [], "tiers": r["tiers_json"] or [],
            "first_reply_minutes": r["first_reply_minutes"], "next_reply_minutes": r["next_reply_minutes"],
            "resolution_minutes": r["resolution_minutes"],
        }
        for r in rows
    ]


@lru_cache(maxsize=16)
def _parse(plain_json: str) -> Rules:
    """Parsed rules by their JSON text: sync asks once per page, parsing (zones, holidays) once per change."""
    plain = json.loads(plain_json)
    return rules_from_mappings(plain["calendars"], plain["policies"], plain["pause_statuses"],
                               plain["pre_breach_share"])


def _rules(calendars: Any, policies: Any, settings: Mapping[str, Any]) -> Rules:
    plain = {
        "calendars": calendars, "policies": policies,
        "pause_statuses": settings.get("pause_statuses", list(DEFAULT_PAUSE_STATUSES)),
        "pre_breach_share": settings.get("pre_breach_share", DEFAULT_PRE_BREACH_SHARE),
    }
    return _parse(json.dumps(plain, sort_keys=True))


def rules_in_force(conn: Connection) -> RulesInForce:
    """The Ops API's policies if any are cached, else the adopted settings, else the handbook's."""
    stored = get_app_value(conn, SETTINGS_KEY)
    settings: Mapping[str, Any] = stored if isinstance(stored, dict) else {}
    problem = None
    policies = api_policies(conn)
    if policies:
        try:
            return RulesInForce(_rules([], policies, settings), FROM_API)
        except RuleError as exc:  # sync stores only valid policies one by one; together they may still fail
            problem = f"the Ops API's policies cannot be used ({exc}); "
    if settings:
        try:
            return RulesInForce(_rules(settings["calendars"], settings["policies"], settings), FROM_SETTINGS, problem)
        except (RuleError, KeyError) as exc:
            problem = (problem or "") + f"the settings' policies cannot be used ({exc}); "
    return RulesInForce(_rules(list(SEED_CALENDARS), list(SEED_POLICIES), settings), FROM_DEFAULTS, problem)


def store_settings(conn: Connection, sla: SlaSettings) -> bool:
    """Keep the settings' SLA rules in the cache; True when they differ from the copy it held."""
    plain = sla.plain()
    if get_app_value(conn, SETTINGS_KEY) == plain:
        return False
    put_app_value(conn, SETTINGS_KEY, plain)
    return True
