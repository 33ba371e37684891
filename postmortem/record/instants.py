"""Instants that may be approximate or a range, and the durations between them.

An incident record rarely knows the minute something happened. An instant is written
as text and keeps its uncertainty, so that every figure derived from it can show it:

    2024-08-03T14:00+02:00                         exact (offset)
    2024-08-03T14:00[Europe/Paris]                 exact (named zone, RFC 9557)
    about 2024-08-03T14:00+02:00                   approximate ("~" works too)
    between 2024-08-03T11:00+02:00 and 11:30       a range; the end may omit date and zone
    2024-08-03T11:00+02:00/11:30                   the same range in ISO 8601 interval form
    after 2024-08-06T20:00+02:00                   only a lower bound is known
    before 2024-08-05T08:00+02:00                  only an upper bound is known
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

EXAMPLE = "2024-08-03T11:30+02:00"

_DATE = r"(?P<{p}date>\d{{4}}-\d{{2}}-\d{{2}})"
_TIME = r"(?P<{p}time>\d{{2}}:\d{{2}}(?::\d{{2}})?)"
_OFFSET = r"(?P<{p}offset>Z|[+-]\d{{2}}:\d{{2}})"
_ZONE = r"\[(?P<{p}zone>[A-Za-z_]+(?:/[A-Za-z0-9_+-]+)*)\]"


def _instant_pattern(prefix: str, date_optional: bool) -> str:
    date_part = f"(?:{_DATE.format(p=prefix)}[T ])" + ("?" if date_optional else "")
    zone_part = f"{_OFFSET.format(p=prefix)}?(?:{_ZONE.format(p=prefix)})?"
    return date_part + _TIME.format(p=prefix) + zone_part


_START = _instant_pattern("s_", date_optional=False)
_END = _instant_pattern("e_", date_optional=True)
_GRAMMAR = re.compile(
    rf"^(?:(?P<qualifier>about|~|after|before)\s*)?(?P<between>between\s+)?{_START}"
    rf"(?:(?P<separator>\s+and\s+|/){_END})?$"
)

#: JSON Schema pattern of the same grammar, for editors and external validators.
JSON_SCHEMA_PATTERN = (
    r"^((about|~|after|before) ?)?\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2})?"
    r"(Z|[+-]\d{2}:\d{2})?(\[[A-Za-z_/0-9+-]+\])?$"
    r"|^((about|~) ?)?(between )?\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2})?"
    r"(Z|[+-]\d{2}:\d{2})?(\[[A-Za-z_/0-9+-]+\])?"
    r"( and |/)(\d{4}-\d{2}-\d{2}[T ])?\d{2}:\d{2}(:\d{2})?"
    r"(Z|[+-]\d{2}:\d{2})?(\[[A-Za-z_/0-9+-]+\])?$"
)


class InstantError(ValueError):
    """Raised when a text is not a valid instant; the message carries a hint."""


@dataclass(frozen=True)
class When:
    """An instant known exactly, approximately, within a range, or by one bound."""

    earliest: datetime | None
    latest: datetime | None
    approximate: bool = False
    zone: str | None = None
    text: str = ""

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
        """Return the bounds in minutes, for machines."""
        minutes = lambda d: None if d is None else int(d.total_seconds() // 60)  # noqa: E731
        return {
            "shortest_minutes": minutes(self.shortest),
            "longest_minutes": minutes(self.longest),
            "approximate": self.approximate,
        }


def between(start: When, end: When, signed: bool = False) -> Duration:
    """Return the duration from `start` to `end`, widest when both are uncertain."""
    shortest = end.earliest - start.latest if end.earliest and start.latest else None
    longest = end.latest - start.earliest if end.latest and start.earliest else None
    if not signed and shortest is not None and shortest < timedelta(0):
        shortest = timedelta(0)  # overlapping ranges: the events may have been simultaneous
    return Duration(shortest, longest, start.approximate or end.approximate)


def parse_when(text: str) -> When:
    """Parse an instant written in the record's grammar, or raise InstantError with a hint."""
    if not isinstance(text, str):
        raise InstantError(f"expected an instant as text, e.g. {EXAMPLE!r}")
    cleaned = " ".join(text.split())
    match = _GRAMMAR.match(cleaned)
    if not match:
        raise InstantError(_diagnose(cleaned))
    groups = match.groupdict()
    qualifier = groups["qualifier"]
    has_end = groups["e_time"] is not None
    if bool(groups["between"]) != (has_end and groups["separator"].strip() == "and"):
        raise InstantError(f"write a range as 'between A and B' or 'A/B', got {cleaned!r}")
    if has_end and qualifier in ("after", "before"):
        raise InstantError(f"{qualifier!r} takes one instant, not a range: {cleaned!r}")
    start, zone = _instant(groups, "s_", None, None)
    approximate = qualifier in ("about", "~")
    if not has_end:
        if qualifier == "after":
            return When(start, None, False, zone, cleaned)
        if qualifier == "before":
            return When(None, start, False, zone, cleaned)
        return When(start, start, approximate, zone, cleaned)
    end, _ = _instant(groups, "e_", start, zone)
    if end < start:
        raise InstantError(f"the range ends before it starts: {cleaned!r}")
    return When(start, end, approximate, zone, cleaned)


