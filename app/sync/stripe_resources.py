"""The Stripe objects sync pulls, parents first, and how each lands in the cache.

Subscriptions, invoices and charges reference customers through a foreign
key, so before a page of them is written, customers the cache has not seen yet
(created since the customers pass) are fetched first.  Subscriptions also own
their items: writing a subscription replaces its item set.  Customers are read
with their default payment method expanded (brand, last 4, expiry), and
subscriptions with their discounts; an object an event carries unexpanded is
fetched again with its expansion (``refetch``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from sqlalchemy import Connection, Table, bindparam, delete, select

from app.connectors import stripe_rows
from app.connectors.stripe_api import StripeSource
from app.store.changes import Changes
from app.store.limits import row_check
from app.store.schema import (
    Base,
    Charge,
    Coupon,
    Customer,
    Invoice,
    Price,
    Product,
    Refund,
    Subscription,
    SubscriptionItem,
)
from app.sync import quarantine, subscription_history
from app.sync.subscription_history import READ, Observation
from app.sync.writer import Row, store

Obj = dict[str, Any]
RowMaker = Callable[[Obj, dt.datetime], dict[str, Any]]
T = TypeVar("T")

_customers: Table = Customer.__table__
_items: Table = SubscriptionItem.__table__
CUSTOMERS_TABLE, ITEMS_TABLE, HISTORY_TABLE = _customers.name, _items.name, subscription_history.TABLE.name


@dataclass(frozen=True)
class StripeResource:
    """One list endpoint and the table it fills.

    ``object`` is Stripe's ``object`` field (how events name it); ``owned``
    restricts the rows this resource answers for in its table (prices and
    plans share one, and only recurring prices are plans).  ``companions``
    are the other tables its writes fill (a subscription's items and history):
    a first pass sets aside indexes on them too (``deferred_indexes``).
    """

    name: str
    object: str
    path: str
    table: Table
    to_row: RowMaker
    params: dict[str, Any] = field(default_factory=dict)
    owned: Callable[[Table], Any] | None = None
    needs_customers: bool = False
    # Expansions one object is retrieved with, and whether an event's copy lacks them (then it is fetched).
    retrieve_params: dict[str, Any] = field(default_factory=dict)
    unexpanded: Callable[[Obj], bool] = lambda _obj: False
    companions: tuple[str, ...] = ()

    @property
    def state_key(self) -> str:
        return f"stripe:{self.name}"

    @property
    def tables(self) -> tuple[str, ...]:
        """Every table a page of this resource writes rows of its own into."""
        return (self.table.name, *self.companions)

    def scope(self) -> Any:
        """The WHERE clause selecting the rows this resource owns (for the unseen-row sweep)."""
        return self.owned(self.table) if self.owned else None


def _table(model: type[Base]) -> Table:
    return model.__table__


def _discounts_unexpanded(sub: Obj) -> bool:
    discounts = sub.get("discounts") or []
    return bool(discounts) and not sub.get("discount") and all(isinstance(d, str) for d in discounts)


def _payment_method_unexpanded(customer: Obj) -> bool:
    return isinstance(stripe_rows.default_payment_method(customer), str)


_CARD = "invoice_settings.default_payment_method"


RESOURCES: tuple[StripeResource, ...] = (
    StripeResource("products", "product", "/v1/products", _table(Product), stripe_rows.product_row),
    StripeResource("prices", "price", "/v1/prices", _table(Price), stripe_rows.price_row),
    StripeResource(
        "plans", "plan", "/v1/plans", _table(Price), stripe_rows.plan_row, owned=lambda t: t.c.interval.is_not(None)
    ),
    StripeResource("coupons", "coupon", "/v1/coupons", _table(Coupon), stripe_rows.coupon_row),
    StripeResource(
        "customers", "customer", "/v1/customers", _table(Customer), stripe_rows.customer_row,
        params={"expand": [f"data.{_CARD}"]}, retrieve_params={"expand": [_CARD]},
        unexpanded=_payment_method_unexpanded,
    ),
    StripeResource(
        "subscriptions",
        "subscription",
        "/v1/subscriptions",
        _table(Subscription),
        stripe_rows.subscription_row,
        params={"status": "all", "expand": ["data.discounts"]},
        needs_customers=True,
        retrieve_params={"expand": ["discounts"]},
        unexpanded=_discounts_unexpanded,
        companions=(ITEMS_TABLE, HISTORY_TABLE),
    ),
    StripeResource(
        "invoices", "invoice", "/v1/invoices", _table(Invoice), stripe_rows.invoice_row, needs_customers=True
    ),
    StripeResource(
        "charges", "charge", "/v1/charges", _table(Charge), stripe_rows.charge_row, needs_customers=True
    ),
    StripeResource("refunds", "refund", "/v1/refunds", _table(Refund), stripe_rows.refund_row),
)

BY_OBJECT = {r.object: r for r in RESOURCES}


def written_tables(resource: StripeResource, ids: list[str]) -> Changes:
    """What writing objects ``ids`` of ``resource`` changed: their rows, customers fetched for them, items, history."""
    written = Changes.rows(resource.table.name, ids)
    if resource.needs_customers:
        written |= Changes.of(CUSTOMERS_TABLE)  # customers created since the customers pass may come along
    if resource.object == "subscription":
        written |= Changes.of(ITEMS_TABLE, HISTORY_TABLE)
    return written


def missing_customers(conn: Connection, objs: list[Obj]) -> set[str]:
    """Customer ids referenced by ``objs`` that the cache does not hold."""
    wanted = {stripe_rows.ref_id(o.get("customer")) for o in objs} - {None}
    if not wanted:
        return set()
    present = set(conn.execute(select(_customers.c.id).where(_customers.c.id.in_(wanted))).scalars())
    return {w for w in wanted if w is not None} - present


def fetch_customers(source: StripeSource, ids: set[str]) -> list[Obj]:
    """The customers ``ids`` as Stripe has them now (deleted ones are simply absent)."""
    found = (source.retrieve(f"/v1/customers/{cid}", {"expand": [_CARD]}) for cid in sorted(ids))
    return [c for c in found if c is not None and not c.get("deleted")]


def complete_items(source: StripeSource, sub: Obj) -> list[Obj]:
    """All items of a subscription (the embedded list stops at 10; page the rest)."""
    embedded = sub.get("items") or {}
    items = list(embedded.get("data") or [])
    has_more = bool(embedded.get("has_more"))
    while has_more:
        page = source.list_page("/v1/subscription_items", {"subscription": sub["id"]}, items[-1]["id"])
        items.extend(page.data)
        has_more = page.has_more
    return items


def write_objects(
    conn: Connection,
    resource: StripeResource,
    objs: list[Obj],
    now: dt.datetime,
    *,
    parents: Sequence[Obj] = (),
    orphans: frozenset[str] = frozenset(),
    items: dict[str, list[Obj]] | None = None,
    strict: tuple[type[Exception], ...] = (),
    observation: Observation | Mapping[str, Observation] = READ,
) -> None:
    """Write a page of one resource (or pages, in a row): the customers it needs first, the objects, their items.

    Subscriptions also record what changed in their history (``subscription_history``):
    ``observation`` says whether the page is an event (with its instant) or a read;
    events written together (each about another object) give one per object id.

    ``orphans`` are customers Stripe no longer has; objects of theirs are
    skipped (the cache cannot hold them, and Stripe deletes a deleted
    customer's subscriptions anyway).  Objects the cache cannot hold are
    skipped and quarantined under the resource; ``strict`` errors propagate
    instead (``app.sync.writer.store``).
    """
    rejected: dict[str, str] = {}
    if parents:
        store(conn, _customers, *_rows(stripe_rows.customer_row, _customers, parents, now, rejected, _own_id), rejected,
              strict=strict)
    if orphans:
        objs = [o for o in objs if stripe_rows.ref_id(o.get("customer")) not in orphans]
    rows, ids = _rows(resource.to_row, resource.table, objs, now, rejected, _own_id)
    tracked = resource.object == "subscription"
    catalog = subscription_history.prices(conn) if tracked else {}
    before = subscription_history.states_before(conn, ids, catalog) if tracked else {}
    store(conn, resource.table, rows, ids, rejected, strict=strict)
    stored = [i for i in ids if i not in rejected]
    item_rows = None if items is None else replace_items(conn, {i: items.get(i, []) for i in stored}, now, rejected,
                                                         strict, held=before.keys())
    if tracked:  # the state after the write: what the rows just written say, items read only when none came
        after = (subscription_history.cached_states(conn, stored, catalog) if item_rows is None else
                 subscription_history.states_of(_kept(rows, ids, rejected), item_rows, catalog))
        subscription_history.record(conn, before, after, observation, now)
    quarantine.clear(conn, resource.state_key, stored)
    quarantine.record(conn, resource.state_key, rejected)


def _kept(rows: Sequence[Row], ids: Sequence[str], rejected: dict[str, str]) -> list[Row]:
    """The ``rows`` (of source ids ``ids``) the cache stored: those not in ``rejected``."""
    return [row for row, row_id in zip(rows, ids, strict=True) if row_id not in rejected]


def _rows(
    to_row: Callable[[T, dt.datetime], Row], table: Table, objs: Sequence[T], now: dt.datetime,
    rejected: dict[str, str], source_id: Callable[[T], object],
) -> tuple[list[Row], list[str]]:
    """Rows of the objects that convert and fit ``table``; the others land in ``rejected`` under their ``source_id``."""
    check = row_check(table)
    rows: list[Row] = []
    ids: list[str] = []
    for obj in objs:
        obj_id = str(source_id(obj))
        try:
            rows.append(check(to_row(obj, now)))
        except quarantine.CONVERSION_ERRORS as exc:
            rejected[obj_id] = quarantine.conversion_refusal(exc)
            continue
        ids.append(obj_id)
    return rows, ids


def _own_id(obj: Obj) -> object:
    return obj.get("id")


Owned = tuple[str, Obj]  # a subscription item with its subscription's id


def _item_row(owned: Owned, now: dt.datetime) -> Row:
    return stripe_rows.subscription_item_row(owned[1], owned[0], now)


def _item_id(owned: Owned) -> object:
    return owned[1].get("id")


# Items of the page's subscriptions that the write just made did not touch are
# gone from Stripe: one statement a page (a statement per subscription cost a
# fifth of a 100k-customer sync).
_stale_items = delete(_items).where(
    _items.c.subscription_id.in_(bindparam("subscriptions", expanding=True)), _items.c.synced_at < bindparam("written")
)


def replace_items(
    conn: Connection,
    items_by_sub: dict[str, list[Obj]],
    now: dt.datetime,
    rejected: dict[str, str],
    strict: tuple[type[Exception], ...] = (),
    *,
    held: Collection[str],
) -> list[Row]:
    """Make each subscription's cached items exactly the given ones (upsert, then drop the untouched).

    ``held`` are the subscriptions the cache held before this write: only
    theirs can have items to drop (a foreign key, ON DELETE CASCADE, ties an
    item to its subscription), so a first sync deletes nothing and does not
    read the items' index by subscription, which it builds once at its end
    (``app.store.deferred_indexes``).  Returns the item rows stored (the
    subscriptions' items from now on).
    """
    if not items_by_sub:
        return []
    owned = [(sub_id, item) for sub_id, items in items_by_sub.items() for item in items]
    rows, ids = _rows(_item_row, _items, owned, now, rejected, _item_id)  # one call a page, not one a subscription
    store(conn, _items, rows, ids, rejected, strict=strict)
    if stale_among := [sub_id for sub_id in items_by_sub if sub_id in held]:
        conn.execute(_stale_items, {"subscriptions": stale_among, "written": now})
    return _kept(rows, ids, rejected)
