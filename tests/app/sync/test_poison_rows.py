"""One row the cache cannot hold never stops a sync: it is quarantined with its id and reason, the rest is stored.

The poison rows are planted in the demo business behind the API's back (the
way a buggy or older backend would serve them): an integer past 64 bits, an
impossible date, a value of the wrong type, a text past the cache's limit.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest
from sqlalchemy import func, select

from app.cli import main
from app.clock import utcnow
from app.demo.backend import DemoBackend
from app.store.limits import MAX_TEXT_CHARS
from app.store.schema import Activation, Customer, Incident, License, Service, SyncQuarantine, Ticket, TicketEvent
from app.sync.engine import SyncEngine
from app.sync.ops_resources import RESOURCES
from app.sync.stripe_resources import BY_OBJECT, write_objects
from app.views import status
from tests.app.sync.support import NOW, config_for

SIZE = {"customers": 30, "tickets": 80, "now": NOW}


def _plant(backend: DemoBackend, resource: str, *, index: int = 0, **changes: object) -> str:
    """Serve a changed copy of an existing row of ``resource`` (a fresh ``updated_at``); returns its id."""
    business = backend.business
    with business.lock:
        feed = business.feed(resource)
        row = feed.page(None, None, index + 1)[0][index]
        feed.put({**row, **changes, "updated_at": business.clock.stamp()})
    return str(row["id"])


def _quarantined(engine) -> dict[tuple[str, str], str]:
    with engine.connect() as conn:
        return {(r.resource, r.item_id): r.reason for r in conn.execute(select(SyncQuarantine.__table__))}


def _ids(engine, model) -> set[str]:
    with engine.connect() as conn:
        return {str(i) for i in conn.execute(select(model.id)).scalars()}


def _license_with_machines(backend: DemoBackend, count: int) -> int:
    """The feed position of a license ``count`` machines hold a seat of (each refused with it when it is)."""
    business = backend.business
    machines = Counter(a["license_id"] for a in business.feed("activations").page(None, None, 10_000)[0])
    licenses = business.feed("licenses").page(None, None, 1_000)[0]
    return next(i for i, lic in enumerate(licenses) if machines[lic["id"]] == count)


def test_poison_rows_are_quarantined_and_everything_else_syncs(cache, monkeypatch, capsys) -> None:
    with DemoBackend(**SIZE) as backend:
        planted = {
            ("ops:licenses", _plant(backend, "licenses", index=_license_with_machines(backend, 1), seats=2**70)):
                "seats",
            ("ops:tickets", _plant(backend, "tickets", created_at="2026-02-30T10:00:00Z")): "created_at",
            ("ops:incidents", _plant(backend, "incidents", title={"not": "text"})): "title",
            ("ops:ticket_events", _plant(backend, "ticket_events", body="x" * (MAX_TEXT_CHARS + 1))): "body",
        }
        engine = SyncEngine(cache.engine, config_for(backend, stripe_api_key=""))
        report = engine.run_once()

        assert report.ok, report.errors  # every resource synced
        assert len([r for r in report.resources.values() if r.error is None]) == len(RESOURCES) + 2  # /me, outbox
        reasons = _quarantined(cache.engine)
        assert set(planted) <= set(reasons)
        for key, field in planted.items():
            assert reasons[key].startswith(field), reasons[key]
        assert "64-bit" in reasons[next(k for k in planted if k[0] == "ops:licenses")]
        # The planted ticket's, incident's and license's children cannot be stored without them (nor the
        # ticket's rating, if rated).
        license_id = next(k for k in planted if k[0] == "ops:licenses")[1]
        machines = [a for a in backend.business.feed("activations").page(None, None, 10_000)[0]
                    if a["license_id"] == license_id]
        children = {key: reason for key, reason in reasons.items() if key not in planted}
        assert len(machines) == 1  # the planted license's machine waits for it
        assert {resource for resource, _ in children} - {"ops:ticket_ratings"} == {
            "ops:ticket_events", "ops:incident_updates", "ops:activations"}
        assert all("refers to a row the cache does not hold" in r for r in children.values())
        assert report.not_stored == len(reasons)
        assert report.not_stored_text() == f"{len(reasons)} rows could not be stored"
        for (_, item_id), model in zip(planted, (License, Ticket, Incident, TicketEvent), strict=True):
            stored = _ids(cache.engine, model)
            assert item_id not in stored and len(stored) > 1  # the rest of its page is there

        # The CLI says so too (a second pass: the quarantine is what is outstanding, not only what is new).
        for name, value in {"OPSCONSOLE_API_URL": backend.ops_api_url,
                            "OPSCONSOLE_API_TOKEN": backend.ops_api_token}.items():
            monkeypatch.setenv(name, value)
        assert main(["sync"], command_modules=["app.sync_command"]) == 0
        err = capsys.readouterr().err
        assert f"{len(reasons)} rows could not be stored" in err and "seats: 1180591620717411303424" in err

        # Fixed on the server, the next sync stores the rows — the ticket's events with it — and clears them.
        license_key, ticket_key = (next(k for k in planted if k[0] == name) for name in ("ops:licenses", "ops:tickets"))
        with backend.business.lock:
            fixed_license = backend.business.feed("licenses").get(license_key[1])
            fixed_ticket = backend.business.feed("tickets").get(int(ticket_key[1]))
            backend.business.feed("tickets").put({**fixed_ticket, "created_at": dt.datetime(2026, 2, 28, 10),
                                                  "updated_at": backend.business.clock.stamp()})
        backend.business.store_license({**fixed_license, "seats": 7})
        report = engine.run_once()
    left = _quarantined(cache.engine)
    assert report.ok and {resource for resource, _ in left} == {"ops:incidents", "ops:incident_updates",
                                                                "ops:ticket_events"}
    assert [key for key in left if key[0] == "ops:ticket_events"] == [
        next(k for k in planted if k[0] == "ops:ticket_events")]  # the events of the fixed ticket are stored
    assert report.not_stored == len(left)
    with cache.engine.connect() as conn:
        assert conn.execute(select(License.seats).where(License.id == license_key[1])).scalar_one() == 7
        stored_machines = select(func.count()).where(Activation.license_id == license_key[1])
        assert conn.execute(stored_machines).scalar_one() == len(machines)  # its machines came with it
        assert conn.execute(select(func.count()).where(TicketEvent.ticket_id == int(ticket_key[1]))).scalar_one()


def test_a_deleted_poison_row_leaves_the_quarantine(cache) -> None:
    with DemoBackend(**SIZE) as backend:
        license_id = _plant(backend, "licenses", index=_license_with_machines(backend, 0), seats="many",
                            features=[1, 2])
        engine = SyncEngine(cache.engine, config_for(backend, stripe_api_key=""))
        assert engine.run_once().not_stored == 1
        with backend.business.lock:
            backend.business.feed("licenses").delete(license_id, backend.business.clock.stamp())
        assert engine.run_once().not_stored == 0
    assert _quarantined(cache.engine) == {}


def test_an_unexpected_failure_is_contained_to_its_resource(cache, monkeypatch) -> None:
    from app.sync import ops_pull

    real = ops_pull.write_items

    def broken(conn, resource, items):
        if resource.name == "incidents":
            raise RuntimeError("a bug in one resource's pass")
        return real(conn, resource, items)

    monkeypatch.setattr(ops_pull, "write_items", broken)
    with DemoBackend(**SIZE) as backend:
        report = SyncEngine(cache.engine, config_for(backend, stripe_api_key="")).run_once()
    assert report.errors == {"ops:incidents": "failed: RuntimeError: a bug in one resource's pass"}
    assert _ids(cache.engine, Ticket) and _ids(cache.engine, License)  # later resources synced


def test_stripe_rows_the_cache_cannot_hold_are_quarantined(cache) -> None:
    now = utcnow()
    good = {"id": "cus_good", "created": 1_750_000_000, "balance": 0}
    objs = [good, {"id": "cus_rich", "created": 1_750_000_000, "balance": 2**70},
            {"id": "cus_undated", "balance": 0}, {"id": "cus_future", "created": 10**13}]
    resource = BY_OBJECT["customer"]
    with cache.engine.begin() as conn:
        write_objects(conn, resource, objs, now)
    assert _ids(cache.engine, Customer) == {"cus_good"}
    reasons = _quarantined(cache.engine)
    assert set(reasons) == {("stripe:customers", i) for i in ("cus_rich", "cus_undated", "cus_future")}
    assert "64-bit" in reasons["stripe:customers", "cus_rich"]
    assert "'created' is missing" in reasons["stripe:customers", "cus_undated"]

    with cache.engine.begin() as conn:
        write_objects(conn, resource, [{**objs[1], "balance": 5}], now)  # fixed at the source
    assert status.rows_not_stored(cache.engine) == {"stripe:customers": 2}


@pytest.mark.parametrize("value", [2**63, -(2**63) - 1, float("nan"), float("inf"), "12", True])
def test_number_columns_refuse_what_sqlite_would_mangle(cache, value) -> None:
    resource = next(r for r in RESOURCES if r.name == "services")
    item = {"id": "api", "name": "API", "probe_interval_s": 60, "timeout_s": value,
            "updated_at": dt.datetime(2026, 6, 1).isoformat() + "Z"}
    with cache.engine.begin() as conn:
        from app.sync.ops_pull import write_items

        write_items(conn, resource, [item, {**item, "id": "web", "timeout_s": 5.0}])
    assert _ids(cache.engine, Service) == {"web"}
    ((key, reason),) = _quarantined(cache.engine).items()
    assert key == ("ops:services", "api") and reason.startswith("timeout_s")
