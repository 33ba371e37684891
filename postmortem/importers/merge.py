"""Merge a draft into an existing record's text: add what it lacks, touch nothing else.

The record's comments and layout are kept because the merge only inserts lines (and
turns a list written `[…]` on one line into a block of the same entries): new timeline
entries and communications go in time order among those already there, new impacts and
sources at the end of their lists, missing key instants at the end of theirs. What the
record already holds is not added again, so importing twice adds nothing:

- a timeline entry or a communication that cites the draft's source at the same instant
  (as many times as the record has it: two messages in one minute stay two);
- an impact of the same service; a key instant already given; the source itself, by its
  id when it names the same document (another document gets a free id: status-page-2).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

import yaml

from postmortem.errors import WorkspaceError
from postmortem.importers.draft import Draft
from postmortem.importers.emit import entry_lines, mapping_lines, todo_comments
from postmortem.record.instants import InstantError, parse_when

#: The lists an import adds to, in the order they are reported.
LISTS = ("key_instants", "impacts", "communications", "timeline", "sources")


@dataclass
class Merged:
    """The record's new text, and how many entries of each list were added."""

    text: str
    added: dict[str, int] = field(default_factory=dict)

    @property
    def changed(self) -> bool:
        """Return whether anything was added."""
        return any(self.added.values())


@dataclass
class _Edit:
    """Lines to insert before line `line` (0-based), after replacing one span of it."""

    line: int
    lines: list[str]
    order: int = 0
    cut: tuple[int, int] | None = None  # columns of `line` to remove first (a flow `[]`)


def merge_draft(text: str, draft: Draft, path: str) -> Merged:
    """Return `text` with the draft's entries that the record lacks added in place."""
    newline = "\r\n" if "\r\n" in text else "\n"
    body = text.replace("\r\n", "\n")
    root = yaml.compose(body, Loader=yaml.SafeLoader)
    if not isinstance(root, yaml.MappingNode):
        raise WorkspaceError(f"{path}: the record is not a mapping of fields")
    top = {key.value: (key, value) for key, value in root.value}
    lines = body.split("\n")
    source_id, source_new = _source_id(top.get("sources"), draft)
    if source_id != draft.source_id:
        draft = _citing(draft, source_id)
    edits: list[_Edit] = []
    added: dict[str, int] = {}
    zone = _scalar(top.get("timezone")) or draft.timezone

    # Key instants: the names the record does not give yet.
    instants = {name: value for name, value in draft.key_instants.items()
                if name not in _keys(top.get("key_instants"))}
    if instants:
        edits += _add_to_mapping(top, "key_instants", instants, lines, draft, path)
    added["key_instants"] = len(instants)

    services = {(_scalar(_get(item, "service")) or "").casefold()
                for item in _items(top.get("impacts"))}
    impacts = [(index, impact) for index, impact in enumerate(draft.impacts)
               if str(impact.get("service", "")).casefold() not in services]
    edits += _add_to_list(top, "impacts", impacts, lines, draft, path, zone, ordered=False)
    added["impacts"] = len(impacts)

    for name in ("communications", "timeline"):
        held = Counter((_instant_key(_scalar(_get(item, "at")), zone), source_id)
                       for item in _items(top.get(name)) if source_id in _cited(item))
        new = []
        for index, entry in enumerate(getattr(draft, name)):
            key = (_instant_key(entry.get("at"), zone), source_id)
            if held[key]:
                held[key] -= 1
            else:
                new.append((index, entry))
        edits += _add_to_list(top, name, new, lines, draft, path, zone, ordered=True)
        added[name] = len(new)

    if source_new and any(added.values()):
        edits += _add_to_list(top, "sources", [(0, {**draft.source, "id": source_id})], lines,
                              draft, path, zone, ordered=False, draft_list=False)
        added["sources"] = 1
    else:
        added["sources"] = 0
    return Merged(newline.join(_apply(lines, edits)) if any(added.values()) else text, added)


