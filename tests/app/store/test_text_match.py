"""``words_match`` applies the FTS index's rule to one row: it agrees with FTS5 on plain words."""

from __future__ import annotations

import sqlite3

import pytest

from app.store import text_match

TEXTS = ("Crash on login", "foo_bar baz", "Café au lait", "user123@example.com", "re-export", "EXPORTED rows",
         "naïve", "a1b2", None)
WORDS = ("crash", "login", "foo", "bar", "cafe", "caf", "user12", "example", "com", "export", "exported", "naive",
         "a1b2", "b2", "oo", "lait au", "rash", "")


@pytest.fixture
def fts() -> sqlite3.Connection:
    conn = sqlite3.connect(":memory:")
    text_match.register(conn)
    conn.execute("CREATE VIRTUAL TABLE t USING fts5(a, b, tokenize='unicode61 remove_diacritics 2')")
    conn.executemany("INSERT INTO t (rowid, a, b) VALUES (?, ?, ?)",
                     [(i, text, "second column") for i, text in enumerate(TEXTS)])
    return conn


@pytest.mark.parametrize("words", [w for w in WORDS if w])
def test_agrees_with_fts5_on_every_row(fts, words) -> None:
    query = " AND ".join(f'"{w}"*' for w in words.split())
    by_index = {r for (r,) in fts.execute("SELECT rowid FROM t WHERE t MATCH ?", (query,))}
    by_row = {r for (r,) in fts.execute("SELECT rowid FROM t WHERE words_match(?, a, b)", (words,))}
    assert by_row == by_index


def test_a_word_must_start_a_token() -> None:
    assert text_match.words_match("log", "Crash on login")
    assert not text_match.words_match("ogin", "Crash on login")
    assert not text_match.words_match("crash missing", "Crash on login")
