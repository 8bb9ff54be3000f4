"""The providers' own exports: AWS Cost and Usage Reports, Google Cloud billing exports, Azure cost exports.

Each maps its columns onto FOCUS the way the providers' own FOCUS exports do,
simplified where noted (docs/metrics.md § Costs, "Import columns"):

* **AWS CUR** (legacy ``lineItem/UnblendedCost`` names and CUR 2.0
  ``line_item_unblended_cost`` ones): BilledCost is the unblended cost;
  EffectiveCost follows the line type (Savings Plans and Reserved Instances
  covered usage at their effective cost, negations and upfront fees 0, the
  recurring fees' unused part); ListCost the public on-demand cost.
* **Google Cloud** (BigQuery export, or the console's report): ``cost`` is
  billed, effective and list cost of a Usage charge; the line's ``credits``
  become a Credit charge, so effective cost sums net of credits.
* **Azure** (cost details export, actual cost): ``CostInBillingCurrency``,
  the pay-as-you-go cost as ListCost, ``ChargeType`` as the charge category.

A line's day is the calendar date written at the start of its timestamp: AWS
writes UTC, Google its invoice day's own offset, and taking the date as written
keeps each vendor's day boundaries, which is what its invoice adds up to.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
from collections.abc import Sequence
from decimal import Decimal
from typing import ClassVar

from app.costs_import import fields
from app.costs_import.fields import FieldError
from app.costs_import.formats import (
    ADJUSTMENT,
    CREDIT,
    PURCHASE,
    TAX,
    USAGE,
    ZERO,
    Amounts,
    ChargeKey,
    ExportFormat,
    FastPath,
    Number,
    Totals,
    service_category,
    service_name,
)

AWS_CUR, GCP_BILLING, AZURE_EXPORT = "aws_cur", "gcp_billing", "azure_export"


def _both(legacy: str, cur2: str) -> tuple[str, ...]:
    return legacy.lower(), cur2


# AWS line item types → FOCUS ChargeCategory (anything else: Adjustment).
_AWS_CATEGORIES = {
    "Usage": USAGE, "DiscountedUsage": USAGE, "SavingsPlanCoveredUsage": USAGE, "SavingsPlanNegation": USAGE,
    "Tax": TAX, "Credit": CREDIT, "Refund": CREDIT, "BundledDiscount": CREDIT, "Discount": CREDIT,
    "EdpDiscount": CREDIT, "PrivateRateDiscount": CREDIT, "SppDiscount": CREDIT, "DistributorDiscount": CREDIT,
    "Fee": PURCHASE, "RIFee": PURCHASE, "SavingsPlanUpfrontFee": PURCHASE, "SavingsPlanRecurringFee": PURCHASE,
}


class AwsCur(ExportFormat):
    source = AWS_CUR
    title = "AWS Cost and Usage Report"
    provider = "AWS"
    key_fields: ClassVar[dict[str, tuple[str, ...]]] = {
        "day": _both("lineItem/UsageStartDate", "line_item_usage_start_date"),
        # the first name present wins: a short code before a long name
        "service": (*_both("lineItem/ProductCode", "line_item_product_code"),
                    *_both("product/ProductName", "product_product_name")),
        "currency": _both("lineItem/CurrencyCode", "line_item_currency_code"),
        "line_type": _both("lineItem/LineItemType", "line_item_line_item_type"),
        "billing_account": _both("bill/PayerAccountId", "bill_payer_account_id"),
        "sub_account": _both("lineItem/UsageAccountId", "line_item_usage_account_id"),
        "period_start": _both("bill/BillingPeriodStartDate", "bill_billing_period_start_date"),
        "tags": ("resource_tags",),  # CUR 2.0: one JSON map; legacy reports spread them (tag_columns)
    }
    required = frozenset({"day", "service", "currency"})

    def __init__(self, header: Sequence[str], account: str = "") -> None:
        super().__init__(header, account)
        column = self.column
        billed = column(*_both("lineItem/UnblendedCost", "line_item_unblended_cost"), required=True)
        assert billed is not None
        self._billed = billed
        self._list = column(*_both("pricing/publicOnDemandCost", "pricing_public_on_demand_cost"))
        self._type = column(*self.key_fields["line_type"])
        # line type → the columns whose sum is its effective cost, with signs
        sp_effective = column(*_both("savingsPlan/SavingsPlanEffectiveCost",
                                     "savings_plan_savings_plan_effective_cost"))
        ri_effective = column(*_both("reservation/EffectiveCost", "reservation_effective_cost"))
        unused_upfront = column(*_both("reservation/UnusedAmortizedUpfrontFeeForBillingPeriod",
                                       "reservation_unused_amortized_upfront_fee_for_billing_period"))
        unused_fee = column(*_both("reservation/UnusedRecurringFee", "reservation_unused_recurring_fee"))
        committed = column(*_both("savingsPlan/TotalCommitmentToDate", "savings_plan_total_commitment_to_date"))
        used = column(*_both("savingsPlan/UsedCommitment", "savings_plan_used_commitment"))
        self.amount_columns = ((billed, True), (self._list, False), (sp_effective, False), (ri_effective, False),
                               (unused_upfront, False), (unused_fee, False), (committed, False), (used, False))
        self._effective: dict[str, tuple[tuple[int | None, int], ...]] = {
            "SavingsPlanCoveredUsage": ((sp_effective, 1),),
            "DiscountedUsage": ((ri_effective, 1),),
            "SavingsPlanNegation": (),
            "SavingsPlanUpfrontFee": (),
            "SavingsPlanRecurringFee": ((committed, 1), (used, -1)),
            "RIFee": ((unused_upfront, 1), (unused_fee, 1)),
        }
        self.fast = FastPath(billed, None, self._list, self._type, frozenset(self._effective))

    def tag_columns(self) -> list[int]:
        return [i for i, title in enumerate(self.header) if title.lower().startswith("resourcetags/")]

    def amounts(self, row: Sequence[str], number: Number) -> Amounts:
        billed = number(row[self._billed])
        listed = self.optional(row, self._list, billed, number)
        parts = None if self._type is None else self._effective.get(row[self._type])
        if parts is None:  # Usage, Tax, Credit, Fee…: effective is what is billed
            return billed, billed, listed
        effective = ZERO
        for column, sign in parts:
            effective += sign * self.optional(row, column, ZERO, number)
        return billed, effective, listed

    def charge(self, raw: tuple[str, ...]) -> ChargeKey:
        day = self.parse(raw, "day", fields.day)
        service = self.parse(raw, "service", service_name)
        assert isinstance(day, dt.date) and isinstance(service, str)
        start, end = self.period(raw, day)
        account = self.names(raw, "billing_account")
        return ChargeKey(
            self.provider, account, start, end, self.names(raw, "sub_account") or account, day, service,
            service_category(service), _AWS_CATEGORIES.get(self.text(raw, "line_type", "Usage"), ADJUSTMENT),
            str(self.parse(raw, "currency", fields.currency)), self._tags(raw),
        )

    def _tags(self, raw: tuple[str, ...]) -> str:
        if "tags" in self.positions:
            return self.tags(raw)
        columns = self.tag_columns()
        pairs = {
            self.header[column].split("/", 1)[1]: value.strip()
            for column, value in zip(columns, raw[self.tag_start:], strict=True) if value.strip()
        }
        try:
            return fields.tags_text(pairs)
        except ValueError as exc:
            raise FieldError(columns[0], str(exc)) from None


_GCP_CATEGORIES = {"regular": USAGE, "tax": TAX, "adjustment": ADJUSTMENT, "rounding_error": ADJUSTMENT}
_CREDIT_ROW = ("credit",)  # appended to a line's raw key for the Credit charge its credits make


@functools.lru_cache(maxsize=4_096)
def _credits(text: str) -> Decimal:
    """The sum of a line's ``credits`` (a JSON list of ``{"amount": -1.2, …}``), exactly."""
    try:
        items = json.loads(text, parse_float=Decimal, parse_int=Decimal)
        total = sum((Decimal(item.get("amount", 0)) for item in items), ZERO)
    except (json.JSONDecodeError, TypeError, AttributeError, ArithmeticError):
        raise ValueError("is not a list of credits") from None
    if not total.is_finite() or abs(total) >= fields.MAX_AMOUNT:
        raise ValueError("is not a plausible amount")
    return total


