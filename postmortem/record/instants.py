"""Instants that may be approximate, a range, a whole day, or relative to another instant.

An incident record rarely knows the minute something happened. An instant is written
as text and keeps its uncertainty, so that every figure derived from it can show it:

    2024-08-03T14:00+02:00                         exact (offset)
    2024-08-03T14:00[Europe/Paris]                 exact (named zone, RFC 9557)
    2024-08-03T12:00 UTC                           exact (UTC; GMT works too, as does Z)
    about 2024-08-03T14:00+02:00                   approximate ("~" works too)
    between 2024-08-03T11:00+02:00 and 11:30       a range; the end may omit date and zone
    2024-08-03T11:00+02:00/11:30                   the same range in ISO 8601 interval form
    after 2024-08-06T20:00+02:00                   only a lower bound is known
    before 2024-08-05T08:00+02:00                  only an upper bound is known
    2021-03-13                                     the whole day, in the record's time zone
    2021-04                                        the whole month, in the record's time zone
    after 2021-03-13, between 2021-03-10 and 2021-03-13, about 2021-03-13
    within 2 min after started                     0 to 2 min after the key instant 'started'
    2 min after detected                           exactly 2 min after it
    about 2 min after ID                           about 2 min after the timeline entry ID
    between 1 and 3 min after started              1 to 3 min after it

Durations are numbers with a unit, one or more: 30 s, 2 min, 1 h 30 min, 3 d, 2 w,
10 seconds, 1 hour, 2 days.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from postmortem.i18n import N_, _
from postmortem.record.echo import listing, quoted, shorten
from postmortem.record.limits import FIRST_YEAR, LAST_YEAR

EXAMPLE = "2024-08-03T11:30+02:00"

#: Names of the key instants that relative instants may follow.
KEY_INSTANT_NAMES = ("started", "detected", "mitigated", "restored", "resolved")


def _grammar(space: str, maybe_space: str) -> str:
    """Return the instant grammar as a regular expression, with the given whitespace.

    The same text gives the parser its syntax (on text whose whitespace is collapsed to
    single spaces) and the JSON Schema its pattern (on raw text), so that they agree.
    Only constructs common to Python and ECMA-262 are used.
    """
    s, o = space, maybe_space
    day = r"[0-9]{4}-[0-9]{2}-[0-9]{2}"
    month = r"[0-9]{4}-[0-9]{2}"
    clock = r"[0-9]{2}:[0-9]{2}(?::[0-9]{2})?"
    offset = r"(?:Z|[+-][0-9]{2}:[0-9]{2})"
    zone = r"\[[A-Za-z][A-Za-z0-9_+-]*(?:/[A-Za-z0-9_+-]+)*\]"
    zone_part = rf"(?:{offset}(?:{zone})?|{zone}|{o}(?:UTC|GMT))"
    moment = rf"{day}(?:T|{s}){clock}{zone_part}"
    moment_end = rf"(?:{day}(?:T|{s}))?{clock}{zone_part}?"
    point = rf"(?:{moment}|{day}|{month})"
    ranges = "|".join(
        rf"between{s}{a}{s}and{s}{b}|{a}/{b}"
        for a, b in ((moment, moment_end), (day, day), (month, month))
    )
    approximately = rf"(?:about{s}|~{o})"
    number = r"[0-9]+(?:\.[0-9]+)?"
    unit = ("(?:seconds|second|secs|sec|s|minutes|minute|mins|min|hours|hour|hrs|hr|h"
            "|days|day|d|weeks|week|wks|wk|w)")
    duration = rf"{number}{o}{unit}(?:{s}{number}{o}{unit})*"
    offset_from = (
        rf"(?:within{s}{duration}|{approximately}?(?:{duration}"
        rf"|between{s}(?:{duration}|{number}){s}and{s}{duration}))"
    )
    relative = rf"{offset_from}{s}after{s}[a-z0-9][a-z0-9-]*"
    instant = rf"{approximately}?(?:{point}|{ranges})|(?:after|before){s}{point}|{relative}"
    return rf"^{o}(?:{instant}){o}$"


_SYNTAX = re.compile(_grammar(" ", " ?"))

#: JSON Schema pattern of the same grammar, for editors and external validators.
JSON_SCHEMA_PATTERN = _grammar(r"\s+", r"\s*")

_MOMENT = re.compile(
    r"(?:(?P<day>[0-9]{4}-[0-9]{2}-[0-9]{2})[T ])?(?P<clock>[0-9]{2}:[0-9]{2}(?::[0-9]{2})?)"
    r"(?P<offset>Z|[+-][0-9]{2}:[0-9]{2})?(?:\[(?P<zone>[^\]]+)\])?(?: ?(?P<utc>UTC|GMT))?"
)
_PART = re.compile(r"(?P<number>[0-9]+(?:\.[0-9]+)?) ?(?P<unit>[a-z]+)")
_UNITS = {
    "s": "seconds", "sec": "seconds", "secs": "seconds", "second": "seconds",
    "seconds": "seconds", "min": "minutes", "mins": "minutes", "minute": "minutes",
    "minutes": "minutes", "h": "hours", "hr": "hours", "hrs": "hours", "hour": "hours",
    "hours": "hours", "d": "days", "day": "days", "days": "days", "w": "weeks",
    "wk": "weeks", "wks": "weeks", "week": "weeks", "weeks": "weeks",
}
#: Why Python refuses a date or a time, as it says it, marked so that a reader of another
#: language reads it in theirs (another wording, from another Python, is shown as it is).
_DATE_REASONS = frozenset({
    N_("hour must be in 0..23"), N_("minute must be in 0..59"), N_("second must be in 0..59"),
    N_("day is out of range for month"), N_("month must be in 1..12"),
})
# A range written "A/B" is split at the slash outside the brackets of a zone name.
_INTERVAL_SLASH = re.compile(r"/(?![^\[]*\])")


class InstantError(ValueError):
    """Raised when a text is not a valid instant; the message carries a hint."""


class UnknownAnchorError(InstantError):
    """Raised when a relative instant follows a name that is not among the known instants."""

    def __init__(self, message: str, name: str) -> None:
        super().__init__(message)
        self.name = name


@dataclass(frozen=True)
class When:
    """An instant known exactly, approximately, within a range, or by one bound.

    `precision` says how finely it was written: "minute" (a time), "day" or "month" (the
    whole day or month in the record's zone, `earliest` at its first instant and `latest`
    at its last). A relative instant ("within 2 min after started") keeps its `anchor`
    (the name of the instant it follows), the resolved `anchor_when` and the `offset`
    from it, so that a duration between linked instants uses the link.
    """

    earliest: datetime | None
    latest: datetime | None
    approximate: bool = False
    zone: str | None = None
    text: str = ""
    precision: str = "minute"
    anchor: str | None = None
    anchor_when: When | None = None
    offset: Duration | None = None

    @property
    def exact(self) -> bool:
        """Return whether both bounds are known and equal."""
        return self.earliest is not None and self.earliest == self.latest and not self.approximate

    @property
    def is_range(self) -> bool:
        """Return whether both bounds are known and differ."""
        return (
            self.earliest is not None and self.latest is not None and self.earliest != self.latest
        )

    @property
    def reference(self) -> datetime:
        """Return one representative instant, for sorting and charts."""
        if self.earliest and self.latest:
            return self.earliest + (self.latest - self.earliest) / 2
        return self.earliest or self.latest  # type: ignore[return-value]

    def __str__(self) -> str:
        return self.text


@dataclass(frozen=True)
class Duration:
    """A length of time with the uncertainty of the instants it was computed from."""

    shortest: timedelta | None
    longest: timedelta | None
    approximate: bool = False

    @property
    def is_range(self) -> bool:
        """Return whether the two bounds are known and differ."""
        return (
            self.shortest is not None
            and self.longest is not None
            and self.shortest != self.longest
        )

    def as_dict(self) -> dict:
        """Return the bounds in whole minutes and in seconds, for machines."""
        minutes = lambda d: None if d is None else int(d.total_seconds() // 60)  # noqa: E731
        seconds = lambda d: None if d is None else round(d.total_seconds())  # noqa: E731
        return {
            "shortest_minutes": minutes(self.shortest),
            "longest_minutes": minutes(self.longest),
            # Minutes alone would turn "up to 2 s" into "0 min".
            "shortest_seconds": seconds(self.shortest),
            "longest_seconds": seconds(self.longest),
            "approximate": self.approximate,
        }


def between(start: When, end: When, signed: bool = False) -> Duration:
    """Return the duration from `start` to `end`, widest when both are uncertain.

    When one is placed relative to the other, or both relative to a common instant, the
    duration is computed from the offsets: "within 2 s after started" is at most 2 s after
    `started`, however uncertain `started` itself is.
    """
    linked = _linked_duration(start, end)
    shortest: timedelta | None
    longest: timedelta | None
    if linked is not None:
        shortest, longest, approximate = linked
    else:
        # Through UTC: two datetimes of one named zone would otherwise be subtracted as
        # wall-clock times, an hour off across a change of clocks.
        shortest = (_utc(end.earliest) - _utc(start.latest)
                    if end.earliest and start.latest else None)
        longest = (_utc(end.latest) - _utc(start.earliest)
                   if end.latest and start.earliest else None)
        approximate = start.approximate or end.approximate
    if not signed and shortest is not None and shortest < timedelta(0):
        shortest = timedelta(0)  # overlapping ranges: the events may have been simultaneous
    return Duration(shortest, longest, approximate)


def _linked_duration(start: When, end: When) -> tuple[timedelta, timedelta, bool] | None:
    """Return the bounds of `end - start` through their closest common anchor, if any."""
    start_chain = _anchor_chain(start)
    for end_step, (ancestor, end_low, end_high, end_approximate) in enumerate(_anchor_chain(end)):
        for start_step, (other, start_low, start_high, start_approximate) in enumerate(
            start_chain
        ):
            if other != ancestor:
                continue
            if end_step == start_step == 0:
                return None  # two instants equal in value, but not placed one from the other
            return (end_low - start_high, end_high - start_low,
                    end_approximate or start_approximate)
    return None


def _anchor_chain(when: When) -> list[tuple[When, timedelta, timedelta, bool]]:
    """Return `when` and each instant it follows, with the summed offsets from each."""
    chain = [(when, timedelta(0), timedelta(0), False)]
    low = high = timedelta(0)
    approximate = False
    current = when
    while current.anchor_when is not None and current.offset is not None:
        low += current.offset.shortest or timedelta(0)
        high += current.offset.longest or timedelta(0)
        approximate = approximate or current.offset.approximate
        current = current.anchor_when
        chain.append((current, low, high, approximate))
    return chain


def parse_when(
    text: str, zone: str | None = None, anchors: Mapping[str, When] | None = None
) -> When:
    """Parse an instant written in the record's grammar, or raise InstantError with a hint.

    `zone` is the record's time zone: a whole day or month is counted in it, and hints use
    it. `anchors` are the record's instants by name (key instants, timeline entry ids),
    that relative instants follow; None when there is no record to read them from.
    """
    if not isinstance(text, str):
        raise InstantError(_("expected an instant as text, e.g. {example!r}", example=EXAMPLE))
    cleaned = " ".join(text.split())
    if not _SYNTAX.match(cleaned):
        raise InstantError(_diagnose(cleaned, zone))
    try:
        when = _parse(cleaned, zone, anchors)
    except OverflowError:
        raise InstantError(_outside_years(cleaned)) from None
    # Every bound, in its own zone, within the years: then adding an uncertainty, a day or
    # an offset to it later stays far inside what a datetime can hold.
    for bound in (when.earliest, when.latest):
        if bound is not None and not FIRST_YEAR <= bound.year <= LAST_YEAR:
            raise InstantError(_outside_years(cleaned))
    return when


def _outside_years(text: str) -> str:
    return _("{text} is outside the years {first} to {last} that a record may use",
             text=quoted(text), first=FIRST_YEAR, last=LAST_YEAR)


def _check_year(written: str) -> None:
    """Refuse a date written outside the years, before any arithmetic is done with it."""
    if not FIRST_YEAR <= int(written[:4]) <= LAST_YEAR:
        raise OverflowError(written)


def _parse(text: str, zone: str | None, anchors: Mapping[str, When] | None) -> When:
    qualifier, rest = _split_qualifier(text)
    if " after " in rest:
        return _relative(text, qualifier, rest, anchors)
    approximate = qualifier == "about"
    if rest.startswith("between "):
        first, last = rest.removeprefix("between ").split(" and ")
    else:
        first, last = _slash(rest)
    start = _point(text, first, zone, None)
    if not last:
        earliest, latest = start.earliest, start.latest
        if qualifier == "after":
            latest = None
        elif qualifier == "before":
            earliest = None
        return When(earliest, latest, approximate, start.zone, text, start.precision)
    end = _point(text, last, zone, start)
    if _utc(end.latest) < _utc(start.earliest):
        raise InstantError(_("the range ends before it starts: {text}", text=quoted(text)))
    return When(start.earliest, end.latest, approximate, start.zone, text, start.precision)


def _slash(text: str) -> tuple[str, str]:
    parts = _INTERVAL_SLASH.split(text, maxsplit=1)
    return (parts[0], parts[1]) if len(parts) == 2 else (text, "")


def _split_qualifier(text: str) -> tuple[str | None, str]:
    match = re.match(r"(about |~ ?|after |before |within )", text)
    if not match:
        return None, text
    word = match.group(1).strip()
    return ("about" if word == "~" else word), text[match.end():]


def _point(text: str, written: str, zone: str | None, start: When | None) -> When:
    """Read one end of an instant: a moment, a day or a month (bounds only)."""
    if re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", written):
        _check_year(written)
        day = _calendar_day(written)
        first, last = _day_bounds(day, day + timedelta(days=1), text, zone, "day")
        return When(first, last, zone=zone, precision="day")
    if re.fullmatch(r"[0-9]{4}-[0-9]{2}", written):
        _check_year(written)
        year, month = int(written[:4]), int(written[5:])
        if not 1 <= month <= 12:
            raise InstantError(_("{written} is not a month: the month is between 01 and 12",
                                 written=written))
        first_day = date(year, month, 1)
        following = date(year + month // 12, month % 12 + 1, 1)
        first, last = _day_bounds(first_day, following, text, zone, "month")
        return When(first, last, zone=zone, precision="month")
    moment = _moment(written, start)
    return When(moment, moment, zone=_zone_of(moment))


def _reason(error: ValueError) -> str:
    """Return why Python refused a date or a time, in the reader's language if it is known."""
    reason = str(error)
    return _(reason) if reason in _DATE_REASONS else reason


