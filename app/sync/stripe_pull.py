"""Pull Stripe: a full pass per object type once, then incremental through ``/v1/events``.

Full passes page with ``starting_after`` (stored as the resource's cursor, so a
killed pass resumes); a re-pass removes rows Stripe no longer lists.  Before
the first full pass the newest event is remembered; afterwards every sync
replays the events since then, oldest first, paging forward from the last one
applied (``ending_before``), each carrying the object's state right after it
happened — so replaying an event the full pass already covered is harmless,
and the last event about an object leaves it as Stripe has it.

Stripe keeps events for 30 days.  When the last event we applied can no
longer be retrieved, events may have been lost and a full re-pass starts.
"""

from __future__ import annotations

import json
from collections.abc import Generator, Iterable, Iterator, Mapping
from contextlib import closing
from dataclasses import dataclass, field, replace
from functools import partial
from itertools import chain
from typing import Any

from sqlalchemy import Connection, Engine, and_, delete
from sqlalchemy.exc import IntegrityError

from app.clock import utcnow
from app.connectors import stripe_rows
from app.connectors.convert import from_unix, parse_datetime
from app.connectors.errors import Refused
from app.connectors.stripe_api import StripePage, StripeSource
from app.store import deferred_indexes, heap
from app.store.changes import ChangeCallback, Changes, no_changes
from app.sync import fts_deferral, quarantine, state, subscription_history
from app.sync.open_writes import OpenWrites
from app.sync.prefetch import LEAD, batches_ahead
from app.sync.steps import StepRunner as Step
from app.sync.stripe_resources import (
    BY_OBJECT,
    HISTORY_TABLE,
    RESOURCES,
    StripeResource,
    complete_items,
    fetch_customers,
    missing_customers,
    write_objects,
    written_tables,
)
from app.tasks import CancelToken, Progress, ProgressCallback

Obj = dict[str, Any]

EVENTS_KEY = "stripe:events"
# Events written in one transaction: as many as a full pass commits at once, at least (``prefetch.LEAD`` pages of 100).
# A commit writes every page its rows touched, and rows of random ids touch about a page each: larger
# transactions share pages and commits.  Replaying 2,000 subscription events into
# copies of one 100,000-customer cache, twice each, alternating: 1.17 and 1.24 s in transactions of 100 events,
# 0.68 and 0.78 s of 500, 0.39 and 0.58 s in one.
EVENTS_AT_ONCE = LEAD * 100
INVOICES = "invoices"
RETENTION_DAYS = 30
# Objects whose ``*.deleted`` event means the row goes; a "deleted" subscription is only canceled.
_DELETABLE = frozenset({"customer", "product", "price", "plan", "invoice", "coupon"})


@dataclass(frozen=True)
class Parents:
    """Customers fetched for a page (``found``) and those Stripe no longer has (``gone``)."""

    found: list[Obj] = field(default_factory=list)
    gone: frozenset[str] = frozenset()


@dataclass(frozen=True)
class _Batch:
    """Pages of a full pass written together: their objects, subscriptions' items, whether the last ended the pass."""

    objs: list[Obj]
    items: dict[str, list[Obj]] | None
    finished: bool
    pages: int
    parents: Parents = Parents()  # customers fetched for it (when the cache lacked some)


Subject = tuple[str, str]  # what an event is about: (the object's kind, its id)
# An object as Stripe holds it now (None: deleted), with what is written alongside it and how it was seen.
Current = tuple[StripeResource, str, Obj | None, Parents, list[Obj] | None, subscription_history.Observation]


@dataclass
class EventCursor:
    """The newest applied event time and the ids applied at that second (events share seconds)."""

    created: int = 0
    ids: list[str] = field(default_factory=list)

    @classmethod
    def parse(cls, text: str | None) -> EventCursor | None:
        return cls(**json.loads(text)) if text else None

    def dump(self) -> str:
        return json.dumps({"created": self.created, "ids": self.ids})


ALL_OBJECTS = tuple(r.name for r in RESOURCES)


