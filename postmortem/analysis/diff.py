"""Compare two versions of a record as a reviewer reads them, in the record's language.

Both versions are validated models, so the comparison is about meaning, not lines:
fields changed (old → new, by field path), timeline entries added or removed (an entry
is its instant and its text), action items matched by id, lessons and sources added or
removed, and the derived figures that moved.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from difflib import SequenceMatcher
from pathlib import Path

from postmortem.analysis.derive import Report, derive
from postmortem.errors import RecordError, field_path
from postmortem.analysis.history import GitError, describe_revision, show_file
from postmortem.render.i18n import N_, Language
from postmortem.record.instants import InstantError, parse_when
from postmortem.record.load import load_bytes, load_file
from postmortem.record.model import Incident
from postmortem.render.markdown import inline, table_cell
from postmortem.record.validate import validate_document

#: Longest value shown in full; longer prose is cut, since the field path says where to look.
MAX_VALUE = 120
#: Collections compared as sets of items rather than field by field.
MATCHED_COLLECTIONS = ("timeline", "actions", "lessons", "sources")
# Fields whose value is an enumeration shown with its translated label.
_LABELLED = {
    ("severity",): "severity", ("review", "status"): "status",
    ("actions", "status"): "action_status", ("actions", "type"): "action_type",
    ("actions", "priority"): "priority", ("timeline", "kind"): "kind",
    ("communications", "audience"): "audience",
    ("communications", "promised", "target"): "target",
}
_INSTANT_FIELDS = {"at", "started", "ended", "restoration"}
# Fields of an action item, named as the report's action table names them.
_ACTION_FIELDS = {"action": N_("Action"), "owner": N_("Owner"), "due": N_("Due"),
                  "type": N_("Type"), "priority": N_("Priority"), "status": N_("Status")}
_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
# Fields that name an item best, in order of preference, when a whole item is shown.
_NAMING_FIELDS = ("id", "name", "service", "title", "hypothesis", "about", "summary", "said",
                  "text", "at", "says")


class DiffError(Exception):
    """Raised when a version of a record cannot be read (unknown revision, no git…)."""


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
    figures: list[tuple[str, str, str]] = field(default_factory=list)
    """(figure, before, after), already in the record's language."""

    def __bool__(self) -> bool:
        return any(getattr(self, name) for name in (
            "fields", "timeline_added", "timeline_removed", "actions_changed", "actions_added",
            "actions_removed", "lessons_added", "lessons_removed", "sources_added",
            "sources_removed", "figures"))


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
    changes.figures = _moved_figures(derive(old), derive(new), _language(new))
    return changes


def format_changes(changes: Changes, before: str, after: str, fmt: str = "md") -> str:
    """Write the changes as Markdown (for a pull request) or as plain text (for a terminal)."""
    language = _language(changes.new)
    _ = language.gettext
    title = _("Changes to %(id)s from %(before)s to %(after)s",
              id=f"`{changes.new.id}`" if fmt == "md" else changes.new.id,
              before=before, after=after)
    if not changes:
        return _("No change to %(id)s between %(before)s and %(after)s.",
                 id=f"`{changes.new.id}`" if fmt == "md" else changes.new.id,
                 before=before, after=after) + "\n"
    sections = list(_sections(changes, language, code=fmt == "md"))
    if fmt == "md":
        return _markdown(title, sections, language)
    return _text(title, sections, language)


@dataclass(frozen=True)
class _Row:
    """One line of a section: a change (before → after), or an item added or removed."""

    kind: str  # "changed", "added" or "removed"
    subject: str
    before: str = ""
    after: str = ""


def _sections(changes: Changes, language: Language, code: bool) -> Iterator[tuple[str, list[_Row]]]:
    _ = language.gettext
    quote = (lambda text: f"`{text}`") if code else (lambda text: text)

    def show(value: object, loc: tuple) -> str:
        return _show(value, loc, language)

    if changes.fields:
        yield _("Fields"), [_Row("changed", quote(field_path(change.loc)),
                                 show(change.before, change.loc), show(change.after, change.loc))
                            for change in changes.fields]
    timeline = [_Row("added", language.when(entry.at, compact=True), _cut(entry.text))
                for entry in changes.timeline_added]
    timeline += [_Row("removed", language.when(entry.at, compact=True), _cut(entry.text))
                 for entry in changes.timeline_removed]
    if timeline:
        yield _("Timeline"), timeline
    actions = []
    for change in changes.actions_changed:
        action_id, rest = changes.new.actions[change.loc[1]].id, change.loc[2:]
        name = _ACTION_FIELDS.get(rest[0])
        subject = f"{quote(action_id)} {_(name) if name else field_path(rest)}"
        actions.append(_Row("changed", subject, show(change.before, change.loc),
                            show(change.after, change.loc)))
    actions += [_Row("added", quote(action.id), _cut(action.action))
                for action in changes.actions_added]
    actions += [_Row("removed", quote(action.id), _cut(action.action))
                for action in changes.actions_removed]
    if actions:
        yield _("Action items"), actions
    for name, title in (("lessons", _("Lessons")), ("sources", _("Sources"))):
        rows = [_Row(kind, quote(item.id), _cut(item.title))
                for kind in ("added", "removed") for item in getattr(changes, f"{name}_{kind}")]
        if rows:
            yield title, rows
    if changes.figures:
        yield _("Key figures"), [_Row("changed", name, before, after)
                                 for name, before, after in changes.figures]


