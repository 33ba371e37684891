"""Read a YAML incident record into plain Python values with source positions.

Only PyYAML's scanner and parser are used: the node graph is composed without
anchors (`compose.py`) and turned into values (`values.py`), so no PyYAML constructor
runs on untrusted input and YAML 1.1 surprises become problems instead of wrong values.

A problem that leaves the tree unusable (a syntax error, bytes that are not UTF-8, a file
too large, too deep, empty or not a mapping) is raised at once. A problem with one value
(a YAML 1.1 trap, a duplicate key, an alias, a tag) is kept on the `Document`, the value
read as empty, so that validation reports it with every other problem of the file.
"""

from __future__ import annotations

import os
import re
import stat
from dataclasses import dataclass
from typing import Any, NamedTuple

import yaml
from yaml.nodes import MappingNode

from postmortem.errors import Problem, RecordError
from postmortem.record.compose import NodeComposer, Scalar, TooDeep
from postmortem.record.limits import MAX_BYTES, MAX_DEPTH
from postmortem.record.values import (
    BIDI_CONTROLS,
    NON_PRINTABLE,
    ValueBuilder,
    bidi_message,
    describe_node,
    is_empty,
    problem_at,
)

__all__ = ["MAX_BYTES", "Document", "load_bytes", "load_file", "read_source"]

#: What a file that is not a regular file is, for the message that refuses it.
_FILE_KINDS = ((stat.S_ISFIFO, "a FIFO"), (stat.S_ISSOCK, "a socket"),
               (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"),
               (stat.S_ISDIR, "a folder"))

_LINE_BREAK = re.compile(r"\r\n|\r|\n")
#: BIDI_CONTROLS as UTF-8 bytes: searching the bytes (for their first byte, E2) is many
#: times faster than searching the text, which is only searched when they hold one.
_BIDI_BYTES = re.compile(rb"\xe2(?:\x80[\xaa-\xae]|\x81[\xa6-\xa9])")


@dataclass(frozen=True)
class Document:
    """A loaded record: its values and where each one sits in the file."""

    path: str
    data: Any
    positions: dict[tuple, tuple[int, int]]
    key_positions: dict[tuple, tuple[int, int]]
    #: Problems with single values, each value read as empty (None); validation reports them.
    problems: tuple[Problem, ...] = ()
    #: Locations whose value was read as None because of one of `problems`.
    emptied: tuple[tuple, ...] = ()

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
    """Read a record file and load it; raise RecordError when its tree cannot be used."""
    return load_bytes(read_source(path), str(os.fspath(path)))


def read_source(path: str | os.PathLike) -> bytes:
    """Return the bytes of a record file; raise RecordError if it cannot be one.

    The file is opened without blocking and checked before any read: a FIFO, a socket
    or a device would otherwise make a read wait forever or never end. A file over
    MAX_BYTES is refused unread.
    """
    name = str(os.fspath(path))
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) \
        | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)
    try:
        descriptor = os.open(path, flags)
    except OSError as error:
        raise RecordError([_unreadable(name, error)]) from None
    try:
        status = os.fstat(descriptor)
        if not stat.S_ISREG(status.st_mode):
            kind = next((kind for test, kind in _FILE_KINDS if test(status.st_mode)),
                        "a special file")
            raise RecordError([Problem(
                name, 1, 1, f"not a regular file ({kind}): a record is a YAML file")])
        if status.st_size > MAX_BYTES:
            raise RecordError([_too_large(name, status.st_size)])
        chunks: list[bytes] = []
        read = 0
        # Read one byte past the cap, so that a file growing while it is read is caught too.
        while read <= MAX_BYTES:
            chunk = os.read(descriptor, MAX_BYTES + 1 - read)
            if not chunk:
                break
            chunks.append(chunk)
            read += len(chunk)
    except OSError as error:
        raise RecordError([_unreadable(name, error)]) from None
    finally:
        os.close(descriptor)
    raw = b"".join(chunks)
    if len(raw) > MAX_BYTES:
        raise RecordError([_too_large(name, len(raw))])
    return raw


def _unreadable(name: str, error: OSError) -> Problem:
    reason = error.strerror or str(error)
    return Problem(name, 1, 1, f"cannot read the file: {reason}")