def parse_day(text: str) -> date:
    """Parse a calendar date written as YYYY-MM-DD, or raise InstantError."""
    if isinstance(text, date) and not isinstance(text, datetime):
        return text
    if not isinstance(text, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text.strip()):
        raise InstantError(f"expected a date as YYYY-MM-DD, e.g. '2024-09-30', got {text!r}")
    try:
        return date.fromisoformat(text.strip())
    except ValueError as exc:
        raise InstantError(f"{text!r} is not a calendar date: {exc}") from None


def zone_named(name: str) -> tzinfo:
    """Return the IANA time zone called `name`, or raise InstantError."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise InstantError(
            f"unknown time zone {name!r}: use an IANA name such as 'Europe/Paris'"
        ) from None


def _instant(groups: dict, prefix: str, start: datetime | None, start_zone: str | None):
    day = groups[f"{prefix}date"]
    clock = groups[f"{prefix}time"]
    offset = groups[f"{prefix}offset"]
    zone = groups[f"{prefix}zone"]
    if start is not None and not day:
        day = start.date().isoformat()
    if start is not None and not offset and not zone:
        # An abbreviated range end shares the start's zone, as in ISO 8601 intervals.
        offset_of_start = start.utcoffset()
        zone = start_zone
        if not zone:
            offset = _format_offset(offset_of_start)
    try:
        naive = datetime.fromisoformat(f"{day}T{clock}")
    except ValueError as exc:
        raise InstantError(f"{day}T{clock} is not a valid date and time: {exc}") from None
    if not offset and not zone:
        raise InstantError(
            f"{day}T{clock} has no time zone: an instant without one is ambiguous; "
            f"add an offset or a zone, e.g. '{day}T{clock}+02:00' or '{day}T{clock}[Europe/Paris]'"
        )
    if zone:
        aware = naive.replace(tzinfo=zone_named(zone))
        if offset and _format_offset(aware.utcoffset()) != _normalise_offset(offset):
            raise InstantError(
                f"offset {offset} does not match zone {zone} on {day} "
                f"(which is {_format_offset(aware.utcoffset())})"
            )
        return aware, zone
    return naive.replace(tzinfo=_fixed_offset(offset)), None


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


def _diagnose(text: str) -> str:
    """Explain the most likely mistake in a text that is not an instant."""
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        return (
            f"{text!r} is a date without a time: an instant needs a time and a zone, "
            f"e.g. '{text}T11:30+02:00'; if the time is unknown, write a range such as "
            f"'between {text}T00:00+02:00 and 23:59'"
        )
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2})?", text):
        return (
            f"{text!r} has no time zone: an instant without one is ambiguous; add an offset "
            f"or a zone, e.g. '{text}+02:00' or '{text}[Europe/Paris]'"
        )
    if re.fullmatch(r"\d{1,2}:\d{2}(:\d{2})?", text):
        return f"{text!r} has no date and no zone: write a full instant, e.g. {EXAMPLE!r}"
    return (
        f"{text!r} is not an instant: write e.g. {EXAMPLE!r}, 'about {EXAMPLE}', "
        f"'between {EXAMPLE} and 12:00', 'after {EXAMPLE}' or '2024-08-03T11:30[Europe/Paris]'"
    )
