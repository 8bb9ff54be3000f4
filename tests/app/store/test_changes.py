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


def test_a_union_of_many_is_what_merging_them_one_by_one_gives():
    pages = [
        Changes.rows("subscriptions", ["sub_1", "sub_2"]) | Changes.of("sync_state"),
        Changes.rows("subscriptions", ["sub_2", "sub_3"]) | Changes.rows("customers", ["cus_1"]),
        Changes.of("customers"),  # customers fetched for a page: which ones is not said
        Changes.rows("customers", ["cus_2"]),
        NOTHING,
    ]
    folded = NOTHING
    for page in pages:
        folded |= page
    union = Changes.union(pages)
    assert union == folded
    assert union.tables["subscriptions"] == {"sub_1", "sub_2", "sub_3"}
    assert union.tables["customers"] is None and union.tables["sync_state"] is None
    assert Changes.union(reversed(pages)) == folded  # unknown keys win whatever the order
    assert Changes.union([]) == NOTHING


def test_a_table_knows_every_table_it_reads():
    # The customers window computes plan, MRR and status from subscriptions in correlated subqueries,
    # so a synced page of subscriptions must refresh it although no customer row changed.
    assert {"customers", "subscriptions", "subscription_items", "prices"} <= customers.SPEC.tables
    assert tickets.SPEC.tables == {"tickets", "app_state"}  # "Mine" compares with the signed-in user
    # The registry counts machines and reads the subscription a license follows, with its plan.
    assert licenses.SPEC.tables == {"licenses", "activations", "subscriptions", "subscription_items", "prices",
                                    "products"}
    assert Changes.rows("subscriptions", ["sub_1"]).touches(customers.SPEC.tables)
