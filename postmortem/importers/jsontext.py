"""Places in the text of a JSON file: the line and column of an offset, past the blanks."""

from __future__ import annotations

import re

#: The characters JSON allows between its tokens.
_BLANKS = re.compile(r"[ \t\n\r]*")


def line_column(text: str, offset: int) -> tuple[int, int]:
    """Return the 1-based line and column of `text[offset]`."""
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


def skip_blanks(text: str, offset: int) -> int:
    """Return the offset of the first character at or after `offset` that is not a blank."""
    match = _BLANKS.match(text, offset)
    return match.end() if match else offset
