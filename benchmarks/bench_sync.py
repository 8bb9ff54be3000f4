"""Sync throughput: customers and their subscriptions from the demo backend, against ``requests`` alone.

The peer fetches exactly the pages the sync fetches (same endpoints, page
size, expansions, cursors) with a bare ``requests`` session and decodes the JSON; the
figure is the whole sync of the same data into a fresh cache — our Stripe
reads (``app.connectors.stripe_api``: list pages on the session, with retries
and error classification), mapping to rows, upserts and cursor bookkeeping.
A ratio near 1 means the sync is limited by the network, not by the cache.

``run(customers=...)`` sizes the business (100,000 by default).  The demo
backend runs in its own process, as a real backend would, so its rendering
does not compete with the client for the interpreter lock; it generates the
business before either side is timed.

The backend answers a page more slowly the first time it is asked for it
than ever after (at 100,000 customers: 18.6 s for every page once, then 7.0
to 8.0 s).  Whichever side went first paid that alone.  The peer used to go first,
so it was timed on a cold server and the sync on a warm one, and the ratio
came out better than it is.  Now one untimed pass warms every page before either side
is timed.

Each side is then timed ``RUNS`` times, alternating (peer, sync into a fresh
cache, peer, …), and the row gives the medians.  One run of each moved by
several seconds on this 2-core machine (the peer alone from 7.1 to 16.3 s at
100,000 customers), enough to move the ratio by half its goal.

A second row times the sync a synced cache makes every day after that: the
backend adds a seat to ``REPLAYED`` subscriptions, and the sync replays their
events (``/v1/events``) into a copy of the last cache.  Its peer sends, with
a bare ``requests`` session, exactly the requests an untimed replay sent
(recorded at ``requests.Session.send``, which the stripe package's retrieves
also go through), and decodes each answer.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from unittest import mock

import requests

from app.connectors.config import SyncConfig
from app.store.database import open_cache
from app.sync.engine import SyncEngine
from app.sync.stripe_resources import RESOURCES
from benchmarks.rows import Row

NOW = dt.datetime(2026, 6, 1, 12, 0, 0)
OBJECTS = ("customers", "subscriptions")
PAGE = 100  # Stripe's largest page
RUNS = 3  # timed runs of each side, alternating; the row gives the medians
REPLAYED = 2_000  # subscriptions changed between two syncs: about a day's renewals at 100,000 customers


# Started as ``python -c``: serve a generated business until stdin closes.  A line ``change N`` on stdin
# adds a seat to N active subscriptions an hour later (N events), and answers with how many it changed.
_SERVER = """
import datetime as dt, json, sys
from app.demo.backend import DemoBackend
backend = DemoBackend(customers=int(sys.argv[1]), tickets=0, now=dt.datetime.fromisoformat(sys.argv[2])).start()
business = backend.business
business.billing
print(json.dumps({"base": backend.stripe_api_base, "key": backend.stripe_api_key}), flush=True)
for line in sys.stdin:
    wanted = int(line.split()[1])
    backend.clock.advance(dt.timedelta(hours=1))
    active = [s for s in business.billing.subscriptions if s.status == "active"][:wanted]
    for sub in active:
        business.change_subscription(sub.id, quantity=(sub.quantity or 1) + 1)
    backend.clock.advance(dt.timedelta(minutes=5))
    print(len(active), flush=True)
backend.stop()
"""


@dataclass(frozen=True)
class Server:
    stripe_api_base: str
    stripe_api_key: str
    change: Callable[[int], int]  # adds a seat to N active subscriptions; returns how many (``_SERVER``)


@contextmanager
def _server(customers: int) -> Iterator[Server]:
    process = subprocess.Popen(
        [sys.executable, "-c", _SERVER, str(customers), NOW.isoformat()],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        info = json.loads(process.stdout.readline())

        def change(wanted: int) -> int:
            assert process.stdin is not None and process.stdout is not None
            process.stdin.write(f"change {wanted}\n")
            process.stdin.flush()
            return int(process.stdout.readline())

        yield Server(info["base"], info["key"], change)
    finally:
        assert process.stdin is not None
        process.stdin.close()
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:  # a loaded machine: the figures are taken, do not lose them
            process.kill()
            process.wait()
        process.stdout.close()


def _query(params: dict[str, Any]) -> list[tuple[str, Any]]:
    """A list's parameters as the stripe package encodes them (``expand[0]=…``, one pair per value)."""
    pairs: list[tuple[str, Any]] = []
    for name, value in params.items():
        if isinstance(value, list):
            pairs += [(f"{name}[{i}]", item) for i, item in enumerate(value)]
        else:
            pairs.append((name, value))
    return pairs


