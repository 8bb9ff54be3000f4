"""What the tests that sync from the demo backend share: a fixed now, quick retries, a config, a snapshot."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, select

from app.connectors.config import SyncConfig
from app.connectors.retry import RetryPolicy
from app.demo.backend import DemoBackend
from app.store.schema import (
    AccessGrant,
    Budget,
    Charge,
    CostCharge,
    Coupon,
    Customer,
    CustomerUsage,
    FeatureFlag,
    HealthCheck,
    Incident,
    IncidentUpdate,
    Invoice,
    License,
    Price,
    ProcessingFailure,
    Product,
    Refund,
    Service,
    Subscription,
    SubscriptionItem,
    Ticket,
    TicketEvent,
    UsageDaily,
)

# A fixed "now" makes two backends built from the same seed serve the same business.
NOW = dt.datetime(2026, 6, 1, 12, 0, 0)

# Quick retries keep the fault tests short; attempts stay high enough that a
# 20 % fault rate never exhausts them (0.2 ** 8 per request).
FAST_RETRY = RetryPolicy(attempts=8, base_delay=0.005, max_delay=0.05, retry_after_cap=0.2)

SYNCED_MODELS = (
    Product, Price, Coupon, Customer, Subscription, SubscriptionItem, Invoice, Charge, Refund,
    Service, Incident, IncidentUpdate, Ticket, TicketEvent, License,
    HealthCheck, CostCharge, Budget, UsageDaily, FeatureFlag, AccessGrant, CustomerUsage, ProcessingFailure,
)
# Columns that say when or in which order *this* cache heard a fact, not the fact.
LOCAL_ONLY = {"synced_at", "imported_at"}
SURROGATE = {HealthCheck: "id", CostCharge: "id"}  # database-assigned ids
_LOOPBACK = re.compile(r"http://127\.0\.0\.1:\d+")


def config_for(backend: DemoBackend, **changes: Any) -> SyncConfig:
    config = SyncConfig(
        ops_api_url=backend.ops_api_url,
        ops_api_token=backend.ops_api_token,
        stripe_api_base=backend.stripe_api_base,
        stripe_api_key=backend.stripe_api_key,
        timeout=10,
        retry=FAST_RETRY,
    )
    return dataclasses.replace(config, **changes)


def _portless(value: Any) -> Any:
    """Probe URLs name the serving backend's port, which differs between two backends."""
    return _LOOPBACK.sub("http://127.0.0.1:PORT", value) if isinstance(value, str) else value


def reference_snapshot(path: Path, **size: Any) -> dict[str, list[tuple[Any, ...]]]:
    """The cache (at ``path``) an uninterrupted, fault-free sync of a demo business of ``size`` produces."""
    from app.store.database import open_cache
    from app.sync.engine import SyncEngine

    cache = open_cache(path)
    try:
        with DemoBackend(**size) as backend:
            assert SyncEngine(cache.engine, config_for(backend)).run_once().ok
        return snapshot(cache.engine)
    finally:
        cache.dispose()


def snapshot(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    """Every synced table's rows (without local bookkeeping columns), sorted, for comparison."""
    tables: dict[str, list[tuple[Any, ...]]] = {}
    with engine.connect() as conn:
        for model in SYNCED_MODELS:
            table = model.__table__
            skip = LOCAL_ONLY | {SURROGATE.get(model, "")}
            columns = [c for c in table.columns if c.name not in skip]
            rows = conn.execute(select(*columns)).all()
            tables[table.name] = sorted((tuple(_portless(v) for v in r) for r in rows), key=repr)
    return tables
