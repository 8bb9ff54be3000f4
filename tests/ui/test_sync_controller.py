"""A sync you can see and stop: progress in words, Cancel leaves a consistent cache, the next sync resumes."""

from __future__ import annotations

import dataclasses

import pytest
from sqlalchemy import select, text

from app.demo.backend import DemoBackend
from app.demo.options import FaultOptions
from app.store.schema import SyncState
from tests.app.sync.support import NOW, reference_snapshot, snapshot
from ui.main_window import MainWindow
from ui.status_bar import ONLINE, progress_words

SIZE = {"customers": 60, "tickets": 200, "now": NOW}


@pytest.fixture(scope="module")
def reference(tmp_path_factory) -> dict:
    """The cache an uninterrupted sync of the test business produces."""
    return reference_snapshot(tmp_path_factory.mktemp("reference") / "cache.sqlite3", **SIZE)


def _point_at(monkeypatch, backend: DemoBackend) -> None:
    for name, value in {"OPSCONSOLE_API_URL": backend.ops_api_url, "OPSCONSOLE_API_TOKEN": backend.ops_api_token,
                        "STRIPE_API_KEY": backend.stripe_api_key,
                        "OPSCONSOLE_STRIPE_API_BASE": backend.stripe_api_base}.items():
        monkeypatch.setenv(name, value)


def _consistent(engine) -> None:
    with engine.connect() as conn:
        assert conn.execute(text("PRAGMA integrity_check")).scalar() == "ok"
        assert conn.execute(text("PRAGMA foreign_key_check")).all() == []


def test_cancel_keeps_a_consistent_cache_and_the_next_sync_resumes(qtbot, context, monkeypatch, reference):
    slow = FaultOptions(rate=1.0, kinds=("slow",), slow_seconds=0.1)  # every answer takes a moment
    # Only what sync brings: no workstation probes adding checks of their own while the window is up.
    settings = context.settings
    no_probes = dataclasses.replace(settings, health=dataclasses.replace(settings.health, probes_enabled=False))
    context.loaded_settings = dataclasses.replace(context.loaded_settings, settings=no_probes)
    with DemoBackend(**SIZE, faults=slow) as backend:
        _point_at(monkeypatch, backend)
        win = MainWindow(context)
        qtbot.addWidget(win)
        win.show()
        seen: list[str] = []

        def first_rows(label: str, done: int, total: object) -> None:
            seen.append(win.status.progress_label.text())
            if done and not win.sync.cancelling:
                win.status.cancel_button.click()  # as the user would, once rows are coming in

        win.sync.progress.connect(first_rows)
        win.sync.sync_now()
        qtbot.waitUntil(lambda: win.sync.running, timeout=20_000)
        qtbot.waitUntil(lambda: not win.sync.running, timeout=60_000)
        assert any(s.startswith("Syncing ") and " so far" in s for s in seen), seen
        assert win.status.state == ONLINE and "sync cancelled" in win.status.sync_label.text()
        assert win.status.progress.isHidden() and win.status.cancel_button.isHidden()
        engine = context.cache.engine
        _consistent(engine)
        partial = snapshot(engine)
        assert partial != reference  # stopped part-way
        with engine.connect() as conn:
            kept = conn.execute(select(SyncState.resource).where(
                (SyncState.last_success_at.is_not(None)) | (SyncState.cursor.is_not(None)))).scalars().all()
        assert kept  # what the cancelled pass fetched is kept, with where it stopped

        win.sync.progress.disconnect(first_rows)
        win.sync.sync_now()
        qtbot.waitUntil(lambda: win.sync.running, timeout=20_000)
        qtbot.waitUntil(lambda: not win.sync.running, timeout=120_000)
        win.sync.stop()
        qtbot.waitUntil(lambda: context.runner.active_count == 0, timeout=20_000)
    assert win.status.state == ONLINE and "cancelled" not in win.status.sync_label.text()
    _consistent(engine)
    assert snapshot(engine) == reference
    win.close()


def test_progress_in_words():
    assert progress_words("customers", 1200, 1500) == "Customers: 1,200 of 1,500"
    assert progress_words("ticket_events", 1200, None) == "Ticket events: 1,200 so far"
    assert progress_words("invoices", 0, None) == "Invoices: starting"
