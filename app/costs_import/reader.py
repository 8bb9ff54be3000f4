"""Reading one billing export: recognise its format, stream its lines, sum them per charge.

The file is streamed through the ``csv`` module (exports run to gigabytes)
and summed in ``Decimal`` per raw key while it is read, so memory grows with
the distinct charges in the file, not its lines.  ``.gz`` files (how AWS
delivers its reports) are read without unpacking.

Every error names the **physical** line a text editor shows: ``_checked_lines``
counts the lines the CSV reader consumes (quoted fields may span several) and
checks each is UTF-8, so a bad byte is reported on its own line, not on the
first line of the read-ahead chunk it arrived in.  A field that cannot be
parsed is reported on the first line that holds it (each distinct text is
parsed once, after the read, and remembers the first line it was seen on).
"""

from __future__ import annotations

import csv
import decimal
import gzip
import io
import re
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from itertools import islice
from pathlib import Path

from app.costs_import import fields
from app.costs_import.fields import FieldError
from app.costs_import.focus import FocusCsv, SimpleCsv
from app.costs_import.formats import ZERO, ChargeKey, ExportFormat, NotThisFormat, Totals
from app.costs_import.providers import AwsCur, AzureExport, GcpBilling
from app.tasks import CancelToken, Progress, ProgressCallback

# Tried in this order: the first whose columns the header holds reads the file.
FORMATS: tuple[type[ExportFormat], ...] = (FocusCsv, AwsCur, GcpBilling, AzureExport, SimpleCsv)
SOURCES = {f.source: f for f in FORMATS}
REPORT_EVERY = 5_000  # lines between progress reports and cancel checks
# Sums of millions of amounts with ten decimals need more than the default 28 digits to stay exact.
_EXACT = decimal.Context(prec=60, traps=[decimal.InvalidOperation, decimal.Overflow])


class CostImportError(ValueError):
    """A file that cannot be imported; the message names the file's line and field that is wrong."""


@dataclass(frozen=True)
class FileCharges:
    """What one file holds: its format, its charges with their summed amounts, the lines read."""

    path: Path
    format: ExportFormat
    charges: dict[ChargeKey, list[Decimal]]  # [billed, effective, list]
    lines: dict[ChargeKey, int]  # cost lines summed into each charge
    line_count: int


def detect(header: list[str], account: str, expected: str | None = None) -> ExportFormat:
    """The reader for the first format whose columns the header holds (``expected``: only that one)."""
    for fmt in FORMATS:
        try:
            found = fmt(header, account)
        except NotThisFormat:
            continue
        if expected is not None and found.source != expected:
            raise CostImportError(
                f"line 1: the header is a {found.title}, not a {SOURCES[expected].title} (another provider's file?)"
            )
        return found
    known = "; ".join(f.title for f in FORMATS)
    raise CostImportError(f"line 1: the header is not one of the known billing exports ({known})")


class _Recheck(Exception):
    """The fast read met an amount it cannot sum: read again, validating, to name the line."""


def read_file(
    path: Path,
    progress: ProgressCallback,
    cancel: CancelToken,
    *,
    account: str = "",
    expected: str | None = None,
    label: str | None = None,
    header_only_ok: bool = False,
) -> FileCharges:
    """Read and sum one export; raises ``CostImportError`` naming the physical line that is wrong.

    Amounts are summed as they are read, unchecked (``Decimal`` of the text);
    an amount that is not a number, or a sum that is not a plausible amount,
    sends the file through a second, validating read that names the line.
    A file with only its header is refused unless ``header_only_ok`` (a part a
    manifest lists: the lines can fill the parts before it exactly).
    """
    try:
        fmt, totals, count = _read(path, progress, cancel, account, expected, label, strict=False)
        _check_sums(totals)
    except _Recheck:
        fmt, totals, count = _read(path, progress, cancel, account, expected, label, strict=True)
        _check_sums(totals, final=True)
    with decimal.localcontext(_EXACT):
        charges, counts = _charges(fmt, totals)
    if not count and not header_only_ok:
        raise CostImportError(f"{path.name}: the file holds no cost lines, only a header")
    return FileCharges(path, fmt, charges, counts, count)


