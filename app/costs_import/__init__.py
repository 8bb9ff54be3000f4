"""Importing cloud billing exports (CSV) into the cost cache.

``import_cost_file`` is the one entry point; ``formats`` knows the exports.
"""

from __future__ import annotations

from app.costs_import.formats import CostImportError
from app.costs_import.importer import ImportResult, import_cost_file

__all__ = ["CostImportError", "ImportResult", "import_cost_file"]
