"""Windows of SQL results: what a big table shows, fetched a page at a time.

A ``TableSpec`` declares a table's columns once (key, title, SQL expression,
kind); a ``WindowQuery`` is one view of it (sort column, direction, search
text, preset filters).  ``WindowSource`` answers ``count`` and ``page`` for a
query with bound parameters only.  Sorting and filtering happen in SQL on
indexed columns; full-text search goes through the table's FTS5 index.

Pages are fetched by *keyset* when the previous page's last row is known
(``page_after``: about a millisecond anywhere in a million rows) and by OFFSET
otherwise (a jump to the middle of the scrollbar).  Both run on worker threads;
the Qt model (``ui.models.sql_table``) only ever holds the pages in view.

A search picks its plan from the FTS vocabulary: a common word (tens of
thousands of matches) is found fastest by walking the sort column's index and
testing membership, a rare one by starting from its matches.  The rows are the
same either way; measured at a million tickets, the wrong plan costs 20×.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from sqlalchemy import (
    ColumnClause,
    ColumnElement,
    Connection,
    Engine,
    FromClause,
    Select,
    Table,
    and_,
    exists,
    false,
    func,
    literal_column,
    or_,
    select,
    text,
    tuple_,
)
from sqlalchemy.sql.util import find_tables

from app.store import text_match
from app.store.interruptible import interruptible

# The column kinds, named here too: the table specs declare their columns with ``w.CENTS`` and so on.
from app.store.kinds import BOOL as BOOL
from app.store.kinds import CENTS as CENTS
from app.store.kinds import DATE as DATE
from app.store.kinds import DATETIME as DATETIME
from app.store.kinds import FLOAT as FLOAT
from app.store.kinds import INT as INT
from app.store.kinds import MICROS as MICROS
from app.store.kinds import NUMERIC_KINDS as NUMERIC_KINDS
from app.store.kinds import PERCENT as PERCENT
from app.store.kinds import TEXT as TEXT
from app.tasks import CancelToken

# Why a column cannot be sorted when its spec does not say: the usual reason.
COMPUTED_PER_ROW = "computed for the rows in view only, so the whole table cannot be ordered by it"


def in_words(code: Any) -> Any:
    """A stored code as people read it: ``past_due`` → "Past due", ``on_hold`` → "On hold".

    Anything that is not a lower-case code (a name, a number, None) is returned unchanged.
    """
    if not isinstance(code, str) or not code or code != code.lower() or " " in code:
        return code
    spaced = code.replace("_", " ").replace("-", " ")
    return spaced[0].upper() + spaced[1:]


@dataclass(frozen=True)
class Column:
    """One column of a big table, declared once: its SQL, how it reads, whether it sorts and why not.

    ``labels`` turns stored codes into words (``{"past_due": "Past due"}``);
    ``words=True`` does it by the generic rule (``in_words``) for codes the
    labels do not name.  Sorting still orders by the stored value.
    ``sort_note`` says why a column with ``sortable=False`` cannot be sorted;
    the header's tooltip shows it.
    """

    key: str
    title: str
    expr: ColumnElement[Any]
    kind: str = TEXT
    width: int = 120
    tooltip: str = ""
    sortable: bool = True
    labels: Mapping[Any, str] = field(default_factory=dict)
    words: bool = False
    sort_note: str = ""

    def shown(self, value: Any) -> Any:
        """``value`` as the table shows it: its label, its code in words, or itself."""
        if value in self.labels:
            return self.labels[value]
        return in_words(value) if self.words else value

    @property
    def why_unsortable(self) -> str:
        """Empty for a sortable column; else the reason, for the header's tooltip."""
        return "" if self.sortable else (self.sort_note or COMPUTED_PER_ROW)


