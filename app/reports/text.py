"""What the PDF and HTML renderers say alike: the subtitle line, band words and colours, escaping."""

from __future__ import annotations

from collections.abc import Mapping
from xml.sax.saxutils import escape as _escape

from app.reports.model import Report

BAND_WORDS: Mapping[str, str] = {"good": "On target", "warning": "Watch", "critical": "Off target",
                                 "unknown": "No data", "": ""}
# Light fills that keep black text readable, printed or on screen.
BAND_COLOURS: Mapping[str, str] = {"good": "#CDEFD6", "warning": "#FCE8B2", "critical": "#F8C9C4",
                                   "unknown": "#E4E4E4", "": "#FFFFFF"}


def subtitle(report: Report) -> str:
    return f"Made for the {report.role} role · figures as of {report.as_of_text}"


def escape(text: str) -> str:
    """Text for XML-ish markup (reportlab paragraphs, HTML)."""
    return _escape(text, {'"': "&quot;"})
