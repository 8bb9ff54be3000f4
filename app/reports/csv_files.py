"""The report's tables as CSV files in one zip: ``headline.csv``, then ``<section>-<table>.csv`` for each table.

A zip rather than a folder: one file to mail or attach, written atomically like
the PDF and the HTML.  Numbers are written as numbers (units in the column
headings), so a spreadsheet can sum them; a cell without a number keeps its text.
"""

from __future__ import annotations

import csv
import io
import zipfile

from app.reports.model import Report, Table

FILE_ENCODING = "utf-8-sig"  # the BOM makes spreadsheet programs read UTF-8 (€, —)


def table_csv(table: Table) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(table.columns)
    writer.writerows([c.text if c.value is None else c.value for c in row] for row in table.rows)
    return out.getvalue()


def headline_csv(report: Report) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(("Figure", "Value", "Target", "Reading", "Note"))
    writer.writerows((f.label, f.value, f.target, f.band, f.note) for f in report.headline)
    writer.writerow(())
    writer.writerow(("Report", report.title, report.period_text, f"role: {report.role}", f"as of {report.as_of_text}"))
    writer.writerows(("Freshness", f.source, f.text) for f in report.freshness)
    return out.getvalue()


def render_csv_zip(report: Report) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("headline.csv", headline_csv(report).encode(FILE_ENCODING))
        for section in report.sections:
            for table in section.tables:
                archive.writestr(f"{section.key}-{table.name}.csv", table_csv(table).encode(FILE_ENCODING))
    return buffer.getvalue()
