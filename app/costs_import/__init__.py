"""Importing cloud billing exports (CSV, gzip, AWS manifests) into the FOCUS cost store.

``import_cost_files`` is the one entry point; ``reader`` recognises and reads
a file, ``providers`` and ``focus`` know the formats, ``manifest`` the AWS
manifests, ``importer`` groups charges into reports and writes them.
"""

from __future__ import annotations

from app.costs_import.importer import ImportResult, ReportResult, import_cost_files
from app.costs_import.reader import SOURCES, CostImportError

__all__ = ["SOURCES", "CostImportError", "ImportResult", "ReportResult", "import_cost_files"]
