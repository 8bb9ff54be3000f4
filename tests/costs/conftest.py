"""Cost tests: an empty cache copied from the suite's migrated template (migrating per test takes seconds)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from sqlalchemy import Engine, insert

from app.store.schema import Budget, CostRecord

AddCosts = Callable[..., None]


@pytest.fixture
def engine(cache) -> Engine:
    """An empty cache at the newest schema in the test's data dir."""
    return cache.engine


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