def load_bytes(raw: bytes, path: str) -> Document:
    """Load a record from bytes; raise RecordError when its tree cannot be used.

    Problems with single values are on the returned Document (`problems`).
    """
    if len(raw) > MAX_BYTES:
        raise RecordError([_too_large(path, len(raw))])
    text = _decode(raw, path)
    _check_characters(text, path)
    loader = NodeComposer(text)
    try:
        root, extra = loader.compose_stream()
    except TooDeep as error:
        message = (f"values are nested more than {MAX_DEPTH} levels deep; the limit is "
                   f"{MAX_DEPTH} levels: flatten the record")
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

    if not isinstance(root, MappingNode):
        raise RecordError([problem_at(
            path,
            root.start_mark,
            f"the record must be a YAML mapping of fields, found {describe_node(root)}: "
            "write `field: value` lines at the top level",
        )])
    bidi = BIDI_CONTROLS.search(text) if _BIDI_BYTES.search(raw) else None
    builder = ValueBuilder(path, _timezone(root), bidi=bidi is not None)
    data = builder.value(root, ())
    if bidi is not None and not builder.bidi_found:
        # In a comment: the file still reads otherwise than it shows.
        lines = _LINE_BREAK.split(text[: bidi.start()])
        builder.problems.append(Problem(path, len(lines), len(lines[-1]) + 1,
                                        bidi_message(bidi.group())))
    if extra is not None:
        builder.problem(
            extra,
            (),
            "found a second YAML document: a file holds one incident record, "
            "so remove the '---' and what follows or move it to its own file",
        )
    if not isinstance(data, dict):
        # A refused tag on the root mapping leaves no record to validate.
        raise RecordError(builder.problems)
    return Document(path, data, builder.positions, builder.key_positions,
                    tuple(builder.problems), tuple(builder.emptied))


def _timezone(root: MappingNode) -> str | None:
    """Return the record's `timezone` as written, for examples in messages; None if unclear."""
    for key, value in root.value:
        if isinstance(key, Scalar) and key.value == "timezone" and isinstance(value, Scalar):
            return value.value or None
    return None


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
    match = NON_PRINTABLE.search(text)
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
        layout = _layout_advice(text, error)
        if layout is not None:
            line, column, advice = layout
            return Problem(path, line, column, f"{advice} (YAML syntax error: {problem})")
        hint = (
            "check the indentation, the ':' after each key and the quotes "
            "on this line and the one before"
        )
    if mark is None:
        return Problem(path, 1, 1, f"{message}; {hint}")
    return problem_at(path, mark, f"{message}; {hint}")


class _Line(NamedTuple):
    """A line of the file that holds YAML content: its 0-based number, indent and text."""

    number: int
    indent: int
    text: str

    @property
    def content(self) -> str:
        """Return the line without its indentation."""
        return self.text[self.indent:]

    def key(self) -> tuple[str, int] | None:
        """Return the key this line starts (after any '- ') and its 0-based column."""
        column = self.indent
        rest = self.content
        while rest.startswith("- "):
            column += 2 + len(rest[2:]) - len(rest[2:].lstrip(" "))
            rest = rest[2:].lstrip(" ")
        match = _KEY.match(rest)
        return (match.group(1), column) if match else None


# A key as written at the start of a line: plain or quoted, followed by ':' and a blank.
_KEY = re.compile(r"""((?:"[^"]*"|'[^']*'|[^\s#'"][^:#]*?))\s*:(?:\s|$)""")


def _layout_advice(text: str, error: yaml.MarkedYAMLError) -> tuple[int, int, str] | None:
    """Name the line to change and how, for the common indentation mistakes; 1-based."""
    mark = error.problem_mark
    if mark is None:
        return None
    lines = _LINE_BREAK.split(text)
    if mark.line >= len(lines):
        return None
    here = _content_line(lines, mark.line)
    above = [_content_line(lines, n) for n in range(mark.line - 1, -1, -1)]
    previous = next((line for line in above if line.content and line.content[0] != "#"), None)
    problem = error.problem or ""
    if "could not find expected ':'" in problem and error.context_mark is not None:
        return _missing_colon_advice(_content_line(lines, error.context_mark.line))
    if "mapping values are not allowed" in problem:
        return _mapping_value_advice(here, previous, mark.column)
    block_end = ("expected <block end>" in problem or "did not find expected key" in problem
                 or "did not find expected '-'" in problem)
    if block_end and error.context_mark is not None and previous is not None:
        return _block_end_advice(here, above, error.context_mark.column,
                                 "collection" in (error.context or ""))
    return None


