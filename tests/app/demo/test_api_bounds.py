"""The reference API refuses with a 4xx in the JSON error shape whatever it cannot store, and says so in its spec.

Edge dates (year 1 or 9999 with an offset that leaves the calendar in UTC),
numbers past the documented bounds, text that is blank or too long, methods
it does not serve (405 with ``Allow``, never ``http.server``'s HTML page),
and the empty values the spec allows (``cursor=``).
"""

from __future__ import annotations

import json
import re
import socket
import uuid

import pytest
import requests

from app.demo import ops_writes
from app.demo.httpd import MAX_BODY_BYTES
from app.demo.ops_api import MAX_KEY_CHARS
from app.demo.wire import FIRST_YEAR, LAST_YEAR
from tests.app.demo.support import LICENSE, event
from tests.support.repo import ROOT

SPEC = json.loads((ROOT / "docs" / "ops-api.json").read_text(encoding="utf-8"))
EDGE_TIMES = ["0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-01:00", "2026-02-30T10:00:00Z",
              "2026-03-02T12:00:00", "2026-03-02T12:00:00+05:99", "1899-12-31T23:59:59Z"]


def _error(response: requests.Response, status: int) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["Content-Type"].startswith("application/json")
    return response.json()["error"]


@pytest.mark.parametrize("value", EDGE_TIMES)
def test_times_it_cannot_store_are_refused_in_bodies_and_in_updated_since(ops, value):
    assert _error(ops.post("/v1/tickets/10001/events", event(created_at=value), key=str(uuid.uuid4())),
                  422)["field"] == "created_at"
    assert _error(ops.post("/v1/licenses", {**LICENSE, "expires_at": value}, key=str(uuid.uuid4())),
                  422)["field"] == "expires_at"
    assert _error(ops.get("/v1/tickets", updated_since=value), 400)["field"] == "updated_since"


def test_the_edges_of_the_time_bounds_are_accepted(ops):
    for value in (f"{FIRST_YEAR}-01-01T00:00:00+14:00", f"{LAST_YEAR}-12-31T23:59:59-12:00"):
        assert ops.get("/v1/licenses", updated_since=value).status_code == 200


@pytest.mark.parametrize(("changes", "field"), [
    ({"seats": 2**70}, "seats"), ({"seats": ops_writes.MAX_SEATS + 1}, "seats"), ({"seats": 0}, "seats"),
    ({"grace_days": ops_writes.MAX_GRACE_DAYS + 1}, "grace_days"), ({"seats": "5"}, "seats"),
    ({"key_id": "x" * (ops_writes.ID_CHARS + 1)}, "key_id"), ({"product": "\u2003\t"}, "product"),
    ({"features": ["ok"] * (ops_writes.MAX_FEATURES + 1)}, "features"), ({"updated_at": "soon"}, "updated_at"),
])
def test_license_values_past_the_bounds_are_422(ops, changes, field):
    assert _error(ops.post("/v1/licenses", {**LICENSE, **changes}, key=str(uuid.uuid4())), 422)["field"] == field


def test_numbers_at_the_bounds_and_integral_floats_are_stored(ops):
    body = {**LICENSE, "id": str(uuid.uuid4()), "seats": float(ops_writes.MAX_SEATS), "grace_days": 3650}
    response = ops.post("/v1/licenses", body, key=str(uuid.uuid4()))
    assert response.status_code == 201 and response.json()["seats"] == ops_writes.MAX_SEATS


def test_text_json_carries_but_utf8_cannot_is_400_not_a_poisoned_feed(ops):
    raw = json.dumps(event(body="half a pair \ud800")).encode()  # a lone surrogate, as \\ud800
    response = ops.session.post(ops.base + "/v1/tickets/10001/events", data=raw,
                                headers={"Idempotency-Key": "k-lone", "Content-Type": "application/json"})
    assert _error(response, 400)["code"] == "invalid_json"
    assert ops.get("/v1/ticket_events", limit=1000).status_code == 200


def test_empty_cursor_is_the_first_page_and_empty_or_long_keys_are_refused(ops):
    assert ops.get("/v1/services", cursor="").json() == ops.get("/v1/services").json()
    assert _error(ops.post("/v1/licenses", LICENSE, key=""), 400)["code"] == "idempotency_key_required"
    assert _error(ops.post("/v1/licenses", LICENSE, key="k" * (MAX_KEY_CHARS + 1)), 400)["field"] == "Idempotency-Key"


@pytest.mark.parametrize("method", ["TRACE", "PUT", "DELETE", "PATCH", "QUERY", "OPTIONS"])
def test_undeclared_methods_are_405_in_json_with_allow(ops, method):
    response = ops.session.request(method, ops.base + "/v1/licenses")
    assert _error(response, 405)["code"] == "method_not_allowed"
    assert response.headers["Allow"] == "GET, POST"
    assert ops.session.request(method, ops.base + "/v1/me").headers["Allow"] == "GET"


def test_head_answers_headers_only_and_the_connection_stays_usable(ops):
    head = ops.session.head(ops.base + "/v1/me")
    assert head.status_code == 405 and head.content == b"" and head.headers["Allow"] == "GET"
    assert ops.get("/v1/me").status_code == 200  # no stray body was left on the kept-alive connection


def test_requests_http_server_refuses_itself_are_json_too(backend):
    with socket.create_connection(("127.0.0.1", backend.port), timeout=5) as conn:
        conn.sendall(b"GARBAGE\r\n\r\n")
        answer = b"".join(iter(lambda: conn.recv(65536), b"")).decode()  # until the server closes
    assert answer.startswith("HTTP/1.1 400") and '"error"' in answer and "<html" not in answer.lower()
    response = requests.post(backend.ops_api_url + "/v1/licenses", data=b"x" * (MAX_BODY_BYTES + 1), timeout=10,
                             headers={"Authorization": f"Bearer {backend.ops_api_token}", "Idempotency-Key": "big"})
    assert _error(response, 413)["code"] == "bad_request"


def test_the_spec_states_the_servers_bounds():
    schemas = SPEC["components"]["schemas"]
    new_license = schemas["NewLicense"]["properties"]
    assert new_license["seats"]["maximum"] == ops_writes.MAX_SEATS
    assert new_license["grace_days"]["maximum"] == ops_writes.MAX_GRACE_DAYS
    assert new_license["key_id"]["maxLength"] == ops_writes.ID_CHARS
    assert new_license["product"]["maxLength"] == ops_writes.NAME_CHARS
    assert new_license["license_text"]["maxLength"] == ops_writes.TEXT_CHARS
    assert new_license["features"]["maxItems"] == ops_writes.MAX_FEATURES
    assert SPEC["components"]["parameters"]["IdempotencyKey"]["schema"]["maxLength"] == MAX_KEY_CHARS
    years = schemas["Timestamp"]["pattern"]
    assert [bool(re.match(years, f"{y:04d}-")) for y in (FIRST_YEAR - 1, FIRST_YEAR, LAST_YEAR, LAST_YEAR + 1)] == [
        False, True, True, False]
