"""One field of a billing export: a day, an amount, a currency, a name, tags -- parsed or refused.

Billing exports repeat the same few timestamps, product names and currencies
on millions of lines, so the text parsers are cached: each distinct text is
parsed once.  A parser raises ``ValueError`` with the problem in words; the
reader adds the physical line and the column (``FieldError``).
"""

from __future__ import annotations

import calendar
import datetime as dt
import functools
import json
import re
from decimal import Decimal, InvalidOperation

_NOT_A_DATE = "is not a date (expected YYYY-MM-DD…)"
MAX_AMOUNT = Decimal(10) ** 12  # far above any real line; keeps micros inside SQLite's 64-bit integers
NO_TAGS = "{}"

_DATE = re.compile(r"^\s*(\d{4})-(\d{2})-(\d{2})(?:$|[T\s])")
_US_DATE = re.compile(r"^\s*(\d{1,2})/(\d{1,2})/(\d{4})(?:$|\s)")  # Azure's MM/DD/YYYY
_COMPACT_DATE = re.compile(r"^\s*(\d{4})(\d{2})(\d{2})(?:$|T)")  # 20261001T000000.000Z (AWS manifests)
_MONTH = re.compile(r"^\s*(\d{4})-?(\d{2})\s*$")  # GCP invoice.month: 202611
_CURRENCY = re.compile(r"^[A-Za-z]{3}$")
# C0 and C1 control characters; tab and line breaks are whitespace (a quoted name may wrap).
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


class FieldError(ValueError):
    """A field that cannot be read: which column of the header, and what is wrong with it."""

    def __init__(self, column: int, problem: str) -> None:
        super().__init__(problem)
        self.column = column
        self.problem = problem


@functools.lru_cache(maxsize=65_536)
def day(text: str) -> dt.date:
    """The calendar date written at the start of a date or timestamp (the provider's own day boundary)."""
    match = _DATE.match(text) or _COMPACT_DATE.match(text)
    if match is None:
        raise ValueError(_NOT_A_DATE)
    return _date(int(match[1]), int(match[2]), int(match[3]))


def _date(year: int, month: int, day_of_month: int) -> dt.date:
    try:
        return dt.date(year, month, day_of_month)
    except ValueError:  # 2026-13-01, 2026-02-30
        raise ValueError(_NOT_A_DATE) from None


@functools.lru_cache(maxsize=65_536)
def us_or_iso_day(text: str) -> dt.date:
    """A date as Azure writes it: ``2026-11-01`` or ``11/01/2026``."""
    match = _US_DATE.match(text)
    if match is None:
        return day(text)
    return _date(int(match[3]), int(match[1]), int(match[2]))


@functools.lru_cache(maxsize=1_024)
def invoice_month(text: str) -> dt.date:
    """The first day of a ``YYYYMM`` or ``YYYY-MM`` month."""
    match = _MONTH.match(text)
    if match is None:
        raise ValueError("is not a month (expected YYYYMM)")
    return _date(int(match[1]), int(match[2]), 1)


def month_start(value: dt.date) -> dt.date:
    return value.replace(day=1)


def next_month(value: dt.date) -> dt.date:
    """The first day of the month after ``value``'s."""
    return value.replace(day=1) + dt.timedelta(days=calendar.monthrange(value.year, value.month)[1])


def amount(text: str) -> Decimal:
    """A cost as written (``-0.0000000372``, ``1.2E-5``); empty, NaN, ∞ and absurd sizes refused."""
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise ValueError("is not a number") from None
    if not value.is_finite() or abs(value) >= MAX_AMOUNT:
        raise ValueError("is not a plausible amount")
    return value


@functools.lru_cache(maxsize=1_024)
def currency(text: str) -> str:
    text = text.strip()
    if not _CURRENCY.match(text):
        raise ValueError("is not a three-letter currency code")
    return text.upper()


@functools.lru_cache(maxsize=65_536)
def name(text: str) -> str:
    """A name as stored: whitespace collapsed; control characters refused (nobody could see or type them)."""
    if _CONTROL.search(text):
        raise ValueError("holds a control character")
    return " ".join(text.split())


def required_name(text: str) -> str:
    value = name(text)
    if not value:
        raise ValueError("is empty")
    return value


def tags_text(tags: dict[str, str]) -> str:
    """FOCUS Tags as stored: canonical JSON (sorted keys, no spaces), so equal tag sets are equal texts."""
    if not tags:
        return NO_TAGS
    for key, value in tags.items():
        name(key)
        name(value)
    return json.dumps(tags, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


@functools.lru_cache(maxsize=4_096)
def json_tags(text: str) -> str:
    """A JSON object of tags (FOCUS, Azure) or a list of ``{"key", "value"}`` (Google labels) as stored."""
    text = text.strip()
    if not text or text in ('""', "[]", "{}"):
        return NO_TAGS
    if text.startswith('"'):
        text = "{" + text + "}"  # Azure writes "a": "b", "c": "d" without braces
    try:
        value = json.loads(text)
    except json.JSONDecodeError:
        raise ValueError("is not JSON tags") from None
    if isinstance(value, list):
        pairs = {str(item.get("key")): str(item.get("value")) for item in value if isinstance(item, dict)}
    elif isinstance(value, dict):
        pairs = {str(k): "" if v is None else str(v) for k, v in value.items()}
    else:
        raise ValueError("is not JSON tags")
    return tags_text(pairs)
