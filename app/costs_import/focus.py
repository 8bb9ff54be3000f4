"""FOCUS CSV files (any provider's FOCUS export) and the simple ``date,service,amount,currency`` form.

``COLUMNS`` is the map between the store's columns and FOCUS 1.2's: the cost
store is FOCUS-shaped, so a FOCUS file is read column for column.  The simple
form names no provider or account: its bill is the file's (the account is the
file name unless the caller names one), so two hand-made files never replace
each other and re-importing the same file does.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import ClassVar

from app.costs_import import fields
from app.costs_import.formats import (
    CHARGE_CATEGORIES,
    USAGE,
    Amounts,
    ChargeKey,
    ExportFormat,
    FastPath,
    Number,
    service_category,
    service_name,
)

FOCUS, SIMPLE_CSV = "focus", "simple_csv"
SIMPLE_PROVIDER = "CSV import"
DEFAULT_CURRENCY = "USD"

#: store column (``cost_charges``) → FOCUS 1.2 column
COLUMNS = {
    "billed_cost_micros": "BilledCost",
    "effective_cost_micros": "EffectiveCost",
    "list_cost_micros": "ListCost",
    "billing_currency": "BillingCurrency",
    "billing_period_start": "BillingPeriodStart",
    "billing_period_end": "BillingPeriodEnd",
    "charge_period_start": "ChargePeriodStart",
    "charge_period_end": "ChargePeriodEnd",
    "charge_category": "ChargeCategory",
    "service_name": "ServiceName",
    "service_category": "ServiceCategory",
    "provider_name": "ProviderName",
    "billing_account_id": "BillingAccountId",
    "sub_account_id": "SubAccountId",
    "tags": "Tags",
}
_CATEGORIES = {c.lower(): c for c in CHARGE_CATEGORIES}


def _category(text: str) -> str:
    category = _CATEGORIES.get(text.strip().lower())
    if category is None:
        raise ValueError(f"is not a FOCUS charge category ({', '.join(CHARGE_CATEGORIES)})")
    return category


def _focus(column: str) -> tuple[str, ...]:
    return (COLUMNS[column].lower(),)


class FocusCsv(ExportFormat):
    source = FOCUS
    title = "FOCUS CSV"
    provider = "FOCUS"  # when the file has no ProviderName column
    key_fields: ClassVar[dict[str, tuple[str, ...]]] = {
        "day": _focus("charge_period_start"),
        "service": _focus("service_name"),
        "currency": _focus("billing_currency"),
        "category": _focus("charge_category"),
        "service_category": _focus("service_category"),
        "provider": ("providername", "serviceprovidername"),  # FOCUS 1.2 adds ServiceProviderName
        "billing_account": _focus("billing_account_id"),
        "sub_account": _focus("sub_account_id"),
        "period_start": _focus("billing_period_start"),
        "tags": _focus("tags"),
    }
    required = frozenset({"day", "service", "currency"})

    def __init__(self, header: Sequence[str], account: str = "") -> None:
        super().__init__(header, account)
        billed = self.column("billedcost", required=True)
        effective = self.column("effectivecost", required=True)
        assert billed is not None and effective is not None
        self._billed, self._effective, self._list = billed, effective, self.column("listcost")
        self.amount_columns = ((billed, True), (effective, True), (self._list, False))
        self.fast = FastPath(billed, effective, self._list)

    def amounts(self, row: Sequence[str], number: Number) -> Amounts:
        billed = number(row[self._billed])
        return billed, number(row[self._effective]), self.optional(row, self._list, billed, number)

    def charge(self, raw: tuple[str, ...]) -> ChargeKey:
        day = self.parse(raw, "day", fields.day)
        service = self.parse(raw, "service", service_name)
        assert isinstance(day, dt.date) and isinstance(service, str)
        start, end = self.period(raw, day)
        category = self.parse(raw, "category", _category) if "category" in self.positions else USAGE
        return ChargeKey(
            self.names(raw, "provider") or self.provider, self.names(raw, "billing_account"), start, end,
            self.names(raw, "sub_account"), day, service, self.names(raw, "service_category")
            or service_category(service), str(category), str(self.parse(raw, "currency", fields.currency)),
            self.tags(raw),
        )


class SimpleCsv(ExportFormat):
    source = SIMPLE_CSV
    title = "date,service,amount,currency"
    provider = SIMPLE_PROVIDER
    key_fields: ClassVar[dict[str, tuple[str, ...]]] = {
        "day": ("date",),
        "service": ("service",),
        "currency": ("currency",),  # optional: USD
    }
    required = frozenset({"day", "service"})

    def __init__(self, header: Sequence[str], account: str = "") -> None:
        super().__init__(header, account)
        amount = self.column("amount", required=True)
        assert amount is not None
        self._amount = amount
        self.amount_columns = ((amount, True),)
        self.fast = FastPath(amount)

    def amounts(self, row: Sequence[str], number: Number) -> Amounts:
        amount = number(row[self._amount])
        return amount, amount, amount

    def charge(self, raw: tuple[str, ...]) -> ChargeKey:
        day = self.parse(raw, "day", fields.day)
        service = self.parse(raw, "service", lambda text: service_name(text, vendor_names=False))
        assert isinstance(day, dt.date) and isinstance(service, str)
        currency = self.parse(raw, "currency", fields.currency) if "currency" in self.positions else DEFAULT_CURRENCY
        start, end = self.period(raw, day)
        return ChargeKey(
            self.provider, self.account, start, end, "", day, service, service_category(service), USAGE,
            str(currency), fields.NO_TAGS,
        )
