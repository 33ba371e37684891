"""The value types of a record's fields: instants, days, slugs, text, time zones."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from pydantic import AfterValidator, Field, PlainSerializer, PlainValidator, WithJsonSchema
from pydantic_core import PydanticCustomError

from postmortem.record.instants import (
    JSON_SCHEMA_PATTERN,
    InstantError,
    When,
    parse_day,
    parse_when,
    zone_named,
)


def _when(value: object) -> When:
    if isinstance(value, When):
        return value
    try:
        return parse_when(value)  # type: ignore[arg-type]
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
        "description": "An instant with an offset or a [Zone/Name], exact, 'about …', "
                       "'between … and …', 'after …' or 'before …'.",
        "examples": ["2024-08-03T11:30+02:00", "between 2024-08-03T11:00+02:00 and 11:30"],
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
