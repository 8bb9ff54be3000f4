"""A damaged cache loses nothing readable from its outbox: every entry a point read still finds is carried over."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from app.store import outbox
from app.store.database import open_cache
from tests.support.damaged_cache import ENTRIES, damage, fill_outbox, outbox_leaf_pages


def _readable_one_by_one(path: Path) -> set[str]:
    """What an independent reader finds, entry by entry, in the damaged file."""
    found = set()
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        for entry_id in range(1, ENTRIES + 2):
            try:
                row = conn.execute("SELECT idempotency_key, state FROM outbox WHERE id = ?", (entry_id,)).fetchone()
            except sqlite3.DatabaseError:
                continue
            if row and row[1] != "sent":
                found.add(row[0])
    finally:
        conn.close()
    return found


def test_every_readable_unsent_entry_survives_damaged_outbox_pages(tmp_path):
    path = tmp_path / "cache.sqlite3"
    fill_outbox(path)
    leaves = outbox_leaf_pages(path)
    assert len(leaves) >= 6  # the test needs entries on several pages
    damage(path, [leaves[1], leaves[-3]])  # one page early, one late in the id order
    readable = _readable_one_by_one(path)
    assert 0 < len(readable) < ENTRIES

    cache = open_cache(path)
    with cache.engine.connect() as conn:
        recovered = conn.exec_driver_sql("SELECT idempotency_key, state FROM outbox").all()
    cache.dispose()

    assert {key for key, _ in recovered} == readable
    assert {state for _, state in recovered} == {outbox.PENDING}
    aside = next(p for p in tmp_path.glob("cache.sqlite3.corrupt-*") if p.name.count("-") == 2)
    told = " ".join(cache.notices)
    assert f"{len(readable)} change(s) not yet sent were recovered" in told
    assert "could not be read" in told and str(aside) in told
    lost = int(told.split(" outbox entr")[0].rsplit(" ", 1)[-1])
    assert lost >= ENTRIES - len(readable)  # every lost entry is counted (ids on damaged pages, sent or not)


def test_a_damaged_last_page_still_finds_the_end_of_the_outbox(tmp_path):
    path = tmp_path / "cache.sqlite3"
    fill_outbox(path)
    leaves = outbox_leaf_pages(path)
    damage(path, [leaves[-1]])  # max(id) on the table fails: the state index names the last id
    readable = _readable_one_by_one(path)

    cache = open_cache(path)
    with cache.engine.connect() as conn:
        keys = set(conn.exec_driver_sql("SELECT idempotency_key FROM outbox").scalars())
    cache.dispose()
    assert keys == readable and len(keys) > ENTRIES // 2
