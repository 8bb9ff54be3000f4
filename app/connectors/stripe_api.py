"""Stripe through the official ``stripe`` package, with our own rate-limit handling.

``StripeClient.raw_request`` is used rather than the typed services: it goes
through the same requestor, authentication and error types, but hands back the
JSON as plain dicts, which we map to rows directly instead of building (and
then discarding) a ``StripeObject`` tree per customer.  That is most of what
keeps a 100,000-customer sync limited by the network.

``max_network_retries`` is 0 on purpose: the package would not retry a plain
429 anyway, and its own sleeps cannot be cancelled; ``call_with_retries``
handles 429, 5xx and dropped connections for every call, honouring
``Retry-After``.  Writes (``send``) carry an ``Idempotency-Key``, so retrying
one whose answer was lost applies it once: Stripe replays the first answer.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import requests
import stripe

from app.connectors.config import SyncConfig
from app.connectors.errors import Refused, Unauthorized, Unavailable
from app.connectors.http import RETRYABLE_STATUS, classify_exception, make_session
from app.connectors.retry import RetryableFailure, call_with_retries, parse_retry_after
from app.tasks import CancelToken

Obj = dict[str, Any]


@dataclass(frozen=True)
class StripePage:
    data: list[Obj]
    has_more: bool


class StripeSource:
    """Lists, retrieves and reads events from one Stripe account (or a Stripe-compatible server)."""

    def __init__(self, config: SyncConfig, cancel: CancelToken, session: requests.Session | None = None):
        self._config = config
        self._cancel = cancel
        self._session = session or make_session(user_agent=config.user_agent, verify_tls=config.verify_tls)
        http_client = stripe.RequestsClient(timeout=config.timeout, session=self._session)
        self._client = stripe.StripeClient(
            config.stripe_api_key,
            base_addresses={"api": config.stripe_api_base.rstrip("/")},
            max_network_retries=0,
            http_client=http_client,
        )

    def close(self) -> None:
        self._session.close()

    def list_page(self, path: str, params: dict[str, Any], starting_after: str | None) -> StripePage:
        """One page of a list endpoint (``/v1/customers``…), after the object ``starting_after``."""
        query = {**params, "limit": self._config.stripe_page_size}
        if starting_after:
            query["starting_after"] = starting_after
        body = self._get(path, query)
        return StripePage(list(body.get("data") or []), bool(body.get("has_more")))

    def retrieve(self, path: str, params: dict[str, Any] | None = None) -> Obj | None:
        """One object, or None when Stripe says it does not exist (deleted since)."""
        try:
            return self._get(path, params or {})
        except Refused as refused:
            if refused.status == 404:
                return None
            raise

    def send(self, method: str, path: str, payload: dict[str, Any], idempotency_key: str) -> Obj:
        """A write (``POST``, ``DELETE``) with its idempotency key; returns the object Stripe answers with."""
        return self._call(method.lower(), path, {**payload, "idempotency_key": idempotency_key})

    def post(self, path: str, params: dict[str, Any]) -> Obj:
        """A POST that changes nothing (a proration preview); retried like a read."""
        return self._call("post", path, params)

    def _get(self, path: str, params: dict[str, Any]) -> Obj:
        return self._call("get", path, params)

    def _call(self, method: str, path: str, params: dict[str, Any]) -> Obj:
        def attempt() -> Obj:
            try:
                response = self._client.raw_request(method, path, **params)
            except stripe.StripeError as exc:
                raise _classify(exc) from exc
            data = response.data
            if not isinstance(data, dict):
                raise RetryableFailure(Unavailable(f"unexpected answer from Stripe {path}"))
            return data

        return call_with_retries(attempt, self._config.retry, self._cancel, _give_up)


def _classify(exc: stripe.StripeError) -> Exception:
    if isinstance(exc, stripe.APIConnectionError):
        cause = exc.__cause__
        if isinstance(cause, requests.RequestException):
            return classify_exception(cause)
        return RetryableFailure(Unavailable(f"Stripe network error: {exc.user_message or exc}"))
    status = exc.http_status or 0
    message = exc.user_message or str(exc)
    if isinstance(exc, stripe.AuthenticationError | stripe.PermissionError) or status in (401, 403):
        return Unauthorized(f"Stripe: {message}")
    if status in RETRYABLE_STATUS or status < 400:  # < 400: a garbled or truncated body
        retry_after = parse_retry_after((exc.headers or {}).get("Retry-After")) if exc.headers else None
        return RetryableFailure(Unavailable(f"Stripe HTTP {status}: {message}"), retry_after)
    error = exc.error
    return Refused(
        status,
        f"Stripe: {message}",
        code=getattr(error, "code", None) if error else exc.code,
        field=getattr(error, "param", None) if error else None,
    )


def _give_up(error: Exception) -> Exception:
    return error if isinstance(error, Unavailable) else Unavailable(str(error))
