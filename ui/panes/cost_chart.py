"""The Costs pane's chart, three views of one overview: the month's cumulative spend against its budget,
the months stacked by service, and the daily spend per service.

* **This month**: actual cumulative spend (solid), the forecast path with its
  80 % band (dashed), the budget (a flat dashed line) and the day it runs out.
* **By month**: 13 months of spend as stacked bars, one colour per service.
* **Daily**: daily spend per service over 13 months, the chosen month shaded,
  anomalies marked.

More than ``MAX_SERIES`` services stay distinguishable: the biggest of the
month keep their own colour and the rest are drawn together as "other".

This module imports pyqtgraph (about a second), so only ``CostsPane.build``
imports it, the first time the Costs tab is shown.  Its background, axes and
text follow the theme (``palette.chart_colors``): it redraws itself when the
palette changes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from app.domain.costs.anomalies import Anomaly
from app.domain.costs.forecast import CumulativePath
from app.domain.costs.months import add_months
from app.domain.costs.store import DailySeries
from ui.widgets.chart_theme import theme_chart
from ui.widgets.palette import RED, chart_colors

MAX_SERIES = 8  # own colours; beyond, the smallest services share one "other"
OTHER = "other"
CUMULATIVE, MONTHLY, DAILY = "cumulative", "monthly", "daily"
VIEWS = ((CUMULATIVE, "This month: cumulative vs budget"), (MONTHLY, "By month, stacked by service"),
         (DAILY, "Daily, per service"))
_EPOCH = dt.date(1970, 1, 1)
_DAY = 86_400


def _x(days: Sequence[dt.date]) -> np.ndarray:
    """Days as UTC epoch seconds, which ``DateAxisItem(utcOffset=0)`` labels as dates."""
    return np.array([(d - _EPOCH).days * _DAY for d in days], dtype=float)


def _dollars(micros: Sequence[int | None]) -> np.ndarray:
    return np.array([np.nan if m is None else m / 1_000_000 for m in micros], dtype=float)


def grouped(values: Mapping[str, Sequence[int]], own: Sequence[str]) -> dict[str, tuple[int, ...]]:
    """``values`` per service with the services not in ``own`` summed into "other"."""
    lines = {s: tuple(values[s]) for s in own if s in values}
    rest = [values[s] for s in values if s not in own]
    if rest:
        lines[OTHER] = tuple(map(sum, zip(*rest, strict=True)))
    return lines


class DollarAxis(pg.AxisItem):  # type: ignore[misc]  # pyqtgraph ships no type information: its classes are Any
    """A y axis labelled ``$1,200`` rather than pyqtgraph's SI-scaled plain numbers."""

    def tickStrings(self, values: list[float], scale: float, spacing: float) -> list[str]:  # pyqtgraph override
        return [f"${v:,.0f}" if spacing >= 1 else f"${v:,.2f}" for v in values]


