"""One service's charts: latency (every passing check, p50 and p95 per bucket) and availability per bucket.

This module imports pyqtgraph (about a second), so only the Health pane's
chart tab imports it, the first time it is shown.  A year of checks is a
hundred thousand points or more: the curves downsample to the pixels in view
(``autoDownsample``, peak mode) and draw only the visible stretch
(``clipToView``), which is what keeps panning smooth (``benchmarks/bench_health``).
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QHBoxLayout, QWidget

from app.domain.availability.latency import ChartSeries
from ui.widgets.chart_theme import theme_chart
from ui.widgets.palette import AMBER, GREEN, GREY, RED


def _values(values: tuple[float | None, ...]) -> np.ndarray:
    return np.array([np.nan if v is None else v for v in values], dtype=float)


def _plot() -> pg.PlotWidget:
    widget = pg.PlotWidget(axisItems={"bottom": pg.DateAxisItem(orientation="bottom", utcOffset=0)})
    plot = widget.getPlotItem()
    plot.showGrid(x=True, y=True, alpha=0.15)
    plot.setDownsampling(auto=True, mode="peak")
    plot.setClipToView(True)
    plot.setMouseEnabled(x=True, y=False)
    plot.getViewBox().setAutoVisible(y=True)
    return widget


def _theme(widget: pg.PlotWidget, title: str, unit_label: str) -> QColor:
    """Colour ``widget`` as the theme in use (``ui.widgets.chart_theme``), with its title and unit; the text colour."""
    text = theme_chart(widget)
    plot = widget.getPlotItem()
    plot.setTitle(title, color=text.name(), size="9pt")
    plot.setLabel("left", unit_label, color=text.name())
    return text


class ServiceCharts(QWidget):
    """Latency and availability of one service over one window; ``show_series`` redraws."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._text = QColor()
        self._shown: ChartSeries | None = None
        self.latency = _plot()
        self.availability = _plot()
        self._legend = self.latency.getPlotItem().addLegend(offset=(8, 8))
        self.availability.setXLink(self.latency)
        self._apply_theme()
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.latency, 3)
        layout.addWidget(self.availability, 2)
        self.setToolTip("Scroll to zoom through time, drag to pan; the two charts move together.")

    def changeEvent(self, event: QEvent) -> None:  # Qt override: the theme changed, redraw in its colours
        super().changeEvent(event)
        if event.type() in (QEvent.Type.PaletteChange, QEvent.Type.ApplicationPaletteChange) and self._text.isValid():
            self._apply_theme()
            if self._shown is not None:
                self.show_series(self._shown)

    def _apply_theme(self) -> None:
        self._text = _theme(self.latency, "Latency of passing checks", "ms")
        _theme(self.availability, "Availability per bucket", "%")
        self._legend.setLabelTextColor(self._text)

    def show_series(self, series: ChartSeries) -> None:
        self._shown = series
        lat, avail = self.latency.getPlotItem(), self.availability.getPlotItem()
        lat.clear()
        avail.clear()
        if lat.legend is not None:
            lat.legend.clear()
        raw = QColor(GREY)
        raw.setAlpha(120)
        if series.times:
            lat.addItem(pg.PlotDataItem(np.asarray(series.times), np.asarray(series.latencies),
                                        pen=pg.mkPen(raw, width=1), name="each check"))
        x = np.asarray(series.bucket_starts) + series.bucket_s / 2
        lat.addItem(pg.PlotDataItem(x, _values(series.p50), pen=pg.mkPen(GREEN, width=2), name="p50", connect="finite"))
        lat.addItem(pg.PlotDataItem(x, _values(series.p95), pen=pg.mkPen(AMBER, width=2), name="p95", connect="finite"))
        percent = _values(series.availability) * 100
        avail.addItem(pg.PlotDataItem(x, percent, pen=pg.mkPen(self._text, width=1.5), symbol="o", symbolSize=4,
                                      symbolBrush=self._text, connect="finite"))
        slo = series.slo_target * 100
        avail.addItem(pg.InfiniteLine(pos=slo, angle=0, pen=pg.mkPen(RED, width=1, style=Qt.PenStyle.DashLine),
                                      label=f"SLO {slo:g} %", labelOpts={"color": RED, "position": 0.1}))
        low = np.nanmin(percent) if np.isfinite(percent).any() else slo
        avail.setYRange(min(low, slo) - 0.5, 100.2, padding=0)
        if len(x):
            lat.setXRange(x[0] - series.bucket_s / 2, x[-1] + series.bucket_s / 2, padding=0.01)
