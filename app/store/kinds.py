"""How a table column's values are shown and aligned: its kind (the Qt model formats and aligns by it).

Apart from ``app.store.windows``, which declares the columns in SQL: the
formatting every pane uses is loaded before the window's first paint, and
SQLAlchemy after it.
"""

from __future__ import annotations

TEXT, INT, FLOAT, CENTS, MICROS, DATETIME, DATE, BOOL, PERCENT = (
    "text", "int", "float", "cents", "micros", "datetime", "date", "bool", "percent",
)
NUMERIC_KINDS = frozenset({INT, FLOAT, CENTS, MICROS, PERCENT})
