"""The report as a PDF (reportlab Platypus): a title block, the headline on page 1, then each section.

Every page carries the report's title, role and as-of time in its footer with
"page n of m" (a two-pass canvas counts the pages).  Numbers are right-aligned.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import CondPageBreak, Flowable, KeepTogether, Paragraph, SimpleDocTemplate, Spacer, TableStyle
from reportlab.platypus import Table as PdfTable

from app.reports import charts
from app.reports.charts import BOLD, FONT
from app.reports.model import Figure, Report, Section, Table
from app.reports.text import BAND_COLOURS, BAND_WORDS, escape, subtitle

MARGIN = 16 * mm
MAX_COLUMN_CHARS = 36
LONG_TABLE = 15  # rows: a shorter table is kept on one page with its title
_BASE = ParagraphStyle("base", fontName=FONT, fontSize=8.5, leading=11)
_TITLE = ParagraphStyle("title", _BASE, fontName=BOLD, fontSize=18, leading=22)
_SUB = ParagraphStyle("sub", _BASE, fontSize=9.5, leading=13, textColor=colors.HexColor("#444444"))
_H2 = ParagraphStyle("h2", _BASE, fontName=BOLD, fontSize=13, leading=17, spaceBefore=10, spaceAfter=4)
_H3 = ParagraphStyle("h3", _BASE, fontName=BOLD, fontSize=9.5, leading=13, spaceBefore=6, spaceAfter=2, keepWithNext=1)
_H3_FREE = ParagraphStyle("h3free", _H3, keepWithNext=0)  # above a long table, which may start low on a page
_CELL = ParagraphStyle("cell", _BASE, fontSize=8, leading=10)
_NUM = ParagraphStyle("num", _CELL, alignment=TA_RIGHT)
_BIG = ParagraphStyle("big", _BASE, fontName=BOLD, fontSize=13, leading=16, alignment=TA_RIGHT)
_NOTE = ParagraphStyle("note", _BASE, fontSize=7.5, leading=9.5, textColor=colors.HexColor("#555555"))
_GRID = colors.HexColor("#CCCCCC")
_HEAD = colors.HexColor("#EEF2F6")


def render_pdf(report: Report) -> bytes:
    """The PDF file's bytes."""
    charts.register_fonts()
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(buffer, pagesize=A4, leftMargin=MARGIN, rightMargin=MARGIN, topMargin=MARGIN,
                            bottomMargin=MARGIN + 4 * mm, title=f"{report.title} — {report.period_text}",
                            author="Ops Console", subject=subtitle(report))
    story: list[Flowable] = [Paragraph(escape(report.title), _TITLE), Paragraph(escape(report.period_text), _SUB),
                             Paragraph(escape(subtitle(report)), _SUB), Spacer(0, 4 * mm)]
    if report.headline:
        story += [Paragraph("Headline against targets", _H2), _headline(report.headline, doc.width)]
    story.append(Paragraph("Data freshness: " + escape("; ".join(
        f"{f.source} last synced {f.text}" for f in report.freshness)), _NOTE))
    for section in report.sections:
        story += _section(section, doc.width)
    footer = f"{report.title} · {report.period_text} · for {report.role} · as of {report.as_of_text}"
    doc.build(story, canvasmaker=_numbered(footer))
    return buffer.getvalue()


def _headline(figures: Sequence[Figure], width: float) -> PdfTable:
    rows = [[Paragraph(escape(f.label), _CELL), Paragraph(escape(f.value), _BIG),
             Paragraph(escape(f.target or "no target"), _CELL), Paragraph(escape(BAND_WORDS[f.band]), _CELL),
             Paragraph(escape(f.note), _NOTE)] for f in figures]
    table = PdfTable([[Paragraph(h, _CELL) for h in ("Figure", "Value", "Target", "Reading", "")], *rows],
                     colWidths=[width * w for w in (0.2, 0.22, 0.25, 0.1, 0.23)], repeatRows=1)
    style: list[tuple[Any, ...]] = [("GRID", (0, 0), (-1, -1), 0.4, _GRID), ("BACKGROUND", (0, 0), (-1, 0), _HEAD),
                                    ("VALIGN", (0, 0), (-1, -1), "MIDDLE")]
    for i, f in enumerate(figures, start=1):
        if f.band:
            style.append(("BACKGROUND", (3, i), (3, i), colors.HexColor(BAND_COLOURS[f.band])))
    table.setStyle(TableStyle(style))
    return table


