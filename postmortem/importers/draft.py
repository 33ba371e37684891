"""A draft record read from elsewhere: the parts an importer fills, and what is left to write.

An importer (a status page's JSON, a chat export) returns a `Draft`: plain values in the
record's own fields (instants already written in the record's zone, each entry citing
the draft's source), and `Todo`s, the points the author must still settle, which the
written record carries as `# TODO:` comments beside the values (lint lists them).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from postmortem.record.instants import zone_named

#: The path of a value in the record: keys and list indexes, e.g. ("timeline", 3, "kind").
Location = tuple[str | int, ...]


@dataclass(frozen=True)
class Todo:
    """What the author must still do about one value: a `# TODO:` comment above it."""

    at: Location
    text: str


@dataclass
class Draft:
    """The parts of a record an importer could fill from what it read."""

    id: str
    """A slug for `id` and the file name, e.g. 2024-08-03-checkout-errors."""
    title: str
    lang: str
    timezone: str
    """The IANA zone every instant of the draft is written in."""
    source: dict[str, Any]
    """The source entry (id, title, publisher, published, url, note) every entry cites."""
    organisation: str = ""
    summary: str = ""
    severity: str | None = None
    key_instants: dict[str, dict[str, Any]] = field(default_factory=dict)
    """Key instant name (started, detected, mitigated, restored, resolved) -> its entry."""
    impacts: list[dict[str, Any]] = field(default_factory=list)
    communications: list[dict[str, Any]] = field(default_factory=list)
    timeline: list[dict[str, Any]] = field(default_factory=list)
    todos: list[Todo] = field(default_factory=list)

    @property
    def source_id(self) -> str:
        """Return the id of the source every imported entry cites."""
        return str(self.source["id"])


def format_instant(moment: datetime, zone: str) -> str:
    """Write an aware datetime as a record's instant, to the minute, in the named zone.

    "2024-08-03T11:30[Europe/Paris]"; a wall-clock time the zone shows twice (the night
    the clocks go back) also carries its offset, which says which of the two it is.
    """
    if moment.tzinfo is None:
        raise ValueError("a naive datetime has no place in time")
    local = moment.astimezone(zone_named(zone))
    clock = local.replace(second=0, microsecond=0, tzinfo=None)
    written = clock.isoformat(timespec="minutes")
    other = clock.replace(tzinfo=local.tzinfo, fold=1 - local.fold)
    if other.utcoffset() != local.utcoffset():
        offset = local.utcoffset()
        assert offset is not None
        minutes = int(offset.total_seconds() // 60)
        sign = "+" if minutes >= 0 else "-"
        written += f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"
    return f"{written}[{zone}]"


def utc_from_timestamp(seconds: float) -> datetime:
    """Return the aware UTC datetime of a Unix time (Slack's `ts`)."""
    return datetime.fromtimestamp(seconds, UTC)
