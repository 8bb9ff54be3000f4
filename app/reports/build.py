"""Assemble a report: the period, the sections a kind shows and a role may see, the headline, the freshness.

``build_report`` is what ``opsconsole report`` and the window's dialog call
(in the background: it replays revenue and reads every figure set the role
may see).  A role sees the areas of its dashboard level, as the KPI scorecard
rules them (finance: revenue and costs; support: support; operations: health
and costs; product: usage; executive: everything); a report is made for one
role and says so.  The monthly review leads with the scorecard.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping

from sqlalchemy import Connection, Engine

from app.clock import utcnow
from app.config.settings import Settings
from app.kpis.catalogue import SOURCES_BY_ROLE
from app.kpis.scorecard import freshness as scorecard_freshness
from app.reports import DAILY, KINDS, MONTHLY, WEEKLY, fmt
from app.reports.business import COSTS, REVENUE, costs_headline, costs_section, revenue_headline, revenue_section
from app.reports.inputs import Inputs
from app.reports.kpis import KPIS, kpi_headline, kpi_section
from app.reports.model import Figure, Freshness, Report, Section
from app.reports.operations import HEALTH, SUPPORT, health_headline, health_section, support_headline, support_section
from app.reports.periods import period_for
from app.reports.usage import USAGE, usage_headline, usage_section
from app.roles import EXECUTIVE, ROLES
from app.tasks import CancelToken, Progress, ProgressCallback, no_progress

TITLES: Mapping[str, str] = {
    DAILY: "Daily business report",
    WEEKLY: "Weekly performance summary",
    MONTHLY: "Monthly strategic review",
}

AREAS: tuple[str, ...] = (REVENUE, COSTS, SUPPORT, HEALTH, USAGE)
# A role's sections: the figure sets its dashboard level reads (the KPI scorecard's rule); the scorecard
# section is every role's, holding the KPIs the role may see.
ROLE_AREAS: Mapping[str, frozenset[str]] = {
    role: frozenset({KPIS, *(a for a in AREAS if a in SOURCES_BY_ROLE[role])}) for role in ROLES
}

SectionFn = Callable[[Inputs], Section]
HeadlineFn = Callable[[Inputs], tuple[Figure, ...]]
_SECTIONS: Mapping[str, SectionFn] = {
    REVENUE: revenue_section, COSTS: costs_section, SUPPORT: support_section, HEALTH: health_section,
    USAGE: usage_section, KPIS: kpi_section,
}
_HEADLINES: Mapping[str, HeadlineFn] = {
    REVENUE: revenue_headline, COSTS: costs_headline, SUPPORT: support_headline, HEALTH: health_headline,
    USAGE: usage_headline,
}
# Each kind's order of areas: the sections in this order, and the headline's figures in this order.
ORDER: Mapping[str, tuple[str, ...]] = {
    DAILY: (USAGE, SUPPORT, HEALTH, COSTS, REVENUE),
    WEEKLY: (USAGE, REVENUE, SUPPORT, HEALTH),
    MONTHLY: (KPIS, REVENUE, HEALTH, SUPPORT, COSTS, USAGE),
}


class ReportError(ValueError):
    """A report that cannot be made as asked (unknown kind, or a role the user may not report for)."""


def roles_for(user_role: str) -> tuple[str, ...]:
    """The roles a user may make reports for: an executive any of them, everyone else their own."""
    return ROLES if user_role == EXECUTIVE else (user_role,)


def build_report(conn: Connection, settings: Settings, kind: str, day: dt.date, role: str, now: dt.datetime,
                 progress: ProgressCallback = no_progress, cancel: CancelToken | None = None) -> Report:
    """The ``kind`` report of the period holding ``day`` (UTC), for ``role``, with figures as of ``now`` at most."""
    if kind not in KINDS:
        raise ReportError(f"unknown report kind {kind!r}; known: {', '.join(KINDS)}")
    if role not in ROLE_AREAS:
        raise ReportError(f"unknown role {role!r}; known: {', '.join(ROLES)}")
    period = period_for(kind, day)
    if period.start > now.date():
        raise ReportError(f"{day.isoformat()} is in the future: the cache has no figures for it yet")
    inputs = Inputs(conn, settings, period, period.as_of(now), role, cancel)
    areas = [a for a in ORDER[kind] if a in ROLE_AREAS[role]]
    sections: list[Section] = []
    for done, area in enumerate(areas):
        progress(Progress(f"Reading the {area} figures", done, len(areas) + 1))
        sections.append(_SECTIONS[area](inputs))
    progress(Progress("Writing the headline", len(areas), len(areas) + 1))
    headline = kpi_headline(inputs) if kind == MONTHLY else tuple(
        fig for area in areas if area in _HEADLINES for fig in _HEADLINES[area](inputs))
    return Report(kind=kind, title=TITLES[kind], period_text=period.text(), as_of=inputs.as_of,
                  as_of_text=fmt.when(inputs.as_of), role=role, headline=headline, sections=tuple(sections),
                  freshness=freshness(conn))


def report_from_cache(engine: Engine, settings: Settings, kind: str, day: dt.date, role: str,
                      progress: ProgressCallback = no_progress, cancel: CancelToken | None = None) -> Report:
    """``build_report`` on its own read connection, as of now: the background job of the window's dialog."""
    with engine.connect() as conn:
        return build_report(conn, settings, kind, day, role, utcnow(), progress, cancel)


def freshness(conn: Connection) -> tuple[Freshness, ...]:
    """The last successful sync of each source the figures come from (the KPI scorecard's list)."""
    return tuple(Freshness(label, when, fmt.when(when)) for label, when in scorecard_freshness(conn))
