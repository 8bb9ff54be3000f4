"""Opening the cache: SQLite file, pragmas, integrity check, migrations.

``open_cache`` is the one way in.  It guarantees, before anyone reads:

* WAL journal (readers never block the sync writer), foreign keys on, a busy
  timeout so a reader and the writer on two threads wait instead of failing;
* the file is sound, or the corrupt file is moved aside (never deleted) and a
  fresh cache built, with a message saying so.  ``PRAGMA quick_check`` reads
  the whole file (a second per 500 MB), so the window runs it in the
  background right after start-up (``check_integrity``) and a damaged cache is
  marked (``mark_damaged``) to be moved aside on the next start; a cheap
  structural check still runs here.  Headless callers pass ``full_check=True``;
* the schema at the newest Alembic revision.  An upgrade runs on a *copy* of
  the file which replaces the original only when it succeeded, so a failed
  upgrade leaves the old cache untouched and raises ``MigrationError``.

All of that runs on the ``sqlite3`` module.  The SQLAlchemy engine every
query goes through is made on first use (``Cache.engine``): importing
SQLAlchemy costs about 0.2 s, and the window paints its frame before it runs
any query, so the import falls after the first paint, not before it.
"""

from __future__ import annotations

import datetime as dt
import logging
import shutil
import sqlite3
import threading
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from app.store import heap, migrations, text_match
from app.store.checkpoints import Checkpointer

if TYPE_CHECKING:
    from collections.abc import Iterator

    from sqlalchemy import Connection, Engine

log = logging.getLogger(__name__)


@dataclass
class Cache:
    """An open cache: its file, what happened while opening it (for the UI to tell), and its engine."""

    path: Path
    notices: list[str] = field(default_factory=list)
    damaged: str | None = None  # what the integrity check found, when the file was moved aside and rebuilt
    _engine: Engine | None = field(default=None, init=False, repr=False, compare=False)
    _checkpointer: Checkpointer | None = field(default=None, init=False, repr=False, compare=False)
    _engine_lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False, compare=False)

    @property
    def engine(self) -> Engine:
        """The engine on the cache file, made (and SQLAlchemy imported) by whichever thread asks first.

        Its WAL is checkpointed on a helper thread (``app.store.checkpoints``).
        """
        with self._engine_lock:
            if self._engine is None:
                self._engine = make_engine(self.path)
                self._checkpointer = Checkpointer(self._engine, self.path)
            return self._engine

    @property
    def checkpointer(self) -> Checkpointer | None:
        """The helper checkpointing the WAL (None until the engine is made, and after ``dispose``)."""
        return self._checkpointer

    def dispose(self) -> None:
        """Close the engine's pooled connections (if it was ever made) and stop its checkpoints."""
        with self._engine_lock:
            if self._engine is not None:
                self._engine.dispose()
            if self._checkpointer is not None:
                self._checkpointer.stop()
                self._checkpointer = None


def _set_pragmas(dbapi_conn: sqlite3.Connection, _record: object) -> None:
    # The WAL's own bounds (wal_autocheckpoint, journal_size_limit) are set where its checkpoints are made:
    # ``app.store.checkpoints``, for the cache's engine; an engine without that helper keeps SQLite's.
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA foreign_keys = ON")
    cur.execute("PRAGMA busy_timeout = 10000")
    cur.execute("PRAGMA synchronous = NORMAL")  # safe with WAL: a crash loses at most the last commit
    cur.execute("PRAGMA cache_size = -32000")  # 32 MB page cache per connection
    # ...but at most ``heap.current()`` for SQLite in the whole process (it recycles cached pages beyond it):
    # a table's count, pages and search each read on their own pooled connection, and a million rows
    # would otherwise fill every one of their caches (+70 MB resident, not +20).
    cur.execute(heap.pragma())
    # Let the planner learn the data's shape (cheap, bounded): it then walks a sort
    # index instead of sorting a low-selectivity filter's rows.
    cur.execute("PRAGMA analysis_limit = 400")
    cur.execute("PRAGMA optimize = 0x10002")
    cur.close()
    text_match.register(dbapi_conn)  # a search's per-row test (``app.store.windows``)


def make_engine(path: Path) -> Engine:
    """An engine on ``path`` with the cache's pragmas on every pooled connection."""
    from sqlalchemy import create_engine, event

    engine = create_engine(f"sqlite:///{path}", pool_size=8, max_overflow=8, pool_timeout=30)
    event.listen(engine, "connect", _set_pragmas)
    return engine


