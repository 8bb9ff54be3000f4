"""The one ``requests`` session factory and the mapping of HTTP outcomes to typed errors.

Every connector builds its session here so timeouts, TLS verification and the
User-Agent are the same everywhere, and decides "retry, refuse or give up"
through ``classify_response`` / ``classify_exception`` instead of each growing
its own rules.  ``requests``' own retry adapter is not used: it cannot be
cancelled, and it would retry writes whose idempotency we want to control.
"""

from __future__ import annotations

import requests
from requests.adapters import HTTPAdapter
from urllib3.exceptions import NameResolutionError, NewConnectionError

from app import USER_AGENT
from app.connectors.errors import Refused, Unauthorized, Unavailable
from app.connectors.retry import RetryableFailure, parse_retry_after

RETRYABLE_STATUS = frozenset({429, 500, 502, 503, 504})


def make_session(*, user_agent: str = USER_AGENT, verify_tls: bool = True, pool_size: int = 4) -> requests.Session:
    """A session with keep-alive pooling, TLS verification and our User-Agent.

    Timeouts are per request (``requests`` has no session-wide timeout), so
    callers pass ``SyncConfig.timeout`` on every call.
    """
    session = requests.Session()
    session.headers["User-Agent"] = user_agent
    session.verify = verify_tls
    session.trust_env = False  # a developer's proxy variables must not reroute loopback test traffic
    adapter = HTTPAdapter(pool_connections=pool_size, pool_maxsize=pool_size, max_retries=0)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session


def error_body(response: requests.Response) -> tuple[str, str | None, str | None]:
    """(message, code, field) from an ``{"error": {...}}`` body, or the status text."""
    try:
        err = response.json().get("error") or {}
    except (ValueError, AttributeError):
        err = {}
    if not isinstance(err, dict):
        err = {"message": str(err)}
    message = err.get("message") or response.reason or f"HTTP {response.status_code}"
    return str(message), err.get("code"), err.get("field")


def classify_response(response: requests.Response) -> None:
    """Raise the right error for a non-2xx response; return quietly for success."""
    status = response.status_code
    if status < 400:
        return
    message, code, field = error_body(response)
    if status in (401, 403):
        raise Unauthorized(f"HTTP {status}: {message}")
    if status in RETRYABLE_STATUS:
        raise RetryableFailure(
            Unavailable(f"HTTP {status}: {message}"),
            parse_retry_after(response.headers.get("Retry-After")),
        )
    raise Refused(status, message, code=code, field=field)


def classify_exception(exc: requests.RequestException) -> Exception:
    """What a transport failure means: offline (fail fast) or transient (retry).

    A refused connection or a connect timeout means nobody is listening: the
    scheduler should back off rather than have us hammer a dead address.  A
    connection dropped mid-answer, a read timeout or a truncated body are
    worth retrying.
    """
    if isinstance(exc, requests.ConnectTimeout) or (
        isinstance(exc, requests.ConnectionError) and _is_connect_failure(exc)
    ):
        return Unavailable(f"offline: {_short(exc)}", offline=True)
    return RetryableFailure(Unavailable(f"network error: {_short(exc)}"))


def _is_connect_failure(exc: requests.ConnectionError) -> bool:
    """Whether the chain of causes shows the connection was never made (vs. dropped later)."""
    seen: set[int] = set()
    cause: BaseException | None = exc
    while cause is not None and id(cause) not in seen:
        seen.add(id(cause))
        if isinstance(cause, NewConnectionError | NameResolutionError | ConnectionRefusedError):
            return True
        inner = getattr(cause, "reason", None)
        cause = inner if isinstance(inner, BaseException) else (cause.__cause__ or cause.__context__)
    return False


def _short(exc: BaseException) -> str:
    text = str(exc)
    return text if len(text) <= 200 else text[:197] + "…"
