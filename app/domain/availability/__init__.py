"""Service health: availability by duration, error budgets, burn rates, current state, incidents and their impact.

* ``timeline``     -- the availability rule (each check holds until the next, at most 2 × the interval)
* ``coverage_sql`` -- the same rule inside SQLite, for every service and window at once
* ``budget``       -- error budgets over a rolling 30 days or the calendar month
* ``burn``         -- the SRE workbook's multiwindow, multi-burn-rate alerts
* ``state``        -- Up / Degraded / Down / Unknown / Maintenance
* ``figures``      -- the ``health`` figure set: what the Health tab and ``opsconsole metrics health`` show
* ``latency``      -- one service's latency percentiles and chart series
* ``incidents``    -- incident details, severities, the console's incident writes and draft incidents
* ``impact``       -- tickets that mention an incident's service, and the MRR of their customers
* ``alert_rules``  -- the notifications: state transitions, burn rates, certificates
"""
