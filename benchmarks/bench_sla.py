"""(d) SLA clocks at scale: re-evaluating the open queue after a policy change, and the queue by due time.

* **Re-evaluation** -- a million tickets in the cache, 50,000 of them open with a
  four-event log each: the time ``adopt_settings`` takes to re-compute and store
  every open ticket's clocks after a policy change, against the floor of
  reading the same events with one SQL query and no computation at all.
* **The queue by due time** -- the Tickets table's first screenful at a million
  rows sorted by the SLA column (the default), against the same model sorted by
  subject: the table model's usual speed (``bench_table``'s figure).  One model
  switches between the two sorts, as the pane's does when a header is clicked:
  the switch drops the previous sort's count, so each sort starts with the
  reader threads free.  (Fresh models that are thrown away would leave their
  counts running and measure the reader queue instead.)
"""

from __future__ import annotations

import dataclasses
import os
import statistics
import tempfile
import time
from pathlib import Path

from benchmarks.bench_table import until_row0
from benchmarks.rows import Row
from tests.support.big_cache import make_support_cache

ROWS, OPEN = 1_000_000, 50_000
REPEAT = 3


def _floor(engine) -> float:
    """Reading the open tickets' events: one SQL query, every row fetched, nothing computed."""
    start = time.perf_counter()
    with engine.connect() as conn:
        rows = conn.exec_driver_sql(
            "SELECT e.ticket_id, e.created_at, e.kind, e.author_role, e.data_json FROM ticket_events e "
            "WHERE e.ticket_id IN (SELECT id FROM tickets WHERE status NOT IN ('solved', 'closed'))"
        ).fetchall()
    assert len(rows) == 4 * OPEN
    return time.perf_counter() - start


def _policy_change(settings, factor: float):
    policies = tuple(dataclasses.replace(p, first_reply_minutes=p.first_reply_minutes * factor)
                     for p in settings.sla.policies)
    return dataclasses.replace(settings.sla, policies=policies)


def run() -> list[Row]:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    from app.config.settings import Settings
    from app.domain.sla.evaluation import adopt_settings
    from app.store.database import make_engine
    from app.store.windows import WindowQuery, WindowSource
    from app.views.tickets import SPEC
    from ui.models.sql_table import SqlTableModel
    from ui.workers import TaskRunner

    settings = Settings()
    with tempfile.TemporaryDirectory(prefix="bench-sla-") as tmp:
        engine = make_engine(make_support_cache(Path(tmp) / "cache.sqlite3", ROWS, OPEN))
        adopt_settings(engine, settings.sla)  # the clocks as they stand before the change
        ours, floor = [], []
        for n in range(REPEAT):
            floor.append(_floor(engine))
            start = time.perf_counter()
            adopt_settings(engine, _policy_change(settings, 1.5 + n))
            ours.append(time.perf_counter() - start)

        app = QApplication.instance() or QApplication([])
        runner = TaskRunner()
        model = SqlTableModel(WindowSource(engine, SPEC), runner)  # one model, as the pane has
        by_due, by_subject = [], []
        for _ in range(REPEAT):
            for key, times in (("sla", by_due), ("subject", by_subject)):
                start = time.perf_counter()
                model.set_query(WindowQuery(key, filters=("open",)))  # what a click on the column header does
                times.append(until_row0(model, app, start))
        runner.shutdown()
        app.processEvents()
        engine.dispose()

    return [
        Row(f"SLA re-evaluation after a policy change, {OPEN:,} open of {ROWS:,}", statistics.median(ours),
            "one SQL query reading the same events", statistics.median(floor), "s", goal=30),
        Row(f"queue sorted by SLA due time, {ROWS:,} rows (Open)", statistics.median(by_due),
            "the same model sorted by subject", statistics.median(by_subject), "s", goal=1.5),
    ]
