"""Connectors: the only code that talks HTTP to the backends (Ops API, Stripe).

They return plain dicts and cache rows and raise the typed errors of
``app.connectors.errors``; they never touch the cache, so sync decides what a
failure means for the data.
"""
