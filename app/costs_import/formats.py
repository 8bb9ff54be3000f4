"""The billing exports we read, recognised by their header, and how one line becomes a cost.

Three formats, each a set of columns with the names they go by:

* AWS Cost and Usage Report (legacy ``lineItem/UnblendedCost`` names and the
  CUR 2.0 ``line_item_unblended_cost`` ones);
* Google Cloud billing export, as BigQuery writes it to CSV
  (``service.description``, ``usage_start_time``, ``cost``, ``currency``) or as
  the console's report download names it ("Service description", "Cost");
* the plain ``date,service,amount,currency`` form (currency optional: USD).

A line's day is the calendar date written at the start of its timestamp: AWS
writes UTC, Google its invoice day's own offset, and taking the date as written
keeps each vendor's day boundaries, which is what its invoice adds up to.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

AWS_CUR, GCP_BILLING, SIMPLE_CSV = "aws_cur", "gcp_billing", "simple_csv"
DEFAULT_CURRENCY = "USD"
MAX_AMOUNT = Decimal(10) ** 12  # far above any real line; keeps micros inside SQLite's 64-bit integers

# Vendor product names that obviously are one of our cost services; anything
# else keeps its own name, lower-cased (``AmazonEC2`` → ``amazonec2``).
VENDOR_SERVICES = {
    "amazons3": "storage",
    "amazon simple storage service": "storage",
    "amazoncloudfront": "cdn",
    "amazon cloudfront": "cdn",
    "cloud storage": "storage",
    "cloud cdn": "cdn",
    "firebase hosting": "firebase",
    "firebase realtime database": "firebase",
}

_DATE = re.compile(r"^\s*(\d{4})-(\d{2})-(\d{2})(?:$|[T\s])")
_CURRENCY = re.compile(r"^[A-Za-z]{3}$")
# C0 and C1 control characters; tab and line breaks are whitespace (a quoted name may wrap).
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


class CostImportError(ValueError):
    """A file that cannot be imported; the message names the line and field that is wrong."""


class _NotThisFormat(Exception):
    """A header lacks a column of the format being tried (``detect`` tries the next)."""


@dataclass(frozen=True)
class CostFormat:
    """One export format: its columns (each with the names it goes by, lower-case)."""

    source: str  # what cost_records.source says for rows from this format
    title: str
    day: tuple[str, ...]
    service: tuple[str, ...]  # the first name present wins (a short code before a long name)
    amount: tuple[str, ...]
    currency: tuple[str, ...]
    currency_required: bool = True
    vendor_names: bool = True  # map vendor product names through VENDOR_SERVICES


FORMATS = (
    CostFormat(
        AWS_CUR,
        "AWS Cost and Usage Report",
        day=("lineitem/usagestartdate", "line_item_usage_start_date"),
        service=("lineitem/productcode", "line_item_product_code", "product/productname", "product_product_name"),
        amount=("lineitem/unblendedcost", "line_item_unblended_cost"),
        currency=("lineitem/currencycode", "line_item_currency_code"),
    ),
    CostFormat(
        GCP_BILLING,
        "Google Cloud billing export",
        day=("usage_start_time", "usage start date", "usage start time"),
        service=("service.description", "service description"),
        amount=("cost",),
        currency=("currency",),
    ),
    CostFormat(
        SIMPLE_CSV,
        "date,service,amount,currency",
        day=("date",),
        service=("service",),
        amount=("amount",),
        currency=("currency",),
        currency_required=False,
        vendor_names=False,
    ),
)


CostKey = tuple[dt.date, str, str]  # day, service, currency: what the importer sums by


class LineParser:
    """Turns one CSV line of a recognised file into ``(key, amount)``, or says what is wrong."""

    def __init__(self, fmt: CostFormat, header: Sequence[str]) -> None:
        self.format = fmt
        self.header = tuple(h.strip() for h in header)
        names = [h.lower() for h in self.header]
        day, service, amount = _find(names, fmt.day), _find(names, fmt.service), _find(names, fmt.amount)
        self._currency = _find(names, fmt.currency)
        if day is None or service is None or amount is None or (fmt.currency_required and self._currency is None):
            raise _NotThisFormat
        self._day, self._service, self._amount = day, service, amount

    def parse(self, line: int | str, row: Sequence[str]) -> tuple[CostKey, Decimal]:
        """``line`` is the physical line the record starts on (as the caller words it)."""
        if len(row) != len(self.header):
            raise CostImportError(f"line {line}: has {len(row)} fields, the header has {len(self.header)}")
        try:
            day = _day(row[self._day])
        except ValueError:
            raise self._error(line, row, self._day, "is not a date (expected YYYY-MM-DD…)") from None
        try:
            service = _service(row[self._service], self.format.vendor_names)
        except ValueError:
            raise self._error(line, row, self._service, "holds a control character") from None
        if not service:
            raise CostImportError(f"line {line}: {self.header[self._service]} is empty")
        try:
            amount = Decimal(row[self._amount])
        except InvalidOperation:
            raise self._error(line, row, self._amount, "is not a number") from None
        if not amount.is_finite() or abs(amount) >= MAX_AMOUNT:
            raise self._error(line, row, self._amount, "is not a plausible amount")
        if self._currency is None:
            return (day, service, DEFAULT_CURRENCY), amount
        try:
            return (day, service, _currency(row[self._currency])), amount
        except ValueError:
            raise self._error(line, row, self._currency, "is not a three-letter currency code") from None

    def _error(self, line: int | str, row: Sequence[str], index: int, problem: str) -> CostImportError:
        return CostImportError(f"line {line}: {self.header[index]} {row[index].strip()!r} {problem}")


# Billing exports repeat the same few timestamps, product names and currencies on
# millions of lines: parsing each distinct text once roughly halves an import.


@functools.lru_cache(maxsize=65_536)
def _day(text: str) -> dt.date:
    match = _DATE.match(text)
    if match is None:
        raise ValueError(text)
    return dt.date(int(match[1]), int(match[2]), int(match[3]))


@functools.lru_cache(maxsize=65_536)
def _service(text: str, vendor_names: bool) -> str:
    if _CONTROL.search(text):
        raise ValueError(text)  # NUL and friends would be stored in a name nobody can see or type
    service = " ".join(text.split()).lower()
    return VENDOR_SERVICES.get(service, service) if vendor_names else service


@functools.lru_cache(maxsize=1_024)
def _currency(text: str) -> str:
    text = text.strip()
    if not _CURRENCY.match(text):
        raise ValueError(text)
    return text.upper()


def detect(header: Sequence[str]) -> LineParser:
    """The parser for the first format whose columns the header holds."""
    for fmt in FORMATS:
        try:
            return LineParser(fmt, header)
        except _NotThisFormat:
            continue
    known = "; ".join(f.title for f in FORMATS)
    raise CostImportError(f"line 1: the header is not one of the known billing exports ({known})")


def _find(names: Sequence[str], wanted: tuple[str, ...]) -> int | None:
    for name in wanted:
        if name in names:
            return names.index(name)
    return None
