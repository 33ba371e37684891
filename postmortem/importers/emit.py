"""Write a draft as the YAML of a record: the parts read, placeholders, and `# TODO:` comments.

A draft must validate, so that the author can render it at once; what the source could
not say (the summary, the cause) is a placeholder whose text starts with "TODO:", and
each point to check is a `# TODO:` comment above its value. `postmortem lint` lists both.
The writer is small and deliberate: block style, keys in the order of the commented
template, plain scalars only where YAML reads them back unchanged.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any

import yaml

from postmortem.importers.draft import Draft, Location, Todo
from postmortem.record.model import SCHEMA_URL, SCHEMA_VERSION

#: What every draft says it still lacks, per language of the record.
PLACEHOLDERS: dict[str, dict[str, str]] = {
    "en": {
        "organisation": "TODO: the organisation the review is about",
        "summary": "TODO: what happened, to whom, for how long, what was not affected and "
                   "what will change, in a few sentences.",
        "trigger": "TODO: the event that set the incident off.",
        "category": "TODO: choose the trigger's category (`postmortem schema` lists them); "
                    "'software' is a placeholder",
        "service": "TODO: the service affected",
        "outcome": "TODO: say when and how the impact ended ('ended', 'outcome')",
        "first": "TODO: what happened first.",
        "rest": "TODO: write the response (detection, response, recovery), the lessons and "
                "the action items; `postmortem new` writes a commented example of each",
        "header": "Drafted by `postmortem import` from “{source}”: `postmortem lint` lists "
                  "what is left to write and to check.",
    },
    "fr": {
        "organisation": "TODO : l’organisation dont traite la revue",
        "summary": "TODO : ce qui s’est passé, pour qui, combien de temps, ce qui n’a pas été "
                   "touché et ce qui va changer, en quelques phrases.",
        "trigger": "TODO : l’événement qui a déclenché l’incident.",
        "category": "TODO : choisir la catégorie du déclencheur (`postmortem schema` les "
                    "donne) ; « software » tient la place",
        "service": "TODO : le service touché",
        "outcome": "TODO : dire quand et comment l’impact a pris fin (« ended », « outcome »)",
        "first": "TODO : ce qui s’est passé en premier.",
        "rest": "TODO : écrire la réponse (détection, réponse, rétablissement), les leçons et "
                "les actions ; `postmortem new` en écrit un exemple commenté",
        "header": "Brouillon écrit par `postmortem import` à partir de « {source} » : "
                  "`postmortem lint` liste ce qui reste à écrire et à vérifier.",
    },
}

#: Keys of an entry in the order the commented template gives them; others follow.
_ORDER = ("id", "at", "kind", "service", "channel", "audience", "by", "title", "summary",
          "category", "text", "said", "description", "affected", "degraded_mode", "started",
          "ended", "outcome", "outcome_note", "what", "confidence", "confidence_note",
          "promised", "restoration", "target", "impact", "publisher", "published", "url",
          "note", "sources")


def placeholders(lang: str) -> Mapping[str, str]:
    """Return the placeholder texts of the record's language (English if it has none)."""
    return PLACEHOLDERS.get(lang, PLACEHOLDERS["en"])


def draft_record(draft: Draft) -> tuple[dict[str, Any], list[Todo]]:
    """Return the record a draft makes, placeholders filled in, and every point to check."""
    words = placeholders(draft.lang)
    todos = list(draft.todos)
    started = draft.key_instants.get("started", {}).get("at")
    record: dict[str, Any] = {
        "schema_version": SCHEMA_VERSION,
        "id": draft.id,
        "title": draft.title,
        "lang": draft.lang,
        "timezone": draft.timezone,
        "organisation": draft.organisation or words["organisation"],
    }
    if draft.severity:
        record["severity"] = draft.severity
    record["summary"] = draft.summary or words["summary"]
    record["review"] = {"status": "draft"}
    record["key_instants"] = dict(draft.key_instants)
    record["cause"] = {"trigger": {"summary": words["trigger"], "category": "software"}}
    todos.append(Todo(("cause", "trigger", "category"), words["category"]))
    impacts = list(draft.impacts)
    if not impacts:
        impacts = [{"service": words["service"], "started": started, "outcome": "ended"}]
        todos.append(Todo(("impacts", 0, "outcome"), words["outcome"]))
    record["impacts"] = impacts
    if draft.communications:
        record["communications"] = list(draft.communications)
    timeline = list(draft.timeline)
    if not timeline:
        timeline = [{"at": started, "kind": "trigger", "text": words["first"],
                     "sources": [draft.source_id]}]
    record["timeline"] = timeline
    record["sources"] = [draft.source]
    return record, todos


def draft_yaml(draft: Draft) -> str:
    """Return the YAML text of the record a draft makes, with its `# TODO:` comments."""
    record, todos = draft_record(draft)
    words = placeholders(draft.lang)
    comments = todo_comments(todos)
    header = [f"# yaml-language-server: $schema={SCHEMA_URL}",
              *_comment_lines(words["header"].format(source=draft.source.get("title", "")))]
    body = list(_mapping(record, 0, (), comments))
    footer = _comment_lines(words["rest"], todo=True)
    return "\n".join([*header, *body, "", *footer]) + "\n"


def todo_comments(todos: list[Todo]) -> dict[Location, list[str]]:
    """Return the texts of the points to check, by the location of the value they concern."""
    comments: dict[Location, list[str]] = {}
    for todo in todos:
        comments.setdefault(tuple(todo.at), []).append(todo.text)
    return comments


