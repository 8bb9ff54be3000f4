"""Product usage: active users, retention, sessions, feature adoption, conversion funnels and NPS.

The figure set ``usage`` (``usage_figures``) is what the Overview's product
tiles show, what the reports print and what ``opsconsole metrics usage``
prints.  Rules: docs/metrics.md § "Product usage".
"""

from __future__ import annotations

