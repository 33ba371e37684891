"""Find the records that claim one incident id: their reports would overwrite each other.

A build reads every changed record's id before it renders any, so the ids are read by
YAML's own parser (quoted keys, folded scalars and flow mappings read as a loader reads
them) but only up to the top-level `id`: a few events, not the whole record.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml
from yaml.events import (
    AliasEvent,
    CollectionEndEvent,
    CollectionStartEvent,
    MappingStartEvent,
    ScalarEvent,
)
from yaml.nodes import ScalarNode
from yaml.resolver import Resolver

from postmortem.errors import Problem

_PARSER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_RESOLVER = Resolver()
# The loader keeps timestamps as text; any other tag is not an id, as validation says.
_TEXT_TAGS = {"tag:yaml.org,2002:str", "tag:yaml.org,2002:timestamp"}


@dataclass(frozen=True)
class Claim:
    """A record's id and where it is written (1-based)."""

    id: str
    line: int
    column: int


def record_ids(sources: dict[Path, bytes]) -> dict[Path, Claim]:
    """Return the claim of every record that has an id that is text."""
    claims = {path: read_id(raw) for path, raw in sources.items()}
    return {path: claim for path, claim in claims.items() if claim}


def id_clashes(claims: dict[Path, Claim]) -> dict[str, Problem]:
    """Return a problem, at its id, for every record whose id another record has too."""
    holders: dict[str, list[Path]] = {}
    for path, claim in claims.items():
        holders.setdefault(claim.id, []).append(path)
    problems = {}
    for incident_id, paths in holders.items():
        for path in paths if len(paths) > 1 else ():
            others = ", ".join(str(other) for other in paths if other != path)
            problems[str(path)] = Problem(
                str(path), claims[path].line, claims[path].column,
                f"id {incident_id!r} is also the id of {others}: their reports would "
                "overwrite each other; give each record its own id", field="id")
    return problems


def read_id(raw: bytes) -> Claim | None:
    """Return the top-level id of a record, or None when it has none that is text.

    A record that cannot be read has no claim: validation says what is wrong with it.
    """
    try:
        return _first_id(yaml.parse(raw.decode("utf-8-sig"), Loader=_PARSER))
    except (UnicodeDecodeError, yaml.YAMLError):
        return None


def _first_id(events) -> Claim | None:
    depth = 0
    items = 0  # values of the top-level mapping read so far, keys and values alike
    key: str | None = None
    for event in events:
        if isinstance(event, CollectionStartEvent):
            if depth == 0 and not isinstance(event, MappingStartEvent):
                return None  # not a mapping of fields
            depth += 1
        elif isinstance(event, CollectionEndEvent):
            depth -= 1
            if depth == 0:
                return None  # the whole mapping, and no id
            if depth == 1:  # a list or mapping at the top level, as a key or a value
                key = None if items % 2 == 0 else key
                items += 1
        elif depth == 1 and isinstance(event, ScalarEvent | AliasEvent):
            if items % 2 == 0:
                key = event.value if isinstance(event, ScalarEvent) else None
            elif key == "id" and isinstance(event, ScalarEvent):
                return _claim(event)
            items += 1
    return None


def _claim(event: ScalarEvent) -> Claim | None:
    if event.tag not in (None, "!"):
        tag = event.tag
    elif event.tag == "!" or not event.implicit[0]:
        tag = "tag:yaml.org,2002:str"  # quoted, or a bare `!`: text
    else:
        tag = _RESOLVER.resolve(ScalarNode, event.value, (True, False))
    if tag not in _TEXT_TAGS:
        return None
    mark = event.start_mark
    if mark is None:  # the parser marks every event it reads from text
        return None
    return Claim(event.value, mark.line + 1, mark.column + 1)
