"""The write path on its own: upserts by each resource's key, tombstones, and local pending rows."""

from __future__ import annotations

import datetime as dt
import threading
import time
from contextlib import closing

import pytest
from sqlalchemy import func, insert, select

from app.store.schema import (
    CostCharge,
    CostDaily,
    Customer,
    FtsDeferred,
    HealthCheck,
    License,
    Service,
    Subscription,
    UsageDaily,
)
from app.sync.ops_pull import write_items
from app.sync.ops_resources import RESOURCES
from app.sync.prefetch import batches_ahead, pages_ahead
from app.sync.writer import insert_rows, upsert
from app.tasks import CancelToken

BY_NAME = {r.name: r for r in RESOURCES}
T0 = "2026-06-01T10:00:00Z"


def _license(license_id: str, **changes) -> dict:
    item = {
        "id": license_id, "key_id": "k1", "product": "desktop", "plan": "pro", "seats": 3,
        "features": ["export"], "issued_at": T0, "not_before": T0, "expires_at": "2027-06-01T10:00:00Z",
        "updated_at": T0,
    }
    return {**item, **changes}


def test_server_version_replaces_a_pending_row_and_tombstones_spare_unpushed_ones(cache) -> None:
    now = dt.datetime(2026, 6, 1, 10)
    with cache.engine.begin() as conn:
        for license_id in ("pushed", "local-only"):
            conn.execute(insert(License).values(
                id=license_id, key_id="k1", product="desktop", plan="pro", seats=1, issued_at=now,
                not_before=now, expires_at=now + dt.timedelta(days=30), pending=True,
            ))
        write_items(conn, BY_NAME["licenses"], [
            _license("pushed", seats=5),
            {"id": "local-only", "deleted": True, "updated_at": T0},
        ])
        rows = {r.id: r for r in conn.execute(select(License.__table__)).all()}
    assert rows["pushed"].seats == 5 and rows["pushed"].pending is False
    assert rows["pushed"].features_json == ["export"]
    assert rows["local-only"].pending is True  # the server cannot delete what it never saw


def test_costs_upsert_on_their_focus_identity_and_tombstones_delete(cache) -> None:
    costs = BY_NAME["costs"]
    item = {"id": "2026-05-31:storage:Usage", "charge_period_start": "2026-05-31", "service_name": "storage",
            "service_category": "Storage", "provider_name": "AWS", "charge_category": "Usage",
            "billed_cost_micros": 1_000_000, "effective_cost_micros": 1_000_000, "list_cost_micros": 1_250_000,
            "billing_currency": "USD", "source": "opsapi"}
    credit = {**item, "id": "2026-05-31:storage:Credit", "charge_category": "Credit",
              "billed_cost_micros": -100_000, "effective_cost_micros": -100_000, "list_cost_micros": 0}
    with cache.engine.begin() as conn:
        write_items(conn, costs, [item, credit])
        write_items(conn, costs, [{**item, "effective_cost_micros": 2_500_000}])
        stored = conn.execute(select(CostCharge.charge_category, CostCharge.effective_cost_micros,
                                     CostCharge.billing_period_start, CostCharge.charge_period_end)
                              .order_by(CostCharge.charge_category)).all()
        daily = conn.execute(select(CostDaily.effective_cost_micros)).scalars().all()
        write_items(conn, costs, [{"id": "2026-05-31:storage:Usage", "deleted": True, "updated_at": T0}])
        left = conn.execute(select(CostCharge.charge_category)).scalars().all()
    assert stored == [("Credit", -100_000, dt.date(2026, 5, 1), dt.date(2026, 6, 1)),
                      ("Usage", 2_500_000, dt.date(2026, 5, 1), dt.date(2026, 6, 1))]
    assert daily == [2_400_000]  # the rollup follows the feed
    assert left == ["Credit"]


