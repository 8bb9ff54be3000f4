"""Columns read like a product: codes in words, why a column cannot be sorted, keys in their own type."""

from __future__ import annotations

from dataclasses import replace

from app.store.windows import COMPUTED_PER_ROW, in_words
from app.views import costs, customers, incidents, licenses, tickets


def test_codes_read_as_words():
    assert in_words("past_due") == "Past due"
    assert in_words("on_hold") == "On hold"
    assert in_words("how-to") == "How to"
    for unchanged in ("Acme Corp", "P1", 42, None, "", "already in words"):
        assert in_words(unchanged) == unchanged


def test_a_column_shows_its_labels_then_words_then_the_value():
    source = costs.CHARGES.column("source")
    assert source.shown("opsapi") == "Ops API" and source.shown("aws_cur") == "AWS CUR file"
    assert source.shown("new_format") == "new_format"  # labels only, no generic words
    assert tickets.SPEC.column("status").shown("on_hold") == "On hold"
    assert tickets.SPEC.column("subject").shown("login_fails") == "login_fails"  # free text is left alone


def test_every_unsortable_column_says_why():
    for spec in (customers.SPEC, tickets.SPEC, incidents.SPEC, licenses.SPEC, costs.CHARGES):
        for column in spec.columns:
            assert bool(column.why_unsortable) != column.sortable, (spec.name, column.key)
    assert "sort by SLA instead" in tickets.SPEC.column("sla_state").why_unsortable
    bare = replace(tickets.SPEC.column("subject"), sortable=False, sort_note="")
    assert bare.why_unsortable == COMPUTED_PER_ROW  # the usual reason, when a spec gives none
    assert "Started" in incidents.SPEC.column("duration_h").why_unsortable


def test_a_key_that_arrives_as_text_gets_the_key_column_type():
    assert tickets.SPEC.coerce_key("101") == 101
    assert customers.SPEC.coerce_key("cus_acme") == "cus_acme"
    assert tickets.SPEC.coerce_key("not a number") == "not a number"
