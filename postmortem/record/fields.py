"""The value types of a record's fields: instants, days, slugs, text, time zones."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Annotated

from pydantic import (
    AfterValidator,
    Field,
    PlainSerializer,
    PlainValidator,
    ValidationInfo,
    WithJsonSchema,
)
from pydantic_core import PydanticCustomError

from postmortem.i18n import _
from postmortem.record.echo import quoted
from postmortem.record.instants import (
    JSON_SCHEMA_PATTERN,
    InstantError,
    UnknownAnchorError,
    When,
    parse_day,
    parse_when,
    zone_named,
)


def _when(value: object, info: ValidationInfo) -> When:
    if isinstance(value, When):
        return value
    # The record's zone and named instants (postmortem.record.anchors.validation_context);
    # without them a day or a relative instant cannot be read, and the error says so.
    context = info.context if isinstance(info.context, Mapping) else {}
    zone = context.get("zone")
    anchors = context.get("anchors")
    try:
        return parse_when(
            value,  # type: ignore[arg-type]
            zone if isinstance(zone, str) else None,
            anchors if isinstance(anchors, Mapping) else None,
        )
    except UnknownAnchorError as exc:
        reason = str(exc)
        if exc.name in context.get("unresolved", ()):
            shown = quoted(value) if isinstance(value, str) else repr(value)
            reason = _("{instant} cannot be placed: {name} is itself invalid or depends on "
                       "this instant", instant=shown, name=quoted(exc.name))
        raise PydanticCustomError("instant", "{reason}", {"reason": reason}) from None
    except InstantError as exc:
        raise PydanticCustomError("instant", "{reason}", {"reason": str(exc)}) from None


def _day(value: object) -> date:
    try:
        return parse_day(value)  # type: ignore[arg-type]
    except InstantError as exc:
        raise PydanticCustomError("date", "{reason}", {"reason": str(exc)}) from None


def _zone(value: str) -> str:
    try:
        zone_named(value)
    except InstantError as exc:
        raise PydanticCustomError("zone", "{reason}", {"reason": str(exc)}) from None
    return value


Instant = Annotated[
    When,
    PlainValidator(_when),
    PlainSerializer(str, return_type=str),
    WithJsonSchema({
        "type": "string",
        "pattern": JSON_SCHEMA_PATTERN,
        "description": (
            "An instant: a time with an offset, a [Zone/Name] or UTC; a whole day or month "
            "in the record's timezone; or a time relative to a key instant or a timeline "
            "entry id. Each may be exact, 'about …' ('~…'), 'between … and …' ('…/…'), "
            "'after …' or 'before …' (a day: on or after, on or before). Relative: "
            "'D after NAME', 'within D after NAME', 'about D after NAME', "
            "'between D1 and D2 after NAME', with durations such as 30 s, 2 min, 1 h 30 min, "
            "3 d, 2 w."
        ),
        "examples": [
            "2024-08-03T11:30+02:00",
            "2024-08-03T11:30[Europe/Paris]",
            "2024-08-03T09:30 UTC",
            "about 2024-08-03T11:30+02:00",
            "between 2024-08-03T11:00+02:00 and 11:30",
            "after 2024-08-06T20:00+02:00",
            "2021-03-13",
            "2021-04",
            "between 2021-03-10 and 2021-03-13",
            "within 2 min after started",
            "about 10 min after detected",
            "between 1 and 3 min after started",
        ],
    }),
]
Day = Annotated[
    date,
    PlainValidator(_day),
    PlainSerializer(date.isoformat, return_type=str),
    WithJsonSchema({"type": "string", "format": "date", "pattern": r"^\d{4}-\d{2}-\d{2}$"}),
]
Slug = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]*$", max_length=120)]
Text = Annotated[str, Field(min_length=1)]
SourceRefs = Annotated[list[Slug], Field(default_factory=list)]
TimeZoneName = Annotated[str, AfterValidator(_zone)]
