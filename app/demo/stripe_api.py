"""A subset of Stripe's API (``/v1/...``): what the stripe package syncs from, and the writes a console makes.

Lists behave like Stripe's: newest first, ``limit`` up to 100, cursors by
object id (``starting_after`` / ``ending_before``), ``has_more``, ``created``
range filters, subscriptions hiding canceled ones unless ``status=all``, and
events only for the last 30 days.  ``expand[]`` expands a customer's default
payment method (the one expansion the console asks for) and is otherwise
accepted and ignored.  Writes (``stripe_writes``) honour ``Idempotency-Key``
as Stripe does: the first answer is replayed for the same key and request;
the same key with other parameters is an ``idempotency_error``.
"""

from __future__ import annotations

import base64
import bisect
import hmac
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any

from app.demo import stripe_objects, stripe_writes
from app.demo.billing import Customer, Event
from app.demo.business import Business
from app.demo.catalog import COUPON_BY_ID, COUPONS, PRICE_BY_ID, PRICES, PRODUCT_BY_ID, PRODUCTS
from app.demo.idempotency import IdempotencyStore, KeyReused, fingerprint
from app.demo.messages import Request, Response, StripeError, json_response
from app.demo.stripe_objects import CATALOG_CREATED
from app.demo.wire import unix

Obj = dict[str, Any]
_CREATED_OPS: dict[str, Callable[[int, int], bool]] = {
    "created": int.__eq__, "created[gt]": int.__gt__, "created[gte]": int.__ge__,
    "created[lt]": int.__lt__, "created[lte]": int.__le__,
}


@dataclass(frozen=True)
class Collection:
    """One listable resource: its items oldest first, a lookup, a renderer and its filters."""

    name: str
    items: Sequence[Any]
    lookup: Callable[[str], Any | None]
    render: Callable[[Any], Obj]
    created: Callable[[Any], int]
    filters: dict[str, Callable[[Any, str], bool]]
    default_keep: Callable[[Any], bool] = lambda _: True
    order: Callable[[Any], tuple[int, Any]] | None = None  # how ``items`` is sorted; default (created, id)

    def key(self, obj: Any) -> tuple[int, Any]:
        return self.order(obj) if self.order else (self.created(obj), obj.id)