def entry_lines(entry: Any, indent: int, at: Location = (),
                comments: Mapping[Location, list[str]] | None = None) -> list[str]:
    """Return the lines of one list item (`- …`) at `indent`, with the comments it carries."""
    return list(_item(entry, indent, at, comments or {}))


def mapping_lines(values: Mapping[str, Any], indent: int, at: Location = (),
                  comments: Mapping[Location, list[str]] | None = None) -> list[str]:
    """Return the lines of mapping entries (`key: value`) at `indent`, with their comments."""
    return list(_mapping(values, indent, at, comments or {}))


def scalar(value: Any) -> str:
    """Write one value on one line: plain when YAML reads it back unchanged, else quoted."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    text = str(value)
    if (text and text == text.strip() and "\n" not in text and not text.startswith(("'", '"'))
            and _reads_back(text)):
        return text
    return json.dumps(text, ensure_ascii=False)


def _reads_back(text: str) -> bool:
    try:
        return yaml.safe_load(f"key: {text}\n") == {"key": text}
    except yaml.YAMLError:
        return False


def _comment_lines(text: str, indent: int = 0, todo: bool = False) -> list[str]:
    """Wrap a comment at 92 columns, `# ` before each line (`# TODO:` first, if asked)."""
    words = text.split()
    if todo and words and not words[0].startswith("TODO"):
        words.insert(0, "TODO:")
    lines: list[str] = []
    line = ""
    for word in words:
        if line and indent + 2 + len(line) + 1 + len(word) > 92:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}" if line else word
    if line:
        lines.append(line)
    # A continued TODO stays one comment: its next lines are indented under its text.
    return [" " * indent + ("# " if number == 0 else "#   ") + part
            for number, part in enumerate(lines)]


def _todo_lines(comments: Mapping[Location, list[str]], at: Location, indent: int) -> list[str]:
    return [line for text in comments.get(at, []) for line in _comment_lines(text, indent, True)]


def _ordered(values: Mapping[str, Any]) -> list[tuple[str, Any]]:
    rank = {key: index for index, key in enumerate(_ORDER)}
    keys = list(values)
    return [(key, values[key]) for key in sorted(keys, key=lambda k: (rank.get(k, len(rank)),
                                                                       keys.index(k)))]


def _mapping(values: Mapping[str, Any], indent: int, at: Location,
             comments: Mapping[Location, list[str]]) -> Iterator[str]:
    pad = " " * indent
    # The top of the record keeps the template's order; entries inside it, _ORDER.
    pairs = list(values.items()) if not at else _ordered(values)
    for key, value in pairs:
        if value is None or value == "" or value == [] or value == {}:
            continue
        here = at + (key,)
        yield from _todo_lines(comments, here, indent)
        yield from _value(f"{pad}{key}:", value, indent, here, comments)


def _value(lead: str, value: Any, indent: int, at: Location,
           comments: Mapping[Location, list[str]]) -> Iterator[str]:
    """Yield `lead` followed by the value: inline, a block of text, or nested lines."""
    if isinstance(value, dict):
        yield lead
        yield from _mapping(value, indent + 2, at, comments)
    elif isinstance(value, list):
        flow = _flow(value)
        if flow is not None:
            yield f"{lead} {flow}"
        else:
            yield lead
            for index, item in enumerate(value):
                yield from _item(item, indent + 2, at + (index,), comments)
    elif isinstance(value, str) and "\n" in value.strip() and _literal_fits(value):
        yield f"{lead} |" if value.endswith("\n") else f"{lead} |-"
        for line in value.rstrip("\n").split("\n"):
            yield f"{' ' * (indent + 2)}{line}" if line else ""
    else:
        yield f"{lead} {scalar(value)}"


def _item(value: Any, indent: int, at: Location,
          comments: Mapping[Location, list[str]]) -> Iterator[str]:
    pad = " " * indent
    yield from _todo_lines(comments, at, indent)
    if not isinstance(value, dict):
        yield from _value(f"{pad}-", value, indent, at, comments)
        return
    lines = list(_mapping(value, indent + 2, at, comments))
    # The first key shares the dash's line; a comment above it goes above the dash.
    while lines and lines[0].lstrip().startswith("#"):
        yield pad + lines.pop(0).lstrip()
    if lines:
        yield f"{pad}- {lines[0][indent + 2:]}"
        yield from lines[1:]
    else:
        yield f"{pad}- {{}}"


def _flow(values: list[Any]) -> str | None:
    """Return a short list of plain scalars as `[a, b]`, or None when it is better as a block."""
    if not all(isinstance(item, str | int) and not isinstance(item, bool) for item in values):
        return None
    parts = [scalar(item) for item in values]
    text = f"[{', '.join(parts)}]"
    if len(text) > 60 or any(char in part for part in parts for char in ",[]{}#"):
        return None
    try:
        return text if yaml.safe_load(text) == values else None
    except yaml.YAMLError:
        return None


def _literal_fits(text: str) -> bool:
    """Return whether a block of text reads back exactly from a literal block scalar."""
    lines = text.rstrip("\n").split("\n")
    return (not text.startswith((" ", "\t")) and "\t" not in text and "\r" not in text
            and all(line == line.rstrip() for line in lines)
            and not text.endswith("\n\n"))
