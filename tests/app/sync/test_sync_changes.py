"""A sync pass reports what it wrote as it goes: every page, every pushed entry, with keys where it knows them."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from app.config.paths import Paths
from app.demo.backend import DemoBackend
from app.licensing.issuing import LicenseRequest
from app.licensing.service import LicenseService
from app.store.changes import Changes
from app.store.schema import Customer, Ticket
from app.sync.engine import SyncEngine
from tests.app.sync.support import NOW, config_for


@pytest.fixture
def backend():
    with DemoBackend(customers=60, tickets=150, now=NOW, role="support") as running:
        yield running


def _merged(reports: list[Changes]) -> Changes:
    merged = Changes()
    for changes in reports:
        merged |= changes
    return merged


def test_every_page_is_reported_with_its_keys(cache, backend) -> None:
    engine = SyncEngine(cache.engine, config_for(backend))
    heard: list[Changes] = []
    assert engine.run_once(changed=heard.append).ok
    everything = _merged(heard)
    assert len(heard) > 10  # page by page, not once at the end
    assert {"tickets", "ticket_events", "customers", "subscriptions", "invoices", "incidents", "sync_state",
            "app_state", "cost_charges"} <= set(everything.tables)
    with cache.engine.connect() as conn:
        ticket_ids = set(conn.execute(select(Ticket.id)).scalars())
        customer_ids = set(conn.execute(select(Customer.id)).scalars())
    assert everything.tables["tickets"] == ticket_ids
    assert customer_ids <= (everything.tables["customers"] or customer_ids)

    with cache.engine.connect() as conn:
        gone = conn.execute(select(Ticket.id).order_by(Ticket.id).limit(1)).scalar_one()
    backend.clock.advance(dt.timedelta(hours=2))
    backend.business.delete_ticket(gone)
    heard.clear()
    assert engine.run_once(changed=heard.append).ok
    assert _merged(heard).touches_key("tickets", gone)  # a tombstone names the row it removed


def test_a_pushed_license_reports_the_outbox_and_its_registry_row(cache, backend, isolated_data_dir) -> None:
    paths = Paths.resolve(isolated_data_dir).ensure()
    service = LicenseService(paths, cache.engine)
    service.generate_key("a long passphrase for the test key", activate=True)
    issued = service.issue(
        LicenseRequest(customer_id="cus_x", customer_name="X Ltd", customer_email="it@x.example", plan="starter"),
        "a long passphrase for the test key",
    )
    assert issued.changes.touches_key("licenses", issued.license.license_id)
    assert issued.changes.touches(("outbox",))
    heard: list[Changes] = []
    report = SyncEngine(cache.engine, config_for(backend)).run_once(changed=heard.append)
    assert report.pushed == 1
    pushed = _merged(heard)
    assert pushed.touches_key("licenses", issued.license.license_id)  # its pending flag cleared
    assert pushed.touches(("outbox",))
