"""Redact a record for readers outside the organisation: the public, or an authority.

Entries marked with a `visibility` their audience may not read are removed wherever they
are, the fields an entry lists in `internal_fields` are blanked, and every internal name
is replaced in every text. The copy is not validated again: a withheld mark is not a
valid id, and the instants, already read, stay as they are.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from typing import Literal

from pydantic import BaseModel
from pydantic.fields import FieldInfo

from postmortem.record.instants import When
from postmortem.record.model import (
    ActionItem,
    Communication,
    Incident,
    Lesson,
    Shareable,
    Source,
    ThirdParty,
)

#: Who a document is redacted for: the public, or an authority (NIS2, declaration).
Audience = Literal["public", "authority"]

#: What stands in a text where something was withheld, by language.
WITHHELD: dict[str, str] = {"en": "[withheld]", "fr": "[information retirée]"}

#: Visibilities each audience may not read.
_HIDDEN_FROM: dict[str, frozenset[str]] = {
    "authority": frozenset({"internal"}),
    "public": frozenset({"internal", "authority"}),
}

#: Characters that may separate the words of a name however it is written
#: ('Jean-Paul Dupont', 'jean-paul-dupont' in a link, 'Jean Paul Dupont').
_SEPARATORS = r"[\s\-‐‑‒–—_.]+"

#: An id: where a name is replaced by a mark an id can hold, so that references still agree.
_SLUG = re.compile(r"[a-z0-9][a-z0-9-]*\Z")

_REMOVED = object()


def internal_names(incident: Incident) -> list[str]:
    """Return the names that no document for outsiders may show, longest first."""
    names = {" ".join(name.split()) for name in incident.internal_names}
    return sorted((name for name in names if name), key=lambda name: (-len(name), name))


def name_pattern(names: list[str]) -> re.Pattern[str] | None:
    """Return a pattern that finds any of the names, whatever its case, accents or separators."""
    if not names:
        return None
    return re.compile("|".join(rf"(?<!\w){_loose(name)}(?!\w)" for name in names),
                      re.IGNORECASE)


def _loose(name: str) -> str:
    """Return a pattern of one name that also matches it without accents or decomposed."""
    parts: list[str] = []
    for word in re.split(_SEPARATORS, name):
        letters = []
        for char in unicodedata.normalize("NFC", word):
            forms = {char, unicodedata.normalize("NFD", char), _ascii_text(char)} - {""}
            if char in "'’":
                forms |= {"'", "’"}
            letters.append("(?:" + "|".join(re.escape(form) for form in
                                            sorted(forms, key=len, reverse=True)) + ")")
        parts.append("".join(letters))
    return _SEPARATORS.join(part for part in parts if part)


def _ascii_text(text: str) -> str:
    """Return a text without its accents ('é' → 'e')."""
    return "".join(c for c in unicodedata.normalize("NFKD", text)
                   if not unicodedata.combining(c))


def redacted(incident: Incident, audience: Audience, lang: str | None = None) -> Incident:
    """Return a copy of the incident that `audience` may read; `lang` is the mark's language.

    The copy keeps the key instants and the trigger; references to what was removed are
    cut, and the marks themselves (visibility, internal fields, internal names) emptied.
    A name in an id becomes a mark an id can hold ('withheld-notes'), alike in every
    reference to it, so that references still agree.
    """
    withheld = WITHHELD.get(lang or incident.lang, WITHHELD["en"])
    withheld_id = re.sub(r"[^a-z0-9]+", "-", _ascii_text(withheld).lower()).strip("-")
    pattern = name_pattern(internal_names(incident))

    def text(value: str) -> str:
        if pattern is None:
            return value
        return pattern.sub(withheld_id if _SLUG.match(value) else withheld, value)

    copy = _redact(incident, _HIDDEN_FROM[audience], text, withheld)
    assert isinstance(copy, Incident)
    return _cut_references(copy.model_copy(update={"internal_names": []}))


def _redact(value: object, hidden: frozenset[str], text: Callable[[str], str],
            withheld: str, keep: bool = False) -> object:
    """Return the value as the audience may read it, or _REMOVED; `keep`: never remove it."""
    if isinstance(value, str):
        return text(value)
    if isinstance(value, list):
        items = [_redact(item, hidden, text, withheld) for item in value]
        return [item for item in items if item is not _REMOVED]
    if isinstance(value, When) or not isinstance(value, BaseModel):
        return value
    if isinstance(value, Shareable) and value.visibility in hidden and not keep:
        return _REMOVED
    fields = type(value).model_fields
    blanked = set(value.internal_fields) if isinstance(value, Shareable) else set()
    changes: dict[str, object] = {}
    for name, info in fields.items():
        if name in blanked:
            changes[name] = _blank(info, getattr(value, name), withheld)
            continue
        inner = _redact(getattr(value, name), hidden, text, withheld,
                        keep=info.is_required())
        if inner is _REMOVED:
            inner = None
        elif isinstance(inner, list) and not inner and getattr(value, name) and _needs_items(
                info) and isinstance(value, Shareable) and not keep:
            # An entry whose required items were all removed (a discrepancy without its
            # claims) says nothing the audience may read.
            return _REMOVED
        changes[name] = inner
    if isinstance(value, Shareable):
        changes.update(visibility=None, internal_fields=[])
    return value.model_copy(update=changes)


def _blank(info: FieldInfo, value: object, withheld: str) -> object:
    """Return what a withheld field shows: nothing, or the withheld mark for required text."""
    if isinstance(value, list):
        return []
    if not info.is_required():
        return info.get_default(call_default_factory=True)
    # Records are checked so that only free text is required and withheld; anything
    # else (an id, an instant) carries no name once names are replaced.
    return withheld if isinstance(value, str) else value


def _needs_items(info: FieldInfo) -> bool:
    """Tell whether a list field must have at least one item."""
    return any((getattr(constraint, "min_length", None) or 0) > 0
               for constraint in info.metadata)


def _cut_references(incident: Incident) -> Incident:
    """Return the incident with references to what is no longer in it cut."""
    known: dict[type, set[str]] = {
        Source: {source.id for source in incident.sources},
        ThirdParty: {party.id for party in incident.third_parties},
        Lesson: {lesson.id for lesson in incident.lessons},
        ActionItem: {action.id for action in incident.actions},
    }
    impacts = {impact.id for impact in incident.impacts if impact.id}

    def cut(value: object, root: bool = False) -> object:
        if isinstance(value, list):
            return [cut(item) for item in value]
        if not isinstance(value, BaseModel) or isinstance(value, When):
            return value
        changes: dict[str, object] = {}
        for name in type(value).model_fields:
            field = getattr(value, name)
            if name == "sources" and not root and _strings(field):
                changes[name] = [ref for ref in field if ref in known[Source]]
            elif name == "third_party" and isinstance(field, str):
                changes[name] = field if field in known[ThirdParty] else None
            elif name == "lessons" and isinstance(value, ActionItem):
                changes[name] = [ref for ref in field if ref in known[Lesson]]
            elif name in ("superseded_by", "merged_into") and isinstance(field, str):
                changes[name] = field if field in known[ActionItem] else None
            elif (name == "promised" and isinstance(value, Communication) and field is not None
                  and field.impact is not None and field.impact not in impacts):
                changes[name] = None
            else:
                changes[name] = cut(field)
        return value.model_copy(update=changes)

    result = cut(incident, root=True)
    assert isinstance(result, Incident)
    return result


def _strings(value: object) -> bool:
    """Tell whether a value is a list of ids."""
    return isinstance(value, list) and all(isinstance(item, str) for item in value)

