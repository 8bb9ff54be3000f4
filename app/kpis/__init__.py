"""The KPI scorecard: every dashboard and report KPI against its target, read from the figure sets.

``catalogue`` holds the shapes and the band rule, ``scorecard`` reads each
value from the figure set that owns it (revenue, health, support, costs,
licenses, usage) — never recomputing one — and bands it against ``[targets]``.
Rules: docs/metrics.md § "Overview and reports".
"""
