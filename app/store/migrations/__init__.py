"""Alembic migrations of the cache, run in-process (no ``alembic.ini`` needed at run time).

Why a copy: SQLite DDL inside Alembic is transactional only in part (batch
table rebuilds commit), so a failed upgrade could leave a half-migrated file.
We upgrade a copy and swap it in only on success.
"""

from __future__ import annotations

import logging
import re
import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from alembic.config import Config

log = logging.getLogger(__name__)

_HERE = Path(__file__).parent


class MigrationError(RuntimeError):
    """The cache could not be upgraded; the old file is untouched."""


# FTS5 virtual tables and their shadow tables are created by hand in the
# migrations; autogenerate (and the test that migrations match the models)
# must not see them as strays.
FTS_PREFIXES = ("tickets_fts", "customers_fts")


def include_object(obj: object, name: str | None, type_: str, reflected: bool, compare_to: object) -> bool:
    """Alembic's filter hook: everything but the FTS tables."""
    return not (type_ == "table" and name is not None and name.startswith(FTS_PREFIXES))


def alembic_config(path: Path) -> Config:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(_HERE))
    cfg.set_main_option("sqlalchemy.url", f"sqlite:///{path}")
    cfg.attributes["configure_logger"] = False
    return cfg


_REVISION = re.compile(r"^revision\s*=\s*['\"](\w+)['\"]", re.MULTILINE)
_DOWN_REVISION = re.compile(r"^down_revision\s*=\s*['\"](\w+)['\"]", re.MULTILINE)


def head_revision() -> str:
    """The newest revision, read from the version files without importing Alembic.

    Importing Alembic costs a quarter of a second, and at almost every start the
    cache is already at head.  The history is linear (a test checks this value
    against Alembic's own answer), so the head is the revision nobody revises.
    """
    revisions, parents = set(), set()
    for file in (_HERE / "versions").glob("*.py"):
        source = file.read_text(encoding="utf-8")
        found = _REVISION.search(source)
        if found:
            revisions.add(found.group(1))
        parent = _DOWN_REVISION.search(source)
        if parent:
            parents.add(parent.group(1))
    (head,) = revisions - parents
    return head


def current_revision(path: Path) -> str | None:
    if not path.exists():
        return None
    conn = sqlite3.connect(path)
    try:
        tables = {r[0] for r in conn.execute("select name from sqlite_master where type='table'")}
        if "alembic_version" not in tables:
            return None
        row = conn.execute("select version_num from alembic_version").fetchone()
        return row[0] if row else None
    finally:
        conn.close()


def upgrade_in_place(path: Path, target: str = "head") -> None:
    """Bring the cache at ``path`` to ``target``; on failure the original file is unchanged."""
    wanted = head_revision() if target == "head" else target
    if current_revision(path) == wanted:
        return
    # Upgrade a copy (or build a new cache) beside the real file and swap it in
    # only when done: a failure or a kill mid-way leaves the original as it was.
    work = path.with_name(path.name + ".upgrading")
    work.unlink(missing_ok=True)
    if path.exists():
        src = sqlite3.connect(path)
        dst = sqlite3.connect(work)
        try:
            src.backup(dst)  # consistent copy, WAL content included
        finally:
            dst.close()
            src.close()
    from alembic import command

    try:
        command.upgrade(alembic_config(work), target)
    except Exception as exc:
        work.unlink(missing_ok=True)
        raise MigrationError(
            f"Could not upgrade the cache {path} to schema {wanted}: {exc}. "
            "The existing cache was left untouched."
        ) from exc
    for suffix in ("-wal", "-shm"):
        Path(str(path) + suffix).unlink(missing_ok=True)
    work.replace(path)
    log.info("cache %s upgraded to schema %s", path, wanted)