def _zone_of(moment: datetime) -> str | None:
    return moment.tzinfo.key if isinstance(moment.tzinfo, ZoneInfo) else None


def _calendar_day(written: str) -> date:
    try:
        return date.fromisoformat(written)
    except ValueError as exc:
        raise InstantError(_("{written} is not a calendar date: {reason}", written=written,
                             reason=_reason(exc))) from None


def _day_bounds(
    first_day: date, following_day: date, text: str, zone: str | None, kind: str
) -> tuple[datetime, datetime]:
    """Return the first and last instants of the days from `first_day` to `following_day`."""
    place = _zone_or_none(zone)
    if place is None and kind == "day":
        raise InstantError(_(
            "{text} is a whole day, counted in the record's time zone: the record's "
            "'timezone' is needed to read it; without a record, give a time with an offset, "
            "e.g. '{day}T00:00Z'", text=quoted(text), day=first_day.isoformat()))
    if place is None:
        raise InstantError(_(
            "{text} is a whole month, counted in the record's time zone: the record's "
            "'timezone' is needed to read it; without a record, give a time with an offset, "
            "e.g. '{day}T00:00Z'", text=quoted(text), day=first_day.isoformat()))
    # Midnight may not exist on a day the clocks change: fold 0 then gives the instant the
    # day really begins, and the day ends one microsecond before the next one begins.
    first = datetime.combine(first_day, datetime.min.time(), place)
    following = datetime.combine(following_day, datetime.min.time(), place)
    last = (following.astimezone(UTC) - timedelta(microseconds=1)).astimezone(place)
    return first.astimezone(UTC).astimezone(place), last


