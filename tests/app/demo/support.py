"""What the demo backend's tests share: a small business frozen in time, a client, write bodies."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

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


# A license body as the console posts it to the registry.
LICENSE = {
    "id": "5f0c1d1e-8d0a-4c55-9a51-2f1d6f5b0a11", "key_id": "demo-2026", "product": "opsconsole-desktop",
    "customer_id": "cus_X", "customer_name": "Northwind Labs", "customer_email": "it@northwind.example",
    "plan": "professional", "seats": 50, "features": ["offline", "sso"], "issued_at": "2026-03-01T09:00:00Z",
    "not_before": "2026-03-01T09:00:00Z", "expires_at": "2027-03-01T09:00:00Z", "grace_days": 14,
    "issued_by": "Sam Rivera",
}


def event(kind: str = "reply", **fields: Any) -> dict[str, Any]:
    """A ticket event body as the console posts it, with a fresh id; ``fields`` replace its values."""
    return {"id": str(uuid.uuid4()), "kind": kind, "author": "Maya Chen", "body": "On it.", "data": None,
            "created_at": "2026-03-02T11:59:00Z", **fields}
