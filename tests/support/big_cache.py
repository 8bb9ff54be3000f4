"""Large synthetic caches for scale tests and benchmarks, generated inside SQLite for speed.

The rows are synthetic on purpose (they measure the table machinery, not the
business); nothing here is shown to a user as real data.  Benchmarks and scale
tests page through them with the Tickets tab's own spec
(``app.views.tickets.SPEC``), so they run the query users get.  Generation runs as
one recursive-CTE insert in SQLite's C code, with the FTS triggers lifted
during the load and the index rebuilt once at the end: a million tickets take
seconds instead of minutes.  It lives with the tests' support code and
``benchmarks/`` imports it from here: tests never import ``benchmarks``.

Each subject holds three of 18 words (a word is in about one row of six);
every second ticket's body says "Reported by phone" (a word in half the rows).
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

from app.store.database import open_cache

_TICKETS_SQL = """
WITH RECURSIVE seq(i) AS (SELECT :start UNION ALL SELECT i + 1 FROM seq WHERE i < :stop)
INSERT INTO tickets (id, subject, body, customer_id, requester_email, status, priority, tier,
                     category, assignee, created_at, updated_at, sla_due_at, escalated)
SELECT i,
       (SELECT w FROM words WHERE n = ((i * 3266489917) % 4294967231) % 18)
           || ' ' || (SELECT w FROM words WHERE n = (i * 13 + 5) % 18)
           || ' ' || (SELECT w FROM words WHERE n = (i * 31 + 11) % 18),
       CASE WHEN i % 2 = 0 THEN 'Reported by phone' END,
       printf('cus_%06d', (i * 7919) % 100000),
       printf('user%d@example.com', i),
       CASE ((i * 2654435761) % 4294967291) % 6 WHEN 0 THEN 'new' WHEN 1 THEN 'open' WHEN 2 THEN 'pending'
                         WHEN 3 THEN 'on_hold' WHEN 4 THEN 'solved' ELSE 'closed' END,
       CASE ((i * 2246822519) % 4294967279) % 4 WHEN 0 THEN 'urgent' WHEN 1 THEN 'high' WHEN 2 THEN 'normal'
                         ELSE 'low' END,
       1 + (i * 11) % 3,
       CASE ((i * 668265263) % 4294967197) % 6 WHEN 0 THEN 'billing' WHEN 1 THEN 'bug' WHEN 2 THEN 'how-to'
                         WHEN 3 THEN 'outage' WHEN 4 THEN 'feature request' ELSE 'account' END,
       printf('agent%02d', (i * 29) % 40),
       strftime('%Y-%m-%d %H:%M:%S.000000', '2025-01-01', printf('+%d minutes', (i * 104729) % 600000)),
       strftime('%Y-%m-%d %H:%M:%S.000000', '2025-01-01',
                printf('+%d minutes', (i * 104729) % 600000 + 60 + (i * 13) % 12000)),
       strftime('%Y-%m-%d %H:%M:%S.000000', '2025-01-01',
                printf('+%d minutes', (i * 104729) % 600000 + 60 + (i * 7) % 4000)),
       (i % 20) = 0
FROM seq
"""

_WORDS = ("invoice", "login", "export", "crash", "slow", "refund", "seats", "upgrade", "sync", "error",
          "dashboard", "api", "timeout", "password", "license", "webhook", "report", "upload")


def make_ticket_cache(path: Path, rows: int, *, fts: bool = True) -> Path:
    """Create a cache at ``path`` holding tickets 1 … ``rows``; returns ``path``."""
    open_cache(path).dispose()
    conn = sqlite3.connect(path)
    try:
        conn.execute("PRAGMA synchronous = OFF")
        triggers = conn.execute(
            "select name, sql from sqlite_master where type = 'trigger' and tbl_name = 'tickets'"
        ).fetchall()
        with conn:
            for name, _ in triggers:
                conn.execute(f"DROP TRIGGER {name}")
            conn.execute("CREATE TEMP TABLE words (n INTEGER PRIMARY KEY, w TEXT)")
            conn.executemany("INSERT INTO words VALUES (?, ?)", enumerate(_WORDS))
            have = conn.execute("select coalesce(max(id), 0) from tickets").fetchone()[0]
            if rows > have:
                conn.execute(_TICKETS_SQL, {"start": have + 1, "stop": rows})
            if fts:
                conn.execute("INSERT INTO tickets_fts(tickets_fts) VALUES ('rebuild')")
            for _, sql in triggers:
                conn.execute(sql)
    finally:
        conn.close()
    return path


_HEALTH_SQL = """
WITH RECURSIVE seq(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM seq WHERE i < :stop)
INSERT INTO health_checks (service_id, checked_at, ok, status_code, latency_ms, error, source)
SELECT :service,
       strftime('%Y-%m-%d %H:%M:%S.000000', :start, printf('+%d minutes', i * :step)),
       ((i * 2654435761 + :salt) % 1000) >= :fail_permille,
       200,
       20 + ((i * 40503 + :salt) % 997) / 10.0,
       NULL,
       'api'
