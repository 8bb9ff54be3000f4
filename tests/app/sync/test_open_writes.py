"""A full pass writes each batch as it comes, and commits them every ``LEAD`` pages, half second, or at its end."""

from __future__ import annotations

import time
from contextlib import closing

import pytest
from sqlalchemy import Engine, func, select, text
from sqlalchemy.exc import IntegrityError

from app.connectors.errors import Refused
from app.connectors.stripe_api import StripeSource
from app.demo.backend import DemoBackend
from app.store.schema import Customer, SyncState
from app.sync import open_writes, stripe_pull
from app.sync.engine import SyncEngine
from app.sync.open_writes import OpenWrites
from app.sync.prefetch import LEAD
from tests.app.sync.support import NOW, config_for

_note = text("INSERT INTO app_state (key) VALUES (:key)")
_notes = text("SELECT count(*) FROM app_state")


def _count(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(_notes).scalar_one())


def _customers(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(Customer)).scalar_one())


def test_a_transaction_is_due_at_lead_pages_and_commits_what_it_holds(engine) -> None:
    with closing(OpenWrites[str](engine)) as writes:
        for page in range(LEAD):
            writes.connection().execute(_note, {"key": f"page {page}"})
            writes.wrote(f"page {page}", 1)
            assert writes.due == (page == LEAD - 1)
        assert _count(engine) == 0  # nothing committed while it is open
        assert writes.commit() == [f"page {page}" for page in range(LEAD)]
        assert _count(engine) == LEAD and writes.batches == [] and not writes.due


def test_a_transaction_is_due_once_open_long_enough(engine, monkeypatch) -> None:
    monkeypatch.setattr(open_writes, "COMMIT_AFTER", 0.05)
    with closing(OpenWrites[str](engine)) as writes:
        writes.connection().execute(_note, {"key": "one page"})
        writes.wrote("one page", 1)
        assert not writes.due
        time.sleep(0.06)
        assert writes.due


def test_a_rollback_undoes_every_batch_and_hands_them_back(engine) -> None:
    with closing(OpenWrites[str](engine)) as writes:
        for batch in ("first", "second"):
            writes.connection().execute(_note, {"key": batch})
            writes.wrote(batch, 3)
        assert writes.rollback() == ["first", "second"]
    assert _count(engine) == 0


def test_closing_rolls_back_what_was_never_committed(engine) -> None:
    with closing(OpenWrites[str](engine)) as writes:
        writes.connection().execute(_note, {"key": "left open"})
        writes.wrote("left open", 1)
    assert _count(engine) == 0


def test_a_commit_that_fails_undoes_the_transaction(engine) -> None:
    """Its batches are not handed back as stored, and nothing of them stays (a foreign key checked at the commit)."""
    with closing(OpenWrites[str](engine)) as writes:
        conn = writes.connection()
        conn.exec_driver_sql("PRAGMA defer_foreign_keys = ON")
        conn.execute(_note, {"key": "kept only with its item"})
        conn.exec_driver_sql("INSERT INTO subscription_items (id, subscription_id, quantity) "
                             "VALUES ('si_1', 'sub_gone', 1)")
        writes.wrote("an item of no subscription", 1)
        with pytest.raises(IntegrityError):
            writes.commit()
        assert writes.batches == []
    assert _count(engine) == 0


def test_a_page_that_cannot_be_fetched_keeps_the_pages_written_before_it(cache, monkeypatch) -> None:
    """The error ends the pass after the batches before it, which are whole: committed, and resumed from."""
    pages, failing = 40, 25
    listed: list[str] = []
    list_page = StripeSource.list_page

    def refusing(source, path, params, starting_after):
        if path == "/v1/customers":
            listed.append(path)
            if len(listed) == failing:
                raise Refused(400, "no such page today")
        return list_page(source, path, params, starting_after)

    monkeypatch.setattr(StripeSource, "list_page", refusing)
    with DemoBackend(customers=pages, tickets=0, now=NOW) as backend:
        config = config_for(backend, ops_api_url="", stripe_objects=("customers",), stripe_page_size=1)
        report = SyncEngine(cache.engine, config).run_once()
        assert "no such page today" in report.errors["stripe:customers"]
        kept = _customers(cache.engine)
        with cache.engine.connect() as conn:
            cursor = conn.execute(select(SyncState.cursor).where(SyncState.resource == "stripe:customers")).scalar_one()
        assert kept == failing - 1 and cursor is not None  # every page before the refused one, and where it stopped
        monkeypatch.setattr(StripeSource, "list_page", list_page)
        assert SyncEngine(cache.engine, config).run_once().ok
    assert _customers(cache.engine) == pages


def test_a_write_that_fails_undoes_the_batches_since_the_last_commit(cache, monkeypatch) -> None:
    """A database failure mid-transaction leaves the cache as of the last commit, and the next sync completes."""
    monkeypatch.setattr(open_writes, "LEAD", 1_000)  # no commit before the pass ends...
    monkeypatch.setattr(open_writes, "COMMIT_AFTER", 60.0)
    written: list[int] = []
    write_objects = stripe_pull.write_objects

    def failing(conn, resource, objs, *args, **kwargs):
        written.append(len(objs))
        if len(written) == 3:  # ...and the third batch's write fails after two went in
            raise RuntimeError("the disk is full")
        return write_objects(conn, resource, objs, *args, **kwargs)

    monkeypatch.setattr(stripe_pull, "write_objects", failing)
    with DemoBackend(customers=40, tickets=0, now=NOW) as backend:
        config = config_for(backend, ops_api_url="", stripe_objects=("customers",), stripe_page_size=1)
        assert "the disk is full" in SyncEngine(cache.engine, config).run_once().errors["stripe:customers"]
        assert len(written) == 3
        assert _customers(cache.engine) == 0
        monkeypatch.setattr(stripe_pull, "write_objects", write_objects)
        assert SyncEngine(cache.engine, config).run_once().ok
    assert _customers(cache.engine) == 40
