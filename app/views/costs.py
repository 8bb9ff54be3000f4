"""The cost charges table (the FOCUS store, row by row) and the tables the Costs overview reads.

The overview itself (month summary, forecast, anomalies, unit economics,
scenarios) is ``app.domain.costs.figures``; the charges are a window like
every big table.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement

from app.store import windows as w
from app.store.schema import CostCharge
from app.store.windows import TableSpec

_T = CostCharge.__table__
SYNCED_SOURCE = "opsapi"
# ``cost_charges.source`` in words: the sync, or the import format (``app.costs_import`` formats' sources)
SOURCE_NAMES = {
    SYNCED_SOURCE: "Ops API", "aws_cur": "AWS CUR file", "gcp_billing": "Google Cloud export",
    "azure_export": "Azure export", "focus": "FOCUS file", "simple_csv": "Simple CSV file",
}
CHARGES = TableSpec(
    name="cost charges",
    source=_T,
    key=_T.c.id,
    columns=(
        w.Column("day", "Day", _T.c.charge_period_start, w.DATE, 100, tooltip="FOCUS ChargePeriodStart"),
        w.Column("service", "Service", _T.c.service_name, w.TEXT, 140, tooltip="FOCUS ServiceName"),
        w.Column("category", "Charge", _T.c.charge_category, w.TEXT, 80,
                 tooltip="FOCUS ChargeCategory: Usage, Purchase, Tax, Credit or Adjustment"),
        w.Column("effective", "Effective cost", _T.c.effective_cost_micros / 1_000_000.0, w.FLOAT, 110,
                 tooltip="FOCUS EffectiveCost: after credits and discounts, in the currency of its row"),
        w.Column("billed", "Billed cost", _T.c.billed_cost_micros / 1_000_000.0, w.FLOAT, 100,
                 tooltip="FOCUS BilledCost: what the invoice charges"),
        w.Column("list", "List cost", _T.c.list_cost_micros / 1_000_000.0, w.FLOAT, 100,
                 tooltip="FOCUS ListCost: at public prices"),
        w.Column("currency", "Currency", _T.c.billing_currency, w.TEXT, 76, tooltip="FOCUS BillingCurrency"),
        w.Column("provider", "Provider", _T.c.provider_name, w.TEXT, 110, tooltip="FOCUS ProviderName"),
        w.Column("account", "Account", _T.c.sub_account_id, w.TEXT, 110,
                 tooltip="FOCUS SubAccountId (AWS usage account, Google project, Azure subscription)"),
        w.Column("source", "Source", _T.c.source, w.TEXT, 130, labels=SOURCE_NAMES,
                 tooltip="Ops API: synced; otherwise the kind of billing file it was imported from"),
        w.Column("imported_at", "Received", _T.c.imported_at, w.DATETIME, 140,
                 tooltip="When the cache received this figure"),
    ),
    default_sort="day",
    default_descending=True,
    search_columns=(_T.c.service_name, _T.c.provider_name, _T.c.source, _T.c.sub_account_id),
    filters={
        "synced": _T.c.source == SYNCED_SOURCE,
        "imported": _T.c.source != SYNCED_SOURCE,
        "credits": _T.c.charge_category == "Credit",
    },
)

#: What the overview reads: charges (their rollup follows them), budgets, marks, and the revenue and
#: usage behind unit economics and the scenarios.
OVERVIEW_TABLES = frozenset({
    _T.name, "cost_daily", "cost_reports", "budgets", "cost_anomaly_marks", "subscriptions", "usage_daily",
})


def of_service(service: str | None) -> tuple[ColumnElement[bool], ...]:
    """The charges window's extra conditions for one service's charges (None: every service)."""
    return () if service is None else (_T.c.service_name == service,)