@contextmanager
def write_first(engine: Engine) -> Iterator[Connection]:
    """A transaction that holds the write lock from its start, for a pass that reads and then writes.

    In WAL mode SQLite cannot turn a transaction that has read into one that
    writes once another connection committed after that read: it answers
    "database is locked" at once, without waiting out the busy timeout.  A
    background pass that reads while the sync commits page after page would
    fail that way.  ``BEGIN IMMEDIATE`` takes the write lock before the first
    read, so the pass waits its turn (up to the busy timeout) and its reads
    see what it writes over.  Committed at the end, rolled back on an error.
    """
    with engine.connect() as conn:
        conn.exec_driver_sql("BEGIN IMMEDIATE")
        yield conn
        conn.commit()


def reason(exc: BaseException) -> str:
    """Why a read or write of the cache failed, in SQLite's own words on one line, for a person to read.

    SQLAlchemy wraps SQLite's error with the statement and its parameters
    over several lines: shown in a status line, that pushed the table's
    search box out of the window.  The whole of it goes to the log.
    """
    cause = getattr(exc, "orig", None) or exc  # the DBAPI error SQLAlchemy wraps, when it is one
    lines = str(cause).strip().splitlines()
    return lines[0] if lines else type(cause).__name__


_DAMAGED = (sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB)  # what an unreadable file's error says about the file


def check_integrity(path: Path, *, full: bool = True, timeout: float = 10.0) -> str | None:
    """None when the file is a sound SQLite database, else what is wrong.

    ``full`` runs ``PRAGMA quick_check`` over every page; otherwise only the
    header and schema are read (milliseconds, whatever the size).  A file that
    cannot be read *now* (another process holds a lock past ``timeout``
    seconds, a permission) is not called damaged: moving it aside would throw
    away a sound cache, so that is logged and None returned.
    """
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=timeout)
        try:
            if full:
                rows = conn.execute("PRAGMA quick_check").fetchall()
            else:
                conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
                rows = [("ok",)]
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        if (getattr(exc, "sqlite_errorcode", sqlite3.SQLITE_CORRUPT) & 0xFF) in _DAMAGED:
            return str(exc)
        log.warning("could not check the cache %s (%s); it is not treated as damaged", path, exc)
        return None
    verdict = "; ".join(str(r[0]) for r in rows)
    return None if verdict == "ok" else verdict


def _damage_marker(path: Path) -> Path:
    return path.with_name(path.name + ".damaged")


def mark_damaged(path: Path, problem: str) -> None:
    """Remember that a background check found ``path`` damaged: the next start moves it aside."""
    _damage_marker(path).write_text(problem, encoding="utf-8")


def _move_aside(path: Path, reason: str) -> Path:
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    target = path.with_name(f"{path.name}.corrupt-{stamp}")
    for suffix in ("", "-wal", "-shm"):
        src = Path(str(path) + suffix)
        if src.exists():
            shutil.move(src, Path(str(target) + suffix))
    log.warning("cache %s failed its integrity check (%s); moved aside to %s", path, reason, target)
    return target


def open_cache(path: Path, *, full_check: bool = True) -> Cache:
    """Open (creating, repairing or upgrading as needed) the cache at ``path``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    notices: list[str] = []
    marker = _damage_marker(path)
    aside: Path | None = None
    problem: str | None = None
    if path.exists():
        problem = marker.read_text(encoding="utf-8") if marker.exists() else check_integrity(path, full=full_check)
        if problem is not None:
            aside = _move_aside(path, problem)
            notices.append(
                f"The local cache was damaged ({problem}). It was moved to {aside} "
                "and a fresh cache is being rebuilt from the backends."
            )
    marker.unlink(missing_ok=True)
    migrations.upgrade_in_place(path)
    if aside is not None:
        from app.store.salvage import (
            salvage_outbox,  # the schema's models: only for a damaged cache, never at a normal start
        )

        salvaged = salvage_outbox(aside, path).notice(aside)
        if salvaged:
            notices.append(salvaged)
    _use_wal(path)
    return Cache(path=path, notices=notices, damaged=problem)


def _use_wal(path: Path) -> None:
    """Put the file in WAL mode (it stays so: the mode is stored in the file)."""
    conn = sqlite3.connect(path, timeout=10.0)
    try:
        conn.execute("PRAGMA journal_mode = WAL")
    finally:
        conn.close()
