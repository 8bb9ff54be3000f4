"""The report model: sections of headline figures, tables, charts and notes, already formatted for reading.

Renderers never format or compute: every text here was made by ``app.reports.fmt``
from a figure set, so the PDF, the HTML and the CSV say the same thing.  A
table cell keeps its raw number next to its text so the CSV can give
spreadsheets numbers rather than "$1,234.50".
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Literal

Band = Literal["good", "warning", "critical", "unknown", ""]  # "": no target to read the figure against
ChartKind = Literal["line", "bar"]


@dataclass(frozen=True)
class Figure:
    """One headline number: its label, its text with unit, and the target it is read against (if any)."""

    label: str
    value: str
    target: str = ""  # "≤ 5.0 %"
    band: Band = ""
    note: str = ""  # "of $2,600.00 budget", "worst: API Server"


@dataclass(frozen=True)
class Cell:
    """A table cell: the text shown, and the raw value the CSV writes (None: write the text)."""

    text: str
    value: float | int | str | None = None

    @property
    def numeric(self) -> bool:
        return isinstance(self.value, (int, float))


@dataclass(frozen=True)
class Table:
    """Rows of cells under column headings; ``name`` is its CSV file's stem."""

    name: str
    title: str
    columns: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]
    empty: str = "Nothing to list for this period."


@dataclass(frozen=True)
class Series:
    label: str
    points: tuple[float | None, ...]


@dataclass(frozen=True)
class Chart:
    """A small line or bar chart over labelled points (one label per point, oldest first)."""

    title: str
    kind: ChartKind
    labels: tuple[str, ...]
    series: tuple[Series, ...]
    unit: str = ""  # shown on the value axis: "$", "%", "tickets"


@dataclass(frozen=True)
class Section:
    """One part of a report, owned by one area (what decides which roles see it)."""

    key: str
    title: str
    area: str  # revenue | costs | support | health | usage
    figures: tuple[Figure, ...] = ()
    tables: tuple[Table, ...] = ()
    charts: tuple[Chart, ...] = ()
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Freshness:
    """When a source last synced completely (None: never)."""

    source: str
    last_success: dt.datetime | None
    text: str


@dataclass(frozen=True)
class Report:
    kind: str  # daily | weekly | monthly
    title: str  # "Monthly strategic review"
    period_text: str  # "November 2026 (1–30 Nov, UTC)"
    as_of: dt.datetime  # naive UTC: the moment the figures describe
    as_of_text: str
    role: str
    headline: tuple[Figure, ...]
    sections: tuple[Section, ...]
    freshness: tuple[Freshness, ...]
    notes: tuple[str, ...] = field(default=())

    def tables(self) -> tuple[Table, ...]:
        return tuple(t for s in self.sections for t in s.tables)
