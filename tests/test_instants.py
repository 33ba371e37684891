"""Instants keep their uncertainty, and durations carry it through."""

from __future__ import annotations

from datetime import UTC, timedelta

import pytest

from postmortem.record.instants import InstantError, between, parse_when
from postmortem.render.i18n import Language


@pytest.mark.parametrize("text, earliest, latest, approximate", [
    ("2024-08-03T14:00+02:00", "2024-08-03T12:00", "2024-08-03T12:00", False),
    ("2024-08-03T14:00[Europe/Paris]", "2024-08-03T12:00", "2024-08-03T12:00", False),
    ("about 2024-08-03T14:00+02:00", "2024-08-03T12:00", "2024-08-03T12:00", True),
    ("~2024-08-03T14:00Z", "2024-08-03T14:00", "2024-08-03T14:00", True),
    ("between 2024-08-03T11:00+02:00 and 11:30", "2024-08-03T09:00", "2024-08-03T09:30", False),
    ("2024-08-03T11:00+02:00/11:30", "2024-08-03T09:00", "2024-08-03T09:30", False),
    ("between 2024-08-03T22:00[Europe/Paris] and 2024-08-04T07:00", "2024-08-03T20:00",
     "2024-08-04T05:00", False),
    ("after 2024-08-06T18:00+02:00", "2024-08-06T16:00", None, False),
    ("before 2024-08-05T08:00+02:00", None, "2024-08-05T06:00", False),
])
def test_instants_are_read_with_their_uncertainty(text, earliest, latest, approximate):
    when = parse_when(text)
    assert (_utc(when.earliest), _utc(when.latest), when.approximate) == (
        earliest, latest, approximate)


def _utc(instant):
    return instant and instant.astimezone(UTC).strftime("%Y-%m-%dT%H:%M")


@pytest.mark.parametrize("text, fragment", [
    ("2024-08-03", "a date without a time"),
    ("2024-08-03T11:00", "has no time zone"),
    ("11:30", "no date and no zone"),
    ("between 2024-08-03T11:00+02:00 and 10:30", "ends before it starts"),
    ("2024-02-30T10:00Z", "not a valid date and time"),
    ("2024-08-03T10:00[Mars/Olympus]", "unknown time zone 'Mars/Olympus'"),
    ("2024-08-03T14:00+01:00[Europe/Paris]", "does not match zone Europe/Paris"),
    ("after 2024-08-03T10:00Z/11:00", "takes one instant, not a range"),
    ("next Tuesday", "is not an instant"),
])
def test_wrong_instants_are_explained(text, fragment):
    with pytest.raises(InstantError, match=fragment):
        parse_when(text)


def test_a_range_in_gives_a_range_out():
    started = parse_when("about 2024-08-03T11:00+02:00")
    restored = parse_when("between 2024-08-05T06:00+02:00 and 12:00")
    duration = between(started, restored)
    assert (duration.shortest, duration.longest) == (timedelta(days=1, hours=19),
                                                     timedelta(days=2, hours=1))
    assert duration.approximate


def test_an_open_end_gives_a_lower_bound():
    duration = between(
        parse_when("2024-08-03T11:00+02:00"), parse_when("after 2024-08-06T18:00+02:00")
    )
    assert (duration.shortest, duration.longest) == (timedelta(days=3, hours=7), None)


@pytest.mark.parametrize("lang, start, end, expected", [
    ("fr", "about 2024-08-03T11:00+02:00", "about 2024-08-03T14:00+02:00", "environ 3\u202fh"),
    ("en", "about 2024-08-03T11:00+02:00", "about 2024-08-03T14:00+02:00", "about 3 hr"),
    ("fr", "2024-08-03T11:00+02:00", "between 2024-08-05T06:00+02:00 and 12:00",
     "entre 1\u202fj 19\u202fh et 2\u202fj 1\u202fh"),
    ("en", "2024-08-03T11:00+02:00", "after 2024-08-06T18:00+02:00", "more than 3 days 7 hr"),
    ("fr", "2024-08-03T11:00+02:00", "between 2024-08-03T11:00+02:00 and 11:30",
     "jusqu'à 30\u00a0min"),
    ("en", "2024-08-03T11:00Z", "2024-08-03T11:25Z", "25 min"),
])
def test_durations_read_naturally_in_each_language(lang, start, end, expected):
    language = Language(lang, "Europe/Paris")
    assert language.duration(between(parse_when(start), parse_when(end))) == expected


@pytest.mark.parametrize("lang, text, expected", [
    ("fr", "between 2024-08-03T11:00+02:00 and 11:30", "samedi 3 août 2024, entre 11:00 et 11:30"),
    ("en", "between 2024-08-03T11:00+02:00 and 11:30",
     "Saturday, August 3, 2024, between 11:00 and 11:30"),
    ("fr", "about 2024-08-03T12:00Z", "vers samedi 3 août 2024 à 14:00"),
    ("fr", "after 2024-08-06T18:00+02:00", "après mardi 6 août 2024 à 18:00"),
])
def test_instants_are_shown_in_the_report_time_zone_and_language(lang, text, expected):
    assert Language(lang, "Europe/Paris").when(parse_when(text)) == expected