def _moment(written: str, start: When | None) -> datetime:
    match = _MOMENT.fullmatch(written)
    assert match is not None  # the syntax was checked as a whole
    day, clock, offset, zone = match["day"], match["clock"], match["offset"], match["zone"]
    if match["utc"]:
        offset = "Z"
    if day:
        _check_year(day)
    if offset:
        _check_offset(offset)
    begin = start.earliest if start is not None else None
    if begin is not None and not day:
        day = begin.date().isoformat()
    if begin is not None and not offset and not zone:
        # An abbreviated range end shares the start's zone, as in ISO 8601 intervals.
        zone = start.zone if start is not None else None
        if not zone:
            offset = _format_offset(begin.utcoffset())
    stamp = f"{day}T{clock}"
    try:
        naive = datetime.fromisoformat(stamp)
    except ValueError as exc:
        raise InstantError(_("{written} is not a valid date and time: {reason}",
                             written=stamp, reason=_reason(exc))) from None
    if zone:
        return _in_zone(naive, zone, offset)
    return naive.replace(tzinfo=_fixed_offset(offset))


def _in_zone(naive: datetime, zone: str, offset: str | None) -> datetime:
    """Place a wall-clock time in a named zone, refusing times the clocks skipped or repeated."""
    place = zone_named(zone)
    # A list, not a set: datetimes of one zone compare by wall clock, whatever their fold.
    candidates = [naive.replace(tzinfo=place, fold=fold) for fold in (0, 1)]
    # A time that did not exist does not survive the round trip through UTC.
    real = [c for c in candidates if c.astimezone(UTC).astimezone(place).replace(
        tzinfo=None, fold=0) == naive]
    written = f"{naive.isoformat(timespec='minutes')}"
    if offset:
        matching = [c for c in real if _format_offset(c.utcoffset()) == _normalise_offset(offset)]
        if not matching:
            in_force = sorted({_format_offset(c.utcoffset()) for c in candidates})
            if len(in_force) == 1:
                raise InstantError(_(
                    "offset {offset} does not match zone {zone} on {day} (which is {in_force})",
                    offset=offset, zone=shorten(zone), day=naive.date().isoformat(),
                    in_force=in_force[0]))
            raise InstantError(_(
                "offset {offset} does not match zone {zone} on {day} (which is {in_force} "
                "or {other})", offset=offset, zone=shorten(zone), day=naive.date().isoformat(),
                in_force=in_force[0], other=in_force[1]))
        return matching[0]
    if not real:
        raise InstantError(_(
            "{written} did not exist in {zone}: the clocks were put forward that night; "
            "check the time", written=written, zone=shorten(zone)))
    offsets = sorted({_format_offset(c.utcoffset()) for c in real}, reverse=True)
    if len(offsets) > 1:
        first, second = (f"{written}{in_force}[{zone}]" for in_force in offsets[:2])
        raise InstantError(_(
            "{written} happened twice in {zone}, when the clocks were put back: add the "
            "offset, '{first}' for the first time or '{second}' for the second",
            written=written, zone=shorten(zone), first=first, second=second))
    return real[0]