class StripeApi:
    """Answers Stripe-shaped requests against one business's billing."""

    def __init__(self, business: Business, api_key: str, idempotency: IdempotencyStore | None = None) -> None:
        self._business = business
        self._api_key = api_key
        self._idempotency = idempotency or IdempotencyStore()

    def handle(self, request: Request) -> Response:
        try:
            self._authenticate(request)
            write = stripe_writes.route(request.method, request.path)
            if write is not None:
                return self._write(request, *write)
            parts = request.path.strip("/").split("/")
            if request.method != "GET" or len(parts) not in (2, 3):
                raise StripeError(404, f"Unrecognized request URL ({request.method}: {request.path}). "
                                       "This demo serves a subset of the Stripe API.")
            expand = _expansions(request)
            with self._business.lock:
                collection = self._collection(parts[1], request.path)
                if len(parts) == 3:
                    return json_response(200, self._expand(self._retrieve(collection, parts[2]), expand))
                listed = self._list(collection, request)
                in_data = {path.removeprefix("data.") for path in expand}
                listed["data"] = [self._expand(obj, in_data) for obj in listed["data"]]
                return json_response(200, listed)
        except StripeError as error:
            return error.response()

    def _write(self, request: Request, write: stripe_writes.Write, object_id: str) -> Response:
        """Apply a write once per ``Idempotency-Key``: a replay gets the first answer, even a card decline."""
        params = stripe_writes.decode_form(request.body) if request.method == "POST" else {}
        params.pop("expand", None)
        key = request.header("Idempotency-Key")
        request_fingerprint = fingerprint(request.method, request.path, params)
        with self._business.lock:
            if key:
                try:
                    replayed = self._idempotency.replay(key, request_fingerprint)
                except KeyReused:
                    raise StripeError(
                        400, f"Keys for idempotent requests can only be used with the same parameters they were "
                             f"first used with. Try using a key other than '{key[:60]}' if you meant to execute a "
                             "different request.", type="idempotency_error") from None
                if replayed is not None:
                    return replayed
            business = self._business
            account = stripe_writes.Account(business.billing, business.payments, unix(business.clock.stamp()))
            try:
                response = json_response(200, write(account, object_id, params))
            except StripeError as error:
                if error.status != 402:  # a refusal before anything ran: the same key may be sent corrected
                    raise
                response = error.response()  # the card was charged and declined: Stripe keeps that answer
            if key:
                self._idempotency.remember(key, request_fingerprint, response)
            return response

    def _authenticate(self, request: Request) -> None:
        header = request.header("Authorization") or ""
        scheme, _, credential = header.partition(" ")
        if scheme.lower() == "basic":  # Stripe also takes the key as the basic-auth user name
            try:
                credential = base64.b64decode(credential, validate=True).decode(errors="replace").partition(":")[0]
            except ValueError:
                credential = ""
        elif scheme.lower() != "bearer":
            raise StripeError(401, "You did not provide an API key. Provide it in the Authorization header "
                                   "(i.e. Authorization: Bearer YOUR_SECRET_KEY).")
        if not hmac.compare_digest(credential.encode(), self._api_key.encode()):
            raise StripeError(401, f"Invalid API Key provided: {credential[:8]}****{credential[-4:]}")

    def _collection(self, name: str, path: str) -> Collection:
        factory = getattr(self, f"_{name}", None) if name in _COLLECTIONS else None
        if factory is None:
            raise StripeError(404, f"Unrecognized request URL (GET: {path}).")
        collection: Collection = factory()
        return collection

    def _customers(self) -> Collection:
        billing = self._business.billing
        return Collection("customer", billing.customers, _lookup(billing.by_id, "cus_"), stripe_objects.customer,
                          _by_created, {"email": lambda c, v: c.email == v})

    def _subscriptions(self) -> Collection:
        billing = self._business.billing
        return Collection(
            "subscription", billing.subscriptions, _lookup(billing.by_id, "sub_"), stripe_objects.subscription,
            _by_created,
            {"status": _status_filter, "customer": lambda s, v: s.customer == v, "price": lambda s, v: s.price_id == v},
            default_keep=lambda s: s.status != "canceled",  # Stripe hides canceled ones unless asked
        )

    def _expand(self, obj: Obj, paths: set[str]) -> Obj:
        """Expand a customer's ``invoice_settings.default_payment_method`` when asked (ids otherwise)."""
        if "invoice_settings.default_payment_method" not in paths or obj.get("object") != "customer":
            return obj
        customer = self._business.billing.by_id.get(obj["id"])
        if not isinstance(customer, Customer) or customer.deleted:
            return obj
        card = self._business.payments.card(customer.id)
        method = stripe_objects.payment_method(card, customer.id)
        return {**obj, "invoice_settings": {**obj["invoice_settings"], "default_payment_method": method}}

    def _charges(self) -> Collection:
        payments = self._business.payments
        return Collection(
            "charge", payments.charges, _lookup(payments.by_id, "ch_"), stripe_objects.charge, _by_created,
            {"customer": lambda c, v: c.customer == v, "payment_intent": lambda c, v: c.payment_intent == v},
        )

    def _refunds(self) -> Collection:
        payments = self._business.payments
        return Collection(
            "refund", payments.refunds, _lookup(payments.by_id, "re_"), stripe_objects.refund, _by_created,
            {"charge": lambda r, v: r.charge == v, "payment_intent": lambda r, v: r.payment_intent == v},
        )

    @staticmethod
    def _coupons() -> Collection:
        return Collection("coupon", _SORTED_COUPONS, COUPON_BY_ID.get, stripe_objects.coupon, _catalog_created, {})

    def _invoices(self) -> Collection:
        billing = self._business.billing
        return Collection(
            "invoice", billing.invoices, _lookup(billing.by_id, "in_"), stripe_objects.invoice, _by_created,
            {"customer": lambda i, v: i.customer == v, "subscription": lambda i, v: i.subscription == v,
             "status": lambda i, v: i.status == v},
        )

    def _events(self) -> Collection:
        billing, now = self._business.billing, self._business.clock.now()
        return Collection("event", billing.live_events(now), lambda i: billing.find_event(i, now),
                          stripe_objects.event, _by_created,
                          {"type": _type_filter, "types": lambda e, v: e.type in v.split(",")}, order=Event.order)

    @staticmethod
    def _products() -> Collection:
        return Collection("product", _SORTED_PRODUCTS, PRODUCT_BY_ID.get, stripe_objects.product, _catalog_created,
                          {"active": lambda _, v: v == "true"})

    @staticmethod
    def _prices() -> Collection:
        return Collection("price", _SORTED_PRICES, PRICE_BY_ID.get, stripe_objects.price, _catalog_created,
                          {"active": _active_filter, "product": lambda p, v: p.product_id == v,
                           "type": lambda _, v: v == "recurring"})

    @staticmethod
    def _plans() -> Collection:
        return Collection("plan", _SORTED_PRICES, PRICE_BY_ID.get, stripe_objects.plan, _catalog_created,
                          {"active": _active_filter, "product": lambda p, v: p.product_id == v})

    @staticmethod
    def _retrieve(collection: Collection, object_id: str) -> Obj:
        found = collection.lookup(object_id)
        if found is None:
            raise StripeError(404, f"No such {collection.name}: '{object_id}'", code="resource_missing", param="id")
        return collection.render(found)

    def _list(self, collection: Collection, request: Request) -> Obj:
        limit = request.param("limit") or "10"
        if not limit.isdigit() or not 1 <= int(limit) <= 100:
            raise StripeError(400, "Invalid integer: limit must be between 1 and 100", param="limit")
        keep = self._predicate(collection, request)
        items, key = collection.items, collection.key
        after, before = request.param("starting_after"), request.param("ending_before")
        if before:
            start = bisect.bisect_right(items, key(self._anchor(collection, before, "ending_before")), key=key)
            found, more = _walk(items, range(start, len(items)), keep, int(limit))
            found.reverse()
        else:
            end = len(items)
            if after:
                end = bisect.bisect_left(items, key(self._anchor(collection, after, "starting_after")), key=key)
            found, more = _walk(items, range(end - 1, -1, -1), keep, int(limit))
        return {"object": "list", "data": [collection.render(o) for o in found], "has_more": more,
                "url": f"/v1/{request.path.rsplit('/', 1)[-1]}"}

    @staticmethod
    def _anchor(collection: Collection, object_id: str, param: str) -> Any:
        found = collection.lookup(object_id)
        if found is None:
            raise StripeError(400, f"No such {collection.name}: '{object_id}'", code="resource_missing", param=param)
        return found

    @staticmethod
    def _predicate(collection: Collection, request: Request) -> Callable[[Any], bool]:
        checks: list[Callable[[Any], bool]] = []
        types = [v for name, values in request.query.items() if name.startswith("types[") for v in values]
        params = {name: request.param(name) or "" for name in request.query} | ({"types": ",".join(types)}
                                                                                 if types else {})
        if "status" not in params:
            checks.append(collection.default_keep)
        for name, value in params.items():
            if name in _CREATED_OPS:
                if not value.lstrip("-").isdigit():
                    raise StripeError(400, f"Invalid integer: {value}", param=name)
                op, bound = _CREATED_OPS[name], int(value)
                checks.append(partial(lambda o, op, bound: op(collection.created(o), bound), op=op, bound=bound))
            elif name in collection.filters:
                test = collection.filters[name]
                checks.append(partial(lambda o, test, value: test(o, value), test=test, value=value))
        return lambda o: all(check(o) for check in checks)