def _fetch_pages(backend: Server) -> int:
    """What ``requests`` alone does for the same data: page through both lists, decode each page.

    With the sync's own list parameters (its expansions: a customer's card, a
    subscription's discounts), so both sides fetch the same pages, byte for byte.
    """
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {backend.stripe_api_key}"
    objects = 0
    try:
        for resource in (r for r in RESOURCES if r.name in OBJECTS):
            path, params = resource.path, dict(resource.params)
            after = None
            while True:
                query = _query({**params, "limit": PAGE, **({"starting_after": after} if after else {})})
                body = session.get(backend.stripe_api_base + path, params=query, timeout=30).json()
                objects += len(body["data"])
                if not body["has_more"] or not body["data"]:
                    break
                after = body["data"][-1]["id"]
    finally:
        session.close()
    return objects


def _sync(backend: Server, directory: Path) -> float:
    cache = open_cache(directory / "cache.sqlite3")  # migrations are not part of the figure
    try:
        config = SyncConfig(
            stripe_api_base=backend.stripe_api_base,
            stripe_api_key=backend.stripe_api_key,
            stripe_objects=OBJECTS,
            stripe_page_size=PAGE,
        )
        started = time.perf_counter()
        report = SyncEngine(cache.engine, config).run_once()
        elapsed = time.perf_counter() - started
    finally:
        cache.dispose()
    if not report.ok:
        raise RuntimeError(f"benchmark sync failed: {report.errors}")
    return elapsed


@contextmanager
def _requests_sent() -> Iterator[list[str]]:
    """The URL of every request sent meanwhile, in order: the sync's own reads and the stripe package's alike."""
    urls: list[str] = []
    send = requests.Session.send

    def recording(session: requests.Session, request: requests.PreparedRequest, **kwargs: Any) -> Any:
        urls.append(str(request.url))
        return send(session, request, **kwargs)

    with mock.patch.object(requests.Session, "send", recording):
        yield urls


def _get_all(backend: Server, urls: list[str]) -> None:
    """What ``requests`` alone does for the same requests: send each in turn, decode each answer."""
    with requests.Session() as session:
        session.headers["Authorization"] = f"Bearer {backend.stripe_api_key}"
        for url in urls:
            session.get(url, timeout=30).json()


def _copy(synced: Path, directory: Path) -> Path:
    """A copy of the cache in ``synced`` (a synced cache, closed) in a new ``directory``."""
    directory.mkdir(parents=True)
    for part in synced.iterdir():
        shutil.copyfile(part, directory / part.name)
    return directory


def _alternating(peer: Callable[[], object], ours: Callable[[int], float]) -> tuple[list[float], list[float]]:
    """``RUNS`` timings of each side, alternating (peer, ours, peer, …): the peer's wall times, and what
    ``ours(run_no)`` returns (the sync times itself, leaving out opening its cache)."""
    peers, syncs = [], []
    for run_no in range(RUNS):
        started = time.perf_counter()
        peer()
        peers.append(time.perf_counter() - started)
        syncs.append(ours(run_no))
    return peers, syncs


def _replays(backend: Server, synced: Path, directory: Path) -> tuple[int, list[float], list[float]]:
    """(subscriptions changed, peer times, sync times) of the sync after ``REPLAYED`` subscriptions changed.

    Each sync starts from a copy of the same synced cache, so each replays
    the same events.  The peer sends the requests an untimed replay sent.
    """
    changed = backend.change(REPLAYED)
    with _requests_sent() as urls:
        _sync(backend, _copy(synced, directory / "recorded"))
    peers, syncs = _alternating(lambda: _get_all(backend, urls),
                                lambda run_no: _sync(backend, _copy(synced, directory / f"replay{run_no}")))
    return changed, peers, syncs


def _row(name: str, peer_name: str, syncs: list[float], peers: list[float]) -> Row:
    """A sync row: the medians of both sides' times, goal 1.5."""
    return Row(name=name, figure=statistics.median(syncs), peer_name=peer_name, peer_figure=statistics.median(peers),
               unit="s", goal=1.5)


def run(customers: int = 100_000) -> list[Row]:
    with _server(customers) as backend, tempfile.TemporaryDirectory() as tmp:
        objects = _fetch_pages(backend)  # untimed: the server's first answer of each page is slow (module docstring)

        def first_sync(run_no: int) -> float:
            cache_dir = Path(tmp) / f"run{run_no}"
            cache_dir.mkdir()
            return _sync(backend, cache_dir)

        peers, syncs = _alternating(lambda: _fetch_pages(backend), first_sync)
        last_synced = Path(tmp) / f"run{RUNS - 1}"
        changed, replay_peers, replays = _replays(backend, last_synced, Path(tmp) / "replays")
    return [
        _row(f"sync {customers:,} customers + subscriptions ({objects:,} objects)", "requests alone, same pages",
             syncs, peers),
        _row(f"sync after {changed:,} subscriptions changed: their events replayed ({customers:,} customers)",
             "requests alone, same requests", replays, replay_peers),
    ]
