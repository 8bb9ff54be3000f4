"""The Costs pane's chart: daily spend per service, the selected month shaded, a budget line.

This module imports pyqtgraph (about a second), so only ``CostsPane.build``
imports it, the first time the Costs tab is shown: start-up does not pay for a
chart nobody has looked at yet.  Its background, axes and text follow the
theme (``palette.chart_colors``): it redraws itself when the palette changes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QWidget

from app.domain.costs import TOTAL, BudgetLimit, DailySeries, add_months, daily_budget
from ui.widgets.palette import chart_colors

MAX_LINES = 8  # more lines than this is noise: the smallest services share one "other" line
_EPOCH = dt.date(1970, 1, 1)
_DAY = 86_400
_OTHER = "other"


def _x(days: Sequence[dt.date]) -> np.ndarray:
    """Days as UTC epoch seconds, which ``DateAxisItem(utcOffset=0)`` labels as dates."""
    return np.array([(d - _EPOCH).days * _DAY for d in days], dtype=float)


def _dollars(micros: Sequence[int]) -> np.ndarray:
    return np.asarray(micros, dtype=float) / 1_000_000


class DollarAxis(pg.AxisItem):  # type: ignore[misc]  # pyqtgraph ships no type information: its classes are Any
    """A y axis labelled ``$1,200`` rather than pyqtgraph's SI-scaled plain numbers."""

    def tickStrings(self, values: list[float], scale: float, spacing: float) -> list[str]:  # pyqtgraph override
        return [f"${v:,.0f}" if spacing >= 1 else f"${v:,.2f}" for v in values]


class CostChart(pg.PlotWidget):  # type: ignore[misc]  # pyqtgraph ships no type information: its classes are Any
    """Lines of daily cost per service; ``plot_series`` redraws for a new overview or selection."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(
            parent, axisItems={"bottom": pg.DateAxisItem(orientation="bottom", utcOffset=0), "left": DollarAxis("left")}
        )
        plot = self.getPlotItem()
        plot.showGrid(x=True, y=True, alpha=0.15)
        # Set on the plot, which passes them to each curve once it is in the view box (a curve
        # created with clipToView=True fails when added: it has no view box yet).
        plot.setDownsampling(auto=True, mode="peak")
        plot.setClipToView(True)
        plot.setMouseEnabled(x=True, y=False)  # zoom through time; the y axis follows what is visible
        plot.getViewBox().setAutoVisible(y=True)
        self._legend = plot.addLegend(offset=(8, 8), colCount=3)
        self._text = QColor()
        self._shown: tuple[DailySeries, dt.date, Mapping[str, QColor], Mapping[str, BudgetLimit], str | None] | None
        self._shown = None
        self._apply_theme()
        self.setToolTip(
            "Daily cost per service over 13 months up to the selected month (shaded).\n"
            "Select a row of the summary to show its daily budget: the monthly budget ÷ the days of that month.\n"
            "Scroll to zoom through time, drag to pan, right-click for more."
        )

    def changeEvent(self, event: QEvent) -> None:  # Qt override: the theme changed
        super().changeEvent(event)
        themed = event.type() in (QEvent.Type.PaletteChange, QEvent.Type.ApplicationPaletteChange)
        if themed and hasattr(self, "_legend"):  # pyqtgraph's own set-up changes the palette before ours is done
            self._apply_theme()
            if self._shown is not None:
                self.plot_series(*self._shown)

    def _apply_theme(self) -> None:
        background, text = chart_colors()
        self._text = text
        self.setBackground(background)
        plot = self.getPlotItem()
        for name in ("left", "bottom"):
            plot.getAxis(name).setTextPen(text)
            plot.getAxis(name).setPen(text)
        plot.setLabel("left", "Daily cost (USD)", color=text.name())
        backdrop = QColor(background)
        backdrop.setAlpha(150)  # lines behind the legend stay visible
        self._legend.setLabelTextColor(text)
        self._legend.setBrush(backdrop)

    def plot_series(
        self,
        series: DailySeries,
        month: dt.date,
        colors: Mapping[str, QColor],
        budgets: Mapping[str, BudgetLimit],
        selected: str | None = None,
    ) -> None:
        self._shown = (series, month, colors, budgets, selected)
        plot = self.getPlotItem()
        plot.clear()
        self._legend.clear()
        if not series.days:
            return
        x = _x(series.days)
        month_x = _x((month, add_months(month, 1)))
        shade = QColor(self._text)
        shade.setAlpha(22)
        plot.addItem(pg.LinearRegionItem(tuple(month_x), movable=False, brush=shade, pen=pg.mkPen(None)))
        # A transparent line at $0 keeps zero in the y range (a cost axis starting at $2 exaggerates);
        # with no pen at all pyqtgraph would leave it out of the auto range.
        plot.addItem(pg.PlotDataItem(x, np.zeros(len(x)), pen=pg.mkPen(0, 0, 0, 0)))
        for name, micros in self._lines(series, selected).items():
            color = QColor(colors.get(name, self._text))
            width = 3 if name == selected else 1.5
            if selected is not None and name != selected:
                color.setAlpha(90)
            plot.addItem(pg.PlotDataItem(x, _dollars(micros), pen=pg.mkPen(color, width=width), name=name))
        budget = budgets.get(selected) if selected else None
        if budget is not None and budget.monthly_micros > 0:
            plot.addItem(pg.PlotDataItem(
                x, _dollars(daily_budget(budget, series.days)), name=f"{selected} daily budget",
                pen=pg.mkPen(self._text, width=1.5, style=Qt.PenStyle.DashLine),
            ))
        plot.setXRange(x[0], x[-1] + _DAY, padding=0.01)

    def _lines(self, series: DailySeries, selected: str | None) -> dict[str, tuple[int, ...]]:
        """The biggest services (and the selected one) as their own lines, the rest summed as "other"."""
        if selected == TOTAL:
            return {TOTAL: series.total}
        ranked = sorted(series.by_service, key=lambda s: -sum(series.by_service[s]))
        own = ranked[: MAX_LINES - 1] if len(ranked) > MAX_LINES else list(ranked)
        if selected in series.by_service and selected not in own:
            own.append(selected)
        rest = [series.by_service[s] for s in series.by_service if s not in own]
        lines = {s: series.by_service[s] for s in sorted(own)}
        if rest:
            lines[_OTHER] = tuple(map(sum, zip(*rest, strict=True)))
        return lines
