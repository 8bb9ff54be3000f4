"""List pages are read without the stripe package: the same request, and every answer understood the same way.

A canned server on 127.0.0.1 records what each request carried and answers
what the test asks for.  Each answer is read twice: as a list page (our own
read) and as a retrieve (through ``StripeClient.raw_request``), and the two
must agree -- on the data, and on the error each failure becomes.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler
from typing import Any, ClassVar
from urllib.parse import parse_qsl, urlsplit

import pytest
import stripe
from stripe._encode import _api_encode  # the package's own encoder: the oracle for ours

from app.connectors.config import SyncConfig
from app.connectors.errors import Refused, Unauthorized, Unavailable
from app.connectors.retry import RetryableFailure, RetryPolicy
from app.connectors.stripe_api import StripeSource, encoded
from app.tasks import CancelToken
from tests.support.network import serving

KEY = "sk_test_reads"
PAGE = {"object": "list", "data": [{"id": "cus_1", "object": "customer", "name": "Ada"}], "has_more": True}


def _error(message: str, **fields: str) -> bytes:
    return json.dumps({"error": {"message": message, "type": "invalid_request_error", **fields}}).encode()


# (status, headers, body) a test makes the server answer with.
ANSWERS: dict[str, tuple[int, dict[str, str], bytes]] = {
    "ok": (200, {"Content-Type": "application/json"}, json.dumps(PAGE).encode()),
    "refused": (400, {}, _error("No such expansion: data.discounts", code="parameter_invalid", param="expand")),
    "missing": (404, {}, _error("No such customer: 'cus_9'", code="resource_missing", param="id")),
    "bad_key": (401, {}, _error("Invalid API Key provided: sk_test_***ads")),
    "forbidden": (403, {}, _error("The key cannot read this")),
    "rate_limited": (429, {"Retry-After": "7"}, _error("Too many requests")),
    "proxy_page": (502, {"Content-Type": "text/html"}, b"<html>Bad Gateway</html>"),
    "garbled": (200, {"Content-Type": "application/json"}, b'{"object": "list", "da'),
    "not_an_object": (200, {"Content-Type": "application/json"}, b"[1, 2]"),
}


class _Canned(BaseHTTPRequestHandler):
    seen: ClassVar[list[tuple[str, dict[str, str], list[tuple[str, str]]]]] = []

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: the tests read what was recorded."""

    def do_GET(self) -> None:
        url = urlsplit(self.path)
        type(self).seen.append((url.path, dict(self.headers), parse_qsl(url.query)))
        status, headers, body = ANSWERS[url.path.rsplit("/", 1)[-1]]
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@contextmanager
def _server() -> Iterator[str]:
    _Canned.seen = []
    with serving(_Canned) as base:
        yield base


@pytest.fixture
def source() -> Iterator[StripeSource]:
    with _server() as base:
        config = SyncConfig(stripe_api_base=base, stripe_api_key=KEY, timeout=5, retry=RetryPolicy(attempts=1))
        reader = StripeSource(config, CancelToken())
        try:
            yield reader
        finally:
            reader.close()


def _outcome(call: Any) -> tuple[Any, ...]:
    try:
        return ("data", call())
    except (Refused, Unauthorized, Unavailable) as exc:
        return (type(exc).__name__, str(exc), getattr(exc, "status", None), getattr(exc, "code", None),
                getattr(exc, "field", None), getattr(exc, "offline", None))


PARAMS = [
    {"status": "all", "expand": ["data.discounts"]},
    {"expand": ["data.invoice_settings.default_payment_method"]},
    {"created": {"gte": 1780311164}},
    {"subscription": "sub_1", "livemode": False, "nothing": None},
    {"lines": [{"price": "price_1", "quantity": 2}, {"price": "price_2"}]},
]


@pytest.mark.parametrize("params", PARAMS)
def test_a_query_is_encoded_as_the_stripe_package_encodes_it(params: dict[str, Any]) -> None:
    assert list(encoded(params)) == list(_api_encode(params))


def test_a_list_page_is_asked_for_as_the_package_would_ask(source: StripeSource) -> None:
    source.list_page("/v1/x/ok", {"status": "all", "expand": ["data.discounts"]}, "sub_9")
    source.retrieve("/v1/x/ok", {"status": "all", "expand": ["data.discounts"], "limit": 100,
                                 "starting_after": "sub_9"})
    (ours_path, ours, ours_query), (theirs_path, theirs, theirs_query) = _Canned.seen
    assert ours_path == theirs_path == "/v1/x/ok"
    assert sorted(ours_query) == sorted(theirs_query)
    assert ("expand[0]", "data.discounts") in ours_query and ("limit", "100") in ours_query
    for header in ("Authorization", "Stripe-Version"):
        assert ours[header] == theirs[header], header
    assert ours["Authorization"] == f"Bearer {KEY}" and ours["Stripe-Version"] == stripe.api_version


def test_a_list_page_holds_plain_dicts(source: StripeSource) -> None:
    page = source.list_page("/v1/x/ok", {}, None)
    assert page.data == PAGE["data"] and page.has_more
    assert type(page.data[0]) is dict  # the package's answers are OrderedDicts


@pytest.mark.parametrize("answer", sorted(set(ANSWERS) - {"ok"}))
def test_every_failure_means_the_same_as_through_the_package(source: StripeSource, answer: str) -> None:
    ours = _outcome(lambda: source.list_page(f"/v1/x/{answer}", {}, None).data)
    theirs = _outcome(lambda: source.retrieve(f"/v1/x/{answer}"))
    if answer == "missing":  # a retrieve reads a 404 as "deleted since"; a list has no such meaning
        assert theirs == ("data", None)
        assert ours[:5] == ("Refused", "HTTP 404: Stripe: No such customer: 'cus_9' (field id)", 404,
                            "resource_missing", "id")
        return
    unreadable = {  # the package quotes the body it could not read; we say what we saw
        "proxy_page": "Stripe HTTP 502: Bad Gateway",
        "garbled": "unexpected answer from Stripe /v1/x/garbled",
        "not_an_object": "unexpected answer from Stripe /v1/x/not_an_object",
    }
    if answer in unreadable:
        assert ours == ("Unavailable", unreadable[answer], None, None, None, False)
        assert theirs[0] == "Unavailable" and theirs[5] is False
    else:
        assert ours == theirs
    expected = {
        "refused": "Refused", "bad_key": "Unauthorized", "forbidden": "Unauthorized", "rate_limited": "Unavailable",
        "proxy_page": "Unavailable", "garbled": "Unavailable", "not_an_object": "Unavailable",
    }
    assert ours[0] == expected[answer]


def test_a_rate_limit_carries_its_retry_after(source: StripeSource) -> None:
    with pytest.raises(RetryableFailure) as raised:
        source._read("/v1/x/rate_limited", {})
    assert raised.value.retry_after == 7.0
    assert "Stripe HTTP 429: Too many requests" in str(raised.value)


def test_nobody_listening_is_offline_at_once() -> None:
    with _server() as base:
        pass  # the port is closed again
    config = SyncConfig(stripe_api_base=base, stripe_api_key=KEY, timeout=5, retry=RetryPolicy(attempts=1))
    reader = StripeSource(config, CancelToken())
    try:
        with pytest.raises(Unavailable) as raised:
            reader.list_page("/v1/customers", {}, None)
    finally:
        reader.close()
    assert raised.value.offline
