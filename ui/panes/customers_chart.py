"""The MRR movements chart: stacked bars per month for the five movements, the net new MRR line, clickable.

Gains stack above zero (new business, expansion, reactivation), losses below
(contraction, churn); the line is their sum.  A click on a bar says which
month and which movement it was (``bar_clicked``), so the pane can list the
customers behind it.  This module imports pyqtgraph (about a second): only the
pane's ``build`` imports it, when the tab is first shown.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QEvent, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QWidget

from app.domain.revenue.monthly import MonthFigures
from ui import formatting as fmt
from ui.widgets.chart_theme import theme_chart
from ui.widgets.palette import SERIES

# (movement, legend, colour, sign): gains first, from the axis up; then losses, from the axis down.
MOVEMENTS = (
    ("new", "New business", SERIES[2], 1),
    ("expansion", "Expansion", SERIES[4], 1),
    ("reactivation", "Reactivation", SERIES[3], 1),
    ("contraction", "Contraction", SERIES[1], -1),
    ("churn", "Churn", SERIES[5], -1),
)
BAR_WIDTH = 0.7
NO_MOVEMENTS = "No MRR movements in these months"


def amounts(month: MonthFigures) -> dict[str, float]:
    """A month's movements in reporting minor units, signed as the chart stacks them."""
    return {"new": month.new_mrr, "expansion": month.expansion_mrr, "reactivation": month.reactivation_mrr,
            "contraction": -month.contraction_mrr, "churn": -month.churn_mrr}


class MoneyAxis(pg.AxisItem):  # type: ignore[misc]  # pyqtgraph ships no type information: its classes are Any
    """A y axis in the reporting currency: ``$12k`` rather than pyqtgraph's SI-scaled plain numbers.

    Ticks less than one unit apart (a month with no movement spans the axis
    over a single dollar) keep their cents: rounded, every tick read "$0".
    """

    currency = "USD"

    def tickStrings(self, values: list[float], scale: float, spacing: float) -> list[str]:  # pyqtgraph override
        label = fmt.money if spacing < 1 else fmt.money_short
        return [label(v * 100, self.currency) for v in values]


class MonthAxis(pg.AxisItem):  # type: ignore[misc]  # pyqtgraph ships no type information: its classes are Any
    """Month indexes labelled ``Nov 25``."""

    months: Sequence[MonthFigures] = ()

    def tickStrings(self, values: list[float], scale: float, spacing: float) -> list[str]:  # pyqtgraph override
        labels = []
        for v in values:
            i = round(v)
            labels.append(self.months[i].month.strftime("%b %y") if 0 <= i < len(self.months) and i == v else "")
        return labels


class MovementsChart(pg.PlotWidget):  # type: ignore[misc]  # pyqtgraph ships no type information: its classes are Any
    bar_clicked = Signal(int, str)  # month index, movement

    def __init__(self, parent: QWidget | None = None) -> None:
        self._money_axis, self._month_axis = MoneyAxis("left"), MonthAxis("bottom")
        super().__init__(parent, axisItems={"left": self._money_axis, "bottom": self._month_axis})
        plot = self.getPlotItem()
        plot.showGrid(x=False, y=True, alpha=0.15)
        plot.setMouseEnabled(x=False, y=False)
        plot.hideButtons()
        plot.setMenuEnabled(False)
        self._legend = plot.addLegend(offset=(8, 6), colCount=3)
        self._text = theme_chart(self, self._legend)
        self._months: Sequence[MonthFigures] = ()
        self._currency = ""
        self.scene().sigMouseClicked.connect(self._clicked)
        self.setToolTip("MRR movements per month: gains above the axis, losses below; the line is net new MRR.\n"
                        "Click a bar to list the customers behind it.")

    def changeEvent(self, event: QEvent) -> None:  # Qt override: the theme changed
        super().changeEvent(event)
        themed = event.type() in (QEvent.Type.PaletteChange, QEvent.Type.ApplicationPaletteChange)
        if themed and hasattr(self, "_legend"):  # pyqtgraph's own set-up changes the palette before ours is done
            self._text = theme_chart(self, self._legend)
            self.plot_months(self._months, self._currency)

    def plot_months(self, months: Sequence[MonthFigures], currency: str) -> None:
        self._currency = currency
        plot = self.getPlotItem()
        plot.clear()
        self._legend.clear()
        self._months = months
        self._month_axis.months = months
        self._money_axis.currency = currency
        if not months:
            return
        x = np.arange(len(months), dtype=float)
        values = [amounts(m) for m in months]
        up, down = np.zeros(len(months)), np.zeros(len(months))
        for key, label, colour, sign in MOVEMENTS:
            heights = np.array([v[key] for v in values]) / 100
            base = up if sign > 0 else down
            bars = pg.BarGraphItem(x=x, y0=base.copy(), height=heights, width=BAR_WIDTH,
                                   brush=QColor(colour), pen=pg.mkPen(None), name=label)
            plot.addItem(bars)
            base += heights
        net = np.array([m.net_new_mrr for m in months]) / 100
        plot.addItem(pg.PlotDataItem(x, net, pen=pg.mkPen(self._text, width=2), symbol="o", symbolSize=5,
                                     symbolBrush=self._text, symbolPen=None, name="Net new MRR"))
        plot.addItem(pg.InfiniteLine(0, angle=0, pen=pg.mkPen(self._text, width=1)))
        step = max(1, round(len(months) / 8))
        self._month_axis.setTicks([[(i, months[i].month.strftime("%b %y")) for i in range(0, len(months), step)],
                                   [(i, "") for i in range(len(months))]])
        plot.setXRange(-0.6, len(months) - 0.4, padding=0)
        top, bottom = float(up.max(initial=0)), float(down.min(initial=0))
        span = (top - bottom) or 1.0
        low, high = bottom - 0.05 * span, top + 0.22 * span  # headroom for the legend
        plot.setYRange(low, high, padding=0)
        if not any(any(v.values()) for v in values):  # a flat line alone reads like a broken chart
            plot.addItem(self._quiet_note((len(months) - 1) / 2, (low + high) / 2))

    def _quiet_note(self, x: float, y: float) -> Any:
        """The words centred on (``x``, ``y``) of a chart with no movement in any of its months."""
        note = pg.TextItem(NO_MOVEMENTS, color=self._text, anchor=(0.5, 0.5))
        font = note.textItem.font()
        font.setPointSizeF(font.pointSizeF() * 1.25)
        note.setFont(font)
        note.setPos(x, y)
        return note

    def segment_at(self, month: int, value: float) -> str | None:
        """The movement whose bar covers ``value`` (major units) in month ``month``, if any."""
        if not 0 <= month < len(self._months):
            return None
        values = amounts(self._months[month])
        up = down = 0.0
        for key, _label, _colour, sign in MOVEMENTS:
            height = values[key] / 100
            if sign > 0 and up <= value <= up + height:
                return key
            if sign < 0 and down + height <= value <= down:
                return key
            if sign > 0:
                up += height
            else:
                down += height
        return None

    def _clicked(self, event: Any) -> None:
        view = self.getPlotItem().getViewBox()
        position = event.scenePos()
        if not view.sceneBoundingRect().contains(position):
            return
        point = view.mapSceneToView(position)
        month = round(point.x())
        if abs(point.x() - month) > BAR_WIDTH / 2:
            return
        movement = self.segment_at(month, point.y())
        if movement is not None:
            self.bar_clicked.emit(month, movement)