def _section(section: Section, width: float) -> list[Flowable]:
    story: list[Flowable] = [Paragraph(escape(section.title), _H2)]
    if section.figures:
        story.append(_figure_grid(section.figures, width))
    for chart in section.charts:
        story += [Spacer(0, 3 * mm), charts.drawing(chart)]
    for table in section.tables:
        title = Paragraph(escape(table.title), _H3 if len(table.rows) < LONG_TABLE else _H3_FREE)
        story += [KeepTogether([title, _table(table, width)])] if len(table.rows) < LONG_TABLE \
            else [CondPageBreak(40 * mm), title, _table(table, width)]  # breaks across pages, head repeated
    story += [Paragraph(escape(n), _NOTE) for n in section.notes]
    return story


def _figure_grid(figures: Sequence[Figure], width: float) -> PdfTable:
    """Figures four to a row: label above, value below (right-aligned), note under it."""
    cells = [[Paragraph(escape(f.label), _NOTE), Paragraph(escape(f.value), _BIG),
              Paragraph(escape(" · ".join(p for p in (f.target, f.note) if p)), _NOTE)] for f in figures]
    per_row = 4
    rows = [cells[i:i + per_row] + [""] * (per_row - len(cells[i:i + per_row])) for i in range(0, len(cells), per_row)]
    table = PdfTable(rows, colWidths=[width / per_row] * per_row)
    table.setStyle(TableStyle([("BOX", (0, 0), (-1, -1), 0.4, _GRID), ("INNERGRID", (0, 0), (-1, -1), 0.4, _GRID),
                               ("VALIGN", (0, 0), (-1, -1), "TOP")]))
    return table


def _table(table: Table, width: float) -> Flowable:
    if not table.rows:
        return Paragraph(escape(table.empty), _NOTE)
    numeric = [any(row[i].numeric for row in table.rows) for i in range(len(table.columns))]
    head = [Paragraph(escape(c), _NUM if numeric[i] else _CELL) for i, c in enumerate(table.columns)]
    body = [[Paragraph(escape(cell.text), _NUM if numeric[i] else _CELL) for i, cell in enumerate(row)]
            for row in table.rows]
    pdf = PdfTable([head, *body], colWidths=column_widths(table, width), repeatRows=1)
    pdf.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.4, _GRID), ("BACKGROUND", (0, 0), (-1, 0), _HEAD),
                             ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                             ("TOPPADDING", (0, 0), (-1, -1), 1.5), ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5)]))
    return pdf


def column_widths(table: Table, width: float) -> list[float]:
    """Share ``width`` by each column's longest text (capped, so one long note cannot squeeze the numbers)."""
    longest = [max([len(heading), *(len(row[i].text) for row in table.rows)])
               for i, heading in enumerate(table.columns)]
    weights = [min(n, MAX_COLUMN_CHARS) + 6 for n in longest]  # + padding
    return [width * w / sum(weights) for w in weights]


def _numbered(footer: str) -> type[Canvas]:
    """A canvas class that holds its pages until the end, then stamps "page n of m" and ``footer`` on each."""

    class NumberedCanvas(Canvas):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._pages: list[dict[str, Any]] = []

        def showPage(self) -> None:  # noqa: N802 - reportlab's name
            self._pages.append(dict(self.__dict__))
            self._startPage()  # type: ignore[attr-defined]  # reportlab's page reset: the two-pass recipe

        def save(self) -> None:
            for state in self._pages:
                self.__dict__.update(state)
                self.setFont(FONT, 7)
                self.setFillColor(colors.HexColor("#555555"))
                self.drawString(MARGIN, 9 * mm, footer)
                self.drawRightString(A4[0] - MARGIN, 9 * mm, f"Page {self.getPageNumber()} of {len(self._pages)}")
                super().showPage()
            super().save()

    return NumberedCanvas