def _mapping_value_advice(here: _Line, previous: _Line | None,
                          column: int) -> tuple[int, int, str] | None:
    """Advise on a ':' where YAML already reads a plain value (a key too far right, `a:b`)."""
    before = here.text[:column]
    if ": " in before[here.indent:]:
        key = here.key()
        name = key[0] if key else "the key"
        return (here.number + 1, column + 1,
                f"the value of {name!r} contains ': ', which YAML reads as a new key: "
                "put the whole value in quotes")
    if previous is None:
        return None
    key = previous.key()
    if previous.content.startswith("-") and not previous.content.startswith("- "):
        return (previous.number + 1, previous.indent + 1,
                "a list item needs a space after its '-': write '- ' here")
    if key is None:
        colon = previous.content.find(":")
        if colon > 0:
            return (previous.number + 1, previous.indent + colon + 1,
                    "put a space after this ':' so that YAML reads a key and its value")
        return None
    name, key_column = key
    if here.indent > key_column:
        return (here.number + 1, here.indent + 1,
                f"this line is indented more than the key above it; line it up with "
                f"{name!r} (column {key_column + 1})")
    return None


def _missing_colon_advice(line: _Line) -> tuple[int, int, str] | None:
    """Advise on a key that YAML could not finish: `key:value` with no space, or no ':'."""
    match = re.search(r":(?=\S)", line.content)
    if match is not None:
        return (line.number + 1, line.indent + match.start() + 1,
                "put a space after this ':' so that YAML reads a key and its value")
    return (line.number + 1, line.indent + 1,
            "this line has no ':' after its key: write 'key: value', or indent it under the "
            "value it continues")


def _block_end_advice(here: _Line, above: list[_Line], entries: int,
                      in_list: bool) -> tuple[int, int, str] | None:
    """Advise on a line that fits no list or mapping above it (under- or over-indented)."""
    where = (here.number + 1, here.indent + 1)
    content = [line for line in above if line.content and line.content[0] != "#"]
    if here.content.startswith("- ") or here.content == "-":
        items = [line for line in content
                 if line.content.startswith("-") and line.indent != here.indent]
        sibling = items[0] if items else None
        if sibling is not None and in_list and here.indent > sibling.indent:
            return (*where, "this list item is indented more than the items above it; line "
                            f"its '-' up with theirs (column {sibling.indent + 1})")
        if sibling is not None and sibling.indent > here.indent:
            return (*where, "this list item is indented less than the items above it; line "
                            f"its '-' up with theirs (column {sibling.indent + 1})")
        return (*where, "a list item cannot stand here, among the keys of a mapping: indent it "
                        "under the key it belongs to, or write it as 'key: value'")
    # A key: name the keys above it that it could line up with.
    candidates: list[tuple[str, int]] = []
    for line in content:
        key = line.key()
        if key is None or any(column == key[1] for _, column in candidates):
            continue
        if in_list and line.indent == entries and line.content.startswith("- ") \
                and here.indent == entries:
            return (*where, f"this line is lined up with the '-' of the list item above; indent "
                            f"it to line up with {key[0]!r} (column {key[1] + 1})")
        if not candidates or key[1] < candidates[-1][1]:
            candidates.append(key)
        if key[1] <= entries and not in_list:
            break
    deeper = [key for key in candidates if key[1] > here.indent]
    shallower = [key for key in candidates if key[1] < here.indent]
    if not deeper and not shallower:
        return None
    options = " or ".join(f"{name!r} (column {column + 1})"
                          for name, column in (deeper[-1:] + shallower[:1]))
    return (*where, f"this line is indented to column {here.indent + 1}, where no key above "
                    f"it is: line it up with {options}")


def _content_line(lines: list[str], number: int) -> _Line:
    """Return line `number` with its indentation."""
    text = lines[number]
    return _Line(number, len(text) - len(text.lstrip(" ")), text)


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
        f"file is {size:,} bytes; the limit is {MAX_BYTES:,} bytes ({MAX_BYTES // 1024} KiB): "
        "an incident record is text, keep logs and attachments in separate files",
    )
