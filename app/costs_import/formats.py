"""The billing exports we read, recognised by their header, and how their lines become FOCUS charges.

A format knows where its fields are (each field with the names it goes by,
matched case-insensitively) and turns one CSV line into three amounts --
FOCUS BilledCost, EffectiveCost and ListCost -- plus a *raw key*: the texts of
the fields that identify a charge.  The reader sums amounts per raw key while
it streams the file (a raw key repeats on thousands of lines), and only each
distinct raw key is parsed into a ``ChargeKey``.  So the per-line work is a
tuple, a dict look-up and three additions; dates, names and currencies are
parsed once per distinct text.

The formats themselves are in ``providers`` (AWS, Google Cloud, Azure) and
``focus`` (FOCUS and the simple ``date,service,amount,currency`` form).
"""

from __future__ import annotations

import datetime as dt
import operator
from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any, ClassVar, NamedTuple

from app.costs_import import fields
from app.costs_import.fields import FieldError

ZERO = Decimal(0)
USAGE, PURCHASE, TAX, CREDIT, ADJUSTMENT = "Usage", "Purchase", "Tax", "Credit", "Adjustment"
CHARGE_CATEGORIES = (USAGE, PURCHASE, TAX, CREDIT, ADJUSTMENT)  # FOCUS 1.2 ChargeCategory values

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
# FOCUS ServiceCategory of the services we can tell from their name (the rest: "Other").
SERVICE_CATEGORIES = {
    "amazonec2": "Compute", "awslambda": "Compute", "compute engine": "Compute", "virtual machines": "Compute",
    "storage": "Storage", "amazonebs": "Storage", "amazonrds": "Databases", "amazondynamodb": "Databases",
    "cloud sql": "Databases", "firestore": "Databases", "spanner": "Databases", "bigtable": "Databases",
    "cdn": "Networking", "amazonvpc": "Networking", "network": "Networking", "bandwidth": "Networking",
    "firebase": "Web", "amazonbedrock": "AI and Machine Learning", "vertex ai": "AI and Machine Learning",
    "anthropic": "AI and Machine Learning", "stripe": "Other",
}


class ChargeKey(NamedTuple):
    """What identifies one stored charge: amounts of lines with equal keys are summed."""

    provider: str
    billing_account: str
    period_start: dt.date
    period_end: dt.date
    sub_account: str
    day: dt.date
    service: str
    service_category: str
    charge_category: str
    currency: str
    tags: str


Amounts = tuple[Decimal, Decimal, Decimal]  # BilledCost, EffectiveCost, ListCost
Number = Callable[[str], Decimal]  # how an amount's text is read: ``Decimal``, or a validating parser
# raw key → [billed, effective − billed, list, first line, line count]: a list, because the reader's
# loop updates it millions of times and list items are the cheapest mutable slots Python has; effective
# as its difference from billed, because on most lines it is billed and then nothing is added.
Totals = dict[tuple[str, ...], list[Any]]


class FastPath(NamedTuple):
    """Where a common line's amounts are, so the reader sums it without calling the format.

    ``effective``/``listed`` None: the billed amount (a blank list cost too).
    A line whose ``divert`` column holds one of ``divert_values`` (an AWS
    Savings Plans line, say) goes through the format's own ``add``.
    """

    billed: int
    effective: int | None = None
    listed: int | None = None
    divert: int | None = None
    divert_values: frozenset[str] = frozenset()


class NotThisFormat(Exception):
    """A header lacks a column the format needs (``detect`` tries the next format)."""


def service_name(text: str, vendor_names: bool = True) -> str:
    """How a service is named in the store: lower-case, vendor products mapped onto our services."""
    service = fields.required_name(text).lower()
    return VENDOR_SERVICES.get(service, service) if vendor_names else service


def service_category(service: str) -> str:
    return SERVICE_CATEGORIES.get(service, "Other")


