"""The frozen program's entry script: the same ``ui.cli:main`` the ``opsconsole`` console script runs.

PyInstaller needs a script file rather than an entry point, and this one must
stay a one-liner so the bundle and ``pip install`` behave identically.
"""

from __future__ import annotations

from ui.cli import main

raise SystemExit(main())
