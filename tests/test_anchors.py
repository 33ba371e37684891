"""A record's instants may follow one another: they are read in the order they depend on."""

from __future__ import annotations

from datetime import timedelta

import pytest
from pydantic import TypeAdapter, ValidationError

from postmortem.record.anchors import validation_context
from postmortem.record.fields import Instant
from postmortem.record.instants import Duration, between

INSTANT = TypeAdapter(Instant)

RECORD = {
    "timezone": "Europe/Paris",
    "key_instants": {
        "started": {"at": "between 2017-01-31T21:00Z and 21:27Z"},
        "detected": {"at": "within 2 s after started"},
        "mitigated": {"at": "10 min after first-fix"},
        "restored": {"at": "2017-02-01"},
        "resolved": {"at": "1 h after loop-a"},
    },
    "timeline": [
        {"id": "first-fix", "at": "about 5 min after detected", "kind": "action"},
        {"id": "loop-a", "at": "1 min after loop-b"},
        {"id": "loop-b", "at": "1 min after loop-a"},
        {"id": "broken", "at": "2017-01-31T22:00"},
        {"at": "2017-01-31T22:00Z"},
    ],
}


def _reason(text, context):
    with pytest.raises(ValidationError) as raised:
        INSTANT.validate_python(text, context=context)
    return raised.value.errors()[0]["msg"]


def test_instants_are_resolved_after_those_they_follow():
    context = validation_context(RECORD)
    anchors = context["anchors"]
    assert context["zone"] == "Europe/Paris"
    assert sorted(anchors) == ["detected", "first-fix", "mitigated", "restored", "started"]
    assert anchors["mitigated"].anchor_when == anchors["first-fix"]
    assert between(anchors["started"], anchors["mitigated"]) == Duration(
        timedelta(minutes=15), timedelta(minutes=15, seconds=2), True)
    assert anchors["restored"].precision == "day"
    assert context["unresolved"] == {"resolved", "loop-a", "loop-b", "broken"}


def test_the_field_reads_instants_with_the_record_zone_and_anchors():
    context = validation_context(RECORD)
    detected = INSTANT.validate_python("within 2 s after started", context=context)
    assert detected == context["anchors"]["detected"]
    assert between(context["anchors"]["started"], detected).longest == timedelta(seconds=2)
    assert INSTANT.validate_python("2021-03-13", context=context).earliest.isoformat() == (
        "2021-03-13T00:00:00+01:00")


def test_an_instant_that_follows_an_invalid_or_circular_one_says_so():
    context = validation_context(RECORD)
    assert _reason("1 min after loop-b", context) == (
        "'1 min after loop-b' cannot be placed: 'loop-b' is itself invalid or depends on "
        "this instant")
    assert "'broken' is itself invalid" in _reason("2 min after broken", context)
    assert "did you mean 'first-fix'?" in _reason("2 min after first-fx", context)


def test_the_hint_for_a_time_without_zone_uses_the_record_zone():
    context = validation_context(RECORD)
    assert "'2017-01-31T22:00+01:00' or '2017-01-31T22:00[Europe/Paris]'" in _reason(
        "2017-01-31T22:00", context)


def test_without_a_record_days_and_relative_instants_cannot_be_read():
    assert "the record's 'timezone' is needed" in _reason("2021-03-13", None)
    assert "can only be read in a record" in _reason("2 min after started", None)
    assert INSTANT.validate_python("2021-03-13T10:00Z").exact


@pytest.mark.parametrize("data", [
    None, [], "text", 3, {"timezone": ["x"]}, {"timezone": "Mars/Olympus"},
    {"key_instants": []}, {"key_instants": {"started": "2021-03-13T10:00Z"}},
    {"key_instants": {"started": {"at": 5}}}, {"timeline": {"id": "x"}},
    {"timeline": [None, 3, {"id": ["x"], "at": "2021-03-13T10:00Z"}, {"id": "y", "at": {}}]},
    {"key_instants": {"started": {"at": "999999999999999999999 w after detected"},
                      "detected": {"at": "9999-12-31T23:59Z"}}},
    {"timezone": "Europe/Paris", "key_instants": {"started": {"at": "9999-12"}}},
    {"timezone": "Europe/Paris", "key_instants": {"started": {"at": "0000-01"}}},
    {"timezone": "Europe/Paris", "key_instants": {"started": {"at": "9999-12-31"}}},
    {"key_instants": {"started": {"at": "0001-01-01T00:00+01:00"}}},
])
def test_malformed_data_gives_an_empty_context_without_error(data):
    context = validation_context(data)
    assert set(context) == {"zone", "anchors", "unresolved"}
    assert "started" not in context["anchors"]
