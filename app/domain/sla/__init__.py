"""Support SLAs as the console computes them: rules in force, stored clocks, the queue, KPIs, alerts.

The rules themselves (calendars, policies, clocks) are pure and shared with
the demo backend in ``app.sla_rules``; this package applies them to the
cache:

* ``rules``      -- which rules are in force (Ops API, settings, handbook)
* ``evaluation`` -- computing and storing tickets' clocks, in batches
* ``queue``      -- a ticket's state now (breached, about to breach, paused…)
* ``kpis``       -- the support figure set (``opsconsole metrics support``)
* ``alerts``     -- the pre-breach alert rule
"""

from __future__ import annotations

from app.sla_rules.policies import SOLVED_STATUSES

__all__ = ["SOLVED_STATUSES"]
