"""``app_state`` names its table without the ORM schema (the window reads it before its first paint)."""

from __future__ import annotations

from app.store import app_state
from app.store.app_state import ME_KEY, get_app_value, put_app_value, read_app_value
from app.store.schema import AppState


def test_the_light_table_matches_the_schema():
    light, mapped = app_state.app_table(), AppState.__table__
    assert light.name == mapped.name == app_state.APP_TABLE
    assert {c.name: type(c.type) for c in light.columns} == {c.name: type(c.type) for c in mapped.columns}


def test_a_json_value_round_trips_and_is_replaced(engine):
    with engine.begin() as conn:
        put_app_value(conn, ME_KEY, {"role": "support", "user": {"name": "Maya"}})
        put_app_value(conn, ME_KEY, {"role": "finance"})
    with engine.connect() as conn:
        assert get_app_value(conn, ME_KEY) == {"role": "finance"}
        assert get_app_value(conn, "missing") is None


def test_the_frames_sqlite3_read_gives_what_the_engine_stored(cache):
    """The window's role before its first paint is read without SQLAlchemy: the same value, JSON decoded."""
    me = {"role": "support", "user": {"name": "Maya Ødegård", "email": "maya@example.com"}, "seats": [1, 2.5]}
    with cache.engine.begin() as conn:
        put_app_value(conn, ME_KEY, me)
    assert read_app_value(cache.path, ME_KEY) == me
    assert read_app_value(cache.path, "missing") is None
