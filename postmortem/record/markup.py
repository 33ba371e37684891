"""Measure the Markdown of one text: the size of its tables and how deep it nests.

The reports parse every text as Markdown and lay out what it makes; a table of
thousands of rows or structures nested hundreds of levels deep make both slow, and
deeply nested brackets or indented lists make the parser itself take quadratic time.
Most texts are prose with a few links: counting the characters that open a structure
proves them within the limits without parsing, and only a text that could pass one is
parsed (with the reports' own dialect: CommonMark with tables, no raw HTML).
"""

from __future__ import annotations

import re
from functools import cache
from typing import TYPE_CHECKING

from postmortem.i18n import _
from postmortem.record.limits import MAX_NESTING, MAX_TABLE_COLUMNS, MAX_TABLE_ROWS, figure

if TYPE_CHECKING:
    from markdown_it import MarkdownIt
    from markdown_it.token import Token

#: How deep the parser nests its own tokens (a list counts twice, as the list and its
#: item, and a paragraph once): four times the limit, so that a text within the limit
#: is parsed in full, and a deeper one cannot exhaust the parser's recursion.
_PARSE_NESTING = 4 * MAX_NESTING

#: The leading characters of each line that can open a block quote or a list item.
_LEADING = re.compile(r"^[ \t>*+\-0-9.)]*", re.MULTILINE)
#: A block marker inside such a run ('>', a bullet, an ordered item's number), or blanks.
_LEAD_PART = re.compile(r"[ \t]+|>|[-+*](?=[ \t]|$)|[0-9]{1,9}[.)](?=[ \t]|$)")
#: A bracket, or an escaped character (which opens nothing).
_BRACKET = re.compile(r"\\.|[\[\]]", re.DOTALL)

_BLOCK_OPENERS = frozenset({"blockquote_open", "bullet_list_open", "ordered_list_open"})
_BLOCK_CLOSERS = frozenset({"blockquote_close", "bullet_list_close", "ordered_list_close"})
_INLINE_OPENERS = frozenset({"em_open", "strong_open", "link_open"})
_INLINE_CLOSERS = frozenset({"em_close", "strong_close", "link_close"})


def markdown_within(text: str) -> bool:
    """Tell cheaply whether the text is surely within the limits (False: it may not be)."""
    pipes = text.count("|")
    if pipes >= 2 * MAX_TABLE_COLUMNS:
        return False
    several_lines = "\n" in text or "\r" in text
    if pipes and several_lines and text.count("\n") > MAX_TABLE_ROWS + 1:
        return False
    return not _could_nest_too_deep(text, several_lines)


def markdown_problem(text: str) -> str | None:
    """Return what of the text's Markdown passes a limit (the words after the field), or None."""
    pipes = text.count("|")
    could_be_wide = pipes >= 2 * MAX_TABLE_COLUMNS  # a header row and its delimiter row
    could_be_long = pipes > 0 and text.count("\n") > MAX_TABLE_ROWS + 1
    could_be_deep = _could_nest_too_deep(text, "\n" in text or "\r" in text)
    if not (could_be_wide or could_be_long or could_be_deep):
        return None
    brackets = _bracket_depth(text) if could_be_deep else 0
    if brackets > MAX_NESTING:
        # Deeply nested brackets make the parser quadratic: refuse them unparsed.
        return _nested(brackets)
    tokens = _parser().parse(text)
    rows, columns = _largest_table(tokens)
    if columns > MAX_TABLE_COLUMNS:
        return _("a table of {columns} columns; the limit is {limit} columns",
                 columns=figure(columns), limit=figure(MAX_TABLE_COLUMNS))
    if rows > MAX_TABLE_ROWS:
        return _("a table of {rows} rows; the limit is {limit} rows", rows=figure(rows),
                 limit=figure(MAX_TABLE_ROWS))
    depth = max(_token_depth(tokens), brackets)
    if depth > MAX_NESTING:
        # The parser stops nesting blocks at its own bound: count the markers beyond it.
        return _nested(max(depth, _block_depth(text)))
    return None


