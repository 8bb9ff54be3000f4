"""Reading a module's imports from its source, without importing it (so without Qt or side effects)."""

from __future__ import annotations

import ast
from pathlib import Path


def imported_modules(path: Path) -> set[str]:
    """Every module ``path`` imports, at any depth; ``from a import b`` gives both ``a`` and ``a.b``.

    ``b`` may be a name rather than a module: listing it costs nothing, and it
    catches ``from app.store import schema`` as well as ``import app.store.schema``.
    """
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names