def _relative(
    text: str, qualifier: str | None, rest: str, anchors: Mapping[str, When] | None
) -> When:
    written_offset, name = rest.rsplit(" after ", 1)
    if anchors is None:
        raise InstantError(_(
            "{text} is relative to {name}: a relative instant can only be read "
            "in a record, where {name} is a key instant or a timeline entry id",
            text=quoted(text), name=quoted(name)))
    anchor = anchors.get(name)
    if anchor is None:
        known = sorted(anchors)
        import difflib  # only for a suggestion

        hint = difflib.get_close_matches(name, known, n=1)
        if not known:
            message = _("{text} follows {name}, which is no key instant or timeline entry id "
                        "(the record has none)", text=quoted(text), name=quoted(name))
        elif hint:
            message = _("{text} follows {name}, which is no key instant or timeline entry id; "
                        "did you mean {close}? (known: {known})", text=quoted(text),
                        name=quoted(name), close=quoted(hint[0]), known=listing(known))
        else:
            message = _("{text} follows {name}, which is no key instant or timeline entry id "
                        "(known: {known})", text=quoted(text), name=quoted(name),
                        known=listing(known))
        raise UnknownAnchorError(message, name)
    if qualifier == "within":
        offset = Duration(timedelta(0), _duration(written_offset))
    elif written_offset.startswith("between "):
        low_text, high_text = written_offset.removeprefix("between ").split(" and ")
        high = _duration(high_text)
        if not _PART.fullmatch(low_text) and re.fullmatch(r"[0-9.]+", low_text):
            # "between 1 and 3 min": the first number takes the unit of the second.
            low_text += " " + _PART.findall(high_text)[0][1]
        low = _duration(low_text)
        if low > high:
            raise InstantError(_("the offset range ends before it starts: {text}",
                                 text=quoted(text)))
        offset = Duration(low, high, qualifier == "about")
    else:
        length = _duration(written_offset)
        offset = Duration(length, length, qualifier == "about")
    earliest = (_shift(anchor.earliest, offset.shortest)
                if anchor.earliest is not None and offset.shortest is not None else None)
    latest = (_shift(anchor.latest, offset.longest)
              if anchor.latest is not None and offset.longest is not None else None)
    return When(earliest, latest, anchor.approximate or offset.approximate, anchor.zone, text,
                anchor.precision, name, anchor, offset)


