"""A license issued with the network off reaches the Ops API's registry exactly once when it is back."""

from __future__ import annotations

import socket

import pytest
from sqlalchemy import select

from app.config.paths import Paths
from app.connectors.config import SyncConfig
from app.demo.backend import DemoBackend
from app.licensing.issuing import LicenseRequest
from app.licensing.service import LicenseService
from app.store.database import open_cache
from app.store.schema import License, OutboxEntry
from app.sync.engine import SyncEngine

PASSPHRASE = "a long passphrase for the test key"


@pytest.fixture
def backend():
    with DemoBackend(customers=30, tickets=60, role="support") as server:
        yield server


def _config(backend: DemoBackend) -> SyncConfig:
    return SyncConfig(ops_api_url=backend.ops_api_url, ops_api_token=backend.ops_api_token,
                      stripe_api_base=backend.stripe_api_base, stripe_api_key=backend.stripe_api_key,
                      verify_tls=False)


def test_issued_offline_then_pushed_exactly_once(backend, isolated_data_dir, monkeypatch):
    paths = Paths.resolve(isolated_data_dir).ensure()
    cache = open_cache(paths.cache)
    engine = SyncEngine(cache.engine, _config(backend))
    service = LicenseService(paths, cache.engine, issued_by="support@example.com")
    service.generate_key(PASSPHRASE, activate=True)

    def no_network(self, address):
        raise OSError("network is down (test)")

    with monkeypatch.context() as m:
        m.setattr(socket.socket, "connect", no_network)
        issued = service.issue(
            LicenseRequest(customer_id="cus_offline", customer_name="Offline Ltd", customer_email="it@offline.example",
                           plan="professional", days=365),
            PASSPHRASE,
        )
        report = engine.run_once()
        assert report.offline
    key = f"license_issue:{issued.license.license_id}"
    assert backend.applied_count(key) == 0

    first = engine.run_once()
    again = engine.run_once()
    assert first.pushed == 1 and again.pushed == 0
    assert backend.applied_count(key) == 1
    with cache.engine.connect() as conn:
        row = conn.execute(select(License).where(License.id == issued.license.license_id)).one()
        entry = conn.execute(select(OutboxEntry.state)).scalar_one()
    assert row.pending is False and row.synced_at is not None
    assert entry == "sent"
    served = backend.business.feed("licenses").get(issued.license.license_id)
    assert served is not None and served["customer_name"] == "Offline Ltd" and served["seats"] == 50
    cache.dispose()
