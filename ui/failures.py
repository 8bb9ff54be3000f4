"""How a pane reports a background job that failed: one line for the person, the whole error for the log."""

from __future__ import annotations

import logging

from app.store.database import reason

log = logging.getLogger(__name__)


def could_not(doing: str, exc: BaseException) -> str:
    """``Could not <doing>: <why>``, the why on one line, for a label; the whole error goes to the log.

    A failed cache read carries SQLAlchemy's text -- the statement and its
    parameters over several lines -- which, put in a label, pushed the pane's
    other widgets out of a 1280-wide window.  ``reason`` keeps SQLite's own
    words.  The task runner logs only the failures of jobs without an
    ``on_failure``, so the whole text is logged here, once.
    """
    log.error("could not %s: %s", doing, exc)
    return f"Could not {doing}: {reason(exc)}"
