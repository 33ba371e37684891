"""What a record still leaves to its author: every `TODO` in a value or in a comment.

A draft that `postmortem import` writes marks what its source could not say with TODO
(a placeholder summary, a promise to check); authors write their own the same way. Each
one is a finding at its line and column, with the words that follow it, until it goes.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from postmortem.i18n import _
from postmortem.lint.context import Context, Hit

#: TODO as a word of its own, upper case: "TODO: …", "TODO (…)", "# TODO …".
TODO = re.compile(r"(?<![\w-])TODO(?![\w-])\s*[:(]?\s*")
#: How much of what a TODO says its message quotes.
QUOTED = 200


def check_todos(context: Context) -> Iterator[Hit]:
    """Report each TODO of the record's values and comments, with what it asks."""
    seen: set[tuple[int, int]] = set()
    for loc, value in context.values.items():
        if not isinstance(value, str):
            continue
        for match in TODO.finditer(value):
            place = context.position(loc, match.start())
            seen.add(place)
            yield Hit("todo", loc, _todo_message(value[match.end():]), offset=match.start())
    for number, line in enumerate(context.source.lines, 1):
        comment = _comment_start(line)
        if comment < 0:
            continue
        for match in TODO.finditer(line, comment):
            place = (number, match.start() + 1)
            if place not in seen:
                # A comment continued on the next lines ("#   …") says more of the same.
                yield Hit("todo", (), _todo_message(_continued(context.source.lines, number,
                                                               line[match.end():])),
                          place=place)


def _todo_message(words: str) -> str:
    said = " ".join(words.split()).rstrip("\"'")
    if len(said) > QUOTED:
        said = said[:QUOTED - 1].rstrip() + "…"
    if not said:
        return _("a TODO is left in the record")
    return _("still to do: {words}", words=said)


def _continued(lines: list[str], number: int, first: str) -> str:
    parts = [first]
    for line in lines[number:]:
        stripped = line.lstrip()
        if not stripped.startswith("#   ") or TODO.search(stripped):
            break
        parts.append(stripped[1:])
    return " ".join(parts)


def _comment_start(line: str) -> int:
    """Return where a line's comment starts (a `#` after a blank, outside quotes), or -1."""
    quote = ""
    for index, char in enumerate(line):
        if quote:
            if char == quote:
                quote = ""
        elif char in "\"'" and (index == 0 or line[index - 1] in " :-[{,"):
            quote = char
        elif char == "#" and (index == 0 or line[index - 1] in " \t"):
            return index
    return -1
