"""The Ops API (``/api/v1/...``): bearer auth, ``/me``, change-feed lists and idempotent writes.

Routes are declared once in ``ROUTES``; the OpenAPI test compares them with
``docs/ops-api.json`` so the document and the server cannot drift apart.
"""

from __future__ import annotations

import hmac
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from app.demo import ops_writes
from app.demo.business import OPS_RESOURCES, Business
from app.demo.feed import Row, decode_cursor, encode_cursor, row_key
from app.demo.idempotency import IdempotencyStore, KeyReused, fingerprint
from app.demo.messages import OpsError, Request, Response, json_response
from app.demo.wire import EPOCH, dumps, from_micros, parse_iso

PREFIX = "/api/v1"
DEFAULT_LIMIT, MAX_LIMIT = 500, 1_000
MAX_KEY_CHARS = 255  # Idempotency-Key
DEMO_USER = {"id": "usr_demo", "name": "Demo Operator", "email": "operator@demo.example"}

WRITES: dict[str, ops_writes.Write] = {
    "/tickets/{id}/events": ops_writes.post_ticket_event,
    "/incidents": ops_writes.post_incident,
    "/incidents/{id}/updates": ops_writes.post_incident_update,
    "/incidents/{id}/acknowledge": ops_writes.post_incident_acknowledge,
    "/incidents/{id}/postmortem": ops_writes.post_postmortem,
    "/licenses": ops_writes.post_license,
    "/licenses/{id}/revoke": ops_writes.post_license_revoke,
    "/activations": ops_writes.post_activation,
    "/access_grants": ops_writes.post_access_grant,
    "/access_grants/{id}/revoke": ops_writes.post_access_revoke,
}


@dataclass(frozen=True)
class Route:
    method: str
    template: str  # below PREFIX, with {id} placeholders

    @property
    def pattern(self) -> re.Pattern[str]:
        return re.compile("^" + re.escape(self.template).replace(r"\{id\}", "(?P<id>[^/]+)") + "$")


ROUTES = (
    Route("GET", "/me"),
    *(Route("GET", f"/{resource}") for resource in OPS_RESOURCES),
    *(Route("POST", template) for template in WRITES),
)


class OpsApi:
    """Answers Ops API requests against one business."""

    def __init__(self, business: Business, token: str, role: str, idempotency: IdempotencyStore,
                 public_base: Callable[[], str]) -> None:
        self._business = business
        self._token = token
        self._role = role
        self._idempotency = idempotency
        self._public_base = public_base

    def handle(self, request: Request) -> Response:
        try:
            self._authenticate(request)
            route, path_id = self._route(request)
            if route.method == "POST":
                return self._write(request, route, path_id)
            if route.template == "/me":
                return json_response(200, {"user": DEMO_USER, "role": self._role})
            return self._list(request, route.template[1:])
        except OpsError as error:
            return error.response()

    def _authenticate(self, request: Request) -> None:
        given = request.header("Authorization") or ""
        if not hmac.compare_digest(given.encode(), f"Bearer {self._token}".encode()):
            raise OpsError(401, "unauthorized", "missing or invalid bearer token")

    @staticmethod
    def _route(request: Request) -> tuple[Route, str | None]:
        path = request.path[len(PREFIX):]
        matches = [(r, m) for r in ROUTES if (m := r.pattern.match(path))]
        for route, match in matches:
            if route.method == request.method:
                return route, match.groupdict().get("id")
        if matches:
            allowed = ", ".join(sorted({route.method for route, _ in matches}))
            raise OpsError(405, "method_not_allowed", f"{request.method} is not allowed on {request.path}; "
                           f"allowed: {allowed}", headers={"Allow": allowed})
        raise OpsError(404, "not_found", f"no such endpoint: {request.path}")

    # ------------------------------------------------------------------ lists

    def _list(self, request: Request, resource: str) -> Response:
        limit = self._limit(request.param("limit"))
        since, after = None, None
        if (text := request.param("updated_since")) is not None:
            try:
                since = parse_iso(text)
            except ValueError as exc:
                raise OpsError(400, "invalid_parameter", f"updated_since must be an RFC 3339 timestamp ({exc})",
                               "updated_since") from None
        if cursor := request.param("cursor"):  # empty (``cursor=``) is no cursor: the first page
            try:
                after = decode_cursor(resource, cursor)
            except ValueError as exc:
                raise OpsError(400, "invalid_cursor", f"not a cursor of this list: {exc}", "cursor") from None
        with self._business.lock:
            self._business.refresh()
            try:
                rows, more = self._business.feed(resource).page(since, after, limit)
            except TypeError:  # a forged cursor whose id type does not compare with this resource's ids
                raise OpsError(400, "invalid_cursor", "not a cursor of this list", "cursor") from None
        if rows:
            watermark = rows[-1]["updated_at"]
        elif after:
            watermark = from_micros(after[0])
        else:
            watermark = since or EPOCH
        return json_response(200, {
            "data": [self._present(resource, row) for row in rows],
            "next_cursor": encode_cursor(resource, row_key(rows[-1])) if more else None,
            "watermark": watermark,
        })

    @staticmethod
    def _limit(text: str | None) -> int:
        if text is None:
            return DEFAULT_LIMIT
        if not text.isdigit() or not 1 <= int(text) <= MAX_LIMIT:
            raise OpsError(400, "invalid_parameter", f"limit must be an integer from 1 to {MAX_LIMIT}", "limit")
        return int(text)

    def _present(self, resource: str, row: Row) -> Row:
        """Probe URLs are stored as paths on this server; clients need them absolute."""
        if resource == "services" and str(row.get("url", "")).startswith("/"):
            return {**row, "url": self._public_base() + row["url"]}
        return row

    # ------------------------------------------------------------------ writes

    def _write(self, request: Request, route: Route, path_id: str | None) -> Response:
        key = request.header("Idempotency-Key")
        if not key:
            raise OpsError(400, "idempotency_key_required", "writes need an Idempotency-Key header",
                           "Idempotency-Key")
        if len(key) > MAX_KEY_CHARS:
            raise OpsError(400, "invalid_idempotency_key",
                           f"an Idempotency-Key is at most {MAX_KEY_CHARS} characters", "Idempotency-Key")
        try:
            body: Any = json.loads(request.body or b"null")
            dumps(body)  # text JSON can carry but UTF-8 cannot (a lone surrogate) would fail every later read
        except ValueError:
            raise OpsError(400, "invalid_json", "the request body is not valid JSON in UTF-8") from None
        request_fingerprint = fingerprint(request.method, request.path, body)
        with self._business.lock:
            try:
                replayed = self._idempotency.replay(key, request_fingerprint)
            except KeyReused:
                raise OpsError(409, "idempotency_key_reused",
                               "this Idempotency-Key was already used for a different request",
                               "Idempotency-Key") from None
            if replayed is not None:
                return replayed
            status, row = WRITES[route.template](self._business, path_id or "", body)
            response = json_response(status, row)
            self._idempotency.remember(key, request_fingerprint, response)
            return response