def _apply(lines: list[str], edits: list[_Edit]) -> list[str]:
    result = list(lines)
    # From the end, so that each edit's line number still holds; at one line, in order.
    for edit in sorted(edits, key=lambda e: (e.line, e.order), reverse=True):
        if edit.cut:
            row = edit.line - 1
            start, end = edit.cut
            result[row] = (result[row][:start].rstrip() + result[row][end:]).rstrip()
        result[edit.line:edit.line] = edit.lines
    return result


def _add_to_mapping(top: dict, name: str, values: dict[str, Any], lines: list[str],
                    draft: Draft, path: str) -> list[_Edit]:
    comments = todo_comments(draft.todos)
    key, node = top[name]
    if not isinstance(node, yaml.MappingNode) or node.flow_style or not node.value:
        raise WorkspaceError(f"{path}:{key.start_mark.line + 1}:{key.start_mark.column + 1}: "
                             f"{name} is not written as a block of entries: write it one "
                             "entry per line to merge into it")
    indent = node.value[0][0].start_mark.column
    return [_Edit(_end_line(node.value[-1][1], lines),
                  mapping_lines(values, indent, (name,), comments))]


def _add_to_list(top: dict, name: str, new: list[tuple[int, dict[str, Any]]], lines: list[str],
                 draft: Draft, path: str, zone: str, *, ordered: bool,
                 draft_list: bool = True) -> list[_Edit]:
    """Return the edits that add entries (with their index in the draft) to a list."""
    if not new:
        return []
    comments = todo_comments(draft.todos) if draft_list else {}
    # What the draft says of the whole list goes above the first entry added to it.
    lead = comments.get((name,), [])
    if name not in top:
        block = [f"{name}:"]
        for number, (index, entry) in enumerate(new):
            block += entry_lines(entry, 2, (name, index), _with_lead(comments, name, index,
                                                                     lead if not number else []))
        at_end = len(lines) - 1 if lines and lines[-1] == "" else len(lines)
        gap = [""] if at_end and lines[at_end - 1].strip() else []
        return [_Edit(at_end, gap + block, order=LISTS.index(name))]
    key, node = top[name]
    if isinstance(node, yaml.SequenceNode) and not node.flow_style and node.value:
        items = node.value
        indent = _dash_column(lines, items[0])
        edits: list[_Edit] = []
        starts = [(_reference(_scalar(_get(item, "at")), zone), item) for item in items]
        for number, (index, entry) in enumerate(new):
            before = None
            if ordered:
                when = _reference(entry.get("at"), zone)
                before = next((item for moment, item in starts
                               if when is not None and moment is not None and moment > when),
                              None)
            line = _end_line(items[-1], lines) if before is None else _lead_line(lines, before)
            edits.append(_Edit(line, entry_lines(entry, indent, (name, index), _with_lead(
                comments, name, index, lead if not number else [])), order=number))
        return edits
    empty = (isinstance(node, yaml.SequenceNode) and not node.value) or (
        isinstance(node, yaml.ScalarNode) and node.tag.endswith(":null"))
    # `name: [{…}, {…}]` on one line: its entries become lines of a block, unchanged.
    flow = (isinstance(node, yaml.SequenceNode) and node.flow_style
            and node.start_mark.line == node.end_mark.line == key.start_mark.line)
    if not (empty or flow):
        raise WorkspaceError(f"{path}:{key.start_mark.line + 1}:{key.start_mark.column + 1}: "
                             f"{name} is not written as a list of entries one below the other: "
                             "write it so to merge into it")
    indent = key.start_mark.column + 2
    row = lines[key.start_mark.line]
    entries = [f"{' ' * indent}- {row[item.start_mark.column:item.end_mark.column]}"
               for item in (node.value if flow else [])]
    for number, (index, entry) in enumerate(new):
        entries += entry_lines(entry, indent, (name, index),
                             _with_lead(comments, name, index, lead if not number else []))
    # `name: []` or `name:` alone: the value goes, the entries follow the key's line.
    cut = None
    if node.start_mark.line == key.start_mark.line and node.end_mark.index > node.start_mark.index:
        cut = (node.start_mark.column, node.end_mark.column)
    return [_Edit(key.start_mark.line + 1, entries, cut=cut)]


