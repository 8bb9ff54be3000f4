"""``--demo``: the generated business served in-process on a loopback port.

Everything the demo shows goes through the same HTTP, sync and cache code as
production; only the backend is local.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.connectors.config import SyncConfig
from app.demo.backend import DemoBackend


@dataclass
class DemoSession:
    backend: DemoBackend
    sync_config: SyncConfig

    def stop(self) -> None:
        self.backend.stop()


def start_demo(role: str = "executive") -> DemoSession:
    """Serve the generated business on a free loopback port, signed in as ``role``."""
    backend = DemoBackend(role=role, health_days=90, outage_tickets=True).start()
    config = SyncConfig(
        ops_api_url=backend.ops_api_url,
        ops_api_token=backend.ops_api_token,
        stripe_api_base=backend.stripe_api_base,
        stripe_api_key=backend.stripe_api_key,
        verify_tls=False,  # plain HTTP on loopback
    )
    return DemoSession(backend, config)