def _check_sums(totals: Totals, *, final: bool = False) -> None:
    for slot in totals.values():
        for value in (slot[0], slot[0] + slot[1], slot[2]):
            if not value.is_finite() or abs(value) >= fields.MAX_AMOUNT:
                if final:  # every line was plausible, their sum is not
                    raise CostImportError(f"line {slot[3]}: the costs summed with this line are not a plausible "
                                          "amount") from None
                raise _Recheck


def _read(
    path: Path,
    progress: ProgressCallback,
    cancel: CancelToken,
    account: str,
    expected: str | None,
    label: str | None,
    *,
    strict: bool,
) -> tuple[ExportFormat, Totals, int]:
    label = label or f"Reading {path.name}"
    try:
        raw_file = path.open("rb")
    except OSError as exc:
        raise CostImportError(f"{path.name}: cannot be opened ({exc.strerror or exc})") from None
    size = path.stat().st_size
    stream: gzip.GzipFile | io.BufferedReader = gzip.GzipFile(fileobj=raw_file) if path.name.lower().endswith(".gz") \
        else raw_file
    # The fast read decodes strictly: a byte that is not UTF-8 fails a whole read-ahead chunk, so it
    # reads again with surrogateescape, where the byte reaches ``_checked_lines`` inside its own line.
    errors = "surrogateescape" if strict else "strict"
    with raw_file, io.TextIOWrapper(stream, encoding="utf-8-sig", errors=errors, newline="") as text, \
            decimal.localcontext(_EXACT):
        reader = csv.reader(_checked_lines(text) if strict else text)
        totals: Totals = {}
        fmt: ExportFormat | None = None
        try:
            header = next(reader, None)
            if not header:
                raise CostImportError(f"{path.name}: the file is empty")
            fmt = detect(header, account or path.name.split(".")[0], expected)
            width, add, validate = fmt.width, fmt.add, fmt.validate
            start = reader.line_num + 1  # the physical line the next record starts on
            fast = None if strict else fmt.fast
            key_of, get, number = fmt.key_of, totals.get, Decimal
            billed_at, effective_at, listed_at, divert, diverted = fast or (0, None, None, None, frozenset())
            divert_at = 0 if divert is None else divert  # no divert column: an empty set diverts nothing
            while True:  # chunks of REPORT_EVERY records: progress and cancel between them, not per line
                before = reader.line_num
                for row in islice(reader, REPORT_EVERY):
                    if len(row) != width:
                        if row:
                            raise CostImportError(
                                f"line {_where(start, reader.line_num)}: has {len(row)} fields, the header has "
                                f"{width}"
                            )
                        start = reader.line_num + 1  # a blank line
                        continue
                    try:
                        if fast is None or row[divert_at] in diverted:
                            if strict:
                                validate(row)
                            add(row, start, totals)
                        else:  # ``ExportFormat.add`` inlined: a report's million lines pay no call each
                            raw = key_of(row)
                            billed = number(row[billed_at])
                            listed = billed
                            if listed_at is not None:
                                cell = row[listed_at]
                                if cell and not cell.isspace():
                                    listed = number(cell)
                            slot = get(raw)
                            if slot is None:
                                totals[raw] = [billed, ZERO if effective_at is None else
                                               number(row[effective_at]) - billed, listed, start, 1]
                            else:
                                slot[0] += billed
                                if effective_at is not None:  # else effective is billed: nothing to add
                                    slot[1] += number(row[effective_at]) - billed
                                slot[2] += listed
                                slot[4] += 1
                    except FieldError as exc:
                        raise CostImportError(f"line {_where(start, reader.line_num)}: {fmt.problem(exc, row)}") \
                            from None
                    except decimal.InvalidOperation:
                        raise _Recheck from None
                    start = reader.line_num + 1
                if reader.line_num == before:  # the chunk was empty: the end of the file
                    break
                cancel.raise_if_cancelled()
                progress(Progress(label, raw_file.tell(), size))
        except UnicodeDecodeError:
            raise _Recheck from None
        except (csv.Error, EOFError, gzip.BadGzipFile, zlib.error) as exc:
            # Raised while reading the line that broke the record (a field over the size limit,
            # a quote never closed, a gzip stream cut short): that physical line.
            _earlier_key_error(fmt, totals, reader.line_num)
            raise CostImportError(f"line {max(reader.line_num, 1)}: cannot be read ({_reason(exc)})") from None
        except CostImportError:
            _earlier_key_error(fmt, totals, reader.line_num)  # a bad field on an earlier line is named first
            raise
    assert fmt is not None  # the header was read, or an error was raised
    progress(Progress(label, size, size))
    return fmt, totals, sum(slot[4] for slot in totals.values())