def test_synced_health_checks_never_duplicate_and_leave_local_probes_alone(cache) -> None:
    check = {"id": f"api:{T0}", "service_id": "api", "checked_at": T0, "ok": True, "status_code": 200,
             "latency_ms": 12.5, "error": None, "updated_at": T0}
    with cache.engine.begin() as conn:
        write_items(conn, BY_NAME["services"], [{"id": "api", "name": "API", "updated_at": T0}])
        conn.execute(insert(HealthCheck).values(
            service_id="api", checked_at=dt.datetime(2026, 6, 1, 10), ok=False, source="probe",
        ))
        write_items(conn, BY_NAME["health_checks"], [check])
        write_items(conn, BY_NAME["health_checks"], [{**check, "latency_ms": 13.0}])
        rows = conn.execute(select(HealthCheck.source, HealthCheck.latency_ms).order_by(HealthCheck.source)).all()
        write_items(conn, BY_NAME["health_checks"], [{"id": f"api:{T0}", "deleted": True, "updated_at": T0}])
        after = conn.execute(select(HealthCheck.source)).scalars().all()
        services = conn.execute(select(func.count()).select_from(Service)).scalar_one()
    assert rows == [("api", 13.0), ("probe", None)]
    assert after == ["probe"] and services == 1


def test_prefetch_yields_every_page_in_order_and_requests_one_ahead() -> None:
    requested: list[int | None] = []

    def fetch(cursor: int | None) -> int:
        requested.append(cursor)
        return 0 if cursor is None else cursor

    pages = pages_ahead(fetch, None, lambda page: page + 1 if page < 4 else None, CancelToken())
    assert next(pages) == 0
    assert list(pages) == [1, 2, 3, 4]
    assert requested == [None, 1, 2, 3, 4]


def test_prefetch_raises_a_fetch_error_in_order_and_never_leaves_its_thread_behind() -> None:
    before = threading.active_count()

    def fetch(cursor: int | None) -> int:
        if cursor == 2:
            raise RuntimeError("page 2 failed")
        return cursor or 0

    pages = pages_ahead(fetch, None, lambda page: page + 1, CancelToken())
    assert [next(pages), next(pages)] == [0, 1]
    with pytest.raises(RuntimeError, match="page 2"):
        next(pages)

    endless = pages_ahead(lambda cursor: cursor or 0, None, lambda page: page + 1, CancelToken())
    with closing(endless):
        assert next(endless) == 0
    assert threading.active_count() == before


def test_batches_hand_over_every_page_waiting_and_raise_an_error_after_them() -> None:
    """A writer behind the network gets the pages waiting for it at once (at most ``most``), in order."""

    def fetch(cursor: int | None) -> int:
        if cursor == 5:
            raise RuntimeError("page 5 failed")
        return cursor or 0

    batches = batches_ahead(fetch, None, lambda page: page + 1, CancelToken(), lead=8, most=2)
    first = next(batches)
    while any(t.name == "sync-prefetch" for t in threading.enumerate()):  # the helper fetched all it could
        time.sleep(0.001)
    rest: list[list[int]] = []
    with pytest.raises(RuntimeError, match="page 5"):
        rest.extend(batches)
    left = 5 - len(first)
    assert first + [page for batch in rest for page in batch] == [0, 1, 2, 3, 4]
    assert [len(batch) for batch in rest] == [min(2, left - i) for i in range(0, left, 2)]


