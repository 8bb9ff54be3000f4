"""Fixtures for the sync tests: servers on loopback ports (the cache fixture is the suite's)."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator

import pytest

from tests.support.network import free_port, wait_for_port

# localstripe's own ``start()`` binds every interface and pickles its store to a
# fixed file after each request; this launcher binds loopback only and keeps
# the store in memory.
_LOCALSTRIPE = (
    "import sys\n"
    "from aiohttp import web\n"
    "from localstripe.resources import store\n"
    "store.dump_to_disk = lambda: None\n"
    "from localstripe.server import app\n"
    "web.run_app(app, host='127.0.0.1', port=int(sys.argv[1]), print=None)\n"
)


@pytest.fixture
def localstripe() -> Iterator[str]:
    """A fresh localstripe on a free loopback port; yields its base URL."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-c", _LOCALSTRIPE, str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for_port(port, process)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=10)
