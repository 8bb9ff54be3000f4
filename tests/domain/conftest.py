"""A migrated cache holding the hand-worked dataset, for the domain rules that run as SQL.

Migrating a fresh SQLite file costs over a second, so the suite migrates one
template per session and each test opens its own copy of it.
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

from app.store.database import Cache, open_cache
from tests.domain import dataset

NOW = dt.datetime(2026, 11, 18, 14, 30)  # a Wednesday afternoon, naive UTC


@pytest.fixture(scope="session")
def migrated_template(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("template") / "cache.sqlite3"
    open_cache(path).dispose()
    return path


def copy_of(template: Path, target: Path) -> Cache:
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(template, target)
    return open_cache(target)


@pytest.fixture
def engine(migrated_template, isolated_data_dir):
    cache = copy_of(migrated_template, isolated_data_dir / "cache.sqlite3")
    dataset.fill(cache.engine, NOW)
    yield cache.engine
    cache.dispose()
