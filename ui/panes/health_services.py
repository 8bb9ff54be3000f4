"""The Health tab's services table: state, budget and burn rate in separate labelled columns, and a 90-day bar.

One row per service from the ``health`` figure set (``app.domain.availability.figures``):
nothing here computes a figure, it only words and colours them.  The last
column draws the 90-day status bar (one slice per UTC day, Uptime Kuma style)
with a tooltip per day.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from PySide6.QtCore import QEvent, QModelIndex, QPersistentModelIndex, QRect, Qt
from PySide6.QtGui import QColor, QHelpEvent, QPainter
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QStyledItemDelegate, QStyleOptionViewItem, QToolTip

from app.domain.availability import budget as bud
from app.domain.availability import figures as fig
from app.domain.availability import state as st
from ui import formatting as fmt
from ui.widgets.palette import AMBER, FAINT, GREEN, GREY, RED
from ui.widgets.summary_table import Cell, SummaryTable

STATE_COLORS: dict[str, QColor] = {st.UP: GREEN, st.DEGRADED: AMBER, st.DOWN: RED, st.UNKNOWN: GREY,
                                   st.MAINTENANCE: GREY}
BUDGET_COLORS: dict[str, QColor | None] = {bud.HEALTHY: None, bud.AT_RISK: AMBER, bud.EXHAUSTED: RED}
DAY_COLORS: dict[str, QColor] = {fig.MET: GREEN, fig.BELOW: AMBER, fig.OUTAGE: RED, fig.NO_DATA: FAINT}
DAYS_ROLE = Qt.ItemDataRole.UserRole + 1

COLUMNS = (
    ("Service", "The service, as the Ops API or the settings name it"),
    ("State", "Now: Up, Degraded, Down, Unknown or Maintenance (hover for why; rule in docs/metrics.md)"),
    ("For", "How long the service has been in this state, when the checks tell"),
    ("Latency", "The latest check's response time; hover for p50 and p95 of the last 24 hours"),
    ("24 h", "Availability over the last 24 hours: up time ÷ known time, maintenance excluded"),
    ("7 d", "Availability over the last 7 days"),
    ("30 d", "Availability over the last 30 days"),
    ("90 d", "Availability over the last 90 days"),
    ("SLO", "The service's availability objective"),
    ("Budget left", "Downtime the SLO still allows in the budget period (hover for the arithmetic)"),
    ("Budget", "Error-budget state: Healthy, At risk (under 25 % left) or Exhausted"),
    ("Burn rate", "Multiwindow burn-rate alert (SRE workbook): Page, Ticket, or none; hover for the rates"),
    ("Incidents", "Open incidents affecting the service"),
    ("Cert.", "Days until the service's TLS certificate expires"),
    ("Last 90 days", ("One slice per UTC day: green met the SLO, amber below it, red an hour or more down, "
                      "grey no data")),
)
NUMERIC = frozenset({2, 3, 4, 5, 6, 7, 8, 9, 12, 13})
BAR_COLUMN = len(COLUMNS) - 1
BAR_WIDTH = 184


def duration(seconds: float) -> str:
    """"12 min", "3.5 h", "2 d": a length of time at a glance."""
    minutes = seconds / 60
    if minutes < 60:
        return f"{minutes:.0f} min"
    if minutes < 48 * 60:
        return f"{minutes / 60:.1f} h"
    return f"{minutes / 1440:.0f} d"


def budget_cell(b: bud.ErrorBudget, period: str) -> Cell:
    left = b.remaining_s
    text = f"−{duration(-left)}" if left < 0 else duration(left)
    share = fmt.MISSING if b.remaining_share is None else f"{b.remaining_share:.0%}"
    span = "this calendar month" if period == bud.CALENDAR_MONTH else "the last 30 days"
    tip = (f"SLO {b.slo_target:.3%} allows {duration(b.allowance_s)} of downtime over {span}.\n"
           f"Down so far: {duration(b.consumed_s)}. Left: {text} ({share}).")
    return Cell(text, RED if left < 0 else None, tip)


def burn_cell(s: fig.ServiceFigures) -> Cell:
    rates = " · ".join(f"{k}: {fmt.MISSING if v is None else f'{v:.1f}×'}" for k, v in s.burn_rates.items())
    if s.burn_level is None:
        return Cell("—", None, f"No burn-rate alert.\nBurn rates: {rates}")
    alerts = "\n".join(s.burn_alerts)
    return Cell(s.burn_level.capitalize(), RED if s.burn_level == "page" else AMBER,
                f"Firing:\n{alerts}\nBurn rates: {rates}")


def availability_cell(s: fig.ServiceFigures, key: str) -> Cell:
    value = s.availability[key]
    cover = s.coverage[key]
    tip = (f"Up {duration(cover.up_s)}, down {duration(cover.down_s)}, unknown {duration(cover.unknown_s)}, "
           f"maintenance {duration(cover.maintenance_s)}")
    return Cell(fmt.share(value), RED if value is not None and value < s.slo_target else None, tip)


def service_cells(s: fig.ServiceFigures, period: str, now: dt.datetime) -> list[Cell]:
    """The cells of one service row: text, colour, tooltip."""
    since = "" if s.state_since is None else duration(max(0.0, (now - s.state_since).total_seconds()))
    source = {"workstation": "this workstation", "api": "the backend"}.get(s.last_check_source or "", "")
    checked = f"\nLatest check {fmt.when(s.last_check_at)} from {source}" if s.last_check_at else ""
    latency_tip = (f"p50 {fmt.MISSING if s.latency_p50_ms is None else f'{s.latency_p50_ms:,.0f} ms'}, "
                   f"p95 {fmt.MISSING if s.latency_p95_ms is None else f'{s.latency_p95_ms:,.0f} ms'} "
                   "(passing checks, last 24 h)")
    cert = s.certificate_days_left
    return [
        Cell(s.name, tip=f"{s.id} · criticality {s.criticality or 'not set'}"),
        Cell(s.state, STATE_COLORS[s.state], s.state_reason + checked, bold=s.state == st.DOWN),
        Cell(since if s.state != st.UP else ""),
        Cell(fmt.MISSING if s.latency_ms is None else f"{s.latency_ms:,.0f} ms", tip=latency_tip),
        *(availability_cell(s, key) for key in fig.WINDOWS),
        Cell(f"{s.slo_target * 100:g} %"),
        budget_cell(s.budget, period),
        Cell(s.budget.state, BUDGET_COLORS[s.budget.state]),
        burn_cell(s),
        Cell(str(s.open_incidents) if s.open_incidents else "", RED if s.open_incidents else None),
        Cell(fmt.MISSING if cert is None else f"{cert} d", RED if cert is not None and cert < 14 else None,
             "" if s.certificate_expires_at is None else f"Expires {fmt.when(s.certificate_expires_at)}"),
        Cell(""),  # the bar: drawn by StatusBarDelegate from DAYS_ROLE
    ]


def day_tip(day: fig.DayStatus) -> str:
    share = fmt.share(day.availability)
    return (f"{day.day.isoformat()} (UTC): {day.level}\nAvailability {share} · down {duration(day.down_s)} · "
            f"unknown {duration(day.unknown_s)} · maintenance {duration(day.maintenance_s)}")


class StatusBarDelegate(QStyledItemDelegate):
    """Draws a row's days as coloured slices; the tooltip names the day under the mouse."""

    def paint(self, painter: QPainter, option: QStyleOptionViewItem,
              index: QModelIndex | QPersistentModelIndex) -> None:  # Qt override
        days: Sequence[fig.DayStatus] = index.data(DAYS_ROLE) or ()
        if not days:
            return
        rect: QRect = option.rect.adjusted(2, 4, -2, -4)
        width = rect.width() / len(days)
        painter.save()
        painter.setPen(Qt.PenStyle.NoPen)
        for n, day in enumerate(days):
            left = rect.left() + round(n * width)
            right = rect.left() + round((n + 1) * width) - 1
            painter.fillRect(QRect(left, rect.top(), max(1, right - left), rect.height()), DAY_COLORS[day.level])
        painter.restore()

    def helpEvent(self, event: QHelpEvent, view: QAbstractItemView, option: QStyleOptionViewItem,
                  index: QModelIndex | QPersistentModelIndex) -> bool:  # Qt override
        days: Sequence[fig.DayStatus] = index.data(DAYS_ROLE) or ()
        rect: QRect = option.rect
        if event.type() != QEvent.Type.ToolTip or not days or rect.width() <= 0:
            return super().helpEvent(event, view, option, index)
        n = min(len(days) - 1, max(0, (event.pos().x() - rect.left()) * len(days) // rect.width()))
        QToolTip.showText(event.globalPos(), day_tip(days[n]), view)
        return True


class ServicesTable(SummaryTable):
    """Every service on one screen (fixed compact rows), its 90-day bar in the last column."""

    def __init__(self) -> None:
        super().__init__(COLUMNS, NUMERIC, selectable=True, fit=True)
        self.setItemDelegateForColumn(BAR_COLUMN, StatusBarDelegate(self))
        header = self.horizontalHeader()
        header.setSectionResizeMode(BAR_COLUMN, QHeaderView.ResizeMode.Stretch)
        header.setMinimumSectionSize(30)
        self.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.verticalHeader().setDefaultSectionSize(self.verticalHeader().minimumSectionSize() + 4)
        self.setMouseTracking(True)

    def show_services(self, figures: fig.HealthFigures) -> None:
        rows = [service_cells(s, figures.budget_period, figures.as_of) for s in figures.services]
        self.set_rows(rows, [s.id for s in figures.services])
        for r, s in enumerate(figures.services):
            item = self.item(r, BAR_COLUMN)
            if item is not None:
                item.setData(DAYS_ROLE, s.days)
        self.setMinimumWidth(self.horizontalHeader().length() - self.columnWidth(BAR_COLUMN) + BAR_WIDTH
                             + 2 * self.frameWidth())

    def key_at(self, row: int) -> str | None:
        item = self.item(row, 0)
        return None if item is None else item.data(Qt.ItemDataRole.UserRole)

    def keep_key(self, key: str | None) -> None:
        """Keep the selection on the same service after a refresh (rows move as states change), quietly:
        a redraw is not the user choosing a service."""
        self.blockSignals(True)
        self.select_key(key)
        self.blockSignals(False)
