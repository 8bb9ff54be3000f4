"""Replayed events are written in runs (consecutive events about distinct objects of one resource); a batch
passes on what its last second's events were about, for ties split between batches."""

from __future__ import annotations

from app.sync.stripe_pull import Replayed, _last_second, _runs
from app.sync.stripe_resources import BY_OBJECT
from app.sync.subscription_history import from_event

SUBS, CUSTOMERS = BY_OBJECT["subscription"], BY_OBJECT["customer"]


def _event(resource, obj_id: str, *, deleted: bool = False) -> Replayed:
    return Replayed(resource, {"id": obj_id}, deleted, None, from_event(None, f"evt_{obj_id}"))


def _shape(replayed: list[Replayed]) -> list[tuple[str, list[str]]]:
    return [(resource.object, [event.obj["id"] for event in run]) for resource, run in _runs(replayed)]


def test_distinct_objects_of_one_resource_share_a_run_until_the_resource_changes() -> None:
    events = [_event(SUBS, "sub_1"), _event(SUBS, "sub_2"), _event(CUSTOMERS, "cus_1"), _event(SUBS, "sub_3")]
    assert _shape(events) == [("subscription", ["sub_1", "sub_2"]), ("customer", ["cus_1"]),
                              ("subscription", ["sub_3"])]


def test_an_objects_second_event_starts_a_run_written_over_the_first() -> None:
    events = [_event(SUBS, "sub_1"), _event(SUBS, "sub_2"), _event(SUBS, "sub_1"), _event(SUBS, "sub_2")]
    assert _shape(events) == [("subscription", ["sub_1", "sub_2"]), ("subscription", ["sub_1", "sub_2"])]


def test_a_deletion_is_a_run_of_its_own_and_unknown_objects_are_left_out() -> None:
    events = [_event(CUSTOMERS, "cus_1"), _event(CUSTOMERS, "cus_2", deleted=True), _event(None, "tok_1"),
              _event(CUSTOMERS, "cus_3"), _event(CUSTOMERS, "cus_4")]
    runs = _runs(events)
    assert _shape(events) == [("customer", ["cus_1"]), ("customer", ["cus_2"]), ("customer", ["cus_3", "cus_4"])]
    assert [run[0].deleted for _, run in runs] == [False, True, False]


def _about(obj_id: str, second: int) -> dict:
    subject = {"object": "subscription", "id": obj_id}
    return {"id": f"evt_{obj_id}_{second}", "created": second, "data": {"object": subject}}


def test_a_batch_passes_on_what_its_last_seconds_events_were_about() -> None:
    batch = [_about("sub_1", 10), _about("sub_2", 11), _about("sub_3", 11)]
    assert _last_second(batch, {}) == {("subscription", "sub_2"): 11, ("subscription", "sub_3"): 11}


def test_a_second_spanning_batches_keeps_what_the_earlier_ones_saw_of_it() -> None:
    carried = {("subscription", "sub_1"): 11, ("subscription", "sub_9"): 10}
    assert _last_second([_about("sub_2", 11)], carried) == {("subscription", "sub_1"): 11,
                                                             ("subscription", "sub_2"): 11}
    assert _last_second([_about("sub_2", 12)], carried) == {("subscription", "sub_2"): 12}
