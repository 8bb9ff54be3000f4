"""``Changes``: what a write changed, merged as writes land, asked by views about their tables and rows."""

from __future__ import annotations

from app.store.changes import NOTHING, Changes
from app.views import customers, licenses, tickets


def test_keys_merge_and_unknown_keys_win():
    page = Changes.rows("tickets", [1, 2]) | Changes.rows("tickets", [3])
    assert page.tables["tickets"] == {1, 2, 3}
    assert page.touches_key("tickets", 3) and not page.touches_key("tickets", 4)
    bulk = page | Changes.of("tickets")
    assert bulk.tables["tickets"] is None  # an import that cannot say which rows: any row may have changed
    assert bulk.touches_key("tickets", 4)


def test_nothing_is_falsy_and_merges_away():
    assert not NOTHING and not Changes.rows("tickets", [])
    assert (NOTHING | Changes.of("outbox")) == Changes.of("outbox")
    assert not Changes.of("outbox").touches(("tickets", "licenses"))


def test_a_table_knows_every_table_it_reads():
    # The customers window computes plan, MRR and status from subscriptions in correlated subqueries,
    # so a synced page of subscriptions must refresh it although no customer row changed.
    assert {"customers", "subscriptions", "subscription_items", "prices"} <= customers.SPEC.tables
    assert tickets.SPEC.tables == {"tickets", "app_state"}  # "Mine" compares with the signed-in user
    # The registry counts machines and reads the subscription a license follows, with its plan.
    assert licenses.SPEC.tables == {"licenses", "activations", "subscriptions", "subscription_items", "prices",
                                    "products"}
    assert Changes.rows("subscriptions", ["sub_1"]).touches(customers.SPEC.tables)
