"""No colour is written anywhere in ``ui/`` or the theme but in ``ui/widgets/palette.py``.

A colour written in a pane or a style sheet is right for one scheme and wrong
for the other (dark text on a dark table); the palette holds every colour per
scheme.  This reads the source: string literals holding ``#rrggbb`` or
``rgb(…)``, ``QColor`` built from literal values, and ``theme.qss``.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

from tests.support.repo import ROOT

PALETTE = ROOT / "ui" / "widgets" / "palette.py"
COLOUR = re.compile(r"#[0-9a-fA-F]{3}(?:[0-9a-fA-F]{3})?(?:[0-9a-fA-F]{2})?\b|\brgba?\(")


def _literal_colours(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and COLOUR.search(node.value):
            found.append(f"line {node.lineno}: {node.value[:60]!r}")
        if (isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", "")) == "QColor"
                and node.args and all(isinstance(a, ast.Constant) for a in node.args)):
            found.append(f"line {node.lineno}: QColor({', '.join(repr(a.value) for a in node.args)})")
    return found


def test_only_the_palette_names_colours():
    offenders = {
        str(path.relative_to(ROOT)): colours
        for path in sorted((ROOT / "ui").rglob("*.py"))
        if path != PALETTE and (colours := _literal_colours(path))
    }
    assert offenders == {}


def test_the_style_sheet_names_no_colour():
    sheet = (ROOT / "resources" / "theme.qss").read_text(encoding="utf-8")
    assert COLOUR.findall(sheet) == []
    assert "@red@" in sheet and "palette(" in sheet  # colours come from the scheme in use


def test_the_check_sees_a_colour(tmp_path):
    sample = tmp_path / "pane.py"
    sample.write_text('label.setStyleSheet("color: #6b6b6b;")\nQColor(150, 150, 150)\nQColor(name)\n')
    assert len(_literal_colours(sample)) == 2
