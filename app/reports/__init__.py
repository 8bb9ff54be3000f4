"""Business reports: the daily, weekly and monthly reports, built from the cache and rendered to PDF, HTML, CSV.

A report is a plain model (``model``) assembled from the figure sets
(``app.metrics``: every number comes from the function behind a pane, never
recomputed here) for a period (``periods``) and a role (``roles``: a role sees
only the sections its dashboard level allows).  The renderers (``pdf``,
``html``, ``csv_files``) only lay the model out; charts are reportlab drawings
(``charts``) so the PDF and the HTML draw the same picture.  Qt-free: the
window's File ▸ Reports… dialog and ``opsconsole report`` call the same
``build.build_report`` and ``render.write_report``.
"""

from __future__ import annotations

DAILY, WEEKLY, MONTHLY = "daily", "weekly", "monthly"
KINDS: tuple[str, ...] = (DAILY, WEEKLY, MONTHLY)

PDF, HTML, CSV = "pdf", "html", "csv"
FORMATS: tuple[str, ...] = (PDF, HTML, CSV)
