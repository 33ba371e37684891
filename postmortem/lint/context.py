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

# Quotations in the marks every language of the records uses.
_QUOTATION_MARKS = r"«[^«»]*»|“[^“”]*”|\"[^\"\n]*\""
_QUOTED = re.compile(_QUOTATION_MARKS)

# Code and addresses name no one and judge nothing: `git blame`, @types/node, a URL.
_CODE_AND_ADDRESSES = (r"```.*?(?:```|\Z)|~~~.*?(?:~~~|\Z)|`[^`\n]+`"
                       r"|<[a-z][a-z0-9+.-]*:[^>\s]*>|\b(?:https?|ftp)://\S+|\bwww\.\S+")
_CODE = re.compile(_CODE_AND_ADDRESSES, re.DOTALL)

# What is not the writer's own wording, and where no wording rule fires: quotations,
# code, links (their text and address), and the titles of documents.
_NOT_OWN_WORDS = re.compile(
    _QUOTATION_MARKS + r"|„[^“”]*[“”]|‘[^‘’\n]*’"
    r"|(?<![\w’'])'[^'\n]+'(?![\w’'])"  # 'quoted', not an apostrophe
    r"|!?\[[^\]\n]*\]\([^)\s]*\)|\[[^\]\n]*\]\[[^\]\n]*\]"  # [text](url), [text][ref]
    r"|" + _CODE_AND_ADDRESSES
    + r"|^[ \t]*>[^\n]*$",  # a Markdown block quote
    re.DOTALL | re.MULTILINE)

# A title set in italics: three words or more, the first capitalised ("*Root Cause Report*").
_ITALIC_TITLE = re.compile(r"(?<![\w*])([*_])(?=[^\W\d_])(?=\S*[^\W\d_a-z])"
                           r"[^*_\n]+?\s+\S[^*_\n]*?\s+\S[^*_\n]*?\1(?![\w*])")

# Small words a title in Title Case keeps in lower case.
_TITLE_SMALL_WORDS = frozenset({
    "a", "an", "and", "as", "at", "by", "for", "from", "in", "into", "of", "on", "or", "the",
    "to", "with", "vs", "de", "du", "des", "la", "le", "les", "et", "en", "pour", "sur",
    "aux", "au", "d", "l", "à",
})
_TITLE_WORD = re.compile(r"[^\W_][\w’'-]*")


@dataclass(frozen=True)
class Hit:
    """What a check reports: rule, field, message, and where inside the text if it knows."""

    rule: str
    loc: tuple
    message: str
    hint: str = ""
    offset: int | None = None
    at_key: bool = False  # point at the key, for something missing under it
    place: tuple[int, int] | None = None  # a line and column outside any value (a comment)


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

    @functools.cached_property
    def cited_titles(self) -> tuple[str, ...]:
        """Return the titles of the documents the record lists as sources."""
        return tuple(source.title for source in self.incident.sources)

    def own_words(self, text: str) -> str:
        """Return the text with what others wrote or named blanked out (offsets kept)."""
        return mask_others_words(text, self.cited_titles)

    def phrases(self, *names: str) -> re.Pattern:
        """Return the pattern that finds any phrase of the named word lists."""
        return _phrase_pattern(tuple(word for name in names for word in self.words.get(name, ())))

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
    # Whole words only; a phrase that starts with a mark ("'s fault") may follow a word.
    def alternation(group: list[str]) -> str:
        return "|".join(sorted({_phrase_regex(phrase) + ("(?!\\w)" if phrase[-1].isalnum() else "")
                                for phrase in group}, key=len, reverse=True))

    phrases = tuple(phrase.strip() for phrase in phrases if phrase.strip())
    words = [phrase for phrase in phrases if phrase[0].isalnum()]
    marks = [phrase for phrase in phrases if not phrase[0].isalnum()]
    parts = ([r"(?<!\w)(?:" + alternation(words) + ")"] if words else []) + (
        [alternation(marks)] if marks else [])
    if not parts:
        return re.compile(r"(?!)")
    return re.compile("|".join(parts), re.IGNORECASE)


def _phrase_regex(phrase: str) -> str:
    """Match a phrase across line breaks, with either apostrophe."""
    return r"\s+".join(re.sub("['’]", "['’]", re.escape(word)) for word in phrase.split())


def alternatives(names: Iterable[str]) -> str:
    """Return a regex alternation of the names, longest first so that none hides another."""
    return "|".join(re.escape(name) for name in sorted(names, key=len, reverse=True))


def mask_quotes(text: str) -> str:
    """Blank out quotations, keeping every other character at its offset."""
    return _QUOTED.sub(lambda match: " " * len(match.group()), text)


def mask_code(text: str) -> str:
    """Blank out code and addresses, keeping every other character in place."""
    return _CODE.sub(_blank, text)


def _blank(match: re.Match) -> str:
    """Return the match as spaces, its line breaks kept."""
    return re.sub(r"[^\n]", " ", match.group())


def mask_others_words(text: str, titles: Iterable[str] = ()) -> str:
    """Blank out what is not the writer's own wording, keeping other characters in place.

    Quotations, code, links and addresses, block quotes, the titles of documents the
    record cites (`titles`, found in the text whatever their case), titles in italics,
    and runs of three or more words in Title Case ("External Technical Root Cause
    Analysis") are what other people wrote or named.
    """
    masked = _NOT_OWN_WORDS.sub(_blank, text)
    masked = _ITALIC_TITLE.sub(_blank, masked)
    masked = _titles_pattern(tuple(titles)).sub(_blank, masked)
    return _mask_title_case(masked)


@functools.cache
def _titles_pattern(titles: tuple[str, ...]) -> re.Pattern:
    """Return the pattern that finds any of the titles (two words or more), whatever its case."""
    cited = sorted({r"\s+".join(re.escape(word) for word in title.split())
                    for title in titles if len(title.split()) >= 2}, key=len, reverse=True)
    if not cited:
        return re.compile(r"(?!)")
    return re.compile(r"(?<!\w)(?:" + "|".join(cited) + r")(?!\w)", re.IGNORECASE)


def _mask_title_case(text: str) -> str:
    """Blank out runs of three or more capitalised words: the name of a document."""
    chars = list(text)
    run: list[re.Match] = []

    def close() -> None:
        capitals = [word for word in run if word.group()[0].isupper()]
        if len(capitals) >= 3:
            for index in range(run[0].start(), run[-1].end()):
                if chars[index] != "\n":
                    chars[index] = " "
        run.clear()

    previous_end = 0
    for word in _TITLE_WORD.finditer(text):
        between = text[previous_end:word.start()]
        if run and not re.fullmatch(r"[ \t\n:’'-]*", between):
            close()
        token = word.group()
        if token[0].isupper() or (run and token.lower() in _TITLE_SMALL_WORDS):
            run.append(word)
        elif run:
            # Trailing small words do not belong to the title.
            while run and not run[-1].group()[0].isupper():
                run.pop()
            close()
        previous_end = word.end()
    while run and not run[-1].group()[0].isupper():
        run.pop()
    close()
    return "".join(chars)


def quote(text: str) -> str:
    """Return text on one line in double quotes, shortened past 60 characters."""
    text = " ".join(text.split())
    return f'"{text}"' if len(text) <= 60 else f'"{text[:57]}..."'
