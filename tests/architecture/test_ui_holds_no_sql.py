"""The UI adapts and draws: no module under ``ui/`` imports SQLAlchemy or the cache schema.

Every query and rule lives in ``app/`` (``app.views`` and the domain modules),
where it is tested without Qt.  This reads the source, so it needs no Qt either.
"""

from __future__ import annotations

from tests.architecture.support import imported_modules
from tests.support.repo import ROOT

FORBIDDEN = ("sqlalchemy", "app.store.schema")


def test_the_ui_imports_no_sql():
    # ui/panes, ui/dialogs and ui/widgets above all; the models and the window hand the core opaque handles too.
    offenders = {
        str(path.relative_to(ROOT)): sorted(n for n in imported_modules(path) if n.startswith(FORBIDDEN))
        for path in sorted((ROOT / "ui").rglob("*.py"))
    }
    assert {path: names for path, names in offenders.items() if names} == {}


def test_the_check_sees_an_import(tmp_path):
    sample = tmp_path / "pane.py"
    sample.write_text("if True:\n    from sqlalchemy import select\n", encoding="utf-8")
    assert "sqlalchemy" in imported_modules(sample)
    sample.write_text("from app.store import schema\n", encoding="utf-8")
    assert "app.store.schema" in imported_modules(sample)