class GcpBilling(ExportFormat):
    source = GCP_BILLING
    title = "Google Cloud billing export"
    provider = "Google Cloud"
    key_fields: ClassVar[dict[str, tuple[str, ...]]] = {
        "day": ("usage_start_time", "usage start date", "usage start time"),
        "service": ("service.description", "service description"),
        "currency": ("currency",),
        "billing_account": ("billing_account_id", "billing account id"),
        "sub_account": ("project.id", "project id"),
        "period_start": ("invoice.month", "invoice month"),
        "cost_type": ("cost_type", "cost type"),
        "tags": ("labels",),
    }
    required = frozenset({"day", "service", "currency"})

    def __init__(self, header: Sequence[str], account: str = "") -> None:
        super().__init__(header, account)
        cost = self.column("cost", required=True)
        assert cost is not None
        self._cost = cost
        self._credits = self.column("credits")
        self.amount_columns = ((cost, True),)

    def amounts(self, row: Sequence[str], number: Number) -> Amounts:
        cost = number(row[self._cost])
        return cost, cost, cost

    def add(self, row: Sequence[str], line: int, totals: Totals, number: Number = Decimal) -> None:
        super().add(row, line, totals, number)
        if self._credits is None:
            return
        text = row[self._credits].strip()
        if text in ("", "[]"):
            return
        try:
            credit = _credits(text)
        except ValueError as exc:
            raise FieldError(self._credits, str(exc)) from None
        raw = self.key_of(row) + _CREDIT_ROW
        slot = totals.get(raw)
        if slot is None:
            totals[raw] = [credit, ZERO, ZERO, line, 0]  # its line is counted under the usage key
        else:
            slot[0] += credit  # effective is billed: its difference stays 0

    def charge(self, raw: tuple[str, ...]) -> ChargeKey:
        credit = len(raw) > self.tag_start
        day = self.parse(raw, "day", fields.day)
        service = self.parse(raw, "service", service_name)
        assert isinstance(day, dt.date) and isinstance(service, str)
        if "period_start" in self.positions:
            month = self.parse(raw, "period_start", fields.invoice_month)
            assert isinstance(month, dt.date)
            start = month
        else:
            start = fields.month_start(day)
        category = CREDIT if credit else _GCP_CATEGORIES.get(self.text(raw, "cost_type", "regular").lower(), USAGE)
        return ChargeKey(
            self.provider, self.names(raw, "billing_account"), start, fields.next_month(start),
            self.names(raw, "sub_account"), day, service, service_category(service), category,
            str(self.parse(raw, "currency", fields.currency)), self.tags(raw),
        )