def _markdown(title: str, sections: list[tuple[str, list[_Row]]], language: Language) -> str:
    _ = language.gettext
    lines = [f"## {title}", ""]
    for heading, rows in sections:
        lines += [f"### {heading}", ""]
        changed = [row for row in rows if row.kind == "changed"]
        if changed:
            header = (_("What"), _("Before"), _("After"))
            lines += ["| " + " | ".join(header) + " |", "| --- | --- | --- |"]
            lines += [f"| {table_cell(row.subject)} | {table_cell(row.before)} | "
                      f"{table_cell(row.after)} |" for row in changed]
            lines.append("")
        others = [row for row in rows if row.kind != "changed"]
        for row in others:
            word = _("Added") if row.kind == "added" else _("Removed")
            colon = _(":")
            lines.append(f"- **{word}**{colon} {inline(row.subject)} — {inline(row.before)}")
        if others:
            lines.append("")
    return "\n".join(lines).rstrip("\n") + "\n"


def _text(title: str, sections: list[tuple[str, list[_Row]]], language: Language) -> str:
    colon = language.gettext(":")
    lines = [title]
    for heading, rows in sections:
        lines += ["", f"{heading}{colon}"]
        for row in rows:
            if row.kind == "changed":
                lines.append(f"  {row.subject}{colon} {inline(row.before)} → {inline(row.after)}")
            else:
                mark = "+" if row.kind == "added" else "-"
                lines.append(f"  {mark} {row.subject} — {inline(row.before)}")
    return "\n".join(lines) + "\n"


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
    return entry.at.earliest, entry.at.latest, entry.at.approximate, inline(entry.text)


def _moved_figures(old: Report, new: Report, language: Language) -> list[tuple[str, str, str]]:
    before, after = _figures(old, language), _figures(new, language)
    return [(name, before.get(name, "—"), after.get(name, "—"))
            for name in list(after) + [name for name in before if name not in after]
            if before.get(name, "—") != after.get(name, "—")]


def _figures(report: Report, language: Language) -> dict[str, str]:
    """Return the report's headline figures as they are shown, by their translated name."""
    _ = language.gettext
    figures = {}
    if report.trigger_duration:
        figures[_("Duration of the trigger")] = language.duration(report.trigger_duration)
    for figure in report.figures:
        figures[language.label("figure", figure.name)] = language.duration(figure.duration)
    site_counts = [impact.site_count for impact in report.incident.impacts if impact.site_count]
    if site_counts:
        figures[_("Sites affected")] = language.number(max(site_counts))
    figures[_("Services affected")] = language.number(len(report.incident.impacts))
    if report.slippages:
        late = sum(1 for slippage in report.slippages if slippage.late)
        figures[_("Restoration times announced")] = (
            f"{language.number(len(report.slippages))}, "
            + language.ngettext("%(num)s missed", "%(num)s missed", late))
    return figures


def _show(value: object, loc: tuple, language: Language) -> str:
    """Write a dumped value as the report would show it."""
    names = tuple(part for part in loc if isinstance(part, str))
    if value is None:
        return "—"
    if isinstance(value, bool):
        return language.gettext("yes") if value else language.gettext("no")
    if isinstance(value, int | float):
        return language.number(value)
    if isinstance(value, list):
        return ", ".join(_show(item, loc + (index,), language) for index, item in enumerate(value))
    if isinstance(value, dict):
        # A whole item added or removed: its name, and who/when for people and decisions.
        key = next((key for key in _NAMING_FIELDS if value.get(key)), None)
        text = _show(value[key], loc + (key,), language) if key else "…"
        details = [_show(value[detail], loc + (detail,), language)
                   for detail in ("role", "date", "decision")
                   if value.get(detail) and detail != key]
        return text + (f" ({', '.join(details)})" if details else "")
    text = str(value)
    if names[-1:] == ("decision",):
        return language.gettext("approved") if text == "approved" else language.gettext(
            "changes requested")
    group = _LABELLED.get(names) or ("category" if names[-1:] == ("category",) else None)
    if group:
        return language.label(group, text)
    if names and names[-1] in _INSTANT_FIELDS:
        try:
            return language.when(parse_when(text), compact=True)
        except InstantError:
            return text
    if _DAY.fullmatch(text):
        return language.day(date.fromisoformat(text))
    return _cut(text)


def _cut(text: object) -> str:
    text = inline(text)
    return text if len(text) <= MAX_VALUE else text[:MAX_VALUE - 1].rstrip() + "…"


def _fingerprint(value: object) -> str:
    return json.dumps(value, sort_keys=True, default=str, ensure_ascii=False)


def _language(incident: Incident) -> Language:
    return Language(incident.lang, incident.timezone)


def read_version(path: str | os.PathLike, revision: str | None) -> Incident:
    """Read a record from its file, or as it was at a git revision; raise RecordError if invalid."""
    path = Path(path)
    if revision is None:
        return validate_document(load_file(path))
    try:
        raw = show_file(path, revision)
    except GitError as exc:
        raise DiffError(str(exc)) from None
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


def revision_label(path: str | os.PathLike, revision: str | None, language: Language,
                   code: bool = True) -> str:
    """Name a version for people: the revision and its short commit id, or the working copy."""
    if revision is None:
        return language.gettext("the working copy")
    quote = (lambda text: f"`{text}`") if code else (lambda text: text)
    try:
        short = describe_revision(path, revision)
    except GitError:
        return quote(revision)
    if revision.startswith(short) or short.startswith(revision):
        return quote(short)
    return f"{quote(revision)} ({quote(short)})"
