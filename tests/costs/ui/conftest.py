"""The Costs UI tests use the fixtures of ``tests/ui``: QSettings in tmp_path, the task runner, the leak guard.

Imported by name (not ``*``) so it is plain which fixtures apply here; the
cache is ``tests/costs``'s migrated template copy, quicker than a fresh one.
"""

from __future__ import annotations

from tests.ui.conftest import isolated_qsettings, no_leftover_work, runner

__all__ = ["isolated_qsettings", "no_leftover_work", "runner"]
