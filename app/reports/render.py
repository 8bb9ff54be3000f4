"""Write a report to a file in one of the formats, atomically: a failure or a cancel leaves nothing half-written."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from app.reports import CSV, FORMATS, HTML, PDF
from app.reports.model import Report

SUFFIXES = {PDF: ".pdf", HTML: ".html", CSV: ".zip"}


def render(report: Report, format: str) -> bytes:
    """The file's bytes in ``format`` (pdf, html, or csv: a zip of CSV files)."""
    if format == PDF:
        from app.reports.pdf import render_pdf

        return render_pdf(report)
    if format == HTML:
        from app.reports.html import render_html

        return render_html(report).encode("utf-8")
    if format == CSV:
        from app.reports.csv_files import render_csv_zip

        return render_csv_zip(report)
    raise ValueError(f"unknown format {format!r}; known: {', '.join(FORMATS)}")


def write_atomically(path: Path, data: bytes) -> None:
    """Write a temporary file beside ``path`` and rename it over: readers see the old file or the new one."""
    fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        Path(temp).replace(path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def write_report(report: Report, format: str, path: Path) -> Path:
    write_atomically(path, render(report, format))
    return path
