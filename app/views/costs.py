"""The daily cost records table and what the Costs tab's overview reads.

The overview itself (month summary, forecast, series) is
``app.domain.costs.cost_overview``; the records are a window like every big table.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement

from app.store import windows as w
from app.store.schema import CostRecord
from app.store.windows import TableSpec

_T = CostRecord.__table__
SYNCED_SOURCE = "opsapi"
SOURCE_LABELS = {
    SYNCED_SOURCE: "Ops API",
    "aws_cur": "AWS CUR file",
    "gcp_billing": "Google Cloud file",
    "simple_csv": "CSV file",
}
RECORDS = TableSpec(
    name="cost records",
    source=_T,
    key=_T.c.id,
    columns=(
        w.Column("day", "Day", _T.c.day, w.DATE, 100),
        w.Column("service", "Service", _T.c.service, w.TEXT, 150),
        w.Column("amount", "Amount", _T.c.amount_micros / 1_000_000.0, w.FLOAT, 110,
                 tooltip="The day's cost, in the currency of the next column"),
        w.Column("currency", "Currency", _T.c.currency, w.TEXT, 75),
        w.Column("source", "Source", _T.c.source, w.TEXT, 110, labels=SOURCE_LABELS,
                 tooltip="Synced from the Ops API, or imported from a billing file (AWS, Google Cloud, CSV)"),
        w.Column("imported_at", "Received", _T.c.imported_at, w.DATETIME, 140,
                 tooltip="When the cache received this figure"),
    ),
    default_sort="day",
    default_descending=True,
    search_columns=(_T.c.service, _T.c.source),
    filters={"synced": _T.c.source == SYNCED_SOURCE, "imported": _T.c.source != SYNCED_SOURCE},
)

#: What the overview (summary, forecast, chart) reads.
OVERVIEW_TABLES = frozenset({"cost_records", "budgets"})


def of_service(service: str | None) -> tuple[ColumnElement[bool], ...]:
    """The records window's extra conditions for one service's records (None: every service)."""
    return () if service is None else (_T.c.service == service,)
