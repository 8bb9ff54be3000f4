"""Cost tests: an empty cache copied from the suite's migrated template (migrating per test takes seconds)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, insert

from app.store.schema import Budget, CostRecord
from tests.domain.conftest import copy_of, migrated_template  # noqa: F401 - fixture

AddCosts = Callable[..., None]


@pytest.fixture
def engine(isolated_data_dir: Path, migrated_template: Path) -> Iterator[Engine]:
    """An empty cache at the newest schema in the test's data dir."""
    cache = copy_of(migrated_template, isolated_data_dir / "cache.sqlite3")
    yield cache.engine
    cache.dispose()


@pytest.fixture
def add_costs(engine: Engine) -> AddCosts:
    """``add_costs(service, first_day, dollars_per_day, days=1, currency="USD", source="opsapi")``."""

    def add(service: str, first: dt.date, dollars: float, days: int = 1, *, currency: str = "USD",
            source: str = "opsapi") -> None:
        rows = [
            {"day": first + dt.timedelta(days=n), "service": service, "amount_micros": round(dollars * 1_000_000),
             "currency": currency, "source": source}
            for n in range(days)
        ]
        with engine.begin() as conn:
            conn.execute(insert(CostRecord.__table__), rows)

    return add


@pytest.fixture
def add_budget(engine: Engine) -> Callable[[str, int], None]:
    """``add_budget(service, monthly_dollars)``: a budget as the Ops API syncs it."""

    def add(service: str, dollars: int) -> None:
        with engine.begin() as conn:
            conn.execute(insert(Budget.__table__), [{"service": service, "monthly_cents": dollars * 100}])

    return add
