"""The Overview's sections under its tiles: the service grid, open incidents, feature adoption, the funnel.

Each is built from a figure set the overview job already computed (health,
usage) — no query of its own — and rows carry their record's key, so a click
opens the record in its tab.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QMouseEvent
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel

from app.config.target_settings import TargetSettings
from app.domain.availability import state as st
from app.domain.availability.figures import ServiceFigures
from app.domain.usage.figures import FeatureAdoption, Funnel
from app.kpis.catalogue import band
from app.kpis.overview import OpenIncident
from ui import formatting as fmt
from ui.panes.overview_tiles import BAND_COLORS
from ui.widgets.flow_grid import FlowGrid
from ui.widgets.palette import AMBER, GREEN, GREY, MUTED, RED
from ui.widgets.summary_table import Cell

# The plan's state icons, in glyphs every desktop font has, always with the state in words beside them.
STATE_ICONS: dict[str, tuple[str, QColor]] = {
    st.UP: ("✔", GREEN), st.DEGRADED: ("⚠", AMBER), st.DOWN: ("✖", RED), st.MAINTENANCE: ("⚙", MUTED),
    st.UNKNOWN: ("?", GREY),
}
ROLLOUT_WORDS = {"plans": "Its plans only", "premium_5": "5 % of premium", "premium_25": "25 % of premium",
                 "premium_50": "50 % of premium", "premium_100": "All premium", "everyone": "Everyone"}
INCIDENT_COLUMNS = (("Severity", "P0 (everything down) to P4"), ("Incident", "Its title"),
                    ("Status", "Where the response stands"), ("Open for", "Since it started"),
                    ("Acknowledged", "Whether someone said they are on it"))
FEATURE_COLUMNS = (("Feature", "The product feature"), ("Rollout", "How far it reaches beyond its plans"),
                   ("Users reached", "Users its plans and rollout reach now"),
                   ("Used (30 d)", "Of those, users who used it in the last 30 days"),
                   ("Adoption", "Used ÷ reached (docs: Product usage, Feature adoption)"))
FUNNEL_COLUMNS = (("Step", "Free to paid, this month"), ("Users", "How many reached the step this month"),
                  ("Of sign-ups", "Share of the month's sign-ups"))


class ServiceTile(QFrame):
    """One service of the grid: its state icon and name; a click opens it on the Health tab."""

    clicked = Signal(str)

    def __init__(self, service: ServiceFigures) -> None:
        super().__init__()
        self.service_id = service.id
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        glyph, color = STATE_ICONS.get(service.state, ("?", GREY))
        self.icon = QLabel(glyph)
        self.icon.setStyleSheet(f"color: {color.name()}; font-weight: bold;")
        self.name = QLabel(service.name)
        self.state = QLabel(service.state)
        self.state.setProperty("muted", True)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(6, 3, 6, 3)
        layout.addWidget(self.icon)
        layout.addWidget(self.name, 1)
        layout.addWidget(self.state)
        self.setToolTip(f"{service.name}: {service.state} — {service.state_reason}\nClick to open it on the Health tab")

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # Qt override
        if event.button() == Qt.MouseButton.LeftButton:
            self.clicked.emit(self.service_id)
        super().mouseReleaseEvent(event)


class ServiceGrid(FlowGrid):
    """Every service's state at a glance (problems first, as the health figure set orders them)."""

    service_clicked = Signal(str)

    EMPTY = "No service in the cache yet: services and their checks arrive with the first sync."

    def set_services(self, services: Sequence[ServiceFigures]) -> None:
        if not services:
            self.set_items([QLabel(self.EMPTY)])
            return
        tiles = [ServiceTile(s) for s in services]
        for t in tiles:
            t.clicked.connect(self.service_clicked)
        self.set_items(tiles)


def incident_rows(incidents: Sequence[OpenIncident], now: dt.datetime) -> list[list[Cell]]:
    red = {"P0", "P1"}
    return [[Cell(i.severity, RED if i.severity in red else AMBER if i.severity == "P2" else None, bold=True),
             Cell(i.title), Cell(fmt.words(i.status)), Cell(fmt.duration((now - i.started_at).total_seconds())),
             Cell("Yes" if i.acknowledged else "No", None if i.acknowledged else AMBER)] for i in incidents]


def feature_rows(features: Sequence[FeatureAdoption], targets: TargetSettings) -> list[list[Cell]]:
    rows = []
    for f in features:
        level = band(f.adoption_pct, targets.feature_adoption_good, targets.feature_adoption_warning)
        rows.append([Cell(f.name), Cell(ROLLOUT_WORDS.get(f.rollout_phase, fmt.words(f.rollout_phase))),
                     Cell(fmt.MISSING if f.users_with_access is None else f"{f.users_with_access:,}"),
                     Cell(fmt.MISSING if f.active_users_30d is None else f"{f.active_users_30d:,}"),
                     Cell(fmt.percent(f.adoption_pct, 0), BAND_COLORS[level], bold=True)])
    return rows


def funnel_rows(funnel: Funnel) -> list[list[Cell]]:
    return [[Cell("Signed up"), Cell(f"{funnel.signups:,}"), Cell(fmt.percent(100.0 if funnel.signups else None))],
            [Cell("Started a trial"), Cell(f"{funnel.trial_starts:,}"), Cell(fmt.percent(funnel.trial_pct))],
            [Cell("Became paying"), Cell(f"{funnel.conversions:,}"), Cell(fmt.percent(funnel.paid_pct), bold=True)]]


def heading(text: str) -> QLabel:
    label = QLabel(f"<b>{text}</b>")
    label.setContentsMargins(0, 6, 0, 0)
    return label
