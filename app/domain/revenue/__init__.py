"""Revenue: MRR, its movements, churn, retention, cohorts, customers at risk and reconciliation.

Small modules, one question each (``docs/metrics.md`` § Revenue has every rule
with its source):

* ``mrr`` -- one subscription's MRR (the reference rule); ``columns`` -- the
  same in SQL for the customers table; ``customer`` -- one customer's billing;
* ``fx`` -- currencies and exchange rates; ``policy`` -- the counting policies
  in force (settings);
* ``history`` -- a subscription's billing state and its changes (what sync
  records, and the past rebuilt for a subscription first seen with one);
* ``movements`` -- each customer's MRR over time and its movements;
  ``cache`` -- keeping them between requests;
* ``monthly`` -- the month's figures; ``cohorts`` -- retention by month of
  first payment; ``risk`` -- customers at risk and the alert rule;
  ``reconciliation`` -- MRR against invoices, and bad input;
* ``figures`` -- the figure set behind the screen, the reports and the CLI.
"""

from __future__ import annotations

from typing import Any

__all__ = ["MrrMonth", "RevenueFigures", "mrr_by_month", "revenue_figures"]


def __getattr__(name: str) -> Any:
    """The figure set's names, imported on first use: start-up imports ``fx`` (money formats), not the figures."""
    if name in __all__:
        from app.domain.revenue import figures

        return getattr(figures, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
