"""Find the records that claim one incident id: their reports would overwrite each other.

A build reads every changed record's id before it renders any, so the ids are read by
YAML's own parser (quoted keys, folded scalars and flow mappings read as a loader reads
them) but only up to the top-level `id`: a few events, not the whole record. A record
that opens with plain `key: value` lines, its id among them, as records usually do, has
its id read from those lines without the parser: they cannot mean anything else.
"""

from __future__ import annotations

import re
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
# The opening lines whose meaning is plain: blank, a comment, or a top-level key with a
# plain value made of letters, digits and a few signs that YAML gives no meaning to.
_PLAIN_LINE = re.compile(r"(?:[A-Za-z_][A-Za-z0-9_-]*:(?: +[A-Za-z0-9_][A-Za-z0-9_ .,/()+-]*?)?"
                         r"|)[ \t]*(?:(?<![^ \t])#.*)?")
# What YAML refuses to read in a stream: a record holding it before its id is left to the
# parser, which says it cannot be read.
_UNPRINTABLE = re.compile("[^\x09\x0a\x0d\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd"
                          "\U00010000-\U0010ffff]")
# The line breaks of YAML besides \n and \r\n: a line holding one is left to the parser.
_OTHER_BREAK = re.compile("[\r\x85\u2028\u2029](?!$)")
_PLAIN_ID = re.compile(r"id: +([A-Za-z0-9][A-Za-z0-9._-]*)[ \t]*(?:(?<=[ \t])#.*)?")


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

    A record that cannot be read up to its id has no claim: validation says what is wrong
    with it.
    """
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None
    plain = _plain_id(text)
    if plain is not None:
        return plain
    try:
        return _first_id(yaml.parse(text, Loader=_PARSER))
    except yaml.YAMLError:
        return None


def _plain_id(text: str) -> Claim | None:
    """Return the id of a record that opens with plain lines, the id among them; else None.

    None also when the lines are not all plain: the parser reads that record.
    """
    start = 0
    for number in range(64):
        end = text.find("\n", start)
        line = text[start:] if end < 0 else text[start:end]
        if _UNPRINTABLE.search(line) or _OTHER_BREAK.search(line):
            return None  # the parser says that it cannot be read, or where its lines end
        line = line.removesuffix("\r")
        found = _PLAIN_ID.fullmatch(line)
        if found:
            value = found[1]
            if _RESOLVER.resolve(ScalarNode, value, (True, False)) not in _TEXT_TAGS:
                return None
            return Claim(value, number + 1, found.start(1) + 1)
        if not _PLAIN_LINE.fullmatch(line) or line.startswith("id:") or end < 0:
            return None
        start = end + 1
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
