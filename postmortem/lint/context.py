"""What every check reads and reports: the record with its raw text, and the hits found.

The checks (`wording`, `actions`, `coherence`) take a Context and yield Hits; the engine
turns each Hit into a Finding at a line and column. Helpers shared by several checks
(phrase patterns, quotations, alternations) live here too.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

from postmortem.analysis.derive import Report, derive
from postmortem.record.instants import When
from postmortem.record.load import Document
from postmortem.record.model import Incident
from postmortem.record.source_text import SourceText, silenced_action_ids
from postmortem.record.walk import walk, walk_model

# Fields written in prose, where wording rules apply. Source titles are other people's
# words and stay out.
PROSE_FIELDS = frozenset({
    "summary", "title", "what", "note", "notes", "detail", "how", "contract", "expectation",
    "description", "degraded_mode", "said", "text", "detection", "response", "recovery",
    "no_action_because", "action", "about", "resolution", "says",
})

_QUOTED = re.compile(r"«[^«»]*»|“[^“”]*”|\"[^\"\n]*\"")


@dataclass(frozen=True)
class Hit:
    """What a check reports: rule, field, message, and where inside the text if it knows."""

    rule: str
    loc: tuple
    message: str
    hint: str = ""
    offset: int | None = None
    at_key: bool = False  # point at the key, for something missing under it


class Context:
    """What every check reads: the record, its raw text, the words of its language, today."""

    def __init__(self, document: Document, incident: Incident, source: SourceText,
                 words: dict[str, tuple[str, ...]], today: date):
        self.document = document
        self.incident = incident
        self.source = source
        self.words = words
        self.today = today

    @functools.cached_property
    def values(self) -> dict[tuple, Any]:
        """Return every value of the record's data by its location, parents first."""
        return dict(walk(self.document.data))

    @functools.cached_property
    def report(self) -> Report:
        """Return what the report derives from the record, as of today."""
        return derive(self.incident, today=self.today, silenced_overdue=self.silenced_overdue)

    @functools.cached_property
    def silenced_overdue(self) -> frozenset[str]:
        """Return the ids of the action items that a comment keeps out of the overdue counts."""
        return silenced_action_ids(self.document, self.source)

    @functools.cached_property
    def instants(self) -> list[tuple[tuple, When]]:
        """Return (location, instant) for every instant of the record, in field order."""
        return list(_instants(self.incident, ()))

    @functools.cached_property
    def prose(self) -> list[tuple[tuple, str, bool]]:
        """Return (location, text, cites sources) for every prose value of the record."""
        return list(_prose(self.values))

    def phrases(self, name: str) -> re.Pattern:
        """Return the pattern that finds any phrase of the named word list."""
        return _phrase_pattern(self.words[name])

    def position(self, loc: tuple, offset: int | None) -> tuple[int, int]:
        """Return the line and column of a value, or of the character at offset inside it."""
        start = self.document.locate(loc)
        value = self.values.get(loc)
        if offset is None or not isinstance(value, str):
            return start
        return self.source.position(start, value, offset)


def _instants(value: object, loc: tuple) -> Iterator[tuple[tuple, When]]:
    # The instant it is relative to is reported where it is written.
    for where, item in walk_model(value, loc):
        if isinstance(item, When):
            yield where, item


def _prose(values: dict[tuple, Any]) -> Iterator[tuple[tuple, str, bool]]:
    for loc, value in values.items():
        # A key that is text has a mapping for parent; list items have an index instead.
        if not (isinstance(value, str) and loc and loc[-1] in PROSE_FIELDS):
            continue
        parent = loc[:-1]
        if parent[:1] == ("sources",) and loc[-1] == "title":
            continue
        # A source's own note quotes that source.
        cites = bool(values[parent].get("sources")) or (len(parent) == 2
                                                         and parent[0] == "sources")
        yield loc, value, cites


@functools.cache
def _phrase_pattern(phrases: tuple[str, ...]) -> re.Pattern:
    alternatives = sorted({_phrase_regex(phrase) for phrase in phrases if phrase.strip()},
                          key=len, reverse=True)
    if not alternatives:
        return re.compile(r"(?!)")
    return re.compile(r"(?<!\w)(?:" + "|".join(alternatives) + r")(?!\w)", re.IGNORECASE)


def _phrase_regex(phrase: str) -> str:
    """Match a phrase across line breaks, with either apostrophe."""
    return r"\s+".join(re.sub("['’]", "['’]", re.escape(word)) for word in phrase.split())


def alternatives(names: Iterable[str]) -> str:
    """Return a regex alternation of the names, longest first so that none hides another."""
    return "|".join(re.escape(name) for name in sorted(names, key=len, reverse=True))


def mask_quotes(text: str) -> str:
    """Blank out quotations, keeping every other character at its offset."""
    return _QUOTED.sub(lambda match: " " * len(match.group()), text)


def quote(text: str) -> str:
    """Return text on one line in double quotes, shortened past 60 characters."""
    text = " ".join(text.split())
    return f'"{text}"' if len(text) <= 60 else f'"{text[:57]}..."'
