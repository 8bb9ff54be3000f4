"""How a setting is declared: the validation metadata every settings field carries.

Kept apart from ``app.config.settings`` so sections that live in their own
module (``app.config.support_settings``) declare their fields the same way
without importing the loader that imports them.
"""

from __future__ import annotations

from typing import Any

URL = r"^(https?://[^\s/$.?#][^\s]*)?$"  # empty means "not configured"
HHMM = r"^([01]\d|2[0-3]):[0-5]\d$"
ISO_DATE = r"^\d{4}-\d{2}-\d{2}$"


def meta(
    *,
    minimum: float | None = None,
    maximum: float | None = None,
    choices: tuple[str, ...] | None = None,
    pattern: str | None = None,
    is_date: bool = False,
    min_items: int = 0,
    item: type | None = None,
    help: str = "",
    label: str = "",
    unit: str = "",
    percent: bool = False,
    options: dict[Any, str] | None = None,
) -> dict[str, Any]:
    """How a setting is validated: range, choices, pattern, a real calendar date, at least N list items;
    and how the settings dialog shows it: ``label`` in words, its ``unit``, a ratio shown as a ``percent``,
    and ``options`` (value → words): the checkboxes a list picks from, or the words of its ``choices``.

    ``item`` is the type of a list's items when the default list is empty (``str``, ``int``),
    or a frozen dataclass for a list of tables (``[[sla.policies]]``): each table is
    checked field by field against it, and its problems name the item
    (``[sla] policies[2].first_reply_minutes``).
    """
    return {"min": minimum, "max": maximum, "choices": choices, "pattern": pattern, "date": is_date,
            "min_items": min_items, "item": item, "help": help, "label": label, "unit": unit, "percent": percent,
            "options": options}
