"""The Overview's words: which KPIs each role's dashboard shows, in what order, and a reading as a tile.

Pure functions of the scorecard (no Qt widgets), so a test holds the tiles to
``opsconsole metrics kpis --json``: the value with its unit, the band's colour,
the target in words under it, and a tooltip with the rule, the target and how
fresh the data behind it is.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from PySide6.QtGui import QColor

from app.kpis.catalogue import KpiReading, Scorecard
from app.roles import EXECUTIVE, FINANCE, OPERATIONS, PRODUCT, SUPPORT
from ui import formatting as fmt
from ui.widgets.kpi_strip import Kpi
from ui.widgets.palette import AMBER, GREEN, RED

# role → sections of (title, KPI keys), top to bottom; the service grid, incidents, features and funnel are
# separate sections the pane adds (see ``SECTIONS``)
LAYOUT: Mapping[str, tuple[tuple[str, tuple[str, ...]], ...]] = {
    EXECUTIVE: (
        ("Customers", ("active_customers", "trial_users", "mrr", "churn_rate", "open_tickets", "nps")),
        ("Top KPIs", ("user_growth", "free_to_paid", "dau", "retention_30d", "uptime", "resolution_time", "csat",
                      "gross_margin")),
    ),
    PRODUCT: (
        ("Usage", ("dau", "mau", "retention_30d", "avg_session", "user_growth", "free_to_paid", "feature_adoption",
                   "nps")),
    ),
    OPERATIONS: (
        ("Reliability and cost", ("uptime", "response_time", "open_incidents", "cost_month", "gross_margin")),
    ),
    FINANCE: (
        ("Revenue", ("mrr", "churn_rate", "active_customers", "trial_users")),
        ("Costs", ("cost_month", "gross_margin")),
    ),
    SUPPORT: (
        ("Support", ("open_tickets", "sla_attainment", "resolution_time", "csat", "licenses_over_cap")),
    ),
}
# role → the sections under (or, for operations, above) the tiles
SERVICES, INCIDENTS, FEATURES, FUNNEL = "services", "incidents", "features", "funnel"
SECTIONS: Mapping[str, tuple[str, ...]] = {
    EXECUTIVE: (SERVICES,),
    PRODUCT: (FEATURES, FUNNEL),
    OPERATIONS: (SERVICES, INCIDENTS),
    FINANCE: (),
    SUPPORT: (),
}
LEADS = frozenset({OPERATIONS})  # roles whose sections come before the tiles (the service grid first)

BAND_COLORS: Mapping[str, QColor | None] = {"good": GREEN, "warning": AMBER, "critical": RED, "unknown": None}
BAND_WORDS = {"good": "on target", "warning": "needs attention", "critical": "off target",
              "unknown": "no data or no target"}
_SOURCE_FRESHNESS = {"revenue": "Stripe subscriptions", "health": "Health checks", "support": "Tickets",
                     "costs": "Costs", "licenses": "Licenses", "usage": "Product usage"}


def value_text(r: KpiReading) -> str:
    """The value with its unit: "1,100", "73.3 %", "9.6 min", "$12,400", "4.6 / 5", "—"."""
    v = r.value
    if v is None:
        return fmt.MISSING
    if r.unit == "%":
        return fmt.percent(v)
    if r.unit == "money":
        return fmt.money_headline(v * 100, r.currency or "USD")
    if r.unit == "minutes":
        return f"{v:,.1f} min"
    if r.unit == "hours":
        return f"{v:,.1f} h"
    if r.unit == "seconds":
        return f"{v:,.2f} s"
    if r.unit == "score":
        return f"{v:.2f} / 5"
    if r.unit == "points":
        return f"{v:+.0f}"
    return f"{v:,.0f}"


def tooltip(r: KpiReading, fresh: Mapping[str, dt.datetime | None], now: dt.datetime | None = None) -> str:
    """What the tile stands for: its band in words, its target, where it comes from and how old that is."""
    label = _SOURCE_FRESHNESS.get(r.source, r.source)
    synced = fresh.get(label)
    age = "never synced" if synced is None else f"synced {fmt.format_age(synced, now)}"
    lines = [f"{r.label}: {value_text(r)} — {BAND_WORDS[r.band]}", f"Target: {r.target_text}"]
    if r.variance is not None:
        lines.append(f"Against the green line: {r.variance:+,.2f}")
    lines.append(f"From the {r.source} figures (docs: Overview and reports) · {label} {age}")
    if r.pane:
        lines.append("Click to open what is behind it")
    return "\n".join(lines)


def short_target(r: KpiReading) -> str:
    """The target without its amber and red lines (those are in the tooltip): "target ≥ 1,000"."""
    text = r.target_text.split(" (", 1)[0]
    if text.startswith("no target"):
        return text
    return f"target {text}" if text[:1] in "≥≤" else f"target: {text}"


def tile(r: KpiReading, fresh: Mapping[str, dt.datetime | None], now: dt.datetime | None = None) -> Kpi:
    return Kpi(r.label, value_text(r), tooltip(r, fresh, now), BAND_COLORS[r.band], short_target(r), r.series)


def tiles(card: Scorecard, keys: tuple[str, ...], now: dt.datetime | None = None) -> list[tuple[KpiReading, Kpi]]:
    """The readings ``keys`` names that the scorecard holds (a role's card holds only its own), as tiles."""
    fresh = dict(card.freshness)
    by_key = {r.key: r for r in card.readings}
    return [(by_key[k], tile(by_key[k], fresh, now)) for k in keys if k in by_key]


def period_text(card: Scorecard) -> str:
    return (f"{fmt.month_name(card.period_start)} · figures to {fmt.day(card.period_end)} · "
            f"green on target, amber needs attention, red off target, grey no data")


def freshness_text(card: Scorecard, now: dt.datetime | None = None) -> str:
    """When each source behind the shown KPIs last synced (a role's card names only its own sources)."""
    shown = {_SOURCE_FRESHNESS.get(r.source, r.source) for r in card.readings}
    return "Last sync — " + " · ".join(
        f"{label}: {fmt.format_age(at, now)}" for label, at in card.freshness if label in shown)


