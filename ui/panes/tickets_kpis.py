"""The support KPIs above the ticket queue: a strip of tiles and, on demand, the details behind them.

Every value comes from one ``SupportFigures`` (``app.domain.sla.kpis``), the
figure set ``opsconsole metrics support`` prints, computed on a worker.  The
details -- SLA achievement per metric and priority over 7 and 30 days,
escalations per tier and the backlog trend chart -- are built the first time
they are opened (the chart imports pyqtgraph then, not at start-up).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtCore import QEvent
from PySide6.QtWidgets import QHBoxLayout, QPushButton, QVBoxLayout, QWidget

from app.domain.sla import kpis
from app.sla_rules.policies import FIRST_REPLY, METRICS, PRIORITIES, RESOLUTION
from ui import formatting as fmt
from ui.widgets.chart_theme import theme_chart
from ui.widgets.kpi_strip import Kpi, KpiStrip
from ui.widgets.palette import AMBER, GREEN, RED
from ui.widgets.summary_table import Cell, SummaryTable

BREACHED, SOON = "Breached now", "About to breach"
FIRST_7, RESOLVED_7 = "First reply on time (7 d)", "Resolved on time (7 d)"
MEDIAN_FIRST, FCR, CSAT = "Median first reply (30 d)", "First contact resolution", "Satisfaction (30 d)"
LABELS = (BREACHED, SOON, FIRST_7, RESOLVED_7, MEDIAN_FIRST, FCR, CSAT)
_SOURCES = {"ops_api": "the Ops API's policies", "settings": "the policies in Settings",
            "defaults": "the support handbook's policy (default)"}


def _pct(value: float | None) -> str:
    return fmt.MISSING if value is None else f"{value:.0f} %"


def _achievement_tile(label: str, a: kpis.Achievement) -> Kpi:
    tip = (f"{a.met:,} of {a.met + a.missed:,} {fmt.words(a.metric).lower()} targets that ended in the last "
           f"{a.days} days were met (a clock still running past its due instant counts as missed)")
    color = None if a.pct is None else GREEN if a.pct >= 90 else AMBER if a.pct >= 75 else RED
    return Kpi(label, _pct(a.pct), tip, color, f"{a.met + a.missed:,} targets")


def tiles(f: kpis.SupportFigures) -> list[Kpi]:
    """The strip's tiles from the figure set (a test holds them to the CLI's JSON)."""
    median = next(m for m in f.medians if (m.metric, m.days) == (FIRST_REPLY, 30))
    fcr, csat = f.first_contact_resolution, f.satisfaction
    return [
        Kpi(BREACHED, f"{f.queue['breached']:,}", "Open tickets past an SLA target now", RED if f.queue["breached"]
            else None, f"of {f.queue['open']:,} open"),
        Kpi(SOON, f"{f.queue['about_to_breach']:,}", "Open tickets with less than the pre-breach share of a "
            "target left (Settings ▸ SLA)", AMBER if f.queue["about_to_breach"] else None,
            f"{f.queue['paused']:,} paused"),
        _achievement_tile(FIRST_7, f.achievement_of(FIRST_REPLY, 7)),
        _achievement_tile(RESOLVED_7, f.achievement_of(RESOLUTION, 7)),
        Kpi(MEDIAN_FIRST, fmt.business_time(median.seconds), "Median business time to the first reply of the "
            "first replies given in the last 30 days (pauses excluded)", None, f"{median.count:,} replies"),
        Kpi(FCR, _pct(fcr.pct), "Tickets solved in the last 30 days that the team answered exactly once, of "
            "those it answered at all", None if fcr.pct is None else GREEN if fcr.pct >= fcr.target_pct else RED,
            f"target {fcr.target_pct:.0f} %"),
        Kpi(CSAT, fmt.MISSING if csat.average is None else f"{csat.average:.2f} / 5",
            f"Average of the {csat.count:,} satisfaction ratings given in the last {csat.days} days",
            None if csat.average is None else GREEN if csat.average >= csat.target else RED,
            f"{csat.count:,} ratings · target {csat.target:g}"),
    ]


class TicketKpis(QWidget):
    """The strip, a Details button, and the details (built on first opening)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.strip = KpiStrip(LABELS)
        self.toggle = QPushButton("Details ▾")
        self.toggle.setCheckable(True)
        self.toggle.setToolTip("SLA achievement per metric and priority, escalations per tier, the backlog trend")
        self.toggle.toggled.connect(self._show_details)
        self.figures: kpis.SupportFigures | None = None
        self.details: QWidget | None = None
        self.achievement: SummaryTable | None = None
        self.escalations: SummaryTable | None = None
        self.chart: Any = None
        top = QHBoxLayout()
        top.setContentsMargins(0, 0, 0, 0)
        top.addWidget(self.strip, 1)
        top.addWidget(self.toggle)
        self.layout_ = QVBoxLayout(self)
        self.layout_.setContentsMargins(0, 0, 0, 0)
        self.layout_.addLayout(top)

    def set_figures(self, figures: kpis.SupportFigures) -> None:
        self.figures = figures
        self.strip.set_values(tiles(figures))
        self.toggle.setToolTip(f"Clocks follow {_SOURCES.get(figures.rules_source, figures.rules_source)}: "
                               + ", ".join(figures.policies))
        if self.details is not None:
            self._fill_details(figures)

    def set_unavailable(self, reason: str) -> None:
        self.strip.set_unavailable(reason)

    def changeEvent(self, event: QEvent) -> None:  # Qt override: the theme changed, redraw the backlog chart
        super().changeEvent(event)
        themed = event.type() in (QEvent.Type.PaletteChange, QEvent.Type.ApplicationPaletteChange)
        if themed and getattr(self, "details", None) is not None and self.figures is not None:  # not mid-set-up
            self._fill_details(self.figures)

    def _show_details(self, shown: bool) -> None:
        self.toggle.setText("Details ▴" if shown else "Details ▾")
        if shown and self.details is None:
            self._build_details()
        if self.details is not None:
            self.details.setVisible(shown)

    def _build_details(self) -> None:
        import pyqtgraph as pg  # ~1 s to import: only when the details are first opened

        self.details = QWidget()
        row = QHBoxLayout(self.details)
        row.setContentsMargins(0, 0, 0, 4)
        columns = [("SLA met", "Targets met of those that ended in the window")]
        columns += [(f"{d} d", f"Every priority, the last {d} days") for d in kpis.WINDOWS]
        columns += [(f"{fmt.words(p)} (30 d)", f"{fmt.words(p)} tickets, the last 30 days") for p in PRIORITIES]
        self.achievement = SummaryTable(columns, numeric=frozenset(range(1, len(columns))))
        self.escalations = SummaryTable([("Escalated to", ""), *((f"{d} d", "") for d in kpis.WINDOWS)],
                                        numeric=frozenset({1, 2}))
        self.chart = pg.PlotWidget(axisItems={"bottom": pg.DateAxisItem()})
        self.chart.setMinimumHeight(150)
        self.chart.showGrid(y=True, alpha=0.3)
        row.addWidget(self.achievement, 0)
        row.addWidget(self.escalations, 0)
        row.addWidget(self.chart, 1)
        self.details.setMaximumHeight(190)
        self.layout_.addWidget(self.details)
        if self.figures is not None:
            self._fill_details(self.figures)

    def _fill_details(self, f: kpis.SupportFigures) -> None:
        assert self.achievement is not None and self.escalations is not None
        rows = []
        for metric in METRICS:
            cells = [f.achievement_of(metric, d) for d in kpis.WINDOWS]
            cells += [f.achievement_of(metric, 30, p) for p in PRIORITIES]
            rows.append([Cell(fmt.words(metric), bold=True),
                         *(Cell(_pct(a.pct), tip=f"{a.met:,} met, {a.missed:,} missed") for a in cells)])
        self.achievement.set_rows(rows)
        tiers = sorted({t for counts in f.escalations.values() for t in counts})
        self.escalations.set_rows([
            [Cell(f"Tier {t}"), *(Cell(f"{f.escalations[d].get(t, 0):,}") for d in kpis.WINDOWS)] for t in tiers
        ])
        self.chart.clear()
        text = theme_chart(self.chart)  # filled again when the theme changes (every pane refreshes)
        self.chart.setTitle("Unsolved tickets at the end of each day (30 days)", color=text.name())
        xs = [dt.datetime.combine(day, dt.time(12)).timestamp() for day, _ in f.backlog]
        self.chart.plot(xs, [n for _, n in f.backlog], pen={"color": text, "width": 2}, symbol="o", symbolSize=5,
                        symbolBrush=text, symbolPen=text)
