"""How the changes between two versions of a record read, in the record's language.

Markdown for a pull-request comment, or plain text for a terminal: the fields changed
(old → new), timeline entries, action items, lessons and sources added or removed, and
the key figures that moved.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

from postmortem.analysis.derive import Report, derive
from postmortem.analysis.diff import Changes
from postmortem.analysis.history import GitError, describe_revision
from postmortem.errors import field_path
from postmortem.i18n import N_
from postmortem.record.instants import InstantError, parse_when
from postmortem.record.model import Incident
from postmortem.render.environment import inline, table_cell
from postmortem.render.i18n import Language

#: Longest value shown in full; longer prose is cut, since the field path says where to look.
MAX_VALUE = 120
# Fields whose value is an enumeration shown with its translated label.
_LABELLED = {
    ("severity",): "severity", ("review", "status"): "status",
    ("actions", "status"): "action_status", ("actions", "type"): "action_type",
    ("actions", "priority"): "priority", ("timeline", "kind"): "kind",
    ("communications", "audience"): "audience",
    ("communications", "promised", "target"): "target",
    ("impacts", "outcome"): "outcome",
}
_INSTANT_FIELDS = {"at", "started", "ended", "restoration", "delivered", "withdrawn", "since",
                   "until"}
# Fields of an action item, named as the report's action table names them.
_ACTION_FIELDS = {"action": N_("Action"), "owner": N_("Owner"), "due": N_("Due"),
                  "type": N_("Type"), "priority": N_("Priority"), "status": N_("Status")}
_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
# Fields that name an item best, in order of preference, when a whole item is shown.
_NAMING_FIELDS = ("id", "name", "service", "title", "hypothesis", "about", "summary", "said",
                  "text", "at", "says")


def format_changes(changes: Changes, before: str, after: str, fmt: str = "md") -> str:
    """Write the changes as Markdown (for a pull request) or as plain text (for a terminal)."""
    language = _language(changes.new)
    _ = language.gettext
    title = _("Changes to %(id)s from %(before)s to %(after)s",
              id=f"`{changes.new.id}`" if fmt == "md" else changes.new.id,
              before=before, after=after)
    if not changes:  # figures are computed from fields: none moves if no field changed
        return _("No change to %(id)s between %(before)s and %(after)s.",
                 id=f"`{changes.new.id}`" if fmt == "md" else changes.new.id,
                 before=before, after=after) + "\n"
    figures = _moved_figures(derive(changes.old), derive(changes.new), language)
    sections = list(_sections(changes, figures, language, code=fmt == "md"))
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


def _sections(changes: Changes, figures: list[tuple[str, str, str]], language: Language,
              code: bool) -> Iterator[tuple[str, list[_Row]]]:
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
    if figures:
        yield _("Key figures"), [_Row("changed", name, before, after)
                                 for name, before, after in figures]


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
    if report.sites_affected:
        figures[_("Sites affected")] = language.number(report.sites_affected)
    figures[_("Services affected")] = language.number(report.services_affected)
    if report.slippages:
        figures[_("Restoration times announced")] = (
            f"{language.number(len(report.slippages))}, "
            + language.ngettext("%(num)s missed", "%(num)s missed", report.promises_missed))
    return figures


def _show(value: object, loc: tuple, language: Language) -> str:
    """Write a dumped value as the report would show it."""
    names = tuple(part for part in loc if isinstance(part, str))
    if value is None and (names in _LABELLED or names == ("actions", "due")):
        # A status, priority, severity or due date left empty was not stated.
        return language.gettext("not stated")
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
    # A promise's `by` is a date; a communication's or a claim's `by` is who spoke.
    if names and (names[-1] in _INSTANT_FIELDS or names[-2:] == ("promised", "by")):
        try:
            # Days and months are read in the record's zone; a relative instant, which needs
            # the rest of the record to be placed, is shown as written.
            return language.when(parse_when(text, language.zone_name), compact=True)
        except InstantError:
            return text
    if _DAY.fullmatch(text):
        return language.day(date.fromisoformat(text))
    return _cut(text)


def _cut(text: object) -> str:
    text = inline(text)
    return text if len(text) <= MAX_VALUE else text[:MAX_VALUE - 1].rstrip() + "…"


def _language(incident: Incident) -> Language:
    return Language(incident.lang, incident.timezone, incident.locale)


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
