"""Where each character of a loaded value sits in the raw YAML, and silencing comments.

The loader gives the position where a value starts; a finding about a phrase inside a
long, folded or quoted text wants the phrase's own line and column. The value is rebuilt
from the raw lines with the position of every character, and trusted only when the
rebuilt text equals what the loader read.

A comment `# postmortem: ignore[rule, …]` silences a lint finding when it sits on any
line of the list entry the finding is about, or on the line of its field (`scope`). On
an action item, `ignore[action-overdue]` also keeps the item out of every overdue count
(lint, the report, the index, actions.csv): `silenced_action_ids` finds those items once,
for all of them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from postmortem.record.load import Document

#: A YAML comment that silences lint rules on its line: `# postmortem: ignore[rule, …]`.
SILENCE = re.compile(r"(?:^|\s)#\s*postmortem:\s*ignore\[([^\]]*)\]")

#: The rule whose silencing keeps an action item out of every overdue count.
OVERDUE_RULE = "action-overdue"


class SourceText:
    """The raw lines of a record: where each character of a value sits, and silences."""

    def __init__(self, text: str):
        # splitlines() breaks where YAML does (\n, \r\n, \r, NEL, LS, PS); the other breaks
        # it knows are characters that loading refuses.
        self.lines = text.splitlines()
        self.silences: dict[int, set[str]] = {}
        for number, line in enumerate(self.lines, 1):
            match = SILENCE.search(line)
            if match:
                self.silences[number] = {rule.strip() for rule in match.group(1).split(",")}
        self._places: dict[tuple, tuple | None] = {}

    def silenced(self, rule: str, *lines: int) -> bool:
        """Tell whether a comment on one of the lines silences the rule."""
        return bool(self.silencing_line(rule, lines))

    def silencing_line(self, rule: str, lines: Iterable[int]) -> int:
        """Return the first of the lines whose comment silences the rule, else 0."""
        return next((line for line in lines if rule in self.silences.get(line, ())), 0)

    def scope(self, document: Document, loc: tuple) -> list[int]:
        """Return the lines where a comment silences a finding at loc.

        Every line of the list entry that holds loc (a timeline entry, an action item, a
        contributing factor…), else the line of its field's key and the line its value
        starts on: a comment cannot sit inside a multi-line text.
        """
        entry = next((loc[:end] for end in range(len(loc), 0, -1)
                      if isinstance(loc[end - 1], int) and loc[:end] in document.positions),
                     None)
        if entry is not None:
            return list(self.entry_lines(document, entry))
        return sorted({document.locate_key(loc)[0], document.locate(loc)[0]})

    def entry_lines(self, document: Document, loc: tuple) -> range:
        """Return the lines of the list entry at `loc`, up to whatever follows it."""
        first = document.locate(loc)[0]
        # The entry ends where the next value or key outside it starts; comments between
        # two entries belong to the one above, like the lines it spans.
        after = [line for positions in (document.positions, document.key_positions)
                 for other, (line, _) in positions.items()
                 if line > first and other[:len(loc)] != loc]
        last = min(after) - 1 if after else len(self.lines)
        return range(first, max(first, last) + 1)

    def position(self, start: tuple[int, int], value: str, offset: int) -> tuple[int, int]:
        """Return the position of value[offset], or the value's start when it cannot be proven."""
        if (start, value) not in self._places:
            self._places[start, value] = self._rebuild(start, value)
        places = self._places[start, value]
        return places[offset] if places and offset < len(places) else start

    def _rebuild(self, start: tuple[int, int], value: str) -> tuple[tuple[int, int], ...] | None:
        """Rebuild value from the raw text, with each character's position; None if it differs."""
        row, column = start[0] - 1, start[1] - 1
        if row >= len(self.lines) or column >= len(self.lines[row]):
            return None
        indicator = self.lines[row][column]
        if indicator in "|>":
            chars = self._block(row, column, folded=indicator == ">")
        elif indicator in "\"'":
            chars = self._quoted(row, column, indicator)
        else:
            chars = self._plain(row, column, len(value))
        # Only a rebuild that gives back the loaded value exactly is trusted.
        if chars is None or "".join(char for char, _ in chars[: len(value)]) != value:
            return None
        return tuple(place for _, place in chars[: len(value)])

    def _block(self, row: int, column: int, folded: bool) -> list | None:
        """Rebuild a `|` or `>` scalar as (character, (line, column)) pairs."""
        if not re.fullmatch(r"[|>][+-]?\s*(?:#.*)?", self.lines[row][column:]):
            return None  # an explicit indentation indicator: rare, and left to the fallback
        body: list[tuple[int, str | None]] = []
        indent = None
        for number in range(row + 1, len(self.lines)):
            line = self.lines[number]
            if not line.strip():
                body.append((number, None))
                continue
            lead = len(line) - len(line.lstrip(" "))
            indent = lead if indent is None else indent
            if lead < indent:
                break
            body.append((number, line))
        if indent is None:
            return []  # only blank lines follow: the scalar is empty
        chars: list = []
        previous: tuple[int, str, bool] | None = None  # row, text, more indented
        blank = 0
        for number, text in body:
            if text is None:
                blank += 1
                continue
            more = text[indent:indent + 1] in (" ", "\t")
            newline = ("\n", (number + 1, 1))
            if previous is None:
                chars += [newline] * blank
            elif not folded or more or previous[2]:
                chars += [newline] * (1 + blank)
            elif blank:
                chars += [newline] * blank
            else:  # folding turns the line break into a space
                chars.append((" ", (previous[0] + 1, len(previous[1]) + 1)))
            blank = 0
            chars += [(char, (number + 1, indent + k + 1)) for k, char in enumerate(text[indent:])]
            previous = (number, text, more)
        if previous is not None:
            # Final line breaks, kept by the "clip" and "keep" chomping indicators.
            chars += [("\n", (previous[0] + 1, len(previous[1]) + 1))] * (1 + blank)
        return chars

    def _quoted(self, row: int, column: int, quote: str) -> list | None:
        """Rebuild a single- or double-quoted scalar as (character, (line, column)) pairs."""
        escapes = {"0": "\0", "a": "\a", "b": "\b", "t": "\t", "\t": "\t", "n": "\n", "v": "\v",
                   "f": "\f", "r": "\r", "e": "\x1b", " ": " ", '"': '"', "/": "/", "\\": "\\",
                   "N": "\x85", "_": "\xa0", "L": "\u2028", "P": "\u2029"}
        widths = {"x": 2, "u": 4, "U": 8}
        chars: list = []
        number, index = row, column + 1
        while number < len(self.lines):
            line = self.lines[number]
            joined = False  # an escaped line break joins lines without a space
            while index < len(line):
                char, place = line[index], (number + 1, index + 1)
                if char == quote and line[index + 1:index + 2] == "'" and quote == "'":
                    chars.append(("'", place))
                    index += 2
                elif char == quote:
                    return chars
                elif char == "\\" and quote == '"':
                    code = line[index + 1:index + 2]
                    if not code:
                        joined = True
                        break
                    if code in escapes:
                        chars.append((escapes[code], place))
                        index += 2
                    elif code in widths:
                        digits = line[index + 2:index + 2 + widths[code]]
                        try:
                            chars.append((chr(int(digits, 16)), place))
                        except ValueError:
                            return None
                        index += 2 + widths[code]
                    else:
                        return None
                else:
                    chars.append((char, place))
                    index += 1
            # Fold the line break: trailing blanks go, each empty line becomes a newline.
            if not joined:
                while chars and chars[-1][0] in " \t" and chars[-1][1][0] == number + 1:
                    chars.pop()
            end_of_line = (" ", (number + 1, len(line) + 1))
            number += 1
            empty = 0
            while number < len(self.lines) and not self.lines[number].strip():
                empty += 1
                number += 1
            if number >= len(self.lines):
                return None
            if not joined:
                chars += [("\n", (number + 1, 1))] * empty if empty else [end_of_line]
            index = len(self.lines[number]) - len(self.lines[number].lstrip(" \t"))
        return None

    def _plain(self, row: int, column: int, length: int) -> list:
        """Rebuild an unquoted scalar, far enough to cover `length` characters."""
        chars = [(char, (row + 1, column + k + 1))
                 for k, char in enumerate(self.lines[row][column:].rstrip())]
        number = row + 1
        while len(chars) < length and number < len(self.lines):
            line = self.lines[number]
            text = line.strip()
            if not text:
                chars.append(("\n", (number + 1, 1)))
            else:
                if chars and chars[-1][0] != "\n":
                    chars.append((" ", (number, len(self.lines[number - 1]) + 1)))
                lead = len(line) - len(line.lstrip())
                chars += [(char, (number + 1, lead + k + 1)) for k, char in enumerate(text)]
            number += 1
        return chars


def silenced_action_ids(document: Document, source: SourceText,
                        rule: str = OVERDUE_RULE) -> frozenset[str]:
    """Return the ids of the action items on any line of which a comment silences `rule`."""
    actions = document.data.get("actions") if isinstance(document.data, dict) else None
    if not isinstance(actions, list):
        return frozenset()
    return frozenset(
        item["id"] for index, item in enumerate(actions)
        if isinstance(item, dict) and isinstance(item.get("id"), str)
        and ("actions", index) in document.positions
        and source.silenced(rule, *source.entry_lines(document, ("actions", index))))
