"""The change bus and the worker helper: writes published once, sync pages coalesced, the latest request wins."""

from __future__ import annotations

import threading

from app.store.changes import Changes
from tests.ui.helpers import wait_idle
from ui.workers import ChangeBus, LatestRequest


def test_publish_delivers_at_once_and_publish_soon_coalesces(qtbot):
    bus = ChangeBus()
    heard: list[Changes] = []
    bus.changed.connect(heard.append)
    bus.publish(Changes.rows("tickets", [1]))
    assert heard == [Changes.rows("tickets", [1])]
    bus.publish_soon(Changes.rows("tickets", [2]))  # the first of a stream goes out at once…
    bus.publish_soon(Changes.rows("tickets", [3]))  # …the next ones wait for the interval
    bus.publish_soon(Changes.of("sync_state"))
    assert len(heard) == 2
    with qtbot.waitSignal(bus.changed, timeout=5_000) as waited:
        pass
    assert waited.args[0] == Changes.rows("tickets", [3]) | Changes.of("sync_state")
    bus.flush()  # the stream ended: nothing waits, no timer is left running
    assert len(heard) == 3


def test_a_write_jobs_changes_are_published_before_its_success(qtbot, runner):
    order: list[str] = []
    runner.bus.changed.connect(lambda changes: order.append(f"bus {sorted(changes.tables)}"))
    runner.run(lambda: Changes.rows("licenses", ["lic-1"]), writes=True, on_success=lambda _r: order.append("done"))
    wait_idle(qtbot, runner)
    assert order == ["bus ['licenses']", "done"]


def test_a_long_job_reports_as_it_goes_and_everything_is_out_when_it_ends(qtbot, runner):
    heard: list[Changes] = []
    runner.bus.changed.connect(heard.append)

    def sync(changed) -> str:
        for page in range(5):
            changed(Changes.rows("tickets", [page]))
        return "report"

    runner.run(sync, long_running=True, on_success=lambda _r: heard.append(Changes.of("ended")))
    wait_idle(qtbot, runner)
    merged = Changes()
    for changes in heard[:-1]:
        merged |= changes
    assert merged.tables["tickets"] == {0, 1, 2, 3, 4}  # every page heard, fewer deliveries than pages at most
    assert heard[-1] == Changes.of("ended")  # the last pages were out before the job's end was told


def test_the_latest_request_wins(qtbot, runner):
    request = LatestRequest(runner)
    release = threading.Event()
    results: list[str] = []

    def slow() -> str:
        release.wait(10)
        return "stale"

    request.run(slow, on_success=results.append)
    request.run(lambda: "fresh", on_success=lambda r: (results.append(r), release.set()))
    wait_idle(qtbot, runner)
    assert results == ["fresh"]  # the overtaken request's answer came later and was dropped


def test_a_dropped_read_that_has_not_started_is_not_run_but_a_dropped_write_is(qtbot):
    from ui.workers import TaskRunner

    runner = TaskRunner(readers=1)
    request = LatestRequest(runner)
    busy, release = threading.Event(), threading.Event()
    ran: list[str] = []

    def blocker() -> None:
        busy.set()
        release.wait(10)

    runner.run(blocker)  # holds the only reader
    assert busy.wait(10)
    request.also(lambda: ran.append("stale read"))
    request.also(lambda: ran.append("stale write"), writes=True)
    request.invalidate()
    request.also(lambda: ran.append("fresh read"))
    release.set()
    wait_idle(qtbot, runner)
    assert sorted(ran) == ["fresh read", "stale write"]
    assert runner.shutdown()


def test_a_dropped_read_that_accepts_cancel_is_told_while_it_runs(qtbot, runner):
    request = LatestRequest(runner)
    started = threading.Event()
    seen: list[bool] = []

    def long_read(cancel) -> None:
        started.set()
        seen.append(cancel.wait(10))  # True: cancelled before the ten seconds ran out

    request.run(long_read)
    assert started.wait(10)
    request.invalidate()
    wait_idle(qtbot, runner)
    assert seen == [True]
