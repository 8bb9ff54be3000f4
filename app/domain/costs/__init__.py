"""Cloud costs: the store's daily rollups, budgets, forecasts, anomalies, unit economics and planning.

``figures.cost_figures`` is the one function behind the Costs pane, the
reports and ``opsconsole metrics costs`` (figure set ``"costs"``); the other
modules each hold one rule, written in docs/metrics.md § Costs.
"""
