"""The hand-worked business with the desk's facts (tests/support/desk.py), dated ``dataset.NOW``."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine

from app.config.settings import Settings
from tests.support import dataset, desk


@pytest.fixture
def desk_cache(cache) -> Engine:
    desk.fill(cache.engine, dataset.NOW)
    return cache.engine


@pytest.fixture
def settings() -> Settings:
    return Settings()
