"""What the import tests share: writing a file, importing one, reading back the charges."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, func, select

from app.costs_import import ImportResult, import_cost_files
from app.store.schema import CostCharge

C = CostCharge.__table__.c


def write(tmp_path: Path, text: str, name: str = "costs.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def import_cost_file(engine: Engine, path: Path, **options: Any) -> ImportResult:
    return import_cost_files(engine, [path], **options)


def records(engine: Engine) -> dict[tuple[dt.date, str, str, str], int]:
    """Effective cost per (day, service, currency, source), summed over the other columns."""
    with engine.connect() as conn:
        rows = conn.execute(
            select(C.charge_period_start, C.service_name, C.billing_currency, C.source,
                   func.sum(C.effective_cost_micros))
            .group_by(C.charge_period_start, C.service_name, C.billing_currency, C.source)
        ).all()
    return {(r[0], r[1], r[2], r[3]): r[4] for r in rows}


def charges(engine: Engine, *columns: str) -> list[tuple[Any, ...]]:
    """The charges' ``columns``, sorted."""
    with engine.connect() as conn:
        return sorted(conn.execute(select(*(C[name] for name in columns))).all())
