"""The report as one self-contained HTML file: inline CSS, charts as inline SVG drawn by the same reportlab code."""

from __future__ import annotations

from collections.abc import Callable

from app.reports import charts
from app.reports.model import Chart, Figure, Report, Section, Table
from app.reports.text import BAND_COLOURS, BAND_WORDS, escape, subtitle

ChartMarkup = Callable[[Chart], str]

_CSS = """
body { font-family: "DejaVu Sans", Verdana, sans-serif; font-size: 13px; color: #222; background-color: #fff;
       margin: 24px; max-width: 1000px; }
h1 { font-size: 24px; margin: 0 0 4px 0; } h2 { font-size: 18px; margin-top: 28px; border-bottom: 1px solid #ccc; }
h3 { font-size: 14px; margin: 14px 0 4px 0; } .sub, .note { color: #555; } .note { font-size: 11px; }
table { border-collapse: collapse; margin: 4px 0 10px 0; } th, td { border: 1px solid #ccc; padding: 3px 8px; }
th { background: #eef2f6; text-align: left; } td.num, th.num { text-align: right; white-space: nowrap; }
.value { font-size: 18px; font-weight: bold; text-align: right; white-space: nowrap; }
.figures td { vertical-align: top; min-width: 150px; }
"""


def render_html(report: Report, chart_markup: ChartMarkup = charts.svg) -> str:
    """The page; each chart is inline SVG, or what ``chart_markup`` makes of it (the window's preview: an image)."""
    head = (f"<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<title>{escape(report.title)} — {escape(report.period_text)}</title><style>{_CSS}</style></head><body>")
    sub = f"<p class=\"sub\">{escape(report.period_text)}<br>{escape(subtitle(report))}</p>"
    parts = [head, f"<h1>{escape(report.title)}</h1>", sub]
    if report.headline:
        parts += ["<h2>Headline against targets</h2>", _headline(report.headline)]
    parts.append("<p class=\"note\">Data freshness: " + escape("; ".join(
        f"{f.source} last synced {f.text}" for f in report.freshness)) + "</p>")
    parts += [_section(s, chart_markup) for s in report.sections]
    parts.append("</body></html>\n")
    return "\n".join(parts)


def _headline(figures: tuple[Figure, ...]) -> str:
    rows = "".join(
        f"<tr><td>{escape(f.label)}</td><td class=\"value\">{escape(f.value)}</td>"
        f"<td>{escape(f.target or 'no target')}</td>"
        f"<td style=\"background:{BAND_COLOURS[f.band]}\">{escape(BAND_WORDS[f.band])}</td>"
        f"<td class=\"note\">{escape(f.note)}</td></tr>" for f in figures)
    return ("<table><tr><th>Figure</th><th class=\"num\">Value</th><th>Target</th><th>Reading</th>"
            f"<th></th></tr>{rows}</table>")


def _section(section: Section, chart_markup: ChartMarkup) -> str:
    parts = [f"<h2>{escape(section.title)}</h2>"]
    if section.figures:
        cells = "".join(f"<td><div class=\"note\">{escape(f.label)}</div><div class=\"value\">{escape(f.value)}</div>"
                        f"<div class=\"note\">{escape(' · '.join(p for p in (f.target, f.note) if p))}</div></td>"
                        for f in section.figures)
        parts.append(f"<table class=\"figures\"><tr>{cells}</tr></table>")
    parts += [f"<div class=\"chart\">{chart_markup(c)}</div>" for c in section.charts]
    parts += [_table(t) for t in section.tables]
    parts += [f"<p class=\"note\">{escape(n)}</p>" for n in section.notes]
    return "\n".join(parts)


def _table(table: Table) -> str:
    if not table.rows:
        return f"<h3>{escape(table.title)}</h3><p class=\"note\">{escape(table.empty)}</p>"
    numeric = [any(row[i].numeric for row in table.rows) for i in range(len(table.columns))]
    cls = [' class="num"' if n else "" for n in numeric]
    head = "".join(f"<th{cls[i]}>{escape(c)}</th>" for i, c in enumerate(table.columns))
    body = "".join("<tr>" + "".join(f"<td{cls[i]}>{escape(c.text)}</td>" for i, c in enumerate(row)) + "</tr>"
                   for row in table.rows)
    return f"<h3>{escape(table.title)}</h3><table><tr>{head}</tr>{body}</table>"
