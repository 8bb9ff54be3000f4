"""Which backends a sync talks to, and with which tokens: settings, then stored tokens, then the environment.

The window and ``opsconsole sync`` build their ``SyncConfig`` here, so a
headless sync uses exactly what the window would: the addresses in
``settings.toml``, the tokens in the OS keyring (or the passphrase-encrypted
secrets file), and, over both, the backend environment variables
(``OPSCONSOLE_API_URL``, ``OPSCONSOLE_API_TOKEN``, ``STRIPE_API_KEY``,
``OPSCONSOLE_STRIPE_API_BASE``) for CI, cron jobs and tests.  A token set in
the environment is not looked up in the keyring at all, so a locked keyring
does not stop a job that brings its own token.
"""

from __future__ import annotations

import os

from app.config.settings import Settings
from app.connectors.config import ENV_API_TOKEN, ENV_API_URL, ENV_STRIPE_KEY, SyncConfig
from app.secrets import OPS_API_TOKEN, STRIPE_API_KEY, SecretStore


def sync_config(settings: Settings, secrets: SecretStore, *, strict: bool = True) -> SyncConfig:
    """The backends to sync; ``strict``: a locked keyring raises ``app.secrets.SecretsLocked``."""
    backends = settings.backends

    def token(name: str, env: str, needed: bool) -> str:
        if os.environ.get(env) or not needed:
            return ""  # the environment's value is laid over below (or nothing would use it)
        return secrets.get(name, strict=strict) or ""

    ops_address = bool(backends.ops_api_url or os.environ.get(ENV_API_URL))
    base = SyncConfig(
        ops_api_url=backends.ops_api_url,
        ops_api_token=token(OPS_API_TOKEN, ENV_API_TOKEN, ops_address),
        stripe_api_base=backends.stripe_api_base,
        stripe_api_key=token(STRIPE_API_KEY, ENV_STRIPE_KEY, True),
        timeout=backends.timeout_seconds,
        verify_tls=backends.verify_tls,
    )
    return SyncConfig.from_env(base)
