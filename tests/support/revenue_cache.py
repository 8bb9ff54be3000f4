"""A big billing cache, as sync leaves it, from the demo generator: for the revenue benchmark and scale checks.

The demo backend's ``Billing`` generates the business (two years of
subscriptions and invoices for N customers); its Stripe objects are turned
into rows by sync's own converters and written with Core executemany, and the
subscription history is recorded by sync's own code (``subscription_history``:
pasts rebuilt at first sight, then dated by invoices) -- what a first sync
would store, without paging 100,000 customers through HTTP.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from sqlalchemy import Table, insert

from app.connectors import stripe_rows
from app.demo import stripe_objects
from app.demo.billing import Billing
from app.demo.catalog import PRICES
from app.store.database import open_cache
from app.store.schema import Customer, Invoice, Price, Subscription, SubscriptionItem
from app.sync import subscription_history

_CHUNK = 5_000


def _write(conn: Any, table: Table, rows: Iterable[dict[str, Any]]) -> None:
    batch: list[dict[str, Any]] = []
    for row in rows:
        batch.append(row)
        if len(batch) == _CHUNK:
            conn.execute(insert(table), batch)
            batch = []
    if batch:
        conn.execute(insert(table), batch)


def _rows(objects: Iterable[Any], render: Callable[[Any], dict[str, Any]],
          convert: Callable[[dict[str, Any], dt.datetime], dict[str, Any]], now: dt.datetime
          ) -> Iterable[dict[str, Any]]:
    return (convert(render(o), now) for o in objects)


def make_revenue_cache(path: Path, customers: int, now: dt.datetime, seed: int = 1) -> Path:
    """Write a cache of ``customers`` generated customers at ``path`` (overwritten); returns the path."""
    path.unlink(missing_ok=True)
    billing = Billing(seed, customers, now, stripe_objects.render)
    cache = open_cache(path)
    try:
        with cache.engine.begin() as conn:
            _write(conn, Price.__table__, (stripe_rows.price_row(stripe_objects.price(p), now) for p in PRICES))
            _write(conn, Customer.__table__,
                   _rows(billing.customers, stripe_objects.customer, stripe_rows.customer_row, now))
            subs = [stripe_objects.subscription(s) for s in billing.subscriptions]
            _write(conn, Subscription.__table__, (stripe_rows.subscription_row(s, now) for s in subs))
            _write(conn, SubscriptionItem.__table__, (stripe_rows.subscription_item_row(i, s["id"], now)
                                                      for s in subs for i in s["items"]["data"]))
            _write(conn, Invoice.__table__, _rows(billing.invoices, stripe_objects.invoice, stripe_rows.invoice_row,
                                                  now))
        with cache.engine.begin() as conn:
            catalog = subscription_history.prices(conn)
            ids = [s["id"] for s in subs]
            for start in range(0, len(ids), 500):
                written = subscription_history.cached_states(conn, ids[start:start + 500], catalog)
                subscription_history.record(conn, {}, written, subscription_history.READ, now)
            subscription_history.refine(conn)
    finally:
        cache.dispose()
    return path
