"""What the connectors (and the sync engine driving them) need to reach the backends, as one value.

Neither the clients nor the engine read settings, the keyring or the environment
themselves: the caller builds a ``SyncConfig`` (the UI from settings + keyring,
the CLI from ``SyncConfig.from_env``), which keeps them testable against any
server.  It lives with the connectors because they are its first readers; the
sync layer above passes it through.
"""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass, field
from typing import Any

from app import USER_AGENT
from app.connectors.retry import RetryPolicy

ENV_API_URL = "OPSCONSOLE_API_URL"
ENV_API_TOKEN = "OPSCONSOLE_API_TOKEN"
ENV_STRIPE_KEY = "STRIPE_API_KEY"
ENV_STRIPE_BASE = "OPSCONSOLE_STRIPE_API_BASE"

STRIPE_DEFAULT_BASE = "https://api.stripe.com"


@dataclass(frozen=True)
class SyncConfig:
    """Backends, credentials and tuning for one sync engine.

    ``ops_api_url`` is the Ops API base *including* ``/api`` (e.g.
    ``https://ops.example.com/api``); resource paths add ``/v1/...``.  An
    empty URL or key switches that backend off rather than failing the sync.
    ``repr`` hides the secrets so a config can be logged.
    """

    ops_api_url: str = ""
    ops_api_token: str = field(default="", repr=False)
    stripe_api_base: str = STRIPE_DEFAULT_BASE
    stripe_api_key: str = field(default="", repr=False)
    timeout: float = 20.0
    verify_tls: bool = True
    user_agent: str = USER_AGENT
    ops_page_size: int = 500
    stripe_page_size: int = 100
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    # Which Stripe object types to pull (``app.sync.stripe_resources`` names);
    # an account without legacy plans, or a Stripe-compatible server that
    # serves only part of the API, can leave some out.
    stripe_objects: tuple[str, ...] = (
        "products", "prices", "plans", "coupons", "customers", "subscriptions", "invoices", "charges", "refunds",
    )

    @property
    def ops_enabled(self) -> bool:
        return bool(self.ops_api_url and self.ops_api_token)

    @property
    def stripe_enabled(self) -> bool:
        return bool(self.stripe_api_key)

    @classmethod
    def from_env(cls, base: SyncConfig | None = None) -> SyncConfig:
        """``base`` (from settings) with any of the backend environment variables laid over it.

        The environment wins so a headless run (CI, a cron job, the tests) can
        point at another backend without touching the workstation's settings.
        """
        config = base or cls()
        overrides: dict[str, Any] = {
            name: os.environ[var]
            for name, var in (
                ("ops_api_url", ENV_API_URL),
                ("ops_api_token", ENV_API_TOKEN),
                ("stripe_api_key", ENV_STRIPE_KEY),
                ("stripe_api_base", ENV_STRIPE_BASE),
            )
            if os.environ.get(var)
        }
        return dataclasses.replace(config, **overrides)