class ExportFormat(ABC):
    """One recognised header: where the fields are; a line's amounts and raw key; a raw key's ``ChargeKey``."""

    source: ClassVar[str]  # what ``cost_charges.source`` says: the format
    title: ClassVar[str]
    provider: ClassVar[str]  # FOCUS ProviderName of the format's bills ("" when each line says)
    # field → the header names it goes by, lower-case; the first present wins
    key_fields: ClassVar[dict[str, tuple[str, ...]]]
    required: ClassVar[frozenset[str]]
    amount_columns: tuple[tuple[int | None, bool], ...] = ()  # (column, required) of every amount read
    fast: FastPath | None = None  # None: every line through ``add``

    def __init__(self, header: Sequence[str], account: str = "") -> None:
        self.header = tuple(h.strip() for h in header)
        self.width = len(self.header)
        self.account = account  # the billing account of a file that names none (the simple form)
        self._columns: dict[str, int] = {}
        for index, title in enumerate(self.header):
            self._columns.setdefault(title.lower(), index)
        self.positions: dict[str, int] = {}  # key field → its place in the raw key
        indices: list[int] = []
        for field, names in self.key_fields.items():
            column = self.column(*names, required=field in self.required)
            if column is not None:
                self.positions[field] = len(indices)
                indices.append(column)
        self.tag_start = len(indices)  # tags spread over columns (AWS resourceTags/…) end the raw key
        indices.extend(self.tag_columns())
        self._key_columns = tuple(indices)
        self.key_of: Callable[[Sequence[str]], tuple[str, ...]] = operator.itemgetter(*indices)  # ≥ 2 fields

    def column(self, *names: str, required: bool = False) -> int | None:
        """The index of the first of ``names`` in the header (NotThisFormat when required and absent)."""
        for title in names:
            if title in self._columns:
                return self._columns[title]
        if required:
            raise NotThisFormat
        return None

    def tag_columns(self) -> list[int]:
        """Columns that each hold one tag (none but in AWS reports)."""
        return []

    @abstractmethod
    def amounts(self, row: Sequence[str], number: Number) -> Amounts:
        """BilledCost, EffectiveCost and ListCost of one line, each text read by ``number``.

        The reader passes ``Decimal`` itself (the fast path: a bad text raises
        ``InvalidOperation``, and sums are checked once at the end); when
        something is wrong it reads the file again through ``validate`` to name
        the line.
        """

    def validate(self, row: Sequence[str]) -> None:
        """FieldError for the first amount of the line that is not a plausible number (the slow path)."""
        for column, required in self.amount_columns:
            if column is not None and (required or row[column].strip()):
                self.amount(row, column)

    def add(self, row: Sequence[str], line: int, totals: Totals, number: Number = Decimal) -> None:
        """Sum one line into ``totals`` under its raw key (the first line of each key is kept for errors)."""
        raw = self.key_of(row)
        billed, effective, listed = self.amounts(row, number)
        slot = totals.get(raw)
        if slot is None:
            totals[raw] = [billed, effective - billed, listed, line, 1]
        else:
            slot[0] += billed
            slot[1] += effective - billed
            slot[2] += listed
            slot[4] += 1

    @abstractmethod
    def charge(self, raw: tuple[str, ...]) -> ChargeKey:
        """The charge a raw key stands for; FieldError names the field that cannot be read."""

    # -- helpers for the formats

    def text(self, raw: tuple[str, ...], field: str, default: str = "") -> str:
        position = self.positions.get(field)
        return default if position is None else raw[position]

    def parse(self, raw: tuple[str, ...], field: str, parser: Callable[[str], object]) -> object:
        """``parser`` applied to the field's text, its ``ValueError`` turned into a FieldError on its column."""
        position = self.positions[field]
        try:
            return parser(raw[position])
        except ValueError as exc:
            raise FieldError(self._key_columns[position], str(exc)) from None

    def amount(self, row: Sequence[str], column: int) -> Decimal:
        try:
            return fields.amount(row[column])
        except ValueError as exc:
            raise FieldError(column, str(exc)) from None

    @staticmethod
    def optional(row: Sequence[str], column: int | None, default: Decimal, number: Number) -> Decimal:
        """An amount in a column that may be absent or blank (``default`` then)."""
        if column is None:
            return default
        text = row[column]
        return number(text) if text and not text.isspace() else default

    def period(self, raw: tuple[str, ...], day: dt.date) -> tuple[dt.date, dt.date]:
        """The billing period named by the line, else the calendar month of its day."""
        if "period_start" in self.positions:
            start = self.parse(raw, "period_start", fields.day)
            assert isinstance(start, dt.date)
            start = fields.month_start(start)
        else:
            start = fields.month_start(day)
        return start, fields.next_month(start)

    def names(self, raw: tuple[str, ...], field: str) -> str:
        """A name field that may be blank (accounts): whitespace collapsed, control characters refused."""
        if field not in self.positions:
            return ""
        value = self.parse(raw, field, fields.name)
        assert isinstance(value, str)
        return value

    def tags(self, raw: tuple[str, ...]) -> str:
        if "tags" not in self.positions:
            return fields.NO_TAGS
        value = self.parse(raw, "tags", fields.json_tags)
        assert isinstance(value, str)
        return value

    def problem(self, error: FieldError, row_texts: Sequence[str] | None = None) -> str:
        """``"<column> '<value>' <problem>"`` for an error message (the value when the row is known)."""
        column = self.header[error.column]
        if row_texts is None:
            return f"{column} {error.problem}"
        return f"{column} {row_texts[error.column].strip()!r} {error.problem}"

    def field_value(self, raw: tuple[str, ...], column: int) -> str:
        """The text of ``column`` within a raw key (for naming a bad value)."""
        return raw[self._key_columns.index(column)]
