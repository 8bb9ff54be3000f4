"""The Ops API client: who am I, pages of a resource, and idempotent writes.

The API pages every resource the same way (``updated_since`` + opaque
``cursor`` → ``data``, ``next_cursor``, ``watermark``), so one ``page`` method
serves all of them.  Writes carry an ``Idempotency-Key``; because the server
replays the first answer for a key, a write is retried exactly like a read —
even when the connection dropped after the server applied it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import requests

from app.connectors.config import SyncConfig
from app.connectors.errors import Unavailable
from app.connectors.http import classify_exception, classify_response, make_session
from app.connectors.retry import RetryableFailure, call_with_retries
from app.tasks import CancelToken


@dataclass(frozen=True)
class Page:
    """One page of a resource: its items (rows or tombstones) and where to go next."""

    items: list[dict[str, Any]]
    next_cursor: str | None
    watermark: str | None


class OpsApiClient:
    """A thin, retrying client over one ``requests`` session."""

    def __init__(self, config: SyncConfig, cancel: CancelToken, session: requests.Session | None = None):
        self._config = config
        self._cancel = cancel
        self._base = config.ops_api_url.rstrip("/")
        self._session = session or make_session(user_agent=config.user_agent, verify_tls=config.verify_tls)
        self._auth = {"Authorization": f"Bearer {config.ops_api_token}"}

    def close(self) -> None:
        self._session.close()

    def me(self) -> dict[str, Any]:
        """``{"user": {...}, "role": ...}`` for the token in use."""
        return self._request("GET", "/v1/me")

    def page(self, resource: str, *, updated_since: str | None, cursor: str | None, limit: int) -> Page:
        """One page of ``resource`` changed at or after ``updated_since``, continuing at ``cursor``."""
        params: dict[str, Any] = {"limit": limit}
        if updated_since:
            params["updated_since"] = updated_since
        if cursor:
            params["cursor"] = cursor
        body = self._request("GET", f"/v1/{resource}", params=params)
        return Page(list(body.get("data") or []), body.get("next_cursor"), body.get("watermark"))

    def send(self, method: str, path: str, payload: dict[str, Any], idempotency_key: str) -> dict[str, Any]:
        """A write (``path`` relative to the base, e.g. ``/v1/licenses``), safe to retry by its key."""
        return self._request(method, path, json=payload, headers={"Idempotency-Key": idempotency_key})

    def _request(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, Any] | None = None,
        json: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> dict[str, Any]:
        url = self._base + path
        all_headers = {**self._auth, **(headers or {})}

        def attempt() -> dict[str, Any]:
            try:
                response = self._session.request(
                    method, url, params=params, json=json, headers=all_headers, timeout=self._config.timeout
                )
                classify_response(response)
                body = response.json()
            except requests.RequestException as exc:
                raise classify_exception(exc) from exc
            except ValueError as exc:  # a truncated or garbled body: the answer never fully arrived
                raise RetryableFailure(Unavailable(f"unreadable answer from {path}: {exc}")) from exc
            if not isinstance(body, dict):
                raise RetryableFailure(Unavailable(f"unexpected answer from {path}"))
            return body

        return call_with_retries(attempt, self._config.retry, self._cancel, _give_up)


def _give_up(error: Exception) -> Exception:
    return error if isinstance(error, Unavailable) else Unavailable(str(error))