# Catalog entries share one creation time, so Stripe's order falls back to the id.
_SORTED_PRODUCTS = sorted(PRODUCTS, key=lambda p: p.id)
_SORTED_PRICES = sorted(PRICES, key=lambda p: p.id)
_SORTED_COUPONS = sorted(COUPONS, key=lambda c: c.id)
_COLLECTIONS = ("customers", "subscriptions", "invoices", "events", "products", "prices", "plans", "charges",
                "refunds", "coupons")


def _expansions(request: Request) -> set[str]:
    """The ``expand[]`` paths asked for (the stripe package sends ``expand[0]=…``)."""
    return {v for name, values in request.query.items() if name.startswith("expand") for v in values}


def _lookup(by_id: dict[str, Any], prefix: str) -> Callable[[str], Any | None]:
    return lambda object_id: by_id.get(object_id) if object_id.startswith(prefix) else None


def _by_created(obj: Any) -> int:
    created: int = obj.created
    return created


def _catalog_created(_: Any) -> int:
    return CATALOG_CREATED


def _active_filter(price: Any, value: str) -> bool:
    return (not price.legacy_plan) == (value == "true")


def _walk(items: Sequence[Any], indexes: range, keep: Callable[[Any], bool], limit: int) -> tuple[list[Any], bool]:
    found: list[Any] = []
    for i in indexes:
        if keep(items[i]):
            if len(found) == limit:
                return found, True
            found.append(items[i])
    return found, False


def _status_filter(subscription: Any, value: str) -> bool:
    if value == "all":
        return True
    return bool(subscription.status == ("canceled" if value == "ended" else value))


def _type_filter(event: Any, value: str) -> bool:
    if value.endswith("*"):
        return bool(event.type.startswith(value[:-1]))
    return bool(event.type == value)
