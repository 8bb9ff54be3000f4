"""Suite-wide isolation: no test touches the user's data dir, settings or keyring.

* ``OPSCONSOLE_DATA_DIR`` points at a fresh ``tmp_path`` for every test.
* ``keyring`` uses an in-memory backend (tests/support/keyring_memory.py).
* Qt runs offscreen; QSettings are redirected to ``tmp_path``.
* Backend environment variables are cleared so a developer's shell cannot leak in.

It also provides the migrated cache every store, domain and UI test starts from,
and the writers of cost rows that both the cost rules and the Costs pane read.
Fixtures of one layer live in ``tests/app/conftest.py`` and ``tests/ui/conftest.py``;
helpers that tests import live in ``tests/support/`` and ``tests/ui/helpers.py``.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import Engine, insert

from app import logs
from app.store.database import Cache, open_cache
from app.store.schema import Budget, CostCharge

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

_BACKEND_ENV = (
    "OPSCONSOLE_API_URL",
    "OPSCONSOLE_API_TOKEN",
    "STRIPE_API_KEY",
    "OPSCONSOLE_STRIPE_API_BASE",
    "OPSCONSOLE_KEY_PASSPHRASE",
    "OPSCONSOLE_SECRETS_PASSPHRASE",
)


@pytest.fixture(autouse=True)
def isolated_data_dir(tmp_path, monkeypatch):
    """Every test gets its own data dir and an empty in-memory keyring."""
    import keyring

    from tests.support.keyring_memory import MemoryKeyring

    data_dir = tmp_path / "data"
    monkeypatch.setenv("OPSCONSOLE_DATA_DIR", str(data_dir))
    for name in _BACKEND_ENV:
        monkeypatch.delenv(name, raising=False)
    previous = keyring.get_keyring()
    keyring.set_keyring(MemoryKeyring())
    yield data_dir
    keyring.set_keyring(previous)
    logs.remove_handlers()  # a command run in the test logged to its data dir and its captured stderr


@pytest.fixture(scope="session")
def migrated_template(tmp_path_factory) -> Path:
    """One cache migrated to the newest schema per run; tests copy it (migrating costs about a second)."""
    path = tmp_path_factory.mktemp("template") / "cache.sqlite3"
    open_cache(path).dispose()
    return path


def copy_of(template: Path, target: Path) -> Cache:
    """Open a copy of ``template`` at ``target``."""
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(template, target)
    return open_cache(target)


@pytest.fixture
def cache(migrated_template, isolated_data_dir):
    """A fresh, migrated, empty cache in the test's data dir."""
    opened = copy_of(migrated_template, isolated_data_dir / "cache.sqlite3")
    yield opened
    opened.dispose()


@pytest.fixture
def engine(cache) -> Engine:
    """The empty cache's engine, for tests that write their own rows."""
    return cache.engine


AddCosts = Callable[..., None]


@pytest.fixture
def add_costs(engine: Engine) -> AddCosts:
    """``add_costs(service, first_day, dollars_per_day, days=1, currency="USD", source="opsapi")``.

    Each day is one Usage charge whose billed, effective and list cost are the
    amount (``billed=`` sets a different billed cost; ``category=`` another
    charge category, e.g. a Credit with a negative amount).
    """

    def add(service: str, first: dt.date, dollars: float, days: int = 1, *, currency: str = "USD",
            source: str = "opsapi", billed: float | None = None, category: str = "Usage") -> None:
        rows = []
        for n in range(days):
            day = first + dt.timedelta(days=n)
            month = day.replace(day=1)
            effective = round(dollars * 1_000_000)
            rows.append({
                "source": source, "provider_name": "Test", "billing_account_id": "", "sub_account_id": "",
                "billing_period_start": month, "billing_period_end": (month + dt.timedelta(days=32)).replace(day=1),
                "charge_period_start": day, "charge_period_end": day + dt.timedelta(days=1),
                "service_name": service, "service_category": "Other", "charge_category": category,
                "billing_currency": currency, "effective_cost_micros": effective,
                "billed_cost_micros": effective if billed is None else round(billed * 1_000_000),
                "list_cost_micros": effective, "tags": "{}",
            })
        with engine.begin() as conn:
            conn.execute(insert(CostCharge.__table__), rows)

    return add


@pytest.fixture
def add_budget(engine: Engine) -> Callable[[str, int], None]:
    """``add_budget(service, monthly_dollars)``: a budget as the Ops API syncs it."""

    def add(service: str, dollars: int) -> None:
        with engine.begin() as conn:
            conn.execute(insert(Budget.__table__), [{"service": service, "monthly_cents": dollars * 100}])

    return add
