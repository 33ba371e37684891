"""Read a YAML incident record into plain Python values with source positions.

Only PyYAML's scanner and parser are used: the node graph is composed without
anchors (`compose.py`) and turned into values (`values.py`), so no PyYAML constructor
runs on untrusted input and YAML 1.1 surprises become problems instead of wrong values.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from typing import Any

import yaml
from yaml.nodes import MappingNode

from postmortem.errors import Problem, RecordError
from postmortem.record.compose import MAX_DEPTH, NodeComposer, TooDeep
from postmortem.record.values import ValueBuilder, describe_node, is_empty, problem_at

MAX_BYTES = 1024 * 1024  # size cap

# Same set PyYAML's reader refuses, checked up front to report a line and column.
_NON_PRINTABLE = re.compile(
    "[^\x09\x0a\x0d\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]"
)
_LINE_BREAK = re.compile(r"\r\n|\r|\n")


@dataclass(frozen=True)
class Document:
    """A loaded record: its values and where each one sits in the file."""

    path: str
    data: Any
    positions: dict[tuple, tuple[int, int]]
    key_positions: dict[tuple, tuple[int, int]]

    def locate(self, loc: tuple) -> tuple[int, int]:
        """Return the position of the longest known prefix of loc."""
        return self.positions.get(self._known(loc), (1, 1))

    def locate_key(self, loc: tuple) -> tuple[int, int]:
        """Return the key position of the longest known entry of loc, else its value position."""
        known = self._known(loc)
        if known in self.key_positions:
            return self.key_positions[known]
        return self.locate(loc)

    def _known(self, loc: tuple) -> tuple:
        """Keep the components of loc that lead through known values, skipping the rest."""
        prefix: tuple = ()
        for part in loc:
            if prefix + (part,) in self.positions:
                prefix += (part,)
        return prefix


def load_file(path: str | os.PathLike) -> Document:
    """Read a record file and load it; raise RecordError with every problem found."""
    name = str(os.fspath(path))
    try:
        with open(path, "rb") as stream:
            size = os.fstat(stream.fileno()).st_size
            # Read one byte past the cap so streams without a size are caught too.
            raw = stream.read(MAX_BYTES + 1) if size <= MAX_BYTES else b""
    except OSError as error:
        reason = error.strerror or str(error)
        raise RecordError([Problem(name, 1, 1, f"cannot read the file: {reason}")]) from None
    if size > MAX_BYTES:
        raise RecordError([_too_large(name, size)])
    return load_bytes(raw, name)


def load_bytes(raw: bytes, path: str) -> Document:
    """Load a record from bytes; raise RecordError with every problem found."""
    if len(raw) > MAX_BYTES:
        raise RecordError([_too_large(path, len(raw))])
    text = _decode(raw, path)
    _check_characters(text, path)
    loader = NodeComposer(text)
    try:
        root, extra = loader.compose_stream()
    except TooDeep as error:
        message = f"values are nested more than {MAX_DEPTH} levels deep: flatten the record"
        raise RecordError([problem_at(path, error.mark, message)]) from None
    except yaml.MarkedYAMLError as error:
        raise RecordError([_syntax_problem(path, text, error)]) from None
    except yaml.YAMLError as error:
        raise RecordError([Problem(path, 1, 1, f"YAML cannot be read: {error}")]) from None
    finally:
        loader.dispose()

    if extra is None and (root is None or is_empty(root)):
        raise RecordError([
            Problem(
                path,
                1,
                1,
                "file is empty: an incident record is a YAML mapping "
                "(run 'postmortem new ID' for a template)",
            )
        ])

    builder = ValueBuilder(path)
    data = builder.value(root, ())
    if extra is not None:
        builder.problem(
            extra,
            (),
            "found a second YAML document: a file holds one incident record, "
            "so remove the '---' and what follows or move it to its own file",
        )
    if not isinstance(root, MappingNode):
        builder.problem(
            root.start_mark,
            (),
            f"the record must be a YAML mapping of fields, found {describe_node(root)}: "
            "write `field: value` lines at the top level",
        )
    if builder.problems:
        raise RecordError(builder.problems)
    return Document(path, data, builder.positions, builder.key_positions)


def _decode(raw: bytes, path: str) -> str:
    """Decode strict UTF-8 without a leading BOM, reporting the first bad byte's position."""
    bom = 3 if raw.startswith(b"\xef\xbb\xbf") else 0
    try:
        return raw[bom:].decode("utf-8")
    except UnicodeDecodeError as error:
        prefix = raw[bom : bom + error.start].decode("utf-8")
        lines = _LINE_BREAK.split(prefix)
        message = f"file is not valid UTF-8 (byte 0x{raw[bom + error.start]:02X}); save it as UTF-8"
        raise RecordError([Problem(path, len(lines), len(lines[-1]) + 1, message)]) from None


def _check_characters(text: str, path: str) -> None:
    """Refuse control characters that YAML does not allow, at their line and column."""
    match = _NON_PRINTABLE.search(text)
    if match is None:
        return
    lines = _LINE_BREAK.split(text[: match.start()])
    message = f"control character U+{ord(match.group()):04X} is not allowed in YAML: remove it"
    raise RecordError([Problem(path, len(lines), len(lines[-1]) + 1, message)])


def _syntax_problem(path: str, text: str, error: yaml.MarkedYAMLError) -> Problem:
    """Turn a scanner or parser error into one problem with a hint."""
    mark = error.problem_mark or error.context_mark
    problem = error.problem or "the YAML cannot be read"
    message = f"YAML syntax error: {problem}"
    context_mark = error.context_mark
    # `mark` falls back to `context_mark`, so it is set whenever `context_mark` is.
    if (
        error.context
        and context_mark is not None
        and mark is not None
        and (context_mark.line, context_mark.column) != (mark.line, mark.column)
    ):
        message += (
            f" ({error.context} started at line {context_mark.line + 1}, "
            f"column {context_mark.column + 1})"
        )
    if "\\t" in problem or "tab" in problem or (mark is not None and _char_at(text, mark) == "\t"):
        hint = "indent with spaces, YAML does not allow tabs here"
    elif "nesting" in problem:
        hint = "flatten the record"
    elif "quoted scalar" in (error.context or ""):
        hint = "close the quote that starts there"
    else:
        hint = (
            "check the indentation, the ':' after each key and the quotes "
            "on this line and the one before"
        )
    if mark is None:
        return Problem(path, 1, 1, f"{message}; {hint}")
    return problem_at(path, mark, f"{message}; {hint}")


def _char_at(text: str, mark) -> str:
    """Return the character a mark points at, or '' when it is past the end."""
    lines = _LINE_BREAK.split(text)
    if mark.line < len(lines) and mark.column < len(lines[mark.line]):
        return lines[mark.line][mark.column]
    return ""


def _too_large(path: str, size: int) -> Problem:
    """Describe a file over the size cap."""
    return Problem(
        path,
        1,
        1,
        f"file is {size} bytes, over the limit of {MAX_BYTES} bytes: "
        "an incident record is text, keep logs and attachments in separate files",
    )
