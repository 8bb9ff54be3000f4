"""Running one sync step (a resource's pull, the outbox push) and recording how it went.

Each step's failure is contained — whatever it raised, short of a cancel: it
lands in the report and in the resource's ``sync_state.last_error`` while the
other resources carry on — unless the backend is out of reach or rejects our
credentials, where carrying on would only repeat the same failure, slowly.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from app.connectors.errors import ConnectorError, Unauthorized, Unavailable
from app.logs import redact
from app.store import database
from app.store.changes import ChangeCallback, Changes, no_changes
from app.sync import state
from app.sync.report import SyncReport
from app.tasks import Cancelled

log = logging.getLogger(__name__)

# What a malformed answer from a server raises while a step reads it.
_DATA_ERRORS = (KeyError, ValueError, TypeError, OverflowError, AttributeError)


class StepRunner:
    """Runs steps for one backend within one pass, keeping the report up to date."""

    def __init__(self, engine: Engine, report: SyncReport, changed: ChangeCallback = no_changes):
        self._engine = engine
        self._report = report
        self._changed = changed
        self.keep_going = True

    def __call__(self, key: str, step: Callable[[], int]) -> bool:
        """Run ``step`` (returning rows written); True when it succeeded."""
        try:
            rows = step()
        except Cancelled:
            raise
        except Exception as exc:  # contained to this step by design: logged and reported
            if not isinstance(exc, (ConnectorError, SQLAlchemyError, *_DATA_ERRORS)):
                log.error("sync %s failed unexpectedly", key, exc_info=exc)
            self.fail(key, exc)
            return False
        self._report.result(key).rows += rows
        return True

    def fail(self, key: str, exc: Exception) -> None:
        """Record a failed step; stop the backend when retrying the next step is pointless."""
        message = redact(describe(exc))  # it reaches the cache, the status bar and the CLI: no tokens
        log.warning("sync %s failed: %s", key, message)
        self._report.fail(key, message)
        if isinstance(exc, Unavailable) and exc.offline:
            self._report.offline = True
        if isinstance(exc, Unauthorized) or (isinstance(exc, Unavailable) and exc.offline):
            self.keep_going = False
        with self._engine.begin() as conn:
            state.record_error(conn, key, message)
        self._changed(Changes.rows(state.TABLE, [key]))


def describe(exc: Exception) -> str:
    """A one-line message for the status bar and ``sync_state.last_error``."""
    if isinstance(exc, ConnectorError):
        return str(exc)
    if isinstance(exc, SQLAlchemyError):
        return f"cache refused the data: {database.reason(exc)}"
    if isinstance(exc, _DATA_ERRORS):
        return f"unexpected data from the server: {type(exc).__name__}: {exc}"
    return f"failed: {type(exc).__name__}: {exc}"
