"""The FTS match rule as an SQL function, for testing one row at a time while walking a sort index.

A search for a word in every second row finds its first page fastest by
walking the sort column's index and keeping the rows that match: a few
hundred rows.  Asking the FTS5 index about each row costs milliseconds for a
prefix term (FTS5 merges every term of the prefix before it can seek), so
the walk tests the row's own text with ``words_match(words, col, …)``
instead, by the rule the index applies: every word is the start of a token,
tokens split as the ``unicode61`` tokenizer splits them (letters and digits;
``_`` and punctuation separate), case and Latin diacritics folded.

``app.store.windows`` uses it only for searches of plain ASCII letters and
digits, where that rule and FTS5's agree exactly; anything else goes to FTS5.
"""

from __future__ import annotations

import re
import sqlite3
import unicodedata
from functools import lru_cache

FUNCTION = "words_match"
PLAIN_WORD = re.compile(r"[a-z0-9]+")


@lru_cache(maxsize=64)
def _patterns(words: str) -> tuple[re.Pattern[str], ...]:
    return tuple(re.compile(r"(?:^|[\W_])" + re.escape(w)) for w in words.split())


def _fold(text: str) -> str:
    if text.isascii():
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


def words_match(words: str, *texts: object) -> bool:
    """Whether every word of ``words`` (space-separated, lower case) starts a token of ``texts``."""
    folded = " ".join(_fold(t) if isinstance(t, str) else str(t) for t in texts if t is not None)
    return all(p.search(folded) for p in _patterns(words))


def register(dbapi_conn: sqlite3.Connection) -> None:
    """Make ``words_match`` callable from SQL on this connection."""
    dbapi_conn.create_function(FUNCTION, -1, words_match, deterministic=True)