_AZURE_CATEGORIES = {
    "usage": USAGE, "unusedreservation": USAGE, "unusedsavingsplan": USAGE, "purchase": PURCHASE,
    "refund": CREDIT, "tax": TAX, "roundingadjustment": ADJUSTMENT,
}


class AzureExport(ExportFormat):
    source = AZURE_EXPORT
    title = "Azure cost export"
    provider = "Microsoft"
    key_fields: ClassVar[dict[str, tuple[str, ...]]] = {
        "day": ("date", "usagedate"),
        "service": ("metercategory",),
        "currency": ("billingcurrency", "billingcurrencycode", "currency"),
        "billing_account": ("billingaccountid",),
        "sub_account": ("subscriptionid", "subscriptionguid"),
        "period_start": ("billingperiodstartdate",),
        "charge_type": ("chargetype",),
        "category": ("servicefamily",),
        "tags": ("tags",),
    }
    required = frozenset({"day", "service", "currency"})

    def __init__(self, header: Sequence[str], account: str = "") -> None:
        super().__init__(header, account)
        cost = self.column("costinbillingcurrency", "cost", "pretaxcost", required=True)
        assert cost is not None
        self._cost = cost
        self._payg = self.column("paygcostinbillingcurrency")
        self.amount_columns = ((cost, True), (self._payg, False))
        self.fast = FastPath(cost, None, self._payg)

    def amounts(self, row: Sequence[str], number: Number) -> Amounts:
        cost = number(row[self._cost])
        return cost, cost, self.optional(row, self._payg, cost, number)

    def charge(self, raw: tuple[str, ...]) -> ChargeKey:
        day = self.parse(raw, "day", fields.us_or_iso_day)
        service = self.parse(raw, "service", service_name)
        assert isinstance(day, dt.date) and isinstance(service, str)
        if "period_start" in self.positions:
            start = self.parse(raw, "period_start", fields.us_or_iso_day)
            assert isinstance(start, dt.date)
            start = fields.month_start(start)
        else:
            start = fields.month_start(day)
        family = self.names(raw, "category")
        category = _AZURE_CATEGORIES.get(self.text(raw, "charge_type", "usage").strip().lower(), ADJUSTMENT)
        return ChargeKey(
            self.provider, self.names(raw, "billing_account"), start, fields.next_month(start),
            self.names(raw, "sub_account"), day, service, family or service_category(service), category,
            str(self.parse(raw, "currency", fields.currency)), self.tags(raw),
        )