def _duration(text: str) -> timedelta:
    total = timedelta(0)
    for number, unit in _PART.findall(text):
        total += timedelta(**{_UNITS[unit]: float(number)})
    return total


def _shift(moment: datetime, delta: timedelta) -> datetime:
    """Add `delta` to `moment` as elapsed time, not wall-clock time, keeping its zone."""
    return (moment.astimezone(UTC) + delta).astimezone(moment.tzinfo)


def _utc(moment: datetime | None) -> datetime:
    assert moment is not None
    return moment.astimezone(UTC)


def stale_offset(when: When, zone: str) -> tuple[str, str] | None:
    """Return (problem, advice) when an offset written in `when` is `zone`'s of another season.

    A record copied from notes often keeps +01:00 after the clocks changed to +02:00; an
    offset the zone never uses (a source in another zone) is deliberate and not reported.
    """
    place = _zone_or_none(zone)
    if place is None or when.anchor_when is not None:
        return None
    for bound in (when.earliest, when.latest):
        if bound is None or not isinstance(bound.tzinfo, timezone) or bound.tzinfo is UTC:
            continue
        try:
            written, in_force = bound.utcoffset(), bound.astimezone(place).utcoffset()
        except OverflowError:
            continue  # the first or last day of the calendar: no season to compare with
        seasons = {datetime(bound.year, month, 1, tzinfo=place).utcoffset() for month in (1, 7)}
        if written != in_force and written in seasons:
            local = bound.strftime("%Y-%m-%dT%H:%M")
            with_offset, with_zone = f"{local}{_format_offset(in_force)}", f"{local}[{zone}]"
            return (
                _("offset {offset} is not the one in force in {zone} on {day} ({in_force}, "
                  "the clocks had changed)", offset=_format_offset(written), zone=zone,
                  day=bound.date().isoformat(), in_force=_format_offset(in_force)),
                _("if {clock} is the local time, write '{with_offset}' or '{with_zone}'",
                  clock=bound.strftime("%H:%M"), with_offset=with_offset,
                  with_zone=with_zone),
            )
    return None


