"""Typed connector failures, so sync and the UI can tell "fix your token" from "try later".

* ``Unauthorized`` — the credentials were rejected (401/403): retrying will not help.
* ``Refused`` — the server understood and said no (other 4xx); carries its message
  and the offending field, which the outbox shows to the user.
* ``Unavailable`` — network trouble or 429/5xx that outlived the retries; ``offline``
  is True when the backend could not be reached at all (refused connection,
  timeout, DNS), which is what makes the scheduler back off.
"""

from __future__ import annotations


class ConnectorError(Exception):
    """Base of every failure a connector reports."""


class Unauthorized(ConnectorError):
    """The backend rejected the credentials."""


class Refused(ConnectorError):
    """A 4xx answer with the server's reason; the request must change before it can succeed."""

    def __init__(self, status: int, message: str, *, code: str | None = None, field: str | None = None):
        self.status = status
        self.message = message
        self.code = code
        self.field = field
        where = f" (field {field})" if field else ""
        super().__init__(f"HTTP {status}: {message}{where}")


class Unavailable(ConnectorError):
    """The backend could not answer usefully, even after retries."""

    def __init__(self, message: str, *, offline: bool = False):
        self.offline = offline
        super().__init__(message)
