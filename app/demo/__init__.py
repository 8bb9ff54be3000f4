"""The demo backend: a deterministic generated business served over loopback HTTP.

It plays the Ops API (``/api/v1/...``) and a read-only Stripe subset
(``/v1/...``) so the desktop app, the tests and the benchmarks exercise the
same connectors, sync and cache code as production, without any network.
``app.demo.backend.DemoBackend`` is the entry point; this package module stays
empty so that importing ``app.demo.cli`` for the argument parser costs nothing.
"""
