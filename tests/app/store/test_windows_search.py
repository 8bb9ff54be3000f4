"""A search's page is the same whichever plan finds it: the sort-order walk or the FTS index."""

from __future__ import annotations

import pytest
from sqlalchemy import true

from app.store import windows
from app.store.database import make_engine
from app.store.windows import WindowQuery, WindowSource
from app.views.tickets import SPEC
from tests.support.big_cache import make_ticket_cache

PAGE = 200
SEARCHES = ("phone", "crash", "phone crash", "user1234", "export", "pho", "nothing")
SORTS = (("subject", True), ("subject", False), ("id", False), ("sla", True))


@pytest.fixture(scope="module")
def source(tmp_path_factory) -> WindowSource:
    path = make_ticket_cache(tmp_path_factory.mktemp("search") / "cache.sqlite3", 20_000)
    return WindowSource(make_engine(path), SPEC)


def _three_pages(source: WindowSource, query: WindowQuery) -> list[tuple]:
    rows = source.page(query, 0, PAGE)
    pages = list(rows)
    for _ in range(2):
        if len(rows) < PAGE:
            break
        rows = source.page_after(query, rows[-1], PAGE)
        pages += rows
    return pages + source.page(query, 150, PAGE)


@pytest.mark.parametrize("search", SEARCHES)
@pytest.mark.parametrize(("sort", "descending"), SORTS)
def test_the_walk_finds_the_rows_the_index_finds_in_the_same_order(source, monkeypatch, search, sort, descending):
    query = WindowQuery(sort, descending, search=search)
    walked = _three_pages(source, query)
    monkeypatch.setattr(windows, "WALK_MAX_ROWS", 0)  # the FTS index only
    assert walked == _three_pages(source, query)


def test_a_common_word_is_walked_and_a_rare_one_goes_to_the_index(source) -> None:
    with source.engine.connect() as conn:
        common = source._walked(WindowQuery("subject", True, search="phone"), conn, None, 0, PAGE)
        rare = source._walked(WindowQuery("subject", True, search="user12345"), conn, None, 0, PAGE)
    assert common is not None and len(common) == PAGE
    assert rare is None


@pytest.mark.parametrize("search", SEARCHES)
def test_a_bare_search_counted_in_the_index_counts_the_rows_the_table_holds(source, search) -> None:
    joined = source.count(WindowQuery("id", search=search, conditions=(true(),)))  # counted against the table
    assert source.count(WindowQuery("id", search=search)) == joined
