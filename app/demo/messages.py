"""The request and response values the API modules exchange with the HTTP server.

Keeping them plain lets ``ops_api`` and ``stripe_api`` be called directly in
unit tests and keeps ``http.server`` details in ``httpd`` alone.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from app.demo.wire import dumps


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]  # lower-cased names
    body: bytes = b""

    def param(self, name: str) -> str | None:
        values = self.query.get(name)
        return values[-1] if values else None

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())


@dataclass(frozen=True)
class Response:
    status: int
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)


def json_response(status: int, payload: Any, headers: dict[str, str] | None = None) -> Response:
    return Response(status, dumps(payload), {"Content-Type": "application/json; charset=utf-8", **(headers or {})})


class OpsError(Exception):
    """An Ops API refusal; rendered as ``{"error": {"code", "message", "field"?}}``."""

    def __init__(self, status: int, code: str, message: str, field: str | None = None,
                 headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.field = status, code, message, field
        self.headers = headers or {}

    def response(self) -> Response:
        error = {"code": self.code, "message": self.message}
        if self.field is not None:
            error["field"] = self.field
        return json_response(self.status, {"error": error}, self.headers)


class StripeError(Exception):
    """A Stripe-shaped refusal: ``{"error": {"type", "message", "code"?, "param"?}}``."""

    def __init__(self, status: int, message: str, *, type: str = "invalid_request_error",
                 code: str | None = None, param: str | None = None) -> None:
        super().__init__(message)
        self.status, self.message, self.type, self.code, self.param = status, message, type, code, param

    def response(self) -> Response:
        error = {"type": self.type, "message": self.message}
        error.update({k: v for k, v in (("code", self.code), ("param", self.param)) if v is not None})
        return json_response(self.status, {"error": error})
