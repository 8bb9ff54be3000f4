"""Importing billing exports into the FOCUS cost store: every file of one import, all of it or nothing.

One import is any number of files -- the parts of a report AWS split, a
manifest that lists them, exports of different providers.  Every file is
read and summed first (``reader``); only when all of them parsed are the
charges written, in one transaction: a bad line, a cancel or a crash leaves
the cache as it was.

The charges are grouped into *reports*, one per bill: provider, billing
account and billing period.  Parts of a report are summed (never does one
part overwrite another).  Importing a report that is already in the cache
replaces it whole -- its old charges are deleted, the new ones written -- and
the result says so; a report of another account is another report.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_EVEN, Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, delete, insert, select
from sqlalchemy.exc import IntegrityError

from app.clock import utcnow
from app.costs_import import manifest
from app.costs_import.formats import ChargeKey
from app.costs_import.reader import CostImportError, FileCharges, read_file
from app.store.changes import Changes
from app.store.schema import CostCharge, CostReport
from app.tasks import CancelToken, Progress, ProgressCallback, no_progress

_MICROS = Decimal(1_000_000)
_CHARGES, _REPORTS = CostCharge.__table__, CostReport.__table__
CHANGED = Changes.of(_CHARGES.name, _REPORTS.name, "cost_daily")

ReportId = tuple[str, str, dt.date]  # provider, billing account, billing period start


@dataclass(frozen=True)
class Replaced:
    """The earlier import of a report that this one replaced."""

    files: tuple[str, ...]
    imported_at: dt.datetime
    charges: int


@dataclass(frozen=True)
class ReportResult:
    """One bill written by an import."""

    provider: str
    billing_account: str
    period_start: dt.date
    period_end: dt.date
    format_title: str
    files: tuple[str, ...]
    lines: int
    charges: int
    effective_micros: dict[str, int]  # per currency: what the report adds up to
    replaced: Replaced | None = None


@dataclass(frozen=True)
class ImportResult:
    """What an import wrote, for the user to check against the files."""

    files: tuple[str, ...]
    lines: int  # cost lines read from the files
    reports: tuple[ReportResult, ...]
    charges: int  # charge rows written
    days: int
    services: tuple[str, ...]
    currencies: tuple[str, ...]
    first_day: dt.date
    last_day: dt.date
    changes: Changes = field(default=CHANGED)

    @property
    def replaced(self) -> tuple[ReportResult, ...]:
        return tuple(r for r in self.reports if r.replaced is not None)

    def as_json(self) -> dict[str, Any]:
        """The result as one JSON object (``opsconsole import-costs --json``)."""
        return {
            "files": list(self.files), "lines": self.lines, "charges": self.charges, "days": self.days,
            "services": list(self.services), "currencies": list(self.currencies),
            "first_day": self.first_day.isoformat(), "last_day": self.last_day.isoformat(),
            "reports": [
                {
                    "provider": r.provider, "billing_account": r.billing_account,
                    "period_start": r.period_start.isoformat(), "period_end": r.period_end.isoformat(),
                    "format": r.format_title, "files": list(r.files), "lines": r.lines, "charges": r.charges,
                    "effective_micros": dict(r.effective_micros),
                    "replaced": None if r.replaced is None else {
                        "files": list(r.replaced.files), "charges": r.replaced.charges,
                        "imported_at": r.replaced.imported_at.isoformat(timespec="seconds") + "Z",
                    },
                }
                for r in self.reports
            ],
        }

    def summary(self) -> list[str]:
        """The result as the user reads it (dialog and command line): enough to check against the files."""
        lines = [
            (f"{len(self.files)} file(s), {self.lines:,} cost lines, imported as {self.charges:,} daily charges "
             f"in {len(self.reports)} report(s)."),
            f"Days: {self.days:,}, from {self.first_day:%Y-%m-%d} to {self.last_day:%Y-%m-%d}",
            f"Services ({len(self.services)}): {', '.join(self.services)}",
            f"Currencies: {', '.join(self.currencies)}",
        ]
        for r in self.reports:
            money = ", ".join(f"{c} {m / 1_000_000:,.2f}" for c, m in sorted(r.effective_micros.items()))
            what = f"{r.provider} {r.billing_account or '(no account)'} {r.period_start:%B %Y}"
            lines.append(f"• {what}: {money} ({r.format_title}, {r.lines:,} lines from {', '.join(r.files)})")
            if r.replaced is not None:
                lines.append(f"  replaced the import of {r.replaced.imported_at:%Y-%m-%d %H:%M} UTC "
                             f"({', '.join(r.replaced.files)}, {r.replaced.charges:,} charges)")
        return lines


def expand(paths: Sequence[Path]) -> list[tuple[Path, bool]]:
    """The files to read, each once, manifests replaced by the parts they list; and whether a manifest listed it."""
    files: list[tuple[Path, bool]] = []
    seen: set[Path] = set()  # resolved, so one file named two ways is read once
    for path in map(Path, paths):
        listed = manifest.is_manifest(path)
        for part in manifest.parts(path) if listed else [path]:
            if (resolved := part.resolve()) not in seen:
                seen.add(resolved)
                files.append((part, listed))
    return files


def import_cost_files(
    engine: Engine,
    paths: Sequence[Path],
    progress: ProgressCallback = no_progress,
    cancel: CancelToken | None = None,
    *,
    source: str | None = None,
    account: str = "",
) -> ImportResult:
    """Import the exports at ``paths`` as one import; ``CostImportError`` (nothing written) when one is wrong.

    ``source`` requires every file to be of that format (``aws_cur``…);
    ``account`` names the billing account of files that name none (the simple
    form; default: each file's name).
    """
    cancel = cancel or CancelToken()
    files = expand(paths)
    if not files:
        raise CostImportError("no file to import")
    read: list[FileCharges] = []
    for number, (path, listed) in enumerate(files, 1):
        label = f"Reading {path.name}" + (f" (file {number} of {len(files)})" if len(files) > 1 else "")
        try:
            read.append(read_file(path, progress, cancel, account=account, expected=source, label=label,
                                  header_only_ok=listed))
        except CostImportError as exc:
            message = str(exc)
            if len(files) == 1 or message.startswith(f"{path.name}:"):
                raise
            raise CostImportError(f"{path.name}: {message}") from None
    if not any(f.line_count for f in read):
        raise CostImportError("the files hold no cost lines, only headers")
    cancel.raise_if_cancelled()
    reports = _group(read)
    total = sum(len(charges) for _, charges, _ in reports.values())
    progress(Progress(f"Writing {total:,} charges", 0, total))
    with engine.begin() as conn:
        written = [_write_report(conn, report_id, *content) for report_id, content in sorted(reports.items())]
    progress(Progress(f"Wrote {total:,} charges", total, total))
    keys = [key for _, charges, _ in reports.values() for key in charges]
    days = sorted({key.day for key in keys})
    return ImportResult(
        files=tuple(f.path.name for f in read),
        lines=sum(f.line_count for f in read),
        reports=tuple(written),
        charges=total,
        days=len(days),
        services=tuple(sorted({key.service for key in keys})),
        currencies=tuple(sorted({key.currency for key in keys})),
        first_day=days[0],
        last_day=days[-1],
    )


_Report = tuple[list[FileCharges], dict[ChargeKey, list[Decimal]], int]  # files, charges, lines


def _identity(key: ChargeKey) -> tuple[object, ...]:
    """What the store tells charges of one report apart by (``COST_CHARGE_IDENTITY`` less the report's own)."""
    return key.sub_account, key.day, key.service, key.charge_category, key.currency, key.tags


def _group(read: list[FileCharges]) -> dict[ReportId, _Report]:
    """Charges of every file per report, parts of one report summed.

    Charges the store cannot tell apart are one: lines of a service that name
    two service categories (Azure's ServiceFamily varies by meter) are summed
    under the category seen first.
    """
    reports: dict[ReportId, _Report] = {}
    first: dict[tuple[ReportId, tuple[object, ...]], ChargeKey] = {}
    for file in read:
        for key, (billed, effective, listed) in file.charges.items():
            report_id = (key.provider, key.billing_account, key.period_start)
            files, charges, lines = reports.setdefault(report_id, ([], {}, 0))
            if file not in files:
                files.append(file)
            same = first.setdefault((report_id, _identity(key)), key)
            slot = charges.setdefault(same, [Decimal(0), Decimal(0), Decimal(0)])
            slot[0] += billed
            slot[1] += effective
            slot[2] += listed
            reports[report_id] = (files, charges, lines + file.lines[key])
    return reports


def _micros(amount: Decimal) -> int:
    return int((amount * _MICROS).quantize(Decimal(1), rounding=ROUND_HALF_EVEN))


def _write_report(
    conn: Connection, report_id: ReportId, files: list[FileCharges], charges: dict[ChargeKey, list[Decimal]],
    lines: int,
) -> ReportResult:
    provider, account, period_start = report_id
    replaced = _remove_earlier(conn, report_id)
    now = utcnow()
    period_end = max(key.period_end for key in charges)
    names = tuple(f.path.name for f in files)
    sources = {f.format.source for f in files}
    new_id = conn.execute(
        insert(_REPORTS).returning(_REPORTS.c.id).values(
            provider_name=provider, billing_account_id=account, billing_period_start=period_start,
            billing_period_end=period_end, source=", ".join(sorted(sources)), files_json=list(names), lines=lines,
            imported_at=now,
        )
    ).scalar_one()
    source = files[0].format.source
    rows: list[dict[str, Any]] = [
        {
            "report_id": new_id, "source": source, "provider_name": key.provider,
            "billing_account_id": key.billing_account, "sub_account_id": key.sub_account,
            "billing_period_start": key.period_start, "billing_period_end": key.period_end,
            "charge_period_start": key.day, "charge_period_end": key.day + dt.timedelta(days=1),
            "service_name": key.service, "service_category": key.service_category,
            "charge_category": key.charge_category, "billing_currency": key.currency,
            "billed_cost_micros": _micros(billed), "effective_cost_micros": _micros(effective),
            "list_cost_micros": _micros(listed), "tags": key.tags, "imported_at": now,
        }
        for key, (billed, effective, listed) in sorted(charges.items())
    ]
    try:
        conn.execute(insert(_CHARGES), rows)
    except IntegrityError:
        raise CostImportError(
            f"the {provider} bill of account {account or '(none)'} for {period_start:%B %Y} repeats charges of "
            "another report of the same format and account; import one of them"
        ) from None
    totals: dict[str, int] = {}
    for row in rows:
        totals[row["billing_currency"]] = totals.get(row["billing_currency"], 0) + row["effective_cost_micros"]
    return ReportResult(
        provider, account, period_start, period_end, " + ".join(sorted({f.format.title for f in files})),
        names, lines, len(rows), totals, replaced,
    )


def _remove_earlier(conn: Connection, report_id: ReportId) -> Replaced | None:
    """Delete the earlier import of the same report (its charges first: the rollup triggers see each)."""
    provider, account, period_start = report_id
    old = conn.execute(
        select(_REPORTS.c.id, _REPORTS.c.files_json, _REPORTS.c.imported_at).where(
            _REPORTS.c.provider_name == provider, _REPORTS.c.billing_account_id == account,
            _REPORTS.c.billing_period_start == period_start,
        )
    ).first()
    if old is None:
        return None
    gone = conn.execute(delete(_CHARGES).where(_CHARGES.c.report_id == old.id)).rowcount
    conn.execute(delete(_REPORTS).where(_REPORTS.c.id == old.id))
    return Replaced(tuple(old.files_json), old.imported_at, int(gone or 0))