@dataclass(frozen=True)
class TableSpec:
    """A table as panes show it: its columns, the unique key, search and preset filters."""

    name: str
    source: FromClause
    key: ColumnElement[Any]
    columns: tuple[Column, ...]
    default_sort: str
    default_descending: bool = False
    fts_table: str | None = None  # FTS5 table whose rowid is ``source``'s rowid
    search_columns: tuple[ColumnElement[Any], ...] = ()  # LIKE search when there is no FTS
    filters: Mapping[str, ColumnElement[bool]] = field(default_factory=dict)

    def column(self, key: str) -> Column:
        for c in self.columns:
            if c.key == key:
                return c
        raise KeyError(f"{self.name} has no column {key!r}")

    def index_of(self, key: str) -> int:
        return [c.key for c in self.columns].index(key)

    def coerce_key(self, value: Any) -> Any:
        """A key that arrived as text (a notification's record, a link) in the key column's own type."""
        try:
            wanted = self.key.type.python_type
        except NotImplementedError:  # a type without a Python equivalent: compare as given
            return value
        if value is None or isinstance(value, wanted):
            return value
        try:
            return wanted(value)
        except (TypeError, ValueError):
            return value

    @cached_property
    def tables(self) -> frozenset[str]:
        """Every cache table the window reads (its source, correlated subqueries, filters).

        A change to any of them may change what the table shows; the UI refreshes on those only.
        """
        stmt = select(self.key, *(c.expr for c in self.columns)).select_from(self.source)
        for condition in self.filters.values():
            stmt = stmt.where(condition)
        found = find_tables(stmt, check_columns=True, include_aliases=True, include_joins=True)
        return frozenset(t.name for t in found if isinstance(t, Table))


@dataclass(frozen=True)
class WindowQuery:
    """What the user asked to see: immutable, so it can be handed to worker threads."""

    sort_key: str
    descending: bool = False
    search: str = ""
    filters: tuple[str, ...] = ()
    conditions: tuple[ColumnElement[bool], ...] = ()  # extra fixed conditions (e.g. one customer's rows)


_WORD = re.compile(r"\w+", re.UNICODE)

# Above this many estimated matches, walking the sort index beats sorting the matches.
DENSE_MATCHES = 20_000
_VOCAB_TERMS_SCANNED = 500
# A page is first looked for among this many times its rows in sort order, tested row by row
# (``text_match``): enough for a word in one row of ten; rarer words go to the FTS index.
WALK_FACTOR = 10
WALK_MAX_ROWS = 50_000  # beyond (a deep OFFSET jump), the FTS index answers


def search_words(search: str) -> list[str]:
    """The words of a search, as the FTS tokenizer (unicode61) splits them."""
    return [w.lower() for w in _WORD.findall(search)]


def fts_expression(words: Sequence[str]) -> str | None:
    """Words → an FTS5 query of quoted prefix terms (every word must match).

    Quoting each word makes FTS5 syntax characters in the input harmless.
    """
    return " AND ".join(f'"{w}"*' for w in words) if words else None