class StripePuller:
    """One Stripe pull within a sync pass."""

    def __init__(
        self,
        engine: Engine,
        source: StripeSource,
        progress: ProgressCallback,
        cancel: CancelToken,
        objects: tuple[str, ...] = ALL_OBJECTS,
        changed: ChangeCallback = no_changes,
    ):
        self._resources = tuple(r for r in RESOURCES if r.name in objects)
        self._changed = changed  # hears what each committed page or event batch wrote
        self._engine = engine
        self._source = source
        self._progress = progress
        self._cancel = cancel
        self._expand_refused: set[str] = set()

    def run(self, step: Step) -> None:
        """Full passes still owed, then events; ``step`` runs each one and says whether to go on."""
        with self._engine.connect() as conn:
            cursor_state = state.load(conn, EVENTS_KEY)
        if cursor_state.watermark is None or (
            cursor_state.full_pass_done and self._events_expired(cursor_state)
        ):
            self._restart()
        passes_done = True
        for resource in self._resources:
            with self._engine.connect() as conn:
                if state.load(conn, resource.state_key).full_pass_done:
                    continue
            ok = step(resource.state_key, partial(self._full_pass, resource))
            passes_done = passes_done and ok
            if not ok and not step.keep_going:
                return
        if passes_done:  # events replay on top of complete passes only
            step(EVENTS_KEY, self._apply_events)

    # ---------------------------------------------------------------- full passes

    def _restart(self) -> None:
        """Start (again) from full passes, remembering the newest event to replay from."""
        newest = self._source.list_page("/v1/events", {}, None).data[:1]
        start = EventCursor(newest[0]["created"], [newest[0]["id"]]) if newest else EventCursor()
        with self._engine.begin() as conn:
            for resource in self._resources:
                state.reset(conn, resource.state_key)
            state.reset(conn, EVENTS_KEY)
            current = state.load(conn, EVENTS_KEY)
            state.save_progress(conn, current, cursor=None, watermark=start.dump(), rows=0, finished=False)

    def _full_pass(self, resource: StripeResource) -> int:
        with self._engine.connect() as conn:
            current = state.load(conn, resource.state_key)
        if current.cursor is None:
            # A new pass: its start time (kept as the watermark) lets the end of the
            # pass sweep away rows no page confirmed.
            with self._engine.begin() as conn:
                current = state.save_progress(
                    conn, current, cursor=None, watermark=utcnow().isoformat(), rows=0, finished=False
                )
        done = 0
        self._progress(Progress(resource.name, done))
        batches = batches_ahead(
            lambda after: self._list(resource, after),
            current.cursor,
            _older_page_anchor,
            self._cancel,
        )
        writes: OpenWrites[_Batch] = OpenWrites(self._engine)
        committed = current  # the pass's state as of its last commit
        with closing(batches), heap.bulk_writes(self._engine), closing(writes):  # a pass writes every row: more cache
            try:
                for pages in batches:  # the pages fetched while the last were written
                    self._cancel.raise_if_cancelled()
                    objs = [obj for page in pages for obj in page.data]
                    batch = _Batch(objs, self._items(resource, objs), not pages[-1].has_more or not pages[-1].data,
                                   len(pages))
                    current = self._write_batch(writes, resource, committed, current, batch)
                    if batch.finished or writes.due:
                        done += self._commit(writes, resource)
                        committed = current
                        self._progress(Progress(resource.name, done))
            except BaseException:
                if writes.batches:  # whole batches (a write that fails undoes its transaction): keep them
                    self._commit(writes, resource)
                raise
        return done

    def _write_batch(
        self,
        writes: OpenWrites[_Batch],
        resource: StripeResource,
        committed: state.ResourceState,
        current: state.ResourceState,
        batch: _Batch,
    ) -> state.ResourceState:
        """Write ``batch`` into the pass's open transaction; returns the pass's state after it.

        A customer created after the customers pass (rare, so it is looked
        for only when the foreign key says so) fails the write, and undoes
        the batches before it since the last commit.  Then the customers this
        batch lacks are fetched, and every one of those batches is written
        again from ``committed``, each with the customers fetched for it,
        quarantining this time the rows the cache still refuses.  Any other
        failure undoes the open transaction and propagates.
        """
        try:
            try:
                current = self._write_page(writes.connection(), resource, current, batch, (IntegrityError,))
                writes.wrote(batch, batch.pages)
                return current
            except IntegrityError:
                earlier = writes.rollback()
            batch = replace(batch, parents=self._parents(batch.objs if resource.needs_customers else []))
            current = committed
            for again in [*earlier, batch]:
                current = self._write_page(writes.connection(), resource, current, again, ())
                writes.wrote(again, again.pages)
            return current
        except BaseException:
            writes.rollback()
            raise

    def _commit(self, writes: OpenWrites[_Batch], resource: StripeResource) -> int:
        """Commit the pass's open transaction, tell who listens what it wrote; returns how many objects it held."""
        batches = writes.commit()
        objs = [obj for batch in batches for obj in batch.objs]
        written = _written(resource, objs, Changes.of(state.TABLE))
        if resource.name == INVOICES and batches and batches[-1].finished:
            written |= Changes.of(HISTORY_TABLE)
        self._changed(written)
        return len(objs)

    def _write_page(
        self,
        conn: Connection,
        resource: StripeResource,
        current: state.ResourceState,
        batch: _Batch,
        strict: tuple[type[Exception], ...],
    ) -> state.ResourceState:
        """A batch and its cursor in ``conn``'s transaction; the pass's sweep and full-text catch-up with its last page.

        The batch's objects are those of one page or of several in a row
        (then the cursor names the last one's end), so a kill resumes after
        the last pages committed, never inside them.
        """
        objs, items, finished, parents = batch.objs, batch.items, batch.finished, batch.parents
        fts_deferral.defer(conn, resource.table.name)  # a full pass writes every row: index them once, at its end
        if current.cursor is None and deferred_indexes.is_empty(conn, resource.table.name):
            deferred_indexes.set_aside(conn, resource.tables)  # a first pass: build its secondary indexes once, too
        write_objects(
            conn, resource, objs, utcnow(), parents=parents.found, orphans=parents.gone, items=items,
            strict=strict,
        )
        if finished:
            deferred_indexes.restore(conn, resource.tables)  # before the sweep: its deletes cascade through them
            self._sweep(conn, resource, current.watermark)
            fts_deferral.catch_up(conn, resource.table.name)
            if resource.name == INVOICES:  # the invoices date the plans of the pasts rebuilt at first sight
                subscription_history.refine(conn)
        return state.save_progress(
            conn,
            current,
            cursor=None if finished else objs[-1]["id"],
            watermark=current.watermark,
            rows=len(objs),
            finished=finished,
        )

    def _list(self, resource: StripeResource, starting_after: str | None) -> Any:
        params = dict(resource.params)
        if resource.name in self._expand_refused:
            params.pop("expand", None)
        try:
            return self._source.list_page(resource.path, params, starting_after)
        except Refused as refused:
            # Stripe-compatible test servers may not know the ``discounts``
            # expansion; coupons then come from the legacy ``discount`` field.
            if "expand" not in params or refused.status != 400 or "expand" not in str(refused).lower():
                raise
            self._expand_refused.add(resource.name)
            return self._list(resource, starting_after)

    def _retrieve(self, resource: StripeResource, obj_id: str) -> Obj | None:
        """One object as Stripe has it now, with the resource's expansions when the server knows them."""
        params = {} if resource.name in self._expand_refused else resource.retrieve_params
        try:
            return self._source.retrieve(f"{resource.path}/{obj_id}", params)
        except Refused as refused:
            if not params or refused.status != 400 or "expand" not in str(refused).lower():
                raise
            self._expand_refused.add(resource.name)
            return self._source.retrieve(f"{resource.path}/{obj_id}")

    def _parents(self, objs: list[Obj]) -> Parents:
        """Customers ``objs`` reference that the cache lacks, fetched (network, before the transaction)."""
        if not objs:
            return Parents()
        with self._engine.connect() as conn:
            absent = missing_customers(conn, objs)
        found = fetch_customers(self._source, absent) if absent else []
        return Parents(found, frozenset(absent - {c["id"] for c in found}))

    def _items(self, resource: StripeResource, objs: list[Obj]) -> dict[str, list[Obj]] | None:
        """Every item of each subscription in ``objs`` (None for other objects)."""
        if resource.object != "subscription":
            return None
        return {o["id"]: complete_items(self._source, o) for o in objs}

    @staticmethod
    def _sweep(conn: Any, resource: StripeResource, pass_started: str | None) -> None:
        started = parse_datetime(pass_started)
        if started is None:
            return
        table = resource.table
        condition = table.c.synced_at < started
        scope = resource.scope()
        conn.execute(delete(table).where(condition if scope is None else and_(condition, scope)))

    # ---------------------------------------------------------------- events

    def _events_expired(self, current: state.ResourceState) -> bool:
        cursor = EventCursor.parse(current.watermark)
        if cursor is None:
            return True
        if cursor.ids:
            return self._source.retrieve(f"/v1/events/{cursor.ids[-1]}") is None
        # No event to probe (the account had none): fall back to our own clock.
        last = current.last_success_at
        return last is None or (utcnow() - last).days >= RETENTION_DAYS

    def _apply_events(self) -> int:
        with self._engine.connect() as conn:
            current = state.load(conn, EVENTS_KEY)
        cursor = EventCursor.parse(current.watermark) or EventCursor()
        self._progress(Progress("events", 0))
        done = 0
        tail: dict[Subject, int] = {}  # what the events of the last batch's last second were about
        with closing(self._event_batches(cursor)) as batches:
            for batch in batches:
                self._cancel.raise_if_cancelled()
                replayed, parents = self._prepare(batch)
                settled = self._settle_ties(batch, tail)
                tail = _last_second(batch, tail)
                runs = _runs(replayed)
                with self._engine.begin() as conn:
                    for resource, run in runs:
                        self._write_run(conn, resource, run, parents)
                    for as_now in settled:
                        self._write_current(conn, *as_now)
                    cursor = _advance(cursor, batch)
                    current = state.save_progress(
                        conn, current, cursor=None, watermark=cursor.dump(), rows=len(batch), finished=False
                    )
                written = Changes.of(state.TABLE)
                for resource, run in runs:
                    written = _written(resource, [event.obj for event in run], written)
                for resource, obj_id, *_rest in settled:
                    written = _written(resource, [{"id": obj_id}], written)
                self._changed(written)
                done += len(batch)
                self._progress(Progress("events", done))
        with self._engine.begin() as conn:
            state.save_progress(conn, current, cursor=None, watermark=cursor.dump(), rows=0, finished=True)
        return done

    def _settle_ties(self, events: list[Obj], earlier: Mapping[Subject, int]) -> list[Current]:
        """Fetch the current state of objects with several events in the same second.

        Within one second the listing order is the only order there is, and
        Stripe-compatible servers disagree on it; for those objects the
        object as it is now, written after the batch's events in the same
        transaction, settles what replaying could not.  ``earlier`` holds what
        earlier batches' events of their last second were about, so a second
        whose events arrive in two batches has its ties settled too.
        """
        seconds: dict[Subject, list[int]] = {subject: [created] for subject, created in earlier.items()}
        for subject, created in _subjects(events):
            seconds.setdefault(subject, []).append(created)
        tied = sorted(key for key, times in seconds.items() if len(times) != len(set(times)))
        settled: list[Current] = []
        for kind, obj_id in tied:
            self._cancel.raise_if_cancelled()
            resource = BY_OBJECT[kind]
            seen = subscription_history.from_event(from_unix(max(seconds[kind, obj_id])))
            obj = self._retrieve(resource, obj_id)
            if obj is not None and obj.get("deleted"):
                obj = None
            if obj is None:
                settled.append((resource, obj_id, None, Parents(), None, seen))
            else:
                items = (self._items(resource, [obj]) or {}).get(obj_id)
                parents = self._parents([obj] if resource.needs_customers else [])
                settled.append((resource, obj_id, obj, parents, items, seen))
        return settled

    @staticmethod
    def _write_current(
        conn: Any,
        resource: StripeResource,
        obj_id: str,
        obj: Obj | None,
        parents: Parents,
        items: list[Obj] | None,
        observation: subscription_history.Observation,
    ) -> None:
        """Make the cache hold ``obj`` as given (None: the object is gone)."""
        if obj is None:
            conn.execute(delete(resource.table).where(resource.table.c.id == obj_id))
            quarantine.clear(conn, resource.state_key, [obj_id])
            return
        write_objects(
            conn, resource, [obj], utcnow(), parents=parents.found, orphans=parents.gone,
            items=None if items is None else {obj_id: items}, observation=observation,
        )

    def _event_batches(self, cursor: EventCursor) -> Generator[list[Obj], None, None]:
        """Events not yet applied, oldest first, in batches of at most ``EVENTS_AT_ONCE``.

        From the last event applied, pages go forward in time (``ending_before``)
        while a helper thread fetches the next ones: a batch is written while
        the next is on its way, and memory holds a batch, not the weeks of
        events a console that was offline has to catch up on.  A server that
        will not page events forward (localstripe refuses the parameter) has
        them listed back down to the cursor instead, all before the first is
        applied.
        """
        if cursor.ids:
            forward = batches_ahead(self._events_after, cursor.ids[-1], _newer_page_anchor, self._cancel)
            with closing(forward):
                try:
                    first = next(forward, [])
                except Refused as refused:
                    if refused.status not in (400, 404):
                        raise
                else:
                    for pages in chain([first], forward):
                        if events := [event for page in pages for event in reversed(page.data)]:
                            yield events
                    return
        listed = self._listed_events(cursor)
        for start in range(0, len(listed), EVENTS_AT_ONCE):
            yield listed[start : start + EVENTS_AT_ONCE]

    def _events_after(self, event_id: str) -> StripePage:
        """The page of events right after ``event_id`` (Stripe still lists it newest first)."""
        return self._source.list_page("/v1/events", {"ending_before": event_id}, None)

    def _listed_events(self, cursor: EventCursor) -> list[Obj]:
        """Events at or after the cursor not yet applied, oldest first, listed back from the newest.

        Stripe lists newest first; reversing the listing and then sorting by
        ``created`` (a stable sort) keeps Stripe's order within one second.
        """
        listed: list[Obj] = []
        after: str | None = None
        while True:
            self._cancel.raise_if_cancelled()
            page = self._source.list_page("/v1/events", {"created": {"gte": cursor.created}}, after)
            listed.extend(page.data)
            if not page.has_more or not page.data:
                break
            after = page.data[-1]["id"]
        seen = set(cursor.ids)
        fresh = [e for e in reversed(listed) if not (e["created"] == cursor.created and e["id"] in seen)]
        fresh.sort(key=lambda e: e["created"])
        return fresh

    def _prepare(self, events: list[Obj]) -> tuple[list[Replayed], Parents]:
        """What writing ``events`` needs, fetched before the write transaction.

        Each object as it goes to the cache (retrieved when the event's copy
        lacks an expansion) with its items, and the customers they reference
        that the cache lacks: looked up once for the batch, not once an event.
        """
        replayed = []
        for event in events:
            self._cancel.raise_if_cancelled()  # a batch may retrieve thousands of objects
            obj = (event.get("data") or {}).get("object") or {}
            resource = BY_OBJECT.get(obj.get("object", ""))
            deleted = _is_deletion(event, obj)
            items = None
            if resource is not None and not deleted:
                if resource.unexpanded(obj) and resource.name not in self._expand_refused:
                    fetched = self._retrieve(resource, obj["id"])
                    if fetched is not None and not fetched.get("deleted"):  # deleted since: its own event follows
                        obj = fetched
                items = (self._items(resource, [obj]) or {}).get(obj["id"])
            seen = subscription_history.from_event(from_unix(event.get("created")), event.get("id"))
            replayed.append(Replayed(resource, obj, deleted, items, seen))
        referring = [e.obj for e in replayed if e.resource is not None and e.resource.needs_customers and not e.deleted]
        return replayed, self._parents(referring)

    def _write_run(self, conn: Any, resource: StripeResource, run: list[Replayed], parents: Parents) -> None:
        """Write a run of events (``_runs``) as one page: each object with the customers it needs, seen at its event."""
        first = run[0]
        if first.deleted:
            self._write_current(conn, resource, first.obj["id"], None, Parents(), None, first.seen)
            return
        objs = [event.obj for event in run]
        wanted = {stripe_rows.ref_id(obj.get("customer")) for obj in objs}
        write_objects(
            conn, resource, objs, utcnow(),
            parents=[c for c in parents.found if c["id"] in wanted], orphans=parents.gone & wanted,
            items=None if first.items is None else {event.obj["id"]: event.items or [] for event in run},
            observation={event.obj["id"]: event.seen for event in run},
        )


