"""``DemoBackend``: the generated business served on a loopback port, for the app, tests and benchmarks.

One server answers both APIs: the Ops API under ``/api/v1`` and the Stripe
subset under ``/v1`` (so ``stripe.StripeClient(key, base_addresses={"api":
backend.stripe_api_base})`` works), plus ``/health/<service>`` probe targets
that the generated services point at, so a demo never probes the internet.

    with DemoBackend(customers=100, tickets=500, now=some_time) as backend:
        requests.get(backend.ops_api_url + "/v1/me", headers=...)
"""

from __future__ import annotations

import dataclasses
import secrets
import threading
import time
from types import TracebackType
from typing import Any

from app.demo.business import OPS_RESOURCES, Business
from app.demo.clock import Clock
from app.demo.faults import FaultInjector
from app.demo.httpd import DemoHTTPServer
from app.demo.idempotency import IdempotencyStore
from app.demo.messages import OpsError, Request, Response, json_response
from app.demo.ops_api import OpsApi
from app.demo.options import DemoOptions
from app.demo.stripe_api import StripeApi


class DemoBackend:
    """Build with ``DemoOptions`` and/or its fields as keywords; ``start()`` binds and serves."""

    def __init__(self, options: DemoOptions | None = None, **fields: Any) -> None:
        self.options = dataclasses.replace(options or DemoOptions(), **fields)
        self.clock = Clock(self.options.now)
        self.business = Business(self.options.seed, self.options.customers, self.options.tickets, self.clock,
                                 health_days=self.options.health_days, outage_tickets=self.options.outage_tickets)
        self.idempotency = IdempotencyStore()
        self.faults = FaultInjector(self.options.faults)
        self.ops_api_token = self.options.ops_api_token or "demo_" + secrets.token_urlsafe(24)
        self.stripe_api_key = self.options.stripe_api_key or "sk_test_demo" + secrets.token_hex(12)
        self._ops = OpsApi(self.business, self.ops_api_token, self.options.role, self.idempotency,
                           lambda: self.base_url)
        self._stripe = StripeApi(self.business, self.stripe_api_key, self.idempotency)
        self._server: DemoHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # ------------------------------------------------------------------ lifecycle

    def start(self) -> DemoBackend:
        if self._server is None:
            self._server = DemoHTTPServer(self.options.port, self.respond, self.faults)
            self._thread = threading.Thread(
                target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, name="demo-backend", daemon=True
            )
            self._thread.start()
        return self

    def stop(self) -> None:
        server, thread, self._server, self._thread = self._server, self._thread, None, None
        if server is not None and thread is not None:
            server.close()
            thread.join()

    def __enter__(self) -> DemoBackend:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()

    def generate(self) -> float:
        """Generate every resource now instead of on first request; returns the seconds it took."""
        started = time.perf_counter()
        for resource in OPS_RESOURCES:
            self.business.feed(resource)
        return time.perf_counter() - started

    # ------------------------------------------------------------------ addresses

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("the demo backend is not running; call start() first")
        return self._server.server_address[1]

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ops_api_url(self) -> str:
        """The Ops API base; resource paths start with ``/v1/`` below it."""
        return f"{self.base_url}/api"

    @property
    def stripe_api_base(self) -> str:
        return self.base_url

    # ------------------------------------------------------------------ answering

    def respond(self, request: Request) -> Response:
        """Route one request (the HTTP layer calls this; tests may too, without sockets)."""
        if request.path.startswith("/api/"):
            return self._ops.handle(request)
        if request.path.startswith("/v1/"):
            return self._stripe.handle(request)
        if request.path.startswith("/health/"):
            return self._probe(request.path.removeprefix("/health/"))
        return OpsError(404, "not_found", f"no such endpoint: {request.path}").response()

    def _probe(self, service_id: str) -> Response:
        check = self.business.health.probe(service_id, self.clock.now())
        if check is None:
            return OpsError(404, "not_found", f"no service {service_id}").response()
        return json_response(check["status_code"] or 503, {"service": service_id, "ok": check["ok"],
                                                           "error": check["error"]})

    def applied_count(self, idempotency_key: str) -> int:
        """How many times the write sent with this key was really applied (exactly-once means 1)."""
        return self.idempotency.applied_count(idempotency_key)