class WindowSource:
    """Counts and pages of one ``TableSpec`` over an engine; safe to call from any thread."""

    def __init__(self, engine: Engine, spec: TableSpec) -> None:
        self.engine = engine
        self.spec = spec

    # -- building statements

    def _is_dense(self, conn: Connection, words: Sequence[str]) -> bool:
        """Whether every word of the search matches many rows (per the FTS vocabulary)."""
        vocab = text(
            f"SELECT count(*), coalesce(sum(doc), 0) FROM (SELECT doc FROM {self.spec.fts_table}_vocab "  # noqa: S608 - the spec's table
            "WHERE term >= :lo AND term < :hi LIMIT :cap)"
        )
        for word in words:
            bounds = {"lo": word, "hi": word + "\U0010ffff", "cap": _VOCAB_TERMS_SCANNED}
            terms, docs = conn.execute(vocab, bounds).one()
            if docs < DENSE_MATCHES and terms < _VOCAB_TERMS_SCANNED:
                return False
        return True

    def _fts_columns(self, conn: Connection) -> list[ColumnElement[Any]]:
        """The source's columns the FTS table indexes (FTS5 names its columns after them)."""
        names = [r[1] for r in conn.exec_driver_sql(f"PRAGMA table_info({self.spec.fts_table})")]
        return [self.spec.source.c[name] for name in names]

    def _is_rare(self, conn: Connection, words: Sequence[str], rows: int) -> bool:
        """Whether the FTS index holds fewer than ``rows`` / ``WALK_FACTOR`` matches (it stops counting there).

        The whole words are counted first: FTS5 streams a plain term's rows,
        while a prefix term (``"phone"*``) first merges every row of every
        term it covers -- tens of milliseconds for a word in half the rows.
        """
        cap = rows // WALK_FACTOR
        capped = text(
            f"SELECT count(*) FROM (SELECT rowid FROM {self.spec.fts_table} "  # noqa: S608 - the spec's table
            f"WHERE {self.spec.fts_table} MATCH :fts_query LIMIT :cap)"
        )
        for match in (" AND ".join(f'"{w}"' for w in words), fts_expression(words)):
            if int(conn.execute(capped, {"fts_query": match, "cap": cap}).scalar_one()) >= cap:
                return False
        return True

    def _walked(
        self, query: WindowQuery, conn: Connection, seek: ColumnElement[bool] | None, offset: int, limit: int
    ) -> list[tuple[Any, ...]] | None:
        """The page by walking the sort order and testing each row's text; None when that is not quicker.

        Only the first ``WALK_FACTOR`` × (offset + limit) rows in sort order are
        tested: a page found among them is the page (rows come in order), and
        so is what they hold when nothing lies beyond them.  Otherwise the
        word is rarer than that and the FTS index answers (``_ordered``).
        """
        spec = self.spec
        words = search_words(query.search)
        budget = WALK_FACTOR * (offset + limit)
        if not spec.fts_table or not words or budget > WALK_MAX_ROWS:
            return None
        if not all(text_match.PLAIN_WORD.fullmatch(w) for w in words) or self._is_rare(conn, words, budget):
            return None
        plain = WindowQuery(query.sort_key, query.descending, "", query.filters, query.conditions)
        candidates, _ = self._ordered(plain, conn)
        if seek is not None:
            candidates = candidates.where(seek)
        window = candidates.add_columns(*self._fts_columns(conn)).limit(budget).subquery("walk")
        width = 1 + len(spec.columns)
        shown = list(window.c)[:width]
        texts = list(window.c)[width:]
        # No ORDER BY out here: the walk yields its rows in order and stops at the page's last
        # match; sorting would make SQLite read the whole budget first.
        matched = select(*shown).where(func.words_match(" ".join(words), *texts)).limit(limit).offset(offset)
        rows = [tuple(r) for r in conn.execute(matched)]
        if len(rows) == limit:
            return rows
        scanned = conn.execute(select(func.count()).select_from(candidates.limit(budget).subquery())).scalar_one()
        return rows if scanned < budget else None

    def _where(self, query: WindowQuery, conn: Connection | None = None) -> list[ColumnElement[bool]]:
        """The WHERE clauses; given ``conn``, a search also picks its plan (see module doc)."""
        spec = self.spec
        clauses: list[ColumnElement[bool]] = list(query.conditions)
        clauses.extend(spec.filters[name] for name in query.filters)
        if query.search.strip():
            if spec.fts_table:
                words = search_words(query.search)
                match = fts_expression(words)
                if match is None:
                    clauses.append(false())
                else:
                    walk_index = conn is not None and self._is_dense(conn, words)
                    # A unary + keeps SQLite from driving the query by rowid.
                    prefix = "+" if walk_index else ""
                    rowid: ColumnClause[Any] = literal_column(f"{prefix}{spec.source.name}.rowid")  # type: ignore[attr-defined]  # an FTS source is a Table
                    clauses.append(
                        rowid.in_(
                            select(literal_column("rowid"))
                            .select_from(text(spec.fts_table))
                            .where(text(f"{spec.fts_table} MATCH :fts_query").bindparams(fts_query=match))
                        )
                    )
            elif spec.search_columns:
                pattern = "%" + query.search.strip().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
                clauses.append(or_(*(c.ilike(pattern, escape="\\") for c in spec.search_columns)))
        return clauses

    def _ordered(self, query: WindowQuery, conn: Connection) -> tuple[Select[Any], ColumnElement[Any]]:
        spec = self.spec
        sort = spec.column(query.sort_key).expr
        stmt = select(spec.key, *(c.expr for c in spec.columns)).select_from(spec.source)
        where = self._where(query, conn)
        if where:
            stmt = stmt.where(and_(*where))
        if query.descending:
            stmt = stmt.order_by(sort.desc(), spec.key.desc())
        else:
            stmt = stmt.order_by(sort.asc(), spec.key.asc())
        return stmt, sort

    def _seek(self, query: WindowQuery, sort_value: Any, key_value: Any, *, after: bool) -> ColumnElement[bool]:
        """Rows after (or before) the row ``(sort_value, key_value)`` in ``query``'s order.

        SQLite orders NULL first ascending and last descending; the seek agrees.
        """
        key = self.spec.key
        sort = self.spec.column(query.sort_key).expr
        forward = after != query.descending  # True: rows with larger (sort, key) values
        if sort_value is None:
            nulls = and_(sort.is_(None), key > key_value if forward else key < key_value)
            # NULLs lead ascending order: every non-NULL row follows them going forward.
            return or_(nulls, sort.is_not(None)) if forward else nulls
        if forward:
            return tuple_(sort, key) > tuple_(sort_value, key_value)
        return or_(tuple_(sort, key) < tuple_(sort_value, key_value), sort.is_(None))

    # -- queries

    def has_rows(self) -> bool:
        """Whether the table's source holds any row at all (one O(1) EXISTS): "empty cache" vs "no match"."""
        with self.engine.connect() as conn:
            return bool(conn.execute(select(exists().select_from(self.spec.source))).scalar())

    def position_of(self, query: WindowQuery, key_value: Any, cancel: CancelToken | None = None) -> int | None:
        """The row number of ``key_value`` in ``query``'s window, or None when the window does not hold it.

        Two indexed queries: the row's sort value, then a count of the rows
        before it by the same keyset order ``page_after`` walks.
        """
        spec = self.spec
        sort = spec.column(query.sort_key).expr
        where = self._where(query)
        found = select(sort).select_from(spec.source).where(spec.key == key_value, *where)
        with self.engine.connect() as conn, interruptible(conn, cancel):
            row = conn.execute(found).first()
            if row is None:
                return None
            before = self._seek(query, row[0], key_value, after=False)
            counted = select(func.count()).select_from(spec.source).where(before, *where)
            return int(conn.execute(counted).scalar_one())

    def count(self, query: WindowQuery, cancel: CancelToken | None = None) -> int:
        """Rows of ``query``; a bare search is counted in the FTS index alone.

        The index holds a row per row of its table, so its matches are the
        count; joining them to the table first costs ten times more (a second
        for a word in half of a million rows) and would keep a reader thread
        from the next search's page.  Given ``cancel``, a count nobody waits
        for any more stops (``interruptible``).
        """
        match = fts_expression(search_words(query.search)) if self.spec.fts_table else None
        if match is not None and not query.filters and not query.conditions:
            fts = self.spec.fts_table
            counted = text(f"SELECT count(*) FROM {fts} WHERE {fts} MATCH :fts_query")  # noqa: S608 - the spec's table
            with self.engine.connect() as conn, interruptible(conn, cancel):
                return int(conn.execute(counted, {"fts_query": match}).scalar_one())
        stmt = select(func.count()).select_from(self.spec.source)
        where = self._where(query)
        if where:
            stmt = stmt.where(and_(*where))
        with self.engine.connect() as conn, interruptible(conn, cancel):
            return int(conn.execute(stmt).scalar_one())

    def page(
        self, query: WindowQuery, offset: int, limit: int, cancel: CancelToken | None = None
    ) -> list[tuple[Any, ...]]:
        """Rows ``offset`` … ``offset + limit`` (first value of each row: the key)."""
        with self.engine.connect() as conn, interruptible(conn, cancel):
            walked = self._walked(query, conn, None, offset, limit) if query.search.strip() else None
            if walked is not None:
                return walked
            stmt, _ = self._ordered(query, conn)
            return [tuple(r) for r in conn.execute(stmt.limit(limit).offset(offset))]

    def page_after(
        self, query: WindowQuery, last_row: Sequence[Any], limit: int, cancel: CancelToken | None = None
    ) -> list[tuple[Any, ...]]:
        """The ``limit`` rows that follow ``last_row`` (a row this source returned), by keyset."""
        sort_value = last_row[1 + self.spec.index_of(query.sort_key)]
        seek = self._seek(query, sort_value, last_row[0], after=True)
        with self.engine.connect() as conn, interruptible(conn, cancel):
            walked = self._walked(query, conn, seek, 0, limit) if query.search.strip() else None
            if walked is not None:
                return walked
            stmt, _ = self._ordered(query, conn)
            return [tuple(r) for r in conn.execute(stmt.where(seek).limit(limit))]

    def walk(self, query: WindowQuery, page_size: int = 2_000, start: int = 0) -> Iterator[list[tuple[Any, ...]]]:
        """Every row of ``query`` from row ``start`` on, a page at a time, by keyset: what an export streams.

        Each page is its own short read, so a long export never holds a
        transaction open against sync's writes, and memory holds one page.
        """
        page = self.page(query, start, page_size)
        while page:
            yield page
            if len(page) < page_size:
                return
            page = self.page_after(query, page[-1], page_size)
