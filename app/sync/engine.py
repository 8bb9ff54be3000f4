"""The sync engine: one pass = who am I, push the outbox, pull the Ops API, push to Stripe, pull Stripe.

``run_once`` is synchronous and Qt-free: the UI calls it on a worker thread
(with a progress callback and a cancel token) and asks ``Backoff`` when to call
it again; the CLI calls it once.  Passes never overlap — a second caller waits
for the first to finish, which is what a "sync now" click during a scheduled
pass should do.
"""

from __future__ import annotations

import threading
from functools import partial

from sqlalchemy import Engine

from app import collector
from app.connectors.config import SyncConfig
from app.connectors.ops_api import OpsApiClient
from app.connectors.stripe_api import StripeSource
from app.domain.sla import sync_hooks as sla_sync
from app.store import deferred_indexes, outbox
from app.store.app_state import APP_TABLE, ME_KEY, put_app_value
from app.store.changes import ChangeCallback, Changes, no_changes
from app.sync import fts_deferral, outbox_push
from app.sync.ops_pull import pull_resource
from app.sync.ops_resources import RESOURCES as OPS_RESOURCES
from app.sync.report import SyncReport
from app.sync.steps import StepRunner
from app.sync.stripe_pull import EVENTS_KEY, StripePuller
from app.tasks import CancelToken, ProgressCallback, no_progress
from app.views import status

SUBSCRIPTIONS = "subscriptions"
ME_STEP = "ops:me"
OUTBOX_STEP = "ops:outbox"
STRIPE_OUTBOX_STEP = "stripe:outbox"


class SyncEngine:
    """Keeps one cache in step with the backends named by a ``SyncConfig``."""

    def __init__(self, cache_engine: Engine, config: SyncConfig):
        self._db = cache_engine
        self._config = config
        self._lock = threading.Lock()

    @property
    def config(self) -> SyncConfig:
        return self._config

    def run_once(
        self,
        progress: ProgressCallback = no_progress,
        cancel: CancelToken | None = None,
        changed: ChangeCallback = no_changes,
    ) -> SyncReport:
        """One full pass; raises ``app.tasks.Cancelled`` when cancelled (pages written so far stay).

        ``changed`` hears what each committed page, pushed entry or recorded
        error wrote, as it happens (on this thread), so a window can show the
        new rows without waiting for the pass to end.
        """
        cancel = cancel or CancelToken()
        report = SyncReport()
        # A pass makes a few objects per row, nearly all freed by reference counting; the cyclic collector
        # would rescan the growing heap again and again, so it waits until the pass ends (``app.collector``).
        with self._lock, collector.paused():
            with self._db.begin() as conn:  # indexes a killed pass left deferred (fts_deferral, deferred_indexes)
                fts_deferral.catch_up_all(conn)
                deferred_indexes.restore_all(conn)
            if self._config.ops_enabled:
                self._sync_ops(report, progress, cancel, changed)
            if self._config.stripe_enabled:
                self._sync_stripe(report, progress, cancel, changed)
            for resource, n in status.rows_not_stored(self._db).items():
                report.result(resource).not_stored = n
        return report

    def _sync_ops(
        self, report: SyncReport, progress: ProgressCallback, cancel: CancelToken, changed: ChangeCallback
    ) -> None:
        client = OpsApiClient(self._config, cancel)
        step = StepRunner(self._db, report, changed)
        try:
            if not step(ME_STEP, lambda: self._store_me(client, report, changed)):
                return  # no answer to /me: the backend is down or we are not let in
            pushed = step(OUTBOX_STEP, lambda: self._push(client, report, cancel, changed))
            if not pushed and not step.keep_going:
                return
            for resource in OPS_RESOURCES:
                cancel.raise_if_cancelled()
                ok = step(
                    resource.state_key,
                    partial(
                        pull_resource,
                        self._db,
                        client,
                        resource,
                        page_size=self._config.ops_page_size,
                        progress=progress,
                        cancel=cancel,
                        changed=changed,
                    ),
                )
                if not ok and not step.keep_going:
                    return
        finally:
            client.close()

    def _store_me(self, client: OpsApiClient, report: SyncReport, changed: ChangeCallback) -> int:
        me = client.me()
        report.role = me.get("role")
        with self._db.begin() as conn:
            put_app_value(conn, ME_KEY, me)
        changed(Changes.rows(APP_TABLE, [ME_KEY]))
        return 0

    def _push(
        self,
        client: outbox_push.Sender,
        report: SyncReport,
        cancel: CancelToken,
        changed: ChangeCallback,
        backend: str = outbox.OPS,
    ) -> int:
        result = outbox_push.push(self._db, client, cancel, changed, backend)
        report.pushed += result.sent
        report.refused += result.refused
        return result.sent

    def _sync_stripe(
        self, report: SyncReport, progress: ProgressCallback, cancel: CancelToken, changed: ChangeCallback
    ) -> None:
        source = StripeSource(self._config, cancel)
        step = StepRunner(self._db, report, changed)
        seen: list[Changes] = []  # merged once at the end (``Changes.union``: linear)

        def tracking(written: Changes) -> None:
            seen.append(written)
            changed(written)

        try:
            # Before the pull, so the pull already sees (and confirms) what was just changed.
            pushed = step(STRIPE_OUTBOX_STEP, lambda: self._push(source, report, cancel, changed, outbox.STRIPE))
            if not pushed and not step.keep_going:
                return
            puller = StripePuller(self._db, source, progress, cancel, self._config.stripe_objects, tracking)
            step(EVENTS_KEY, lambda: _run(puller, step))
        finally:
            source.close()
        pulled = Changes.union(seen)
        if pulled.touches([SUBSCRIPTIONS]):  # a plan decides which SLA policy covers its customer's tickets
            with self._db.begin() as conn:
                changed(sla_sync.plans_changed(conn, pulled.tables[SUBSCRIPTIONS]))


def _run(puller: StripePuller, step: StepRunner) -> int:
    """Run the Stripe pull under a top-level step (catching what happens outside its own steps)."""
    puller.run(step)
    return 0
