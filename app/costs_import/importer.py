"""Reading a billing export into ``cost_records``: all of it, or nothing.

The file is streamed through the ``csv`` module (exports run to gigabytes) and
summed per (day, service, currency) in ``Decimal`` while it is read, so memory
grows with the days and services in the file, not its lines.  Only when every
line has parsed are the sums written, as integer micro-units, in one upsert
transaction: a bad line, a cancel or a crash leaves the cache as it was.

Re-importing replaces rather than adds (the upsert key is day, service,
source, currency), so importing the same export twice never doubles a cost.
``.csv.gz`` files (how AWS delivers its reports) are read without unpacking.
"""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import io
import re
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.dialects.sqlite import insert

from app.clock import utcnow
from app.costs_import.formats import CostImportError, CostKey, LineParser, detect
from app.store.changes import NOTHING, Changes
from app.store.schema import CostRecord
from app.tasks import CancelToken, Progress, ProgressCallback, no_progress

REPORT_EVERY = 5_000  # lines between progress reports and cancel checks
_MICROS = Decimal(1_000_000)


@dataclass(frozen=True)
class ImportResult:
    """What an import wrote, for the user to check against the file."""

    file_name: str
    format_title: str
    source: str
    lines: int  # cost lines read from the file
    records: int  # (day, service, currency) rows written
    days: int
    services: tuple[str, ...]
    currencies: tuple[str, ...]
    first_day: dt.date
    last_day: dt.date
    changes: Changes = NOTHING  # the cost records written (ids are the database's: keys unknown)


def import_cost_file(
    engine: Engine,
    path: Path,
    progress: ProgressCallback = no_progress,
    cancel: CancelToken | None = None,
) -> ImportResult:
    """Import the billing export at ``path``; raises ``CostImportError`` (nothing written) when it is wrong."""
    cancel = cancel or CancelToken()
    parser, totals, lines = _read(Path(path), progress, cancel)
    if not totals:
        raise CostImportError(f"{Path(path).name}: the file holds no cost lines, only a header")
    cancel.raise_if_cancelled()
    progress(Progress(f"Writing {len(totals):,} daily costs", 0, len(totals)))
    _write(engine, parser.format.source, totals)
    progress(Progress(f"Wrote {len(totals):,} daily costs", len(totals), len(totals)))
    days = sorted({day for day, _, _ in totals})
    return ImportResult(
        file_name=Path(path).name,
        format_title=parser.format.title,
        source=parser.format.source,
        lines=lines,
        records=len(totals),
        days=len(days),
        services=tuple(sorted({service for _, service, _ in totals})),
        currencies=tuple(sorted({currency for _, _, currency in totals})),
        first_day=days[0],
        last_day=days[-1],
        changes=Changes.of(CostRecord.__tablename__),
    )


def _read(
    path: Path, progress: ProgressCallback, cancel: CancelToken
) -> tuple[LineParser, dict[CostKey, Decimal], int]:
    label = f"Reading {path.name}"
    try:
        raw = path.open("rb")
    except OSError as exc:
        raise CostImportError(f"{path.name}: cannot be opened ({exc.strerror or exc})") from None
    size = path.stat().st_size
    stream: gzip.GzipFile | io.BufferedReader = gzip.GzipFile(fileobj=raw) if path.name.lower().endswith(".gz") else raw
    # surrogateescape: a byte that is not UTF-8 reaches ``PhysicalLines`` inside its own line, which
    # names that line; a strict decoder fails a whole read-ahead chunk, lines before the bad byte.
    with raw, io.TextIOWrapper(stream, encoding="utf-8-sig", errors="surrogateescape", newline="") as text:
        lines = PhysicalLines(text)
        reader = csv.reader(lines)
        totals: dict[CostKey, Decimal] = defaultdict(Decimal)
        count = 0
        try:
            header = next(reader, None)
            if not header:
                raise CostImportError(f"{path.name}: the file is empty")
            parser = detect(header)
            start = lines.number + 1  # the physical line the next record starts on
            for row in reader:
                if row:  # not a blank line
                    key, amount = parser.parse(_where(start, lines.number), row)
                    totals[key] += amount
                    count += 1
                    if count % REPORT_EVERY == 0:
                        cancel.raise_if_cancelled()
                        progress(Progress(label, raw.tell(), size))
                start = lines.number + 1
        except (csv.Error, EOFError, gzip.BadGzipFile) as exc:
            # Raised while reading the line that broke the record (a field over the size limit,
            # a quote never closed): that physical line.
            raise CostImportError(f"line {max(lines.number, 1)}: cannot be read ({exc})") from None
    progress(Progress(label, size, size))
    return parser, dict(totals), count


def _where(start: int, end: int) -> str:
    """"5", or "5 (a record over lines 5–7)" when a quoted field spans lines."""
    return str(start) if start == end else f"{start} (a record over lines {start}–{end})"


_UNDECODED = re.compile("[\udc80-\udcff]")  # how surrogateescape carries a byte that is not UTF-8


class PhysicalLines:
    """The file's lines as the CSV reader consumes them, counted, each checked to be UTF-8.

    ``number`` is the physical line last read, so every error names the line
    a text editor shows, whatever the records in between (quoted fields over
    several lines, blank lines).
    """

    def __init__(self, text: Iterator[str]) -> None:
        self._text = text
        self.number = 0

    def __iter__(self) -> PhysicalLines:
        return self

    def __next__(self) -> str:
        line = next(self._text)
        self.number += 1
        if not line.isascii() and (bad := _UNDECODED.search(line)):
            column = len(line[: bad.start()].encode("utf-8", "surrogateescape")) + 1
            byte = ord(bad.group()) - 0xDC00
            raise CostImportError(f"line {self.number}: is not UTF-8 text (byte 0x{byte:02x} at column {column})")
        return line


def _write(engine: Engine, source: str, totals: dict[CostKey, Decimal]) -> None:
    table = CostRecord.__table__
    now = utcnow()
    rows = [
        {
            "day": day,
            "service": service,
            "currency": currency,
            "source": source,
            "amount_micros": int((amount * _MICROS).quantize(Decimal(1), rounding=ROUND_HALF_EVEN)),
            "imported_at": now,
        }
        for (day, service, currency), amount in sorted(totals.items())
    ]
    stmt = insert(table)
    stmt = stmt.on_conflict_do_update(
        index_elements=[table.c.day, table.c.service, table.c.source, table.c.currency],  # uq_cost_records_day_service
        set_={"amount_micros": stmt.excluded.amount_micros, "imported_at": stmt.excluded.imported_at},
    )
    with engine.begin() as conn:
        conn.execute(stmt, rows)
