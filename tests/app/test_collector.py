"""Pausing the cyclic garbage collector: pauses nest and overlap across threads; manual collection stays manual."""

from __future__ import annotations

import gc
import threading

import pytest

from app import collector


@pytest.fixture(autouse=True)
def automatic_afterwards():
    yield
    collector.collect_automatically()
    assert gc.isenabled()


def test_overlapping_pauses_on_two_threads_turn_collection_back_on_only_after_the_last():
    entered, release = threading.Event(), threading.Event()

    def other() -> None:
        with collector.paused():
            entered.set()
            release.wait(5)

    thread = threading.Thread(target=other)
    with collector.paused():
        thread.start()
        assert entered.wait(5)
    assert not gc.isenabled() and collector.is_paused()  # the other thread's pause still runs
    release.set()
    thread.join(5)
    assert gc.isenabled() and not collector.is_paused()


def test_after_collect_manually_a_pause_never_turns_automatic_collection_back_on():
    collector.collect_manually()
    with collector.paused(), collector.paused():
        assert not gc.isenabled()
    assert not gc.isenabled()
    collector.collect_automatically()
    assert gc.isenabled()


def test_a_collector_off_before_the_pause_stays_off():
    gc.disable()
    try:
        with collector.paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()
