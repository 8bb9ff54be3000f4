"""A report chart as a reportlab drawing: the PDF places it, the HTML embeds it as SVG (``renderSVG``), same picture.

Fonts: Bitstream Vera, shipped inside reportlab (``reportlab/fonts``), so the
minus sign, dashes and currency symbols print everywhere; the bundle carries
those files (installer/manifest.py).
"""

from __future__ import annotations

from pathlib import Path

import reportlab
from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.charts.linecharts import HorizontalLineChart
from reportlab.graphics.renderSVG import drawToString
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from app.reports.model import Chart

FONT, BOLD = "Vera", "VeraBd"
WIDTH, HEIGHT = 480, 190  # points
# Colour-blind safe series colours (Okabe–Ito), print well in grey too.
SERIES_COLOURS = (colors.HexColor("#0072B2"), colors.HexColor("#E69F00"), colors.HexColor("#009E73"))
MAX_LABELS = 12  # category labels shown along the axis: every n-th beyond this


def register_fonts() -> None:
    """Register the Vera faces once (idempotent): the PDF and the SVG measure text with the same metrics."""
    if FONT in pdfmetrics.getRegisteredFontNames():
        return
    folder = Path(reportlab.__file__).parent / "fonts"
    for name, file in ((FONT, "Vera.ttf"), (BOLD, "VeraBd.ttf")):
        pdfmetrics.registerFont(TTFont(name, str(folder / file)))
    pdfmetrics.registerFontFamily(FONT, normal=FONT, bold=BOLD, italic=FONT, boldItalic=BOLD)


def drawing(chart: Chart) -> Drawing:
    """The chart drawn at ``WIDTH`` × ``HEIGHT`` points: title, plot, and a legend when there are several series."""
    register_fonts()
    d = Drawing(WIDTH, HEIGHT)
    d.add(String(0, HEIGHT - 12, chart.title, fontName=BOLD, fontSize=9))
    if not chart.labels or not any(p is not None for s in chart.series for p in s.points):
        d.add(String(WIDTH / 2, HEIGHT / 2, "No data for this period.", fontName=FONT, fontSize=9,
                     textAnchor="middle", fillColor=colors.HexColor("#666666")))
        return d
    plot = VerticalBarChart() if chart.kind == "bar" else HorizontalLineChart()
    plot.x, plot.y, plot.width, plot.height = 50, 30, WIDTH - 60, HEIGHT - 70
    plot.data = [tuple(0.0 if p is None else p for p in s.points) for s in chart.series]
    step = max(1, -(-len(chart.labels) // MAX_LABELS))
    plot.categoryAxis.categoryNames = [label if i % step == 0 else "" for i, label in enumerate(chart.labels)]
    plot.categoryAxis.labels.fontName = plot.valueAxis.labels.fontName = FONT
    plot.categoryAxis.labels.fontSize = plot.valueAxis.labels.fontSize = 7
    plot.categoryAxis.labels.angle = 30 if len(chart.labels) > 8 else 0
    plot.categoryAxis.labels.boxAnchor = "ne" if len(chart.labels) > 8 else "n"
    plot.valueAxis.valueMin = 0
    plot.valueAxis.labelTextFormat = _axis_label
    plot.valueAxis.visibleGrid = True
    plot.valueAxis.gridStrokeColor = colors.HexColor("#DDDDDD")
    for i, _series in enumerate(chart.series):
        colour = SERIES_COLOURS[i % len(SERIES_COLOURS)]
        if isinstance(plot, VerticalBarChart):
            plot.bars[i].fillColor = colour
            plot.bars[i].strokeColor = None
        else:
            plot.lines[i].strokeColor = colour
            plot.lines[i].strokeWidth = 1.5
    d.add(plot)
    if len(chart.series) > 1:
        legend = Legend()
        legend.x, legend.y = WIDTH - 200, HEIGHT - 8
        legend.fontName, legend.fontSize = FONT, 7
        legend.alignment = "right"
        legend.columnMaximum = 1
        legend.colorNamePairs = [(SERIES_COLOURS[i % len(SERIES_COLOURS)], s.label)
                                 for i, s in enumerate(chart.series)]
        d.add(legend)
    return d


def _axis_label(value: float) -> str:
    """``12.5k``, ``1.2M``: axis labels stay short."""
    for size, suffix in ((1e6, "M"), (1e3, "k")):
        if abs(value) >= size:
            return f"{value / size:,.1f}".removesuffix(".0") + suffix
    return f"{value:,.0f}" if value == int(value) else f"{value:,.1f}"


def svg(chart: Chart) -> str:
    """The same drawing as an inline SVG element (no XML prologue)."""
    text = drawToString(drawing(chart), useClip=True)  # no clipPath: one id per page, and Qt draws it
    # renderSVG writes "fill: None"; CSS keywords are lower case, and Qt's SVG reader fills such a line black.
    return text[text.index("<svg"):].replace(": None;", ": none;")