def test_upserted_values_are_stored_exactly_as_sqlalchemy_stores_them(cache) -> None:
    """The fast path converts values itself; the stored text must match SQLAlchemy's own."""
    when = dt.datetime(2026, 6, 1, 10, 0, 0)
    customer = {"name": "Ada", "email": "ada@example.com", "created": when, "currency": "usd",
                "delinquent": True, "balance_cents": -500, "metadata_json": {"tier": "pro"}, "synced_at": None}
    usage = {"active_users": 3, "signups": 1, "trial_starts": 0, "conversions": 0, "processing_volume": 9,
             "processing_success_rate": 0.5, "updated_at": when.replace(microsecond=123), "synced_at": when}
    with cache.engine.begin() as conn:
        core_rows = [{"id": "core", **customer}, {"id": "core-null", **customer, "metadata_json": None}]
        conn.execute(insert(Customer), core_rows)
        fast_rows = [{"id": "fast", **customer}, {"id": "fast-null", **customer, "metadata_json": None}]
        upsert(conn, Customer.__table__, fast_rows)
        conn.execute(insert(UsageDaily), [{"day": dt.date(2026, 5, 30), **usage}])
        upsert(conn, UsageDaily.__table__, [{"day": dt.date(2026, 5, 31), **usage}], ("day",))
        stored = conn.exec_driver_sql(
            "SELECT id, name, created, delinquent, metadata_json, synced_at FROM customers ORDER BY id"
        ).all()
        days = conn.exec_driver_sql("SELECT day, updated_at FROM usage_daily ORDER BY day").all()
        typed = conn.execute(select(Customer.__table__).where(Customer.id == "fast")).one()
    by_id = {row[0]: row[1:] for row in stored}
    assert by_id["core"] == by_id["fast"] and by_id["core-null"] == by_id["fast-null"]
    assert days[0][1] == days[1][1] and [d[0] for d in days] == ["2026-05-30", "2026-05-31"]
    assert typed.created == when and typed.metadata_json == {"tier": "pro"} and typed.delinquent is True


def test_a_column_of_one_instant_and_a_column_of_several_store_each_row_its_own(cache) -> None:
    """A page's ``synced_at`` is often one instant for every row: converted once, stored for each row all the same."""
    now, later = dt.datetime(2026, 6, 1, 10, 0, 0, 5), dt.datetime(2026, 6, 2)
    synced = [now, later, now, None]  # the first value again, after another one: not one instant
    rows = [{"id": f"c{i}", "name": "Ada", "email": None, "created": now, "currency": "usd", "delinquent": False,
             "balance_cents": 0, "metadata_json": None, "synced_at": when} for i, when in enumerate(synced)]
    with cache.engine.begin() as conn:
        upsert(conn, Customer.__table__, rows)
        stored = conn.exec_driver_sql("SELECT id, created, synced_at FROM customers ORDER BY id").all()
    assert stored == [
        ("c0", "2026-06-01 10:00:00.000005", "2026-06-01 10:00:00.000005"),
        ("c1", "2026-06-01 10:00:00.000005", "2026-06-02 00:00:00.000000"),
        ("c2", "2026-06-01 10:00:00.000005", "2026-06-01 10:00:00.000005"),
        ("c3", "2026-06-01 10:00:00.000005", None),
    ]


def test_a_one_column_insert_stores_each_row(cache) -> None:
    """A statement of one parameter: its values still travel as one-element tuples, row by row."""
    with cache.engine.begin() as conn:
        insert_rows(conn, FtsDeferred.__table__, [{"content_table": "first"}, {"content_table": "second"}])
        stored = conn.execute(select(FtsDeferred.content_table).order_by(FtsDeferred.content_table)).scalars().all()
    assert stored == ["first", "second"]


def test_an_upsert_updates_every_column_but_those_stripe_sets_once(cache) -> None:
    """A subscription's customer and creation never change in Stripe: a write leaves the stored ones (and their
    index entries) alone, and updates the rest."""
    created, later = dt.datetime(2026, 1, 5, 9), dt.datetime(2026, 6, 1, 10)
    with cache.engine.begin() as conn:
        for customer_id in ("cus_a", "cus_b"):
            conn.execute(insert(Customer).values(id=customer_id, created=created))
        row = {"id": "sub_1", "customer_id": "cus_a", "status": "trialing", "created": created,
               "cancel_at_period_end": False, "synced_at": created}
        upsert(conn, Subscription.__table__, [row])
        upsert(conn, Subscription.__table__, [{**row, "customer_id": "cus_b", "status": "active",
                                               "created": later, "synced_at": later}])
        stored = conn.execute(select(Subscription.__table__)).one()
    assert (stored.status, stored.synced_at) == ("active", later)
    assert (stored.customer_id, stored.created) == ("cus_a", created)
