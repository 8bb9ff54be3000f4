"""A migrated cache holding the hand-worked dataset, for the domain rules that run as SQL."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.domain import dataset

NOW = dt.datetime(2026, 11, 18, 14, 30)  # a Wednesday afternoon, naive UTC


@pytest.fixture
def engine(cache):
    dataset.fill(cache.engine, NOW)
    return cache.engine