class CostChart(QWidget):
    """A view chooser over one plot; the pane hands it data with ``set_data`` and the selection."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.view = QComboBox()
        for key, title in VIEWS:
            self.view.addItem(title, key)
        self.view.setToolTip("What the chart shows; select a row of the summary to follow one service")
        self.view.currentIndexChanged.connect(lambda _index: self.redraw())
        self.note = QLabel()
        self.note.setWordWrap(True)
        self.plot = pg.PlotWidget(axisItems={"bottom": pg.DateAxisItem(orientation="bottom", utcOffset=0),
                                             "left": DollarAxis("left")})
        item = self.plot.getPlotItem()
        item.showGrid(x=True, y=True, alpha=0.15)
        item.setMouseEnabled(x=True, y=False)  # zoom through time; the y axis follows what is visible
        item.getViewBox().setAutoVisible(y=True)
        self._legend = item.addLegend(offset=(8, 8), colCount=3)
        self._text = QColor()
        self._apply_theme()
        bar = QHBoxLayout()
        bar.setContentsMargins(0, 0, 0, 0)
        bar.addWidget(QLabel("Chart:"))
        bar.addWidget(self.view)
        bar.addWidget(self.note, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(bar)
        layout.addWidget(self.plot, 1)
        self._data: ChartData | None = None

    def changeEvent(self, event: QEvent) -> None:  # Qt override: the theme changed
        super().changeEvent(event)
        themed = event.type() in (QEvent.Type.PaletteChange, QEvent.Type.ApplicationPaletteChange)
        if themed and hasattr(self, "_legend"):  # the palette may change before the set-up is done
            self._apply_theme()
            self.redraw()

    def _apply_theme(self) -> None:
        self._text = theme_chart(self.plot, self._legend)

    def set_data(self, data: ChartData) -> None:
        self._data = data
        self.redraw()

    def current_view(self) -> str:
        return str(self.view.currentData())

    def show_view(self, view: str) -> None:
        self.view.setCurrentIndex(next(i for i, (key, _) in enumerate(VIEWS) if key == view))

    def names(self) -> list[str]:
        """The legend's entries as drawn (what a reader can tell apart)."""
        return [label.text for _sample, label in self._legend.items]

    def redraw(self) -> None:
        item = self.plot.getPlotItem()
        item.clear()
        self._legend.clear()
        data = self._data
        if data is None:
            return
        view = self.current_view()
        if view == CUMULATIVE:
            self._cumulative(data)
        elif view == MONTHLY:
            self._monthly(data)
        else:
            self._daily(data)

    # -- the three views

    def _pen(self, color: QColor, width: float = 1.5, dashed: bool = False) -> pg.QtGui.QPen:
        return pg.mkPen(color, width=width, style=Qt.PenStyle.DashLine if dashed else Qt.PenStyle.SolidLine)

    def _cumulative(self, data: ChartData) -> None:
        item = self.plot.getPlotItem()
        path = data.path
        if path is None:
            self.note.setText("No figures for this month yet.")
            return
        x = _x(path.days)
        color = QColor(data.colors.get(data.selected or "", self._text))
        item.addItem(pg.PlotDataItem(x, np.zeros(len(x)), pen=pg.mkPen(0, 0, 0, 0)))  # keeps $0 in view
        highs = _dollars(path.high)
        top = max(float(np.nanmax(highs)) if np.isfinite(highs).any() else 0.0, (data.budget_micros or 0) / 1_000_000)
        # a quarter more above the highest line: the legend (top left) covers no line, the budget's neither
        item.addItem(pg.PlotDataItem(x[:1], [top * 1.25], pen=pg.mkPen(0, 0, 0, 0)))
        low = pg.PlotDataItem(x, _dollars(path.low), pen=pg.mkPen(None))
        high = pg.PlotDataItem(x, _dollars(path.high), pen=pg.mkPen(None))
        band = QColor(color)
        band.setAlpha(60)
        item.addItem(low)
        item.addItem(high)
        item.addItem(pg.FillBetweenItem(low, high, brush=band))
        self._legend.addItem(pg.BarGraphItem(x=[0], height=[0], width=0, brush=band), "80 % range")
        item.addItem(pg.PlotDataItem(x, _dollars(path.forecast), pen=self._pen(color, 2, dashed=True),
                                     name="Forecast"))
        item.addItem(pg.PlotDataItem(x, _dollars(path.actual), pen=self._pen(color, 3), name="Actual"))
        if data.budget_micros:
            item.addItem(pg.PlotDataItem(x, np.full(len(x), data.budget_micros / 1_000_000),
                                         pen=self._pen(RED, 1.5, dashed=True), name="Budget"))
        if data.runs_out is not None:
            item.addItem(pg.InfiniteLine(_x([data.runs_out])[0], angle=90, pen=self._pen(RED, 1, dashed=True),
                                         label=f"runs out {data.runs_out.day} {data.runs_out:%b}",
                                         labelOpts={"color": RED, "position": 0.9}))
        self.note.setText(f"{data.title}: cumulative effective cost of {data.month:%B %Y}")
        item.setXRange(x[0], x[-1], padding=0.02)

    def _monthly(self, data: ChartData) -> None:
        item = self.plot.getPlotItem()
        months = sorted(data.monthly)
        if not months:
            return
        services = sorted({s for m in months for s in data.monthly[m]})
        values = {s: [data.monthly[m].get(s, 0) for m in months] for s in services}
        lines = grouped(values, data.own)
        x = _x(months) + 15 * _DAY
        base = np.zeros(len(months))
        for name in [*(s for s in data.own if s in lines), *([OTHER] if OTHER in lines else [])]:
            heights = _dollars(lines[name])
            color = QColor(data.colors.get(name, self._text))
            bars = pg.BarGraphItem(x=x, y0=base, height=heights, width=24 * _DAY, brush=color,
                                   pen=pg.mkPen(chart_colors()[0]))
            item.addItem(bars)
            self._legend.addItem(bars, name)
            base = base + heights
        self.note.setText("Effective cost per month, stacked by service (the month in progress: to date)")
        item.setXRange(x[0] - 20 * _DAY, x[-1] + 20 * _DAY, padding=0)

    def _daily(self, data: ChartData) -> None:
        item = self.plot.getPlotItem()
        series = data.series
        if not series.days:
            return
        x = _x(series.days)
        shade = QColor(self._text)
        shade.setAlpha(22)
        item.addItem(pg.LinearRegionItem(tuple(_x((data.month, add_months(data.month, 1)))), movable=False,
                                         brush=shade, pen=pg.mkPen(None)))
        item.addItem(pg.PlotDataItem(x, np.zeros(len(x)), pen=pg.mkPen(0, 0, 0, 0)))
        lines = grouped(series.by_service, data.own)
        for name, micros in lines.items():
            color = QColor(data.colors.get(name, self._text))
            width = 3 if name == data.selected else 1.5
            if data.selected not in (None, "total") and name != data.selected:
                color.setAlpha(90)
            item.addItem(pg.PlotDataItem(x, _dollars(micros), pen=pg.mkPen(color, width=width), name=name))
        index = {day: i for i, day in enumerate(series.days)}
        marked = [a for a in data.anomalies if a.day in index]
        if marked:
            item.addItem(pg.ScatterPlotItem(
                x=_x([a.day for a in marked]), y=[a.cost_micros / 1_000_000 for a in marked], symbol="x", size=12,
                pen=pg.mkPen(RED, width=2), brush=RED, name="anomaly",
            ))
        self.note.setText("Daily effective cost over 13 months (the chosen month shaded); × an anomaly")
        item.setXRange(x[0], x[-1] + _DAY, padding=0.01)


@dataclass(frozen=True)
class ChartData:
    """What the chart draws: the overview's series, the selection's path and budget, the colours."""

    month: dt.date
    title: str  # whose path: a service, or Total
    selected: str | None
    path: CumulativePath | None
    budget_micros: int | None
    runs_out: dt.date | None
    series: DailySeries
    monthly: Mapping[dt.date, Mapping[str, int]]
    own: Sequence[str]  # services with a colour of their own; the rest are "other"
    colors: Mapping[str, QColor]
    anomalies: Sequence[Anomaly]
