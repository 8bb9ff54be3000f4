"""The table names the window's start-up modules write out (they import no ORM schema) are the schema's."""

from __future__ import annotations

from app.store.schema import Notification, SyncState
from app.views import freshness, inbox


def test_the_names_written_out_are_the_schemas():
    assert {SyncState.__tablename__} == freshness.TABLES
    assert inbox.TABLES == {inbox.TABLE} == {Notification.__tablename__}
