"""Injected faults: each kind behaves as documented, deterministically, and writes stay exactly-once."""

from __future__ import annotations

import contextlib
import json
import time

import pytest
import requests
import stripe

from app.demo.backend import DemoBackend
from app.demo.options import FAULT_KINDS, FaultOptions
from tests.app.demo.support import SMALL, OpsClient, event


@pytest.mark.parametrize(("fault", "status", "code", "retry_after"), [
    ("rate_limit", 429, "rate_limited", "1"), ("unavailable", 503, "unavailable", "1"),
    ("server_error", 500, "internal_error", None),
])
def test_refusals_use_the_ops_error_shape_and_retry_after(backend, ops, fault, status, code, retry_after):
    backend.faults.script(fault)
    response = ops.get("/v1/tickets")
    assert response.status_code == status and response.json()["error"]["code"] == code
    assert response.headers.get("Retry-After") == retry_after
    assert ops.get("/v1/tickets").status_code == 200


def test_a_write_refused_by_a_fault_is_not_applied(backend, ops):
    body = event()
    for fault in ("rate_limit", "server_error", "unavailable", "disconnect"):
        backend.faults.script(fault)
        with pytest.raises(requests.ConnectionError) if fault == "disconnect" else contextlib.nullcontext():
            assert ops.post("/v1/tickets/10001/events", body, key="w").status_code >= 429
        assert backend.applied_count("w") == 0
    assert ops.post("/v1/tickets/10001/events", body, key="w").status_code == 201
    assert backend.applied_count("w") == 1


@pytest.mark.parametrize("fault", ["cut_body", "bad_json"])
def test_a_write_whose_answer_is_lost_was_applied_and_replays_once(backend, ops, fault):
    body = event()
    backend.faults.script(fault)
    with pytest.raises((requests.ConnectionError, requests.exceptions.ChunkedEncodingError, json.JSONDecodeError)):
        ops.post("/v1/tickets/10001/events", body, key="lost").json()
    assert backend.applied_count("lost") == 1
    retried = ops.post("/v1/tickets/10001/events", body, key="lost")
    assert retried.status_code == 201 and retried.json()["id"] == body["id"]
    assert backend.applied_count("lost") == 1


def test_slow_answers_arrive_late_but_whole():
    with DemoBackend(**SMALL, faults=FaultOptions(slow_seconds=0.3)) as slow:
        slow.faults.script("slow")
        client = OpsClient(slow)
        started = time.perf_counter()
        assert client.get("/v1/services").status_code == 200
        assert time.perf_counter() - started >= 0.3
        client.session.close()


def test_the_fault_sequence_is_deterministic_for_a_seed():
    def sequence(seed: int) -> list[str | None]:
        injector = DemoBackend(**SMALL, faults=FaultOptions(rate=0.3, seed=seed)).faults
        return [injector.draw() for _ in range(200)]

    assert sequence(7) == sequence(7) != sequence(8)
    drawn = [f for f in sequence(7) if f]
    assert 30 < len(drawn) < 90 and set(drawn) == set(FAULT_KINDS)


def test_stripe_refusals_use_stripe_shape_and_the_client_retries(backend):
    backend.faults.script("rate_limit")
    raw = requests.get(backend.stripe_api_base + "/v1/customers",
                       headers={"Authorization": f"Bearer {backend.stripe_api_key}"}, timeout=5)
    assert raw.status_code == 429
    assert raw.json()["error"] == {"type": "invalid_request_error", "code": "rate_limit",
                                   "message": "Too many requests; retry after the given delay."}
    backend.faults.script("unavailable", "server_error")
    client = stripe.StripeClient(backend.stripe_api_key, base_addresses={"api": backend.stripe_api_base},
                                 max_network_retries=3)
    assert len(client.v1.customers.list(params={"limit": 3}).data) == 3
    assert backend.faults.injected["server_error"] == 1

