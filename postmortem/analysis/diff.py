"""Compare two versions of a record as a reviewer reads them, in the record's language.

Both versions are validated models, so the comparison is about meaning, not lines:
fields changed (old → new, by field path), timeline entries added or removed (an entry
is its instant and its text), action items matched by id, lessons and sources added or
removed. How the changes read (and which key figures moved) is `postmortem.render.changes`.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from pathlib import Path

from postmortem.analysis.history import GitError, show_file
from postmortem.errors import Problem, RecordError
from postmortem.record.load import load_bytes, load_file
from postmortem.record.model import Incident
from postmortem.record.validate import validate_document

#: Collections compared as sets of items rather than field by field.
MATCHED_COLLECTIONS = ("timeline", "actions", "lessons", "sources")


@dataclass(frozen=True)
class FieldChange:
    """A value that differs between the two versions; None on one side means absent."""

    loc: tuple
    before: object
    after: object


@dataclass
class Changes:
    """What differs between two versions of a record."""

    old: Incident
    new: Incident
    fields: list[FieldChange] = field(default_factory=list)
    timeline_added: list = field(default_factory=list)
    timeline_removed: list = field(default_factory=list)
    actions_changed: list[FieldChange] = field(default_factory=list)
    actions_added: list = field(default_factory=list)
    actions_removed: list = field(default_factory=list)
    lessons_added: list = field(default_factory=list)
    lessons_removed: list = field(default_factory=list)
    sources_added: list = field(default_factory=list)
    sources_removed: list = field(default_factory=list)

    def __bool__(self) -> bool:
        return any(getattr(self, name) for name in (
            "fields", "timeline_added", "timeline_removed", "actions_changed", "actions_added",
            "actions_removed", "lessons_added", "lessons_removed", "sources_added",
            "sources_removed"))


def compare(old: Incident, new: Incident) -> Changes:
    """Return what changed from `old` to `new`."""
    changes = Changes(old, new)
    before, after = old.model_dump(), new.model_dump()
    for name in after:
        if name not in MATCHED_COLLECTIONS:
            changes.fields += _compare_values(before[name], after[name], (name,))
    # A timeline entry is what happened when: edited text reads as one removed, one added.
    changes.timeline_added, changes.timeline_removed, pairs = _match(
        old.timeline, new.timeline, _timeline_key)
    for old_entry, new_entry, index in pairs:
        changes.fields += _compare_values(old_entry.model_dump(), new_entry.model_dump(),
                                          ("timeline", index))
    changes.actions_added, changes.actions_removed, pairs = _match(
        old.actions, new.actions, lambda action: action.id)
    for old_action, new_action, index in pairs:
        changes.actions_changed += _compare_values(
            old_action.model_dump(), new_action.model_dump(), ("actions", index))
    for name in ("lessons", "sources"):
        added, removed, pairs = _match(getattr(old, name), getattr(new, name),
                                       lambda item: item.id)
        setattr(changes, f"{name}_added", added)
        setattr(changes, f"{name}_removed", removed)
        for old_item, new_item, index in pairs:
            changes.fields += _compare_values(old_item.model_dump(), new_item.model_dump(),
                                              (name, index))
    return changes


def _compare_values(before: object, after: object, loc: tuple) -> list[FieldChange]:
    """Return the changes between two dumped values, down to the smallest differing field."""
    if before == after:
        return []
    if isinstance(before, dict) and isinstance(after, dict):
        changes = []
        for key in list(after) + [key for key in before if key not in after]:
            changes += _compare_values(before.get(key), after.get(key), loc + (key,))
        return changes
    if isinstance(before, list) and isinstance(after, list):
        return _compare_lists(before, after, loc)
    return [FieldChange(loc, before, after)]


def _compare_lists(before: list, after: list, loc: tuple) -> list[FieldChange]:
    """Pair the items of two lists where they line up, and list the others as added or removed."""
    changes = []
    matcher = SequenceMatcher(a=[_fingerprint(item) for item in before],
                              b=[_fingerprint(item) for item in after], autojunk=False)
    for tag, first, last, new_first, new_last in matcher.get_opcodes():
        if tag == "equal":
            continue
        if tag == "replace" and last - first == new_last - new_first:
            # Same number of items at the same place: the items were edited.
            for offset in range(last - first):
                changes += _compare_values(before[first + offset], after[new_first + offset],
                                           loc + (new_first + offset,))
            continue
        changes += [FieldChange(loc + (index,), before[index], None)
                    for index in range(first, last)]
        changes += [FieldChange(loc + (index,), None, after[index])
                    for index in range(new_first, new_last)]
    return changes


def _match(old: Iterable, new: Iterable, key: Callable) -> tuple[list, list, list[tuple]]:
    """Match items by key; return added, removed and (old item, new item, new index) pairs."""
    remaining: dict[object, list] = {}
    for item in old:
        remaining.setdefault(key(item), []).append(item)
    added, pairs = [], []
    for index, item in enumerate(new):
        candidates = remaining.get(key(item))
        if candidates:
            pairs.append((candidates.pop(0), item, index))
        else:
            added.append(item)
    removed = [item for item in old if any(item is left for left in remaining.get(key(item), []))]
    return added, removed, pairs


def _timeline_key(entry) -> tuple:
    # The same instant written another way (+02:00 or Z) is the same entry.
    return entry.at.earliest, entry.at.latest, entry.at.approximate, " ".join(entry.text.split())


def _fingerprint(value: object) -> str:
    return json.dumps(value, sort_keys=True, default=str, ensure_ascii=False)


def read_version(path: str | os.PathLike, revision: str | None) -> Incident:
    """Read a record from its file, or as it was at a git revision; raise RecordError if invalid."""
    path = Path(path)
    if revision is None:
        return validate_document(load_file(path))
    try:
        raw = show_file(path, revision)
    except GitError as exc:
        raise RecordError([Problem(str(path), 1, 1, problem.message)
                           for problem in exc.problems]) from None
    return validate_document(load_bytes(raw, f"{path}@{revision}"))


def read_versions(path_a: str | os.PathLike, revision_a: str | None,
                  path_b: str | os.PathLike, revision_b: str | None) -> tuple[Incident, Incident]:
    """Read both versions, reporting the problems of both at once."""
    versions, problems = [], []
    for path, revision in ((path_a, revision_a), (path_b, revision_b)):
        try:
            versions.append(read_version(path, revision))
        except RecordError as exc:
            problems += exc.problems
    if problems:
        raise RecordError(problems)
    return versions[0], versions[1]


