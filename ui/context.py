"""What the window is built from: paths, settings, the open cache, secrets, the task runner.

Built once by ``ui.application`` and handed down; widgets receive the parts
they need in their constructors (no globals, no singletons).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from app.config.paths import Paths
from app.config.settings import LoadedSettings, Settings
from app.secrets import SecretStore
from app.store.database import Cache
from ui.workers import TaskRunner

if TYPE_CHECKING:
    from app.licensing.service import LicenseService
    from ui.demo import DemoSession


@dataclass
class AppContext:
    """What every pane and controller of one window shares: paths, settings, cache, secrets, the task runner."""

    paths: Paths
    loaded_settings: LoadedSettings
    cache: Cache
    secrets: SecretStore
    runner: TaskRunner
    demo: DemoSession | None = None  # the in-process demo backend, when running with --demo
    notices: list[str] = field(default_factory=list)  # told to the user once the window is up
    _licenses: LicenseService | None = field(default=None, repr=False)

    def license_service(self) -> LicenseService:
        """The one license service of this window (it holds the unlocked signing key).

        Issued licenses record who issued them: the user the Ops API last named in ``/me``.
        """
        if self._licenses is None:
            from app.licensing.service import LicenseService
            from app.views.status import signed_in_user

            self._licenses = LicenseService(self.paths, self.cache.engine, issued_by=signed_in_user(self.cache.path))
        return self._licenses

    @property
    def settings(self) -> Settings:
        """The validated settings (short for call sites; ``loaded_settings`` also holds the problems)."""
        return self.loaded_settings.settings