@dataclass(frozen=True)
class Replayed:
    """An event ready to write: the object as it goes to the cache, its items, and the event's instant and id."""

    resource: StripeResource | None  # None: an event about something the cache does not hold
    obj: Obj
    deleted: bool
    items: list[Obj] | None  # a subscription's items (None for other objects)
    seen: subscription_history.Observation


def _runs(replayed: list[Replayed]) -> list[tuple[StripeResource, list[Replayed]]]:
    """``replayed`` cut into runs, each written as one page: consecutive events about distinct objects of one resource.

    An object's second event starts a new run, so it is written over what
    the first one left and its history change is measured from that state.
    A deletion is a run of its own; events about what the cache does not
    hold are left out.  Writing a run costs about what writing one event did
    (a statement per table, not one per event).
    """
    runs: list[tuple[StripeResource, list[Replayed]]] = []
    ids: set[str] = set()
    for event in replayed:
        if event.resource is None:
            continue
        joins = (bool(runs) and runs[-1][0] is event.resource and not runs[-1][1][0].deleted and not event.deleted
                 and event.obj["id"] not in ids)
        if joins:
            runs[-1][1].append(event)
        else:
            runs.append((event.resource, [event]))
            ids = set()
        ids.add(event.obj["id"])
    return runs


def _written(resource: StripeResource, objs: list[Obj], so_far: Changes) -> Changes:
    """``so_far`` plus the rows ``objs`` wrote: their own, customers fetched for them, subscription items."""
    return so_far | written_tables(resource, [o["id"] for o in objs if "id" in o])


