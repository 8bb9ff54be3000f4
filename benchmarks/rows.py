"""The one shape every benchmark reports."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Row:
    """One line of the report: a figure, the peer/floor it is compared with, and the goal.

    ``lower_is_better`` says how to read the ratio ``figure / peer``: for times
    it is True (goal: ratio at most ``goal``); for throughputs False (goal: at least).
    """

    name: str
    figure: float
    peer_name: str
    peer_figure: float
    unit: str
    goal: float | None = None
    lower_is_better: bool = True

    @property
    def ratio(self) -> float:
        return self.figure / self.peer_figure if self.peer_figure else float("inf")

    @property
    def verdict(self) -> str:
        if self.goal is None:
            return ""
        ok = self.ratio <= self.goal if self.lower_is_better else self.ratio >= self.goal
        sign = "≤" if self.lower_is_better else "≥"
        return f"{'ok' if ok else 'MISSED'} (goal {sign} {self.goal:g})"
