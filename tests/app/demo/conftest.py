"""Fixtures for the demo backend's tests: a small business, frozen in time, on a free port."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest

from app.demo.backend import DemoBackend
from tests.app.demo.support import SMALL, OpsClient


@pytest.fixture
def backend() -> Iterator[DemoBackend]:
    """A running backend; the test fails if the server leaves a thread behind after stopping."""
    before = set(threading.enumerate())
    with DemoBackend(**SMALL) as running:
        yield running
    assert set(threading.enumerate()) <= before


@pytest.fixture
def ops(backend: DemoBackend) -> Iterator[OpsClient]:
    client = OpsClient(backend)
    yield client
    client.session.close()