def _with_lead(comments: dict, name: str, index: int, lead: list[str]) -> dict:
    if not lead:
        return comments
    return {**comments, (name, index): [*lead, *comments.get((name, index), [])]}


def _source_id(sources: tuple | None, draft: Draft) -> tuple[str, bool]:
    """Return the id the draft's source has in the record, and whether it must be added."""
    held = {}
    for item in _items(sources):
        held[_scalar(_get(item, "id"))] = (_scalar(_get(item, "url")), _scalar(_get(item, "title")))
    wanted = draft.source_id
    same = (draft.source.get("url") or None, draft.source.get("title"))
    for number in range(1, 1000):
        candidate = wanted if number == 1 else f"{wanted}-{number}"
        if candidate not in held:
            return candidate, True
        url, title = held[candidate]
        if (url and url == same[0]) or (not url and not same[0] and title == same[1]):
            return candidate, False
    raise WorkspaceError(f"too many sources named {wanted}-N in the record")


def _citing(draft: Draft, source_id: str) -> Draft:
    """Return the draft with its entries citing `source_id` instead of its own id."""
    def cite(entry: dict[str, Any]) -> dict[str, Any]:
        cited = [source_id if item == draft.source_id else item
                 for item in entry.get("sources", [])]
        return {**entry, "sources": cited} if "sources" in entry else entry
    return replace(draft, impacts=[cite(e) for e in draft.impacts],
                   communications=[cite(e) for e in draft.communications],
                   timeline=[cite(e) for e in draft.timeline])


def _items(entry: tuple | None) -> list[yaml.Node]:
    if entry is None or not isinstance(entry[1], yaml.SequenceNode):
        return []
    return list(entry[1].value)


def _keys(entry: tuple | None) -> set[str]:
    if entry is None or not isinstance(entry[1], yaml.MappingNode):
        return set()
    return {key.value for key, _value in entry[1].value}


def _get(node: yaml.Node, key: str) -> yaml.Node | None:
    if isinstance(node, yaml.MappingNode):
        for name, value in node.value:
            if name.value == key:
                return value
    return None


def _scalar(node: yaml.Node | tuple | None) -> str | None:
    if isinstance(node, tuple):
        node = node[1]
    return node.value if isinstance(node, yaml.ScalarNode) else None


def _cited(node: yaml.Node) -> set[str]:
    sources = _get(node, "sources")
    if isinstance(sources, yaml.SequenceNode):
        return {item.value for item in sources.value if isinstance(item, yaml.ScalarNode)}
    return set()


def _reference(text: object, zone: str) -> datetime | None:
    """Return when an instant sits, to order entries; None when it cannot be read alone."""
    if not isinstance(text, str):
        return None
    try:
        return parse_when(text, zone).reference
    except (InstantError, ValueError, TypeError):
        return None


def _instant_key(text: object, zone: str) -> object:
    """Return what identifies an instant: when it sits if readable, else its words."""
    return _reference(text, zone) or " ".join(str(text).split())


def _dash_column(lines: list[str], item: yaml.Node) -> int:
    line = lines[item.start_mark.line]
    dash = line.rfind("-", 0, item.start_mark.column + 1)
    return dash if dash >= 0 else item.start_mark.column


def _lead_line(lines: list[str], item: yaml.Node) -> int:
    """Return the first line of an entry: its dash's line, with the comments just above."""
    line = item.start_mark.line
    while line > 0 and lines[line - 1].lstrip().startswith("#"):
        line -= 1
    return line


def _end_line(node: yaml.Node, lines: list[str]) -> int:
    """Return the line after a value's last line (blank lines after it stay after it)."""
    end = node.end_mark
    line = end.line if end.column == 0 else end.line + 1
    while line - 1 > node.start_mark.line and not lines[line - 1].strip():
        line -= 1
    return line

