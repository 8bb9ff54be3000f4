"""What one sync pass did, per resource, for the status bar, the CLI and the tests."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class ResourceResult:
    """Rows written for one resource in this pass, the error that stopped it, if any, and
    how many of its rows the cache holds in quarantine (could not be stored) after the pass."""

    rows: int = 0
    error: str | None = None
    not_stored: int = 0


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

    @property
    def not_stored(self) -> int:
        """Rows the sources sent that the cache could not store (``app.sync.quarantine``)."""
        return sum(r.not_stored for r in self.resources.values())

    def not_stored_text(self) -> str:
        """"3 rows could not be stored", or "" when every row was."""
        n = self.not_stored
        return f"{n:,} row{'' if n == 1 else 's'} could not be stored" if n else ""

    def as_dict(self) -> dict[str, object]:
        """A JSON-ready summary (``opsconsole sync --json``)."""
        return {
            "ok": self.ok,
            "offline": self.offline,
            "role": self.role,
            "pushed": self.pushed,
            "refused": self.refused,
            "rows": self.rows,
            "not_stored": self.not_stored,
            "resources": {
                name: {"rows": r.rows, "error": r.error, "not_stored": r.not_stored}
                for name, r in self.resources.items()
            },
        }
