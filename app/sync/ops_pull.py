"""Pull one Ops API resource page by page, each page and its cursor in one transaction.

A pass walks ``updated_since=<watermark>`` with the server's cursor; the
watermark moves only when the pass ends, so a pass killed half-way resumes at
its cursor with the same ``updated_since`` and the server's inclusive
boundary re-sends (harmlessly) the rows at the edge.
"""

from __future__ import annotations

from contextlib import closing
from typing import Any

from sqlalchemy import Engine, insert

from app.clock import utcnow
from app.connectors.errors import Refused
from app.connectors.ops_api import OpsApiClient
from app.store.changes import NOTHING, ChangeCallback, Changes, no_changes
from app.sync import state
from app.sync.ops_resources import OpsResource
from app.sync.prefetch import pages_ahead
from app.sync.writer import delete_keys, upsert
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
                        written = write_items(conn, resource, page.items)
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


def write_items(conn: Any, resource: OpsResource, items: list[dict[str, Any]]) -> Changes:
    """Apply one page: upsert live items, delete tombstoned ones (the last word per id wins).

    Returns the rows written; their keys when the table is keyed by the API's id.
    """
    now = utcnow()
    latest: dict[Any, dict[str, Any]] = {}
    for item in items:
        latest[item["id"]] = item
    rows = [resource.to_row(item, now) for item in latest.values() if not item.get("deleted")]
    gone = [resource.tombstone_key(item["id"]) for item in latest.values() if item.get("deleted")]
    if gone:
        delete_keys(conn, resource.table, gone, resource.tombstone_columns, spare_pending=resource.has_pending)
    if resource.unique_key:
        upsert(conn, resource.table, rows, resource.key)
    elif rows:
        replaced = [tuple(row[k] for k in resource.key) for row in rows]
        delete_keys(conn, resource.table, replaced, resource.key)
        conn.execute(insert(resource.table), rows)
    if not latest:
        return NOTHING
    if resource.key != ("id",) or resource.tombstone_columns != ("id",):
        return Changes.of(resource.table.name)
    return Changes.rows(resource.table.name, [row["id"] for row in rows] + [key[0] for key in gone])
