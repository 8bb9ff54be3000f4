"""The FOCUS cost store: old records migrated into charges, the daily rollup exact after every kind of write."""

from __future__ import annotations

import datetime as dt
import random
import sqlite3

from sqlalchemy import delete, func, insert, select, update

from app.store import migrations
from app.store.database import open_cache
from app.store.schema import CostCharge, CostDaily, CostReport, SyncState

CH, DAILY = CostCharge.__table__, CostDaily.__table__


def test_old_cost_records_become_focus_charges_and_imported_months_become_reports(tmp_path):
    path = tmp_path / "cache.sqlite3"
    migrations.upgrade_in_place(path, target="0014-1")  # the schema just before the FOCUS store
    old = sqlite3.connect(path)
    old.executemany(
        "INSERT INTO cost_records (day, service, amount_micros, currency, source, imported_at) VALUES (?,?,?,?,?,?)",
        [
            ("2026-10-31", "firebase", 7_000_000, "USD", "opsapi", "2026-11-01 02:00:00.000000"),
            ("2026-11-01", "firebase", 8_000_000, "USD", "opsapi", "2026-11-02 02:00:00.000000"),
            ("2026-11-01", "amazonec2", 3_500_000, "USD", "aws_cur", "2026-11-03 09:00:00.000000"),
            ("2026-11-02", "amazonec2", 1_500_000, "USD", "aws_cur", "2026-11-03 09:00:00.000000"),
            ("2026-11-02", "storage", 2_000_000, "EUR", "gcp_billing", "2026-11-03 09:00:00.000000"),
        ],
    )
    old.execute("INSERT INTO sync_state (resource, watermark, full_pass_done, rows_synced) "
                "VALUES ('ops:costs', '2026-11-02T02:00:00Z', 1, 2)")
    old.commit()
    old.close()

    cache = open_cache(path)
    with cache.engine.connect() as conn:
        charges = conn.execute(
            select(CH.c.source, CH.c.provider_name, CH.c.charge_period_start, CH.c.service_name,
                   CH.c.charge_category, CH.c.billing_currency, CH.c.billed_cost_micros,
                   CH.c.effective_cost_micros, CH.c.list_cost_micros, CH.c.billing_period_start, CH.c.report_id)
            .order_by(CH.c.charge_period_start, CH.c.service_name)
        ).all()
        reports = conn.execute(select(CostReport.__table__).order_by(CostReport.id)).mappings().all()
        rollup = conn.execute(select(DAILY.c.day, DAILY.c.service_name, DAILY.c.effective_cost_micros)
                              .order_by(DAILY.c.day, DAILY.c.service_name)).all()
        costs_state = conn.execute(select(SyncState).where(SyncState.resource == "ops:costs")).first()
    cache.dispose()

    nov = dt.date(2026, 11, 1)
    assert [(c.source, c.provider_name, c.charge_period_start, c.service_name, c.charge_category,
             c.billing_currency, c.billed_cost_micros, c.effective_cost_micros, c.list_cost_micros)
            for c in charges] == [
        ("opsapi", "Ops API", dt.date(2026, 10, 31), "firebase", "Usage", "USD", 7_000_000, 7_000_000, 7_000_000),
        ("aws_cur", "AWS", nov, "amazonec2", "Usage", "USD", 3_500_000, 3_500_000, 3_500_000),
        ("opsapi", "Ops API", nov, "firebase", "Usage", "USD", 8_000_000, 8_000_000, 8_000_000),
        ("aws_cur", "AWS", dt.date(2026, 11, 2), "amazonec2", "Usage", "USD", 1_500_000, 1_500_000, 1_500_000),
        ("gcp_billing", "Google Cloud", dt.date(2026, 11, 2), "storage", "Usage", "EUR",
         2_000_000, 2_000_000, 2_000_000),
    ]
    assert charges[0].billing_period_start == dt.date(2026, 10, 1) and charges[0].report_id is None
    assert [(r["source"], r["provider_name"], r["billing_period_start"], r["lines"]) for r in reports] == [
        ("aws_cur", "AWS", nov, 2), ("gcp_billing", "Google Cloud", nov, 1),
    ]
    assert {c.report_id for c in charges if c.source == "aws_cur"} == {reports[0]["id"]}
    assert rollup == [
        (dt.date(2026, 10, 31), "firebase", 7_000_000), (nov, "amazonec2", 3_500_000), (nov, "firebase", 8_000_000),
        (dt.date(2026, 11, 2), "amazonec2", 1_500_000), (dt.date(2026, 11, 2), "storage", 2_000_000),
    ]
    assert costs_state is None  # the cost feed is pulled again, with its FOCUS fields


def _charge(day: dt.date, service: str, micros: int, category: str, currency: str = "USD") -> dict[str, object]:
    month = day.replace(day=1)
    return {
        "source": "focus", "provider_name": "P", "billing_account_id": "", "sub_account_id": "",
        "billing_period_start": month, "billing_period_end": month, "charge_period_start": day,
        "charge_period_end": day, "service_name": service, "service_category": "Other",
        "charge_category": category, "billing_currency": currency, "billed_cost_micros": micros,
        "effective_cost_micros": micros // 2, "list_cost_micros": micros * 2, "tags": "{}",
    }


def _rollup_by_group_by(conn) -> list[tuple[object, ...]]:
    return conn.execute(
        select(CH.c.charge_period_start, CH.c.service_name, CH.c.billing_currency, func.sum(CH.c.billed_cost_micros),
               func.sum(CH.c.effective_cost_micros), func.sum(CH.c.list_cost_micros), func.count())
        .group_by(CH.c.charge_period_start, CH.c.service_name, CH.c.billing_currency)
        .order_by(CH.c.charge_period_start, CH.c.service_name, CH.c.billing_currency)
    ).all()


def test_the_daily_rollup_equals_a_group_by_of_the_charges_after_inserts_updates_and_deletes(cache):
    """Rule "Costs ▸ Daily rollup": cost_daily is the per-day, per-service, per-currency sum of the charges."""
    rng = random.Random(14)
    days = [dt.date(2026, 11, 1) + dt.timedelta(days=n) for n in range(5)]
    with cache.engine.begin() as conn:
        rows = [
            _charge(day, service, rng.randint(-5, 100) * 1_000_000, category, currency)
            for day in days for service in ("cdn", "firebase") for category in ("Usage", "Credit")
            for currency in ("USD", "EUR") if rng.random() < 0.8
        ]
        conn.execute(insert(CH), rows)
        conn.execute(update(CH).where(CH.c.service_name == "cdn").values(
            billed_cost_micros=CH.c.billed_cost_micros + 1, service_name="storage"))
        conn.execute(delete(CH).where(CH.c.charge_category == "Credit", CH.c.billing_currency == "EUR"))
        expected = _rollup_by_group_by(conn)
        actual = conn.execute(
            select(DAILY.c.day, DAILY.c.service_name, DAILY.c.billing_currency, DAILY.c.billed_cost_micros,
                   DAILY.c.effective_cost_micros, DAILY.c.list_cost_micros, DAILY.c.charges)
            .order_by(DAILY.c.day, DAILY.c.service_name, DAILY.c.billing_currency)
        ).all()
        assert actual == expected and len(actual) > 4
        conn.execute(delete(CH))
        assert conn.execute(select(func.count()).select_from(DAILY)).scalar_one() == 0  # no empty days left
