"""The installer's modules are scripts in installer/, not a package: make them importable here."""

from __future__ import annotations

import sys

from tests.support.repo import ROOT

INSTALLER = ROOT / "installer"
if str(INSTALLER) not in sys.path:
    sys.path.insert(0, str(INSTALLER))