FROM seq
"""


def make_health_cache(path: Path, services: int, days: int, end: dt.date, every_minutes: int = 1) -> Path:
    """A cache with ``services`` services checked every ``every_minutes`` (a few failing) for the ``days`` days
    before ``end`` (the demo probes every 5 minutes; the year-long benchmark every minute)."""
    start = (end - dt.timedelta(days=days)).isoformat()
    open_cache(path).dispose()
    conn = sqlite3.connect(path)
    try:
        conn.execute("PRAGMA synchronous = OFF")
        with conn:
            for n in range(services):
                service = f"svc{n:02d}"
                conn.execute("INSERT INTO services (id, name, probe_interval_s, timeout_s, expected_status, "
                             "slo_target) VALUES (?, ?, ?, 5.0, 200, 0.999)",
                             (service, f"Service {n}", 60 * every_minutes))
                conn.execute(_HEALTH_SQL, {"service": service, "stop": days * 1440 // every_minutes - 1,
                                           "step": every_minutes, "salt": n * 7919,
                                           "fail_permille": 1 + n % 5,
                                           "start": f"{start} 00:00:00"})
    finally:
        conn.close()
    return path


_SUPPORT_EVENTS_SQL = """
WITH RECURSIVE n(k) AS (SELECT 0 UNION ALL SELECT k + 1 FROM n WHERE k < 3)
INSERT INTO ticket_events (id, ticket_id, kind, author, author_role, body, data_json, created_at, pending)
SELECT printf('be_%d_%d', t.id, k), t.id,
       CASE k WHEN 0 THEN 'assignee' WHEN 3 THEN 'status' ELSE 'reply' END,
       CASE k WHEN 2 THEN t.requester_email ELSE t.assignee END,
       CASE k WHEN 0 THEN 'system' WHEN 2 THEN 'customer' ELSE 'agent' END,
       CASE k WHEN 1 THEN 'Thanks, we are looking into it.' WHEN 2 THEN 'Any update?' END,
       CASE k WHEN 0 THEN json_object('assignee', t.assignee) WHEN 3 THEN json_object('status', t.status) END,
       strftime('%Y-%m-%d %H:%M:%S.000000', t.created_at, printf('+%d minutes', 10 + k * 97)), 0
FROM tickets t, n WHERE t.status IN ('new', 'open', 'pending', 'on_hold')
"""


def make_support_cache(path: Path, rows: int, open_rows: int) -> Path:
    """``make_ticket_cache`` with only ``open_rows`` tickets unsolved, each with a four-event log
    (assigned, answered, the customer's follow-up, its status): what SLA re-evaluation reads."""
    make_ticket_cache(path, rows)
    step = max(1, rows // open_rows)
    conn = sqlite3.connect(path)
    try:
        conn.execute("PRAGMA synchronous = OFF")
        with conn:
            conn.execute(
                f"UPDATE tickets SET status = CASE WHEN id % {step} = 0 THEN "  # noqa: S608 - integers computed here
                "(CASE id % 4 WHEN 0 THEN 'new' WHEN 1 THEN 'open' WHEN 2 THEN 'pending' ELSE 'on_hold' END) "
                "ELSE (CASE id % 2 WHEN 0 THEN 'solved' ELSE 'closed' END) END"
            )
            conn.execute(_SUPPORT_EVENTS_SQL)
    finally:
        conn.close()
    return path