def parse_day(text: str) -> date:
    """Parse a calendar date written as YYYY-MM-DD, or raise InstantError."""
    if isinstance(text, date) and not isinstance(text, datetime):
        return text
    if not isinstance(text, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text.strip()):
        shown = quoted(text) if isinstance(text, str) else repr(text)
        raise InstantError(_("expected a date as YYYY-MM-DD, e.g. '2024-09-30', got {shown}",
                             shown=shown))
    if not FIRST_YEAR <= int(text.strip()[:4]) <= LAST_YEAR:
        raise InstantError(_outside_years(text.strip()))
    try:
        return date.fromisoformat(text.strip())
    except ValueError as exc:
        raise InstantError(_("{written} is not a calendar date: {reason}", written=quoted(text),
                             reason=_reason(exc))) from None


def zone_named(name: str) -> tzinfo:
    """Return the IANA time zone called `name`, or raise InstantError."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise InstantError(
            _("unknown time zone {name}: use an IANA name such as 'Europe/Paris'",
              name=quoted(name))
        ) from None


def _zone_or_none(name: str | None) -> ZoneInfo | None:
    if not isinstance(name, str):
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def _check_offset(offset: str) -> None:
    """Refuse an offset that no place uses: -12:00 is the least, +14:00 the most."""
    if offset == "Z":
        return
    hours, minutes = int(offset[1:3]), int(offset[4:6])
    total = (-1 if offset[0] == "-" else 1) * (hours * 60 + minutes)
    if minutes >= 60 or not -12 * 60 <= total <= 14 * 60:
        raise InstantError(_("{offset!r} is not a UTC offset: offsets run from -12:00 to +14:00",
                             offset=offset))


def _fixed_offset(offset: str) -> tzinfo:
    if offset == "Z":
        return UTC
    sign = -1 if offset[0] == "-" else 1
    hours, minutes = int(offset[1:3]), int(offset[4:6])
    return timezone(sign * timedelta(hours=hours, minutes=minutes))


def _normalise_offset(offset: str) -> str:
    return "+00:00" if offset == "Z" else offset


def _format_offset(delta: timedelta | None) -> str:
    total = int((delta or timedelta(0)).total_seconds() // 60)
    sign = "-" if total < 0 else "+"
    return f"{sign}{abs(total) // 60:02d}:{abs(total) % 60:02d}"


def zone_hint(day: str, clock: str, zone: str | None) -> str:
    """Return two ways to write a local time with its zone: offset in force, and zone name."""
    place = _zone_or_none(zone)
    written = f"{day}T{clock}"
    if place is None:
        return _("'{written}Z' for UTC, or the local offset (+HH:MM) or IANA zone in "
                 "brackets (e.g. '[Area/City]')", written=written)
    try:
        in_force = datetime.fromisoformat(written).replace(tzinfo=place).utcoffset()
    except ValueError:
        return f"'{written}[{zone}]'"
    with_offset, with_zone = f"{written}{_format_offset(in_force)}", f"{written}[{zone}]"
    return _("'{with_offset}' or '{with_zone}'", with_offset=with_offset, with_zone=with_zone)


_NAIVE_MOMENT = re.compile(
    r"(?P<day>[0-9]{4}-[0-9]{2}-[0-9]{2})[T ](?P<clock>[0-9]{2}:[0-9]{2}(?::[0-9]{2})?)"
    r"(?P<after>\S*(?: \S+)?)"
)


def _diagnose(text: str, zone: str | None = None) -> str:
    """Explain the most likely mistake in a text that is not an instant."""
    day_with_offset = re.search(
        r"\b([0-9]{4}-[0-9]{2}-[0-9]{2})(?:Z|[+-][0-9]{2}:?[0-9]{2}| ?(?:UTC|GMT)\b|\[[^\]]*\])",
        text,
    )
    if day_with_offset and not _NAIVE_MOMENT.search(text):
        day = day_with_offset.group(1)
        return _(
            "{text} gives a date with a zone or an offset but no time: a whole day is "
            "counted in the record's 'timezone'; write '{day}' for the day, or give a time, "
            "e.g. {example}", text=quoted(text), day=day, example=zone_hint(day, "00:00", zone))
    for match in _NAIVE_MOMENT.finditer(text):
        day, clock, after = match["day"], match["clock"], match["after"]
        local = f"{day}T{clock}"
        if re.match(r"(?:Z|[+-][0-9]{2}:[0-9]{2}|\[| ?(?:UTC|GMT)(?:$|[ /]))", after):
            continue
        wrong_utc = re.match(r" ?(UTC|GMT)([+-])([0-9]{1,2})(?::?([0-9]{2}))?", after,
                             re.IGNORECASE)
        if wrong_utc:
            sign, hours, minutes = wrong_utc[2], int(wrong_utc[3]), wrong_utc[4] or "00"
            example = f"{local}{sign}{hours:02d}:{minutes}"
            return _("{text}: write an offset from UTC as +HH:MM after the time, e.g. "
                     "'{example}'", text=quoted(text), example=example)
        if re.match(r" ?(?:utc|gmt)\b", after, re.IGNORECASE):
            return _("{text}: write UTC in capitals or as Z, e.g. '{local} UTC' or "
                     "'{local}Z'", text=quoted(text), local=local)
        abbreviation = re.match(r" ?\(?([A-Z]{2,5})\)?(?:$| )", after)
        if abbreviation:
            return _(
                "{text}: a zone abbreviation such as {abbreviation!r} is ambiguous; "
                "write the offset or the zone name, e.g. {example}", text=quoted(text),
                abbreviation=abbreviation[1], example=zone_hint(day, clock, zone))
        return _(
            "{local} has no time zone: an instant without one is ambiguous; add an offset "
            "or a zone, e.g. {example}", local=local, example=zone_hint(day, clock, zone))
    if re.fullmatch(r"[0-9]{1,2}:[0-9]{2}(:[0-9]{2})?", text):
        return _("{text} has no date and no zone: write a full instant, e.g. {example!r}",
                 text=quoted(text), example=EXAMPLE)
    relative = re.fullmatch(r"(?:.* )?(after|before) ([a-z0-9][a-z0-9-]*)", text)
    if relative:
        word, name = relative.groups()
        name = shorten(name)
        if word == "before":
            return _("{text}: a relative instant counts forward from the instant it "
                     "follows; write e.g. 'within 2 min after {name}' or '2 min after {name}'",
                     text=quoted(text), name=name)
        if text == f"after {name}":
            return _("{text} needs the time after {quoted_name}: write e.g. "
                     "'within 2 min after {name}', '2 min after {name}' or "
                     "'between 1 and 3 min after {name}'", text=quoted(text),
                     quoted_name=quoted(name), name=name)
        units = [unit for _, unit in re.findall(r"([0-9.]+) ?([A-Za-z]+)", text)
                 if unit not in _UNITS and unit not in ("after", "and", "between", "within",
                                                        "about")]
        if units:
            return _("{text}: unknown unit {unit}; write a duration with "
                     "s, min, h, d or w, e.g. '1 h 30 min'", text=quoted(text),
                     unit=quoted(units[0]))
        return _("{text} is not a relative instant: write e.g. "
                 "'within 2 min after {name}', '2 min after {name}', 'about 2 min after {name}' "
                 "or 'between 1 and 3 min after {name}'", text=quoted(text), name=name)
    bound_of_range = re.match(r"(after|before) (?:between |.*/)", text)
    if bound_of_range:
        return _("{word!r} takes one instant, not a range: {text}", word=bound_of_range[1],
                 text=quoted(text))
    if re.fullmatch(r"between .+ and .+", text) or "/" in text:
        return _("{text} is not a range: write 'between A and B' or 'A/B' with two ends of "
                 "one kind, two times (the end may omit date and zone), two days or two months, "
                 "e.g. 'between {example} and 12:00' or 'between 2021-03-10 and 2021-03-13'",
                 text=quoted(text), example=EXAMPLE)
    return _(
        "{text} is not an instant: write e.g. {example!r}, 'about {example}', "
        "'between {example} and 12:00', 'after {example}', a day '2024-08-03', a month "
        "'2024-08', or 'within 2 min after started'", text=quoted(text), example=EXAMPLE)
