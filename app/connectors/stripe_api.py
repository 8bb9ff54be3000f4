"""Stripe through the official ``stripe`` package, with our own rate-limit handling.

``StripeClient.raw_request`` is used rather than the typed services: it goes
through the same requestor, authentication and error types, but hands back the
JSON as plain dicts, which we map to rows directly instead of building (and
then discarding) a ``StripeObject`` tree per customer.

List pages -- nearly every byte a sync reads -- are read on the same session
without the package (``_read``), with the key and the package's pinned API
version, so their answers are the same bytes.  The package decodes every
answer with ``object_pairs_hook=OrderedDict``: at 50,000 customers that made
our fetching take twice the CPU of ``requests`` alone fetching the same pages
(6.6-7.1 s of CPU against 3.0-3.2 s), and the sync's writer waits for it.
Their errors are classified by the same rules (``_answer_error``).  Their
bodies are decoded by ``orjson``: the thread fetching pages holds the
interpreter lock while it decodes one, and the writer waits for the lock
whenever SQLite hands it back.  A page of 100 subscriptions decodes in
0.45 ms instead of 0.90 ms, a page of 100 events in 0.63 ms instead of
1.26 ms; replaying 2,000 events then took 0.241-0.251 s instead of
0.243-0.259 s (three series of six, alternating).  A body is read in one
piece (``iter_content(None)``), not in the 10 KB chunks ``Response.content``
reads, each of which lets go of the interpreter lock and takes it back: a
page of 100 subscriptions took 1.31-1.38 ms of CPU to fetch and decode
instead of 1.44-1.45 ms (three runs of 220 pages each).

``max_network_retries`` is 0 on purpose: the package would not retry a plain
429 anyway, and its own sleeps cannot be cancelled; ``call_with_retries``
handles 429, 5xx and dropped connections for every call, honouring
``Retry-After``.  Writes (``send``) carry an ``Idempotency-Key``, so retrying
one whose answer was lost applies it once: Stripe replays the first answer.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import partial
from typing import Any

import orjson
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
        self._base = config.stripe_api_base.rstrip("/")
        self._headers = {"Authorization": f"Bearer {config.stripe_api_key}", "Stripe-Version": stripe.api_version}

    def close(self) -> None:
        self._session.close()

    def list_page(self, path: str, params: dict[str, Any], starting_after: str | None) -> StripePage:
        """One page of a list endpoint (``/v1/customers``…), after the object ``starting_after``."""
        query = {**params, "limit": self._config.stripe_page_size}
        if starting_after:
            query["starting_after"] = starting_after
        body = call_with_retries(partial(self._read, path, query), self._config.retry, self._cancel, _give_up)
        return StripePage(list(body.get("data") or []), bool(body.get("has_more")))

    def retrieve(self, path: str, params: dict[str, Any] | None = None) -> Obj | None:
        """One object, or None when Stripe says it does not exist (deleted since)."""
        try:
            return self._call("get", path, params or {})
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

    def _read(self, path: str, params: dict[str, Any]) -> Obj:
        """One attempt at a GET on the session, with the key and API version the package sends, into plain dicts."""
        try:
            response = self._session.get(
                self._base + path, params=list(encoded(params)), headers=self._headers, timeout=self._config.timeout,
                stream=True,
            )
            content = b"".join(response.iter_content(chunk_size=None))  # the body in one read: see the module doc
        except requests.RequestException as exc:  # before (refused, timed out) or while (dropped) the answer came
            raise classify_exception(exc) from exc
        try:
            data = orjson.loads(content)
        except orjson.JSONDecodeError:  # not JSON: an error page from a proxy, or a garbled body
            data = None
        if response.status_code >= 400:
            error = data.get("error") if isinstance(data, dict) else None
            error = error if isinstance(error, dict) else {}
            message = error.get("message") or response.reason or f"HTTP {response.status_code}"
            raise _answer_error(response.status_code, str(message), error.get("code"), error.get("param"),
                                response.headers.get("Retry-After"))
        if not isinstance(data, dict):
            raise RetryableFailure(Unavailable(f"unexpected answer from Stripe {path}"))
        return data

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
    if isinstance(exc, stripe.AuthenticationError | stripe.PermissionError):  # the package's own: no key given
        status = status or 401
    error = exc.error
    return _answer_error(
        status,
        exc.user_message or str(exc),
        getattr(error, "code", None) if error else exc.code,
        getattr(error, "param", None) if error else None,
        (exc.headers or {}).get("Retry-After"),
    )


def _answer_error(status: int, message: str, code: str | None, param: str | None, retry_after: str | None) -> Exception:
    """What an error answer from Stripe means, from its status and its ``error`` object."""
    if status in (401, 403):
        return Unauthorized(f"Stripe: {message}")
    if status in RETRYABLE_STATUS or status < 400:  # < 400: a garbled or truncated body
        return RetryableFailure(Unavailable(f"Stripe HTTP {status}: {message}"), parse_retry_after(retry_after))
    return Refused(status, f"Stripe: {message}", code=code, field=param)


def encoded(params: dict[str, Any], prefix: str = "") -> Iterator[tuple[str, Any]]:
    """Query parameters the way Stripe reads them: ``expand[0]=…`` for lists, ``created[gte]=…`` for dicts."""
    for name, value in params.items():
        key = f"{prefix}[{name}]" if prefix else name
        if isinstance(value, dict):
            yield from encoded(value, key)
        elif isinstance(value, list | tuple):
            yield from encoded({str(i): item for i, item in enumerate(value)}, key)
        elif isinstance(value, bool):
            yield key, str(value).lower()
        elif value is not None:
            yield key, value


def _give_up(error: Exception) -> Exception:
    return error if isinstance(error, Unavailable) else Unavailable(str(error))
