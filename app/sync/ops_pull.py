"""Pull one Ops API resource page by page, each page and its cursor in one transaction.

A pass walks ``updated_since=<watermark>`` with the server's cursor; the
watermark moves only when the pass ends, so a pass killed half-way resumes at
its cursor with the same ``updated_since`` and the server's inclusive
boundary re-sends (harmlessly) the rows at the edge.
"""

from __future__ import annotations

from contextlib import closing
from typing import Any

from sqlalchemy import Engine

from app.clock import utcnow
from app.connectors.errors import Refused
from app.connectors.ops_api import OpsApiClient
from app.store.changes import NOTHING, ChangeCallback, Changes, no_changes
from app.sync import fts_deferral, quarantine, state
from app.sync.ops_resources import CHILDREN, OpsResource
from app.sync.prefetch import pages_ahead
from app.sync.writer import delete_keys, store
from app.tasks import CancelToken, Progress, ProgressCallback


def pull_resource(
    engine: Engine,
    client: OpsApiClient,
    resource: OpsResource,
    *,
    page_size: int,
    progress: ProgressCallback,
    cancel: CancelToken,
    changed: ChangeCallback = no_changes,
) -> int:
    """Bring ``resource`` up to date; returns the rows written (tombstones included).

    ``changed`` hears what each page wrote once its transaction committed.
    """
    with engine.connect() as conn:
        current = state.load(conn, resource.state_key)
    done = 0
    progress(Progress(resource.name, done))
    may_restart = True
    while True:
        since = current.watermark  # fixed for the whole pass; it moves when the pass ends
        pages = pages_ahead(
            lambda cursor: client.page(resource.name, updated_since=since, cursor=cursor, limit=page_size),  # noqa: B023 - pages are closed (helper joined) before `since` changes
            current.cursor,
            lambda page: page.next_cursor,
            cancel,
        )
        try:
            with closing(pages):
                for page in pages:
                    cancel.raise_if_cancelled()
                    finished = page.next_cursor is None
                    with engine.begin() as conn:
                        if since is None:  # the first pass brings every row: index them once, at its end
                            fts_deferral.defer(conn, resource.table.name)
                        written = write_items(conn, resource, page.items)
                        if finished:
                            fts_deferral.catch_up(conn, resource.table.name)
                        current = state.save_progress(
                            conn,
                            current,
                            cursor=page.next_cursor,
                            watermark=(page.watermark or since) if finished else since,
                            rows=len(page.items),
                            finished=finished,
                        )
                    done += len(page.items)
                    changed(written | Changes.of(state.TABLE))
                    progress(Progress(resource.name, done))
            return done
        except Refused:
            if current.cursor is None or not may_restart:
                raise
            # The server no longer honours our cursor (expired, or from an older
            # deployment): restart the pass from the watermark, which is always
            # safe — once, so a server refusing its own cursors cannot loop us.
            may_restart = False
            with engine.begin() as conn:
                current = state.save_progress(conn, current, cursor=None, watermark=since, rows=0, finished=False)


def write_items(conn: Any, resource: OpsResource, items: list[Any]) -> Changes:
    """Apply one page: upsert live items, delete tombstoned ones (the last word per id wins).

    Items the cache cannot hold are skipped and quarantined with the reason
    (``app.sync.quarantine``); the rest of the page is stored.  Returns the
    rows written; their keys when the table is keyed by the API's id.
    """
    now = utcnow()
    latest: dict[str, dict[str, Any]] = {}
    rejected: dict[str, str] = {}
    for item in items:
        item_id = item.get("id") if isinstance(item, dict) else None
        if isinstance(item_id, (str, int)) and not isinstance(item_id, bool):
            latest[str(item_id)] = item
        else:
            rejected["(no id)"] = "an item without an id"
    rows, ids, gone, gone_ids = [], [], [], []
    for item_id, item in latest.items():
        try:
            if item.get("deleted"):
                gone.append(resource.tombstone_key(item["id"]))
                gone_ids.append(item_id)
            else:
                rows.append(resource.to_row(item, now))
                ids.append(item_id)
        except quarantine.CONVERSION_ERRORS as exc:
            rejected[item_id] = quarantine.conversion_refusal(exc)
    if gone:
        delete_keys(conn, resource.table, gone, resource.tombstone_columns, spare_pending=resource.has_pending)
    store(conn, resource.table, rows, ids, rejected, key=resource.key, replace=not resource.unique_key)
    stored = [row for row, item_id in zip(rows, ids, strict=True) if item_id not in rejected]
    if quarantine.clear(conn, resource.state_key, [i for i in ids if i not in rejected] + gone_ids):
        _repass_children(conn, resource)
    quarantine.record(conn, resource.state_key, rejected)
    if not latest:
        return NOTHING
    also = NOTHING if resource.after_write is None else resource.after_write(conn, list(latest.values()))
    if resource.key != ("id",) or resource.tombstone_columns != ("id",):
        return Changes.of(resource.table.name) | also
    return Changes.rows(resource.table.name, [row["id"] for row in stored] + [key[0] for key in gone]) | also


def _repass_children(conn: Any, resource: OpsResource) -> None:
    """A quarantined row was fixed at the source: rows refused for lack of it get another chance.

    Its children (a ticket's events) were refused by the foreign key and are
    not sent again by an ``updated_since`` pass, since they did not change; a
    full pass of the child resource — later in this same sync, as children
    follow parents — stores them.  Fixes are rare, so the re-pass is too.
    """
    for child in CHILDREN[resource.name]:
        if quarantine.holds(conn, child.state_key):
            state.reset(conn, child.state_key)
