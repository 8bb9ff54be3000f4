"""Colouring a pyqtgraph chart as the scheme in use, without importing pyqtgraph here.

The charts import pyqtgraph lazily (it costs a second at start-up); they pass
their plot widget and legend in, and call this again when the palette changes.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtGui import QColor

from ui.widgets.palette import chart_colors


def theme_chart(widget: Any, legend: Any | None = None) -> QColor:
    """Background, axes and legend of ``widget`` (a ``pg.PlotWidget``) in the scheme's colours; returns the text colour.

    ``Any``: pyqtgraph ships no type information.
    """
    background, text = chart_colors()
    widget.setBackground(background)
    plot = widget.getPlotItem()
    for name in ("left", "bottom"):
        plot.getAxis(name).setTextPen(text)
        plot.getAxis(name).setPen(text)
    if legend is not None:
        backdrop = QColor(background)
        backdrop.setAlpha(170)  # lines behind the legend stay visible
        legend.setLabelTextColor(text)
        legend.setBrush(backdrop)
    return text