def _subjects(events: Iterable[Obj]) -> Iterator[tuple[Subject, int]]:
    """(what it is about, its second) of each event about an object the cache holds."""
    for event in events:
        subject = (event.get("data") or {}).get("object") or {}
        if subject.get("object") in BY_OBJECT:
            yield (subject["object"], subject["id"]), event["created"]


def _last_second(events: list[Obj], carried: Mapping[Subject, int]) -> dict[Subject, int]:
    """What the events of the batch ``events``' last second were about, with what ``carried`` holds of that second."""
    last = events[-1]["created"]
    kept = {subject: created for subject, created in carried.items() if created == last}
    kept.update((subject, created) for subject, created in _subjects(events) if created == last)
    return kept


def _older_page_anchor(page: StripePage) -> str | None:
    """Where the page after ``page`` starts when listing (newest first): its oldest object (None: it was the last)."""
    return page.data[-1]["id"] if page.has_more and page.data else None


def _newer_page_anchor(page: StripePage) -> str | None:
    """Where the page after ``page`` starts when paging forward: its newest event (None: it was the last)."""
    return page.data[0]["id"] if page.has_more and page.data else None


def _is_deletion(event: Obj, obj: Obj) -> bool:
    return obj.get("object") in _DELETABLE and (event.get("type", "").endswith(".deleted") or bool(obj.get("deleted")))


def _advance(cursor: EventCursor, applied: list[Obj]) -> EventCursor:
    newest = max(e["created"] for e in applied)
    ids = cursor.ids if newest == cursor.created else []
    return EventCursor(newest, ids + [e["id"] for e in applied if e["created"] == newest])
