"""Instants keep their uncertainty, and durations carry it through."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import jsonschema
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from pydantic import TypeAdapter

from postmortem.record.fields import Instant
from postmortem.record.instants import (
    JSON_SCHEMA_PATTERN,
    Duration,
    InstantError,
    UnknownAnchorError,
    between,
    parse_when,
    stale_offset,
)
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
    ("2024-08-03", "the record's 'timezone' is needed"),
    ("2024-08-03+02:00", "write '2024-08-03' for the day"),
    ("2024-08-03T11:00", "has no time zone"),
    ("within 2 min after started", "can only be read in a record"),
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


# A number and its unit, and the parts of one length of time, never part at a line's end:
# they are joined by no-break spaces (U+00A0), or narrow ones (U+202F) where Babel puts
# them, as in French; only the words around a value ("about", "entre… et") may break.
@pytest.mark.parametrize("lang, start, end, expected", [
    ("fr", "about 2024-08-03T11:00+02:00", "about 2024-08-03T14:00+02:00", "environ 3\u202fh"),
    ("en", "about 2024-08-03T11:00+02:00", "about 2024-08-03T14:00+02:00", "about 3\u00a0hr"),
    ("fr", "2024-08-03T11:00+02:00", "between 2024-08-05T06:00+02:00 and 12:00",
     "entre 1\u202fj\u00a019\u202fh et 2\u202fj\u00a01\u202fh"),
    ("en", "2024-08-03T11:00+02:00", "after 2024-08-06T18:00+02:00",
     "more than 3\u00a0days\u00a07\u00a0hr"),
    ("fr", "2024-08-03T11:00+02:00", "between 2024-08-03T11:00+02:00 and 11:30",
     "jusqu'à 30\u00a0min"),
    ("en", "2024-08-03T11:00Z", "2024-08-03T11:25Z", "25\u00a0min"),
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


# A short stamp never breaks inside: a range may break only after its dash (a thin space,
# U+2009), so that each end stays whole on its line.
@pytest.mark.parametrize("lang, zone, text, expected", [
    ("en", "Europe/London", "2025-03-02T10:05Z", "Sun,\u00a0Mar\u00a02,\u00a010:05"),
    ("en", "Europe/London", "between 2025-03-02T10:05Z and 10:10",
     "Sun,\u00a0Mar\u00a02,\u00a010:05\u202f\u2013\u200910:10"),
    ("fr", "Europe/Paris", "about 2024-08-03T11:00+02:00",
     "vers sam.\u00a03\u00a0août,\u00a011:00"),
    ("fr", "Europe/Paris", "between 2024-08-03T22:00+02:00 and 2024-08-04T07:00+02:00",
     "sam.\u00a03\u00a0août,\u00a022:00\u202f\u2013\u2009dim.\u00a04\u00a0août,\u00a007:00"),
])
def test_a_short_stamp_breaks_only_after_the_dash_of_a_range(lang, zone, text, expected):
    assert Language(lang, zone).when(parse_when(text), compact=True) == expected


PARIS = "Europe/Paris"


def _bounds(when):
    return _utc(when.earliest), _utc(when.latest)


@pytest.mark.parametrize("text, earliest, latest, precision, approximate", [
    ("2021-03-13", "2021-03-12T23:00", "2021-03-13T22:59", "day", False),
    ("2021-04", "2021-03-31T22:00", "2021-04-30T21:59", "month", False),
    ("about 2021-03-13", "2021-03-12T23:00", "2021-03-13T22:59", "day", True),
    ("after 2021-03-13", "2021-03-12T23:00", None, "day", False),
    ("before 2021-03-13", None, "2021-03-13T22:59", "day", False),
    ("between 2021-03-10 and 2021-03-13", "2021-03-09T23:00", "2021-03-13T22:59", "day", False),
    ("2021-03-10/2021-03-13", "2021-03-09T23:00", "2021-03-13T22:59", "day", False),
    ("between 2021-04 and 2021-06", "2021-03-31T22:00", "2021-06-30T21:59", "month", False),
    ("2024-08-03T14:00 UTC", "2024-08-03T14:00", "2024-08-03T14:00", "minute", False),
    ("2024-08-03T14:00 GMT", "2024-08-03T14:00", "2024-08-03T14:00", "minute", False),
    ("between 2024-08-03T14:00 UTC and 14:30", "2024-08-03T14:00", "2024-08-03T14:30", "minute",
     False),
    ("2021-10-31T02:30+01:00[Europe/Paris]", "2021-10-31T01:30", "2021-10-31T01:30", "minute",
     False),
])
def test_days_months_and_utc_are_instants(text, earliest, latest, precision, approximate):
    when = parse_when(text, PARIS)
    assert (_bounds(when), when.precision, when.approximate) == (
        (earliest, latest), precision, approximate)


def test_a_day_is_the_whole_day_in_the_record_zone():
    day = parse_when("2021-03-13", "America/New_York")
    assert day.earliest.isoformat() == "2021-03-13T00:00:00-05:00"
    assert day.latest.isoformat() == "2021-03-13T23:59:59.999999-05:00"
    assert not day.exact and day.zone == "America/New_York"


@pytest.mark.parametrize("zone, text, hours", [
    (PARIS, "2021-03-28", 23),             # the clocks go forward
    (PARIS, "2021-10-31", 25),             # and back
    (PARIS, "2021-03-27", 24),
    ("America/New_York", "2021-03-14", 23),
])
def test_a_day_of_a_clock_change_lasts_as_long_as_it_did(zone, text, hours):
    day = parse_when(text, zone)
    assert between(day, day).longest == timedelta(hours=hours, microseconds=-1)


def test_durations_are_counted_in_elapsed_time_across_a_clock_change():
    duration = between(parse_when("2021-03-28T01:00[Europe/Paris]"),
                       parse_when("2021-03-28T04:00[Europe/Paris]"))
    assert duration.shortest == timedelta(hours=2)


@pytest.mark.parametrize("zone, text, hint", [
    (PARIS, "2021-01-10T01:20", "'2021-01-10T01:20+01:00' or '2021-01-10T01:20[Europe/Paris]'"),
    (PARIS, "2021-03-10T01:20", "'2021-03-10T01:20+01:00' or '2021-03-10T01:20[Europe/Paris]'"),
    (PARIS, "2021-07-10T01:20", "'2021-07-10T01:20+02:00' or '2021-07-10T01:20[Europe/Paris]'"),
    ("America/New_York", "2021-01-10T01:20",
     "'2021-01-10T01:20-05:00' or '2021-01-10T01:20[America/New_York]'"),
    ("America/New_York", "about 2021-07-10T01:20",
     "'2021-07-10T01:20-04:00' or '2021-07-10T01:20[America/New_York]'"),
    (None, "2021-07-10T01:20", "'2021-07-10T01:20Z' for UTC"),
    (PARIS, "between 2021-03-10T01:20 and 02:00", "'2021-03-10T01:20+01:00' or"),
])
def test_the_hint_for_a_time_without_zone_uses_the_record_zone(zone, text, hint):
    with pytest.raises(InstantError) as raised:
        parse_when(text, zone)
    assert "has no time zone" in str(raised.value)
    assert f"e.g. {hint}" in str(raised.value)
    assert "+02:00" not in str(raised.value) or "07-10" in text


@pytest.mark.parametrize("zone, text, fragment", [
    (None, "2021-03-13", "'2021-03-13' is a whole day, counted in the record's time zone: "
                         "the record's 'timezone' is needed to read it"),
    (None, "after 2021-04", "'after 2021-04' is a whole month"),
    (PARIS, "2021-03-13+01:00", "write '2021-03-13' for the day, or give a time, e.g. "
                                "'2021-03-13T00:00+01:00' or '2021-03-13T00:00[Europe/Paris]'"),
    (PARIS, "2021-03-13 UTC", "write '2021-03-13' for the day"),
    (PARIS, "2021-13", "not a month"),
    (PARIS, "2021-02-29", "not a calendar date"),
    (PARIS, "between 2021-03-13 and 2021-03-10", "ends before it starts"),
    (PARIS, "between 2021-03-10T10:00Z and 2021-03-13", "two ends of one kind"),
    (PARIS, "2024-08-03T11:00 utc", "write UTC in capitals or as Z"),
    (PARIS, "2024-08-03T11:00 UTC+2", "'2024-08-03T11:00+02:00'"),
    (PARIS, "2024-08-03T11:00 CEST", "'CEST' is ambiguous"),
    (PARIS, "2021-03-28T02:30[Europe/Paris]", "did not exist in Europe/Paris"),
    (PARIS, "2021-10-31T02:30[Europe/Paris]",
     "'2021-10-31T02:30+02:00[Europe/Paris]' for the first time or "
     "'2021-10-31T02:30+01:00[Europe/Paris]' for the second"),
    (PARIS, "2021-03-29T10:00+01:00[Europe/Paris]", "does not match zone Europe/Paris"),
])
def test_wrong_days_and_zones_are_explained(zone, text, fragment):
    with pytest.raises(InstantError) as raised:
        parse_when(text, zone)
    assert fragment in str(raised.value)


STARTED = parse_when("between 2017-01-31T21:00Z and 21:27Z")
ANCHORS = {"started": STARTED, "detected": parse_when("within 2 s after started", None,
                                                       {"started": STARTED})}


@pytest.mark.parametrize("text, low, high, approximate", [
    ("within 2 s after started", timedelta(0), timedelta(seconds=2), False),
    ("2 min after started", timedelta(minutes=2), timedelta(minutes=2), False),
    ("about 2 min after started", timedelta(minutes=2), timedelta(minutes=2), True),
    ("~10 seconds after started", timedelta(seconds=10), timedelta(seconds=10), True),
    ("between 1 and 3 min after started", timedelta(minutes=1), timedelta(minutes=3), False),
    ("between 30 s and 1 h 30 min after started", timedelta(seconds=30),
     timedelta(hours=1, minutes=30), False),
    ("2 w after started", timedelta(weeks=2), timedelta(weeks=2), False),
    ("1 hour after started", timedelta(hours=1), timedelta(hours=1), False),
    ("3 d after started", timedelta(days=3), timedelta(days=3), False),
    ("2 days after started", timedelta(days=2), timedelta(days=2), False),
    ("1.5 h after started", timedelta(minutes=90), timedelta(minutes=90), False),
])
def test_relative_instants_keep_their_anchor_and_offset(text, low, high, approximate):
    when = parse_when(text, PARIS, ANCHORS)
    assert (when.anchor, when.anchor_when, when.offset) == (
        "started", STARTED, Duration(low, high, approximate))
    # The absolute bounds are the anchor's, moved by the offset's.
    assert (when.earliest, when.latest) == (STARTED.earliest + low, STARTED.latest + high)
    assert when.approximate == approximate


def test_an_unknown_anchor_is_named_with_the_known_ones():
    with pytest.raises(UnknownAnchorError) as raised:
        parse_when("within 2 s after strated", PARIS, ANCHORS)
    assert str(raised.value) == (
        "'within 2 s after strated' follows 'strated', which is no key instant or timeline "
        "entry id; did you mean 'started'? (known: detected, started)"
    )
    assert raised.value.name == "strated"


@pytest.mark.parametrize("text, fragment", [
    ("after started", "needs the time after 'started'"),
    ("2 min before started", "counts forward from the instant it follows"),
    ("2 mn after started", "unknown unit 'mn'"),
    ("between 3 and 1 min after started", "the offset range ends before it starts"),
])
def test_wrong_relative_instants_are_explained(text, fragment):
    with pytest.raises(InstantError, match=fragment):
        parse_when(text, PARIS, ANCHORS)


def test_time_to_detect_uses_the_link_not_the_range_of_the_start():
    detected = ANCHORS["detected"]
    assert between(STARTED, detected) == Duration(timedelta(0), timedelta(seconds=2))
    # Read as two independent ranges, the same instants would give up to 27 min.
    assert between(STARTED, parse_when("between 2017-01-31T21:00Z and 21:27:02Z")).longest == (
        timedelta(minutes=27, seconds=2))


def test_a_chain_of_links_sums_its_offsets():
    fixed = parse_when("about 5 min after detected", None, ANCHORS)
    assert between(STARTED, fixed) == Duration(timedelta(minutes=5),
                                               timedelta(minutes=5, seconds=2), True)
    assert between(ANCHORS["detected"], fixed) == Duration(timedelta(minutes=5),
                                                           timedelta(minutes=5), True)


def test_instants_linked_to_one_anchor_are_compared_through_it():
    first = parse_when("within 10 s after started", None, ANCHORS)
    second = parse_when("between 1 and 2 min after started", None, ANCHORS)
    assert between(first, second) == Duration(timedelta(seconds=50), timedelta(minutes=2))


def test_an_instant_before_its_anchor_gives_a_negative_signed_duration():
    assert between(ANCHORS["detected"], STARTED, signed=True) == Duration(
        timedelta(seconds=-2), timedelta(0))


def test_equal_instants_that_are_not_linked_keep_their_ranges():
    same = parse_when("between 2017-01-31T21:00Z and 21:27Z")
    assert between(STARTED, same) == Duration(timedelta(0), timedelta(minutes=27))


def test_durations_shorter_than_a_minute_are_kept():
    duration = between(parse_when("2024-08-03T11:00:00Z"), parse_when("2024-08-03T11:00:20Z"))
    assert duration.shortest == duration.longest == timedelta(seconds=20)


@pytest.mark.parametrize("text, zone, expected", [
    ("2021-03-29T10:00+01:00", PARIS,
     "'2021-03-29T10:00+02:00' or '2021-03-29T10:00[Europe/Paris]'"),
    ("2021-03-27T10:00+01:00", PARIS, None),
    ("2021-03-29T10:00-04:00", PARIS, None),     # a source in another zone
    ("2021-03-29T10:00Z", PARIS, None),
    ("2021-11-08T10:00-04:00", "America/New_York", "'2021-11-08T10:00-05:00'"),
])
def test_a_stale_offset_after_a_clock_change_is_noticed(text, zone, expected):
    warning = stale_offset(parse_when(text), zone)
    if expected is None:
        assert warning is None
    else:
        problem, advice = warning
        assert "is not the one in force" in problem and expected in advice


# The JSON Schema pattern and the parser accept the same texts. Texts are generated from
# the grammar (valid by construction: real calendar dates, existing zones and anchors,
# ranges in order), then near misses are made from them; a text the parser refuses for
# what it means rather than how it is written (a 30 February, an unknown zone or anchor)
# is not a disagreement.

SEMANTIC_FAILURES = (
    "not a valid date and time", "not a calendar date", "is not a month", "unknown time zone",
    "does not match zone", "did not exist in", "happened twice in", "ends before it starts",
    "is outside the years", "is not a UTC offset",
)
ZONES = ("Europe/Paris", "America/New_York", "Asia/Kolkata", "UTC", "Australia/Lord_Howe")
SCHEMA = TypeAdapter(Instant).json_schema()


def _parser_accepts(text: str) -> bool:
    try:
        parse_when(text, PARIS, ANCHORS)
    except UnknownAnchorError:
        return True  # well written, about an instant the record does not have
    except InstantError as exc:
        return any(fragment in str(exc) for fragment in SEMANTIC_FAILURES)
    return True


def _schema_accepts(text: str) -> bool:
    matched = re.search(JSON_SCHEMA_PATTERN, text) is not None
    assert jsonschema.Draft202012Validator(SCHEMA).is_valid(text) == matched
    return matched


@st.composite
def moments(draw):
    """Return the text and the aware datetime of a valid moment."""
    day = draw(st.dates(date(1990, 1, 1), date(2040, 12, 31)))
    clock = time(draw(st.integers(0, 23)), draw(st.integers(0, 59)),
                 draw(st.sampled_from([0, 0, 30])))
    written_clock = clock.strftime("%H:%M:%S" if clock.second else "%H:%M")
    naive = datetime.combine(day, clock)
    kind = draw(st.sampled_from(["Z", "offset", "zone", "offset+zone", " UTC", "GMT"]))
    if kind in ("zone", "offset+zone"):
        name = draw(st.sampled_from(ZONES))
        place = ZoneInfo(name)
        aware = naive.replace(tzinfo=place)
        round_trip = aware.astimezone(UTC).astimezone(place).replace(tzinfo=None)
        assume(round_trip == naive and aware.utcoffset() == naive.replace(
            tzinfo=place, fold=1).utcoffset())  # neither skipped nor repeated by the clocks
        suffix = f"[{name}]"
        if kind == "offset+zone":
            suffix = _offset(aware.utcoffset()) + suffix
    elif kind == "offset":
        delta = timedelta(minutes=draw(st.integers(-12 * 4, 14 * 4)) * 15)
        aware = naive.replace(tzinfo=timezone(delta))
        suffix = _offset(delta)
    else:
        aware = naive.replace(tzinfo=UTC)
        suffix = kind
    separator = draw(st.sampled_from(["T", " "]))
    return f"{day.isoformat()}{separator}{written_clock}{suffix}", aware


def _offset(delta):
    minutes = int(delta.total_seconds() // 60)
    sign = "-" if minutes < 0 else "+"
    return f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


@st.composite
def moment_ranges(draw):
    start_text, start = draw(moments())
    end = start + timedelta(minutes=draw(st.integers(0, 3 * 24 * 60)))
    local_end = end.astimezone(start.tzinfo)
    if isinstance(start.tzinfo, ZoneInfo):
        naive = local_end.replace(tzinfo=None)
        assume(naive.replace(tzinfo=start.tzinfo, fold=1).utcoffset() == local_end.utcoffset())
    if draw(st.booleans()):
        end_text = local_end.strftime("%H:%M")  # the abbreviated end shares date and zone
        assume(local_end.date() == start.astimezone(start.tzinfo).date())
        assume(local_end.replace(second=0) >= start)
    elif draw(st.booleans()):
        end_text = local_end.strftime("%Y-%m-%dT%H:%M")
        assume(local_end.replace(second=0) >= start)
    else:
        end_text = end.astimezone(UTC).strftime("%Y-%m-%dT%H:%M") + draw(
            st.sampled_from(["Z", " UTC", "+00:00"]))
        assume(end.astimezone(UTC).replace(second=0) >= start)
    if draw(st.booleans()):
        return f"between {start_text} and {end_text}"
    return f"{start_text}/{end_text}"


@st.composite
def calendar_ranges(draw):
    first = draw(st.dates(date(1990, 1, 1), date(2040, 12, 31)))
    last = first + timedelta(days=draw(st.integers(0, 400)))
    if draw(st.booleans()):
        first_text, last_text = first.isoformat(), last.isoformat()
    else:
        first_text, last_text = first.isoformat()[:7], last.isoformat()[:7]
    if draw(st.booleans()):
        return f"between {first_text} and {last_text}"
    return f"{first_text}/{last_text}"


points = st.one_of(
    moments().map(lambda moment: moment[0]),
    st.dates(date(1990, 1, 1), date(2040, 12, 31)).map(date.isoformat),
    st.dates(date(1990, 1, 1), date(2040, 12, 31)).map(lambda day: day.isoformat()[:7]),
)
UNITS = {"s": 1, "sec": 1, "seconds": 1, "second": 1, "min": 60, "mins": 60, "minutes": 60,
         "h": 3600, "hr": 3600, "hours": 3600, "hour": 3600, "d": 86400, "days": 86400,
         "w": 604800, "weeks": 604800, "wk": 604800}


@st.composite
def durations(draw):
    """Return (text, seconds, first unit) of a duration."""
    parts = draw(st.lists(st.tuples(st.integers(0, 500), st.sampled_from(sorted(UNITS)),
                                    st.sampled_from(["", " "])), min_size=1, max_size=3))
    text = " ".join(f"{number}{space}{unit}" for number, unit, space in parts)
    return text, sum(number * UNITS[unit] for number, unit, _ in parts), parts[0][1]


@st.composite
def relatives(draw):
    name = draw(st.sampled_from(sorted(ANCHORS)))
    high_text, high, unit = draw(durations())
    form = draw(st.sampled_from(["within", "plain", "about", "~", "between", "between bare"]))
    if form == "within":
        offset = f"within {high_text}"
    elif form in ("plain", "about", "~"):
        offset = {"plain": "", "about": "about ", "~": "~"}[form] + high_text
    elif form == "between":
        low_text, low, _ = draw(durations())
        assume(low <= high)
        offset = f"between {low_text} and {high_text}"
    else:
        low = draw(st.integers(0, 500))
        assume(low * UNITS[unit] <= high)
        offset = f"between {low} and {high_text}"
    return f"{offset} after {name}"


valid_instants = st.one_of(
    st.tuples(st.sampled_from(["", "about ", "~", "~ ", "after ", "before "]), points).map(
        "".join),
    st.tuples(st.sampled_from(["", "about ", "~"]),
              st.one_of(moment_ranges(), calendar_ranges())).map("".join),
    relatives(),
)


@st.composite
def spaced(draw, texts):
    """Return a text with each space widened, and blanks around, as a YAML value may be."""
    text = draw(texts)
    blanks = st.text(alphabet=" \t\n", min_size=1, max_size=3)
    pieces = text.split(" ")
    widened = pieces[0] + "".join(draw(blanks) + piece for piece in pieces[1:])
    return draw(st.sampled_from(["", " ", "\n"])) + widened + draw(st.sampled_from(["", " \n"]))


NEAR_MISSES = [
    (r"(Z|[+-]\d\d:\d\d|\[[^\]]*\]| ?UTC| ?GMT)", ""),      # no zone
    (r"(\d{4}-\d\d-\d\d)(?![T\d ])", r"\1+01:00"),          # an offset on a day
    (r"^between ", ""), (r" and ", " to "), (r"^about ", "around "), (r"/", " - "),
    (r"\bafter ([a-z])", r"before \1"), (r"\b(min|h|s|d|w)\b", "mn"), (r"UTC", "utc"),
    (r"T", "t"), (r":", "h"), (r"-", "/"), (r" ", ""), (r"(\d)", r"\1\1"), (r"\d", ""),
    (r"^", "after "), (r"^", "between "), (r"$", " UTC"), (r"$", "Z"), (r"$", "s"),
    (r"(\d\d:\d\d)", r"\1:7"), (r"\[", "("), (r"after (\w+)$", r"after \1!"),
]


@st.composite
def near_misses(draw):
    text = draw(valid_instants)
    pattern, replacement = draw(st.sampled_from(NEAR_MISSES))
    spots = [match.start() for match in re.finditer(pattern, text)] or [0]
    spot = draw(st.sampled_from(spots))
    return text[:spot] + re.sub(pattern, replacement, text[spot:], count=1)


@settings(max_examples=400, deadline=None)
@given(spaced(valid_instants))
def test_the_schema_pattern_and_the_parser_accept_every_valid_instant(text):
    assert _schema_accepts(text), text
    parse_when(text, PARIS, ANCHORS)


@settings(max_examples=600, deadline=None)
@given(st.one_of(near_misses(), spaced(near_misses())))
def test_the_schema_pattern_and_the_parser_agree_on_near_misses(text):
    assert _schema_accepts(text) == _parser_accepts(text), text


@settings(max_examples=300, deadline=None)
@given(st.from_regex(JSON_SCHEMA_PATTERN, fullmatch=True))
def test_what_the_schema_pattern_accepts_the_parser_reads(text):
    assert _parser_accepts(text), text


@pytest.mark.parametrize("text", [
    "2024-08-03T11:00", "2024-08-03 11:00", "about 2024-08-03T11:00",
    "between 2024-08-03T11:00 and 11:30", "2024-08-03T11:00/11:30Z",
])
def test_the_schema_pattern_refuses_a_time_without_a_zone(text):
    assert not _schema_accepts(text)
