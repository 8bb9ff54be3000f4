"""What the window is built from: paths, settings, the open cache, secrets, the task runner.

Built once by ``ui.application`` and handed down; widgets receive the parts
they need in their constructors (no globals, no singletons).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from app.config.paths import Paths
from app.config.settings import LoadedSettings
from app.secrets import SecretStore
from app.store.database import Cache
from ui.workers import TaskRunner


@dataclass
class AppContext:
    paths: Paths
    loaded_settings: LoadedSettings
    cache: Cache
    secrets: SecretStore
    runner: TaskRunner
    demo: object | None = None  # the in-process demo backend, when running with --demo
    notices: list[str] = field(default_factory=list)  # told to the user once the window is up

    @property
    def settings(self):  # noqa: ANN201 - Settings; kept short for call sites
        return self.loaded_settings.settings
