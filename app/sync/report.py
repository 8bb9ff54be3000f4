"""What one sync pass did, per resource, for the status bar, the CLI and the tests."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class ResourceResult:
    """Rows written for one resource in this pass, and the error that stopped it, if any."""

    rows: int = 0
    error: str | None = None


@dataclass
class SyncReport:
    """The outcome of ``SyncEngine.run_once``.

    ``offline`` means a backend could not be reached at all (the scheduler
    backs off); ``role`` is what ``/me`` said, or None when it was not asked.
    """

    resources: dict[str, ResourceResult] = field(default_factory=dict)
    offline: bool = False
    role: str | None = None
    pushed: int = 0
    refused: int = 0

    def result(self, resource: str) -> ResourceResult:
        return self.resources.setdefault(resource, ResourceResult())

    def fail(self, resource: str, error: str) -> None:
        self.result(resource).error = error

    @property
    def errors(self) -> dict[str, str]:
        return {name: r.error for name, r in self.resources.items() if r.error}

    @property
    def ok(self) -> bool:
        return not self.offline and not self.errors

    @property
    def rows(self) -> int:
        return sum(r.rows for r in self.resources.values())

    def as_dict(self) -> dict[str, object]:
        """A JSON-ready summary (``opsconsole sync --json``)."""
        return {
            "ok": self.ok,
            "offline": self.offline,
            "role": self.role,
            "pushed": self.pushed,
            "refused": self.refused,
            "rows": self.rows,
            "resources": {name: {"rows": r.rows, "error": r.error} for name, r in self.resources.items()},
        }
