"""Ops Console core: everything that runs without Qt (store, sync, domain logic, CLI)."""

from __future__ import annotations

__version__ = "0.1.0"

# How every HTTP request of ours introduces itself.
USER_AGENT = f"OpsConsole/{__version__}"
