"""What each table and detail of the window shows, as queries: one module per table.

A module here holds a table's ``TableSpec`` (columns, filters, search
columns, status expressions), the look-ups its detail and dialogs make, and
the cache tables they read (so the UI knows which changes concern them).
Everything is plain SQLAlchemy over the cache and runs on worker threads;
``ui/`` only adapts the results to Qt (colours by the status *value* returned
here, tooltips, widgets).

* ``tickets``   -- tickets by SLA due time, one ticket's story, known assignees
* ``licenses``  -- the license registry and its status rule
* ``incidents`` -- incidents with their duration, one incident's story and impact
* ``services``  -- the ``health`` figure set, draft incidents, one service's charts
* ``customers`` -- customers with plan/MRR/status, the KPIs, customer look-ups
* ``costs``     -- daily cost records and the month overview
* ``freshness`` -- when each synced resource last succeeded (staleness labels)
* ``status``    -- the window's frame: outbox counts, last sync, signed-in user and role
"""