def _nested(depth: int) -> str:
    return _("Markdown nested {depth} levels deep; the limit is {limit} levels",
             depth=figure(depth), limit=figure(MAX_NESTING))


@cache
def _parser() -> MarkdownIt:
    # Imported here: most records never need it, and `validate` starts faster without it.
    from markdown_it import MarkdownIt

    parser = MarkdownIt("commonmark", {"html": False, "typographer": False, "linkify": False,
                                       "maxNesting": _PARSE_NESTING})
    return parser.enable("table")


def _could_nest_too_deep(text: str, several_lines: bool) -> bool:
    """Tell whether the characters that open a level are enough to pass the limit.

    Each level of inline nesting needs its own '*', '_' or '['; each level of block
    nesting needs a marker or two columns of indentation at the start of a line.
    """
    inline = text.count("*") + text.count("_") + text.count("[")
    if inline > MAX_NESTING:
        return True
    # Only a line that starts with this many markers, blanks or digits can reach the limit.
    needed = MAX_NESTING + 1 - inline
    if "\t" in text:
        needed = -(-needed // 4)  # a tab may stand for up to four columns
    if _LONG_LEADS[needed].match(text) is None and (
            not several_lines or _LONG_LINE_LEADS[needed].search(text) is None):
        return False
    return inline + _block_depth(text) > MAX_NESTING


#: A start of a text, or of one of its lines, with at least N characters that may be
#: markers or indentation, by N.
_LONG_LEADS = [re.compile(rf"[ \t>*+\-0-9.)]{{{n},}}") for n in range(MAX_NESTING + 2)]
_LONG_LINE_LEADS = [re.compile(rf"[\n\r][ \t>*+\-0-9.)]{{{n},}}")
                    for n in range(MAX_NESTING + 2)]


def _bracket_depth(text: str) -> int:
    """Return how deep square brackets nest, an unclosed one counting as open."""
    depth = deepest = 0
    for match in _BRACKET.finditer(text):
        mark = match.group()
        if mark == "[":
            depth += 1
            deepest = max(deepest, depth)
        elif mark == "]" and depth:
            depth -= 1
    return deepest


def _block_depth(text: str) -> int:
    """Return a bound above the block nesting: the markers opening a line, and its indentation.

    A nested list item is indented by at least two columns per level; the one blank that
    follows a marker on the same line is part of the marker.
    """
    deepest = 0
    for lead in _LEADING.findall(text):
        if len(lead) <= deepest and "\t" not in lead:
            continue  # too short to pass the deepest line found
        markers = indent = 0
        previous_marker = False
        for part in _LEAD_PART.findall(lead):
            if part[0] in " \t":
                width = len(part) + 3 * part.count("\t")
                indent += width - 1 if markers and previous_marker else width
                previous_marker = False
            else:
                markers += 1
                previous_marker = True
        deepest = max(deepest, markers + indent // 2)
    return deepest


def _token_depth(tokens: list[Token]) -> int:
    """Return the most block quotes, lists, emphases and links the tokens nest."""
    blocks = deepest = 0
    for token in tokens:
        if token.type in _BLOCK_OPENERS:
            blocks += 1
            deepest = max(deepest, blocks)
        elif token.type in _BLOCK_CLOSERS:
            blocks -= 1
        elif token.children:
            inline = 0
            for child in token.children:
                if child.type in _INLINE_OPENERS:
                    inline += 1
                    deepest = max(deepest, blocks + inline)
                elif child.type in _INLINE_CLOSERS:
                    inline -= 1
    return deepest


def _largest_table(tokens: list[Token]) -> tuple[int, int]:
    """Return the most body rows and the most columns of the text's tables."""
    rows = columns = 0
    body_rows = header_cells = 0
    in_body = False
    for token in tokens:
        kind = token.type
        if kind == "table_open":
            body_rows = header_cells = 0
        elif kind == "th_open":
            header_cells += 1
            columns = max(columns, header_cells)
        elif kind == "tbody_open":
            in_body = True
        elif kind == "tbody_close":
            in_body = False
        elif kind == "tr_open" and in_body:
            body_rows += 1
            rows = max(rows, body_rows)
    return rows, columns
