"""Sync: pull the backends into the cache page by page, push the outbox, schedule politely.

``SyncEngine.run_once`` is the one entry point (the UI calls it on a worker
thread, the CLI from ``opsconsole sync``); ``Backoff`` tells the scheduler when
to call it next.
"""
