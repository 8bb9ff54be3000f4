"""Fixtures for the demo backend's tests: a small business, frozen in time, on a free port."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator
from typing import Any

import pytest
import requests

from app.demo.backend import DemoBackend

NOW = dt.datetime(2026, 3, 2, 12, 0)
SMALL = {"customers": 150, "tickets": 600, "now": NOW}


class OpsClient:
    """A thin requests session against the Ops API, the way the real connector talks to it."""

    def __init__(self, backend: DemoBackend) -> None:
        self.base = backend.ops_api_url
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"Bearer {backend.ops_api_token}"

    def get(self, path: str, **params: Any) -> requests.Response:
        return self.session.get(self.base + path, params=params, timeout=10)

    def post(self, path: str, body: Any, key: str | None) -> requests.Response:
        headers = {"Idempotency-Key": key} if key else {}
        return self.session.post(self.base + path, json=body, headers=headers, timeout=10)

    def full_pass(self, resource: str, limit: int = 100, since: str | None = None) -> tuple[list[dict], str]:
        """Every item of one pass, page by page; returns the items and the final watermark."""
        items: list[dict] = []
        params: dict[str, Any] = {"limit": limit}
        if since:
            params["updated_since"] = since
        while True:
            page = self.get(f"/v1/{resource}", **params).json()
            items += page["data"]
            if page["next_cursor"] is None:
                return items, page["watermark"]
            params = {"limit": limit, "cursor": page["next_cursor"]}


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
