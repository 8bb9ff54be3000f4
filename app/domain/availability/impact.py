"""An incident's impact: the tickets opened while it lasted that mention its services, and those customers' MRR.

The rule (docs/metrics.md § Service health, "Incident impact"): a ticket
counts when it was opened from the incident's start until its resolution (or
now, while open) and its subject or body mentions an affected service -- the
service's name as a phrase, or its id as the start of a word (``api`` in
"API returns 503", ``auth`` in "authentication errors").  The revenue at
stake is the MRR of those tickets' customers, each counted once, by the
revenue rules' own per-customer MRR (``app.domain.revenue.columns.customer_mrr``),
converted to the reporting currency at the rate of the incident's last day
(its resolution, or today) as the revenue figures convert; a customer whose
currency has no rate is counted apart, never summed in the wrong unit.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Connection, func, literal_column, select, text

from app.domain.revenue.columns import customer_currency, customer_mrr
from app.domain.revenue.fx import Rates
from app.store.schema import Customer, Service, Ticket
from app.store.windows import search_words

_T, _C, _S = Ticket.__table__, Customer.__table__, Service.__table__
TICKET_LIMIT = 100  # the detail lists the first hundred; the counts cover them all


@dataclass(frozen=True)
class ImpactTicket:
    id: int
    subject: str
    created_at: dt.datetime
    customer_id: str | None
    customer_name: str | None
    mrr_minor: float | None  # in the customer's own currency
    currency: str | None


@dataclass(frozen=True)
class Impact:
    tickets: int
    customers: int
    mrr_minor: float  # in ``currency``, the reporting currency
    currency: str
    listed: tuple[ImpactTicket, ...]
    unconverted: int = 0  # customers whose MRR has no rate to the reporting currency (not in ``mrr_minor``)


NO_IMPACT = Impact(0, 0, 0.0, "USD", ())


def mention_query(services: Sequence[tuple[str, str]]) -> str | None:
    """An FTS5 query for tickets mentioning any of ``services`` (id, name) in their subject or body."""
    terms: list[str] = []
    for service_id, name in services:
        words = search_words(name)
        if words:
            terms.append('"' + " ".join(words) + '"')
        terms.extend(f'"{w}"*' for w in search_words(service_id))
    unique = list(dict.fromkeys(terms))
    return "{subject body} : (" + " OR ".join(unique) + ")" if unique else None


def incident_impact(
    conn: Connection, service_ids: Sequence[str], start: dt.datetime, end: dt.datetime, rates: Rates
) -> Impact:
    """Tickets opened in ``[start, end)`` that mention one of the services, and their customers' MRR.

    The MRR is summed in ``rates.reporting`` at ``end``'s rate: customers bill in several currencies.
    """
    named = conn.execute(select(_S.c.id, _S.c.name).where(_S.c.id.in_(list(service_ids)))).all()
    known = {sid for sid, _ in named}
    query = mention_query([(sid, name) for sid, name in named] + [(sid, "") for sid in service_ids
                                                                   if sid not in known])
    if query is None:
        return NO_IMPACT
    mentions = text("tickets.rowid IN (SELECT rowid FROM tickets_fts WHERE tickets_fts MATCH :q)").bindparams(q=query)
    in_time = (_T.c.created_at >= start, _T.c.created_at < end)
    matching = select(_T.c.id, _T.c.customer_id).where(mentions, *in_time).subquery()
    count = int(conn.execute(select(func.count()).select_from(matching)).scalar_one())
    if not count:
        return NO_IMPACT
    customers = select(matching.c.customer_id).where(matching.c.customer_id.is_not(None)).distinct().subquery()
    paying = select(customer_currency(_C.c.id).label("currency"), customer_mrr(_C.c.id).label("mrr")).where(
        _C.c.id.in_(select(customers.c.customer_id))
    ).subquery()
    per_currency = conn.execute(
        select(paying.c.currency, func.count(), func.coalesce(func.sum(paying.c.mrr), 0.0)).group_by(paying.c.currency)
    ).all()
    customer_count, mrr, unconverted = 0, 0.0, 0
    for currency, n, native in per_currency:
        customer_count += n
        converted = rates.convert(float(native), currency or rates.reporting, end.date())
        if converted is None:
            unconverted += n
        else:
            mrr += converted
    listed = conn.execute(
        select(_T.c.id, _T.c.subject, _T.c.created_at, _T.c.customer_id, _C.c.name,
               customer_currency(_C.c.id).label("currency"), customer_mrr(_C.c.id).label("mrr"))
        .select_from(_T.outerjoin(_C, _C.c.id == _T.c.customer_id))
        .where(mentions, *in_time)
        .order_by(_T.c.created_at, literal_column("tickets.id"))
        .limit(TICKET_LIMIT)
    ).all()
    return Impact(
        count, customer_count, mrr, rates.reporting,
        tuple(ImpactTicket(r.id, r.subject, r.created_at, r.customer_id, r.name,
                           None if r.name is None else float(r.mrr), r.currency) for r in listed),
        unconverted,
    )