def _reason(exc: BaseException) -> str:
    if isinstance(exc, EOFError):
        return "the compressed file ends early: it was cut short"
    return str(exc)


def _charges(fmt: ExportFormat, totals: Totals) -> tuple[dict[ChargeKey, list[Decimal]], dict[ChargeKey, int]]:
    """Each distinct raw key parsed into its charge (in the order first seen); equal charges summed."""
    charges: dict[ChargeKey, list[Decimal]] = {}
    counts: dict[ChargeKey, int] = {}
    for raw, (billed, effective_less_billed, listed, line, count) in totals.items():
        effective = billed + effective_less_billed
        try:
            key = fmt.charge(raw)
        except FieldError as exc:
            raise CostImportError(f"line {line}: {_key_problem(fmt, raw, exc)}") from None
        slot = charges.get(key)
        if slot is None:
            charges[key] = [billed, effective, listed]
        else:
            slot[0] += billed
            slot[1] += effective
            slot[2] += listed
        counts[key] = counts.get(key, 0) + count
    return charges, counts


def _key_problem(fmt: ExportFormat, raw: tuple[str, ...], exc: FieldError) -> str:
    column = fmt.header[exc.column]
    if exc.problem == "is empty":
        return f"{column} is empty"
    return f"{column} {fmt.field_value(raw, exc.column).strip()!r} {exc.problem}"


def _earlier_key_error(fmt: ExportFormat | None, totals: Totals, before: int) -> None:
    """Raise for a key field that fails on a line before ``before``: errors are reported in file order."""
    if fmt is None:
        return
    for raw, slot in totals.items():
        if slot[3] >= before:
            continue
        try:
            fmt.charge(raw)
        except FieldError as exc:
            raise CostImportError(f"line {slot[3]}: {_key_problem(fmt, raw, exc)}") from None


def _where(start: int, end: int) -> str:
    """"5", or "5 (a record over lines 5–7)" when a quoted field spans lines."""
    return str(start) if start == end else f"{start} (a record over lines {start}–{end})"


_UNDECODED = re.compile("[\udc80-\udcff]")  # how surrogateescape carries a byte that is not UTF-8


def _checked_lines(text: Iterator[str]) -> Iterator[str]:
    """The file's lines as the CSV reader consumes them, each checked to be UTF-8.

    The reader's ``line_num`` counts these lines, so every error names the
    physical line a text editor shows, whatever the records in between (quoted
    fields over several lines, blank lines); a bad byte is named on its own line.
    """
    for number, line in enumerate(text, 1):
        if not line.isascii() and (bad := _UNDECODED.search(line)):
            column = len(line[: bad.start()].encode("utf-8", "surrogateescape")) + 1
            byte = ord(bad.group()) - 0xDC00
            raise CostImportError(f"line {number}: is not UTF-8 text (byte 0x{byte:02x} at column {column})")
        yield line
