"""Core test fixtures (no Qt anywhere under tests/app): the hand-worked business in a migrated cache."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine

from tests.support import dataset


@pytest.fixture
def business(cache) -> Engine:
    """The cache's engine, holding the hand-worked business (tests/support/dataset.py) dated ``dataset.NOW``."""
    dataset.fill(cache.engine, dataset.NOW)
    return cache.engine
