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
from yaml.nodes import MappingNode, SequenceNode

from postmortem.errors import Problem, RecordError
from postmortem.i18n import N_, _
from postmortem.record.compose import AliasNode, Scalar, TooDeep, compose_text
from postmortem.record.echo import shorten
from postmortem.record.limits import MAX_BYTES, MAX_DEPTH, figure
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

#: The message that refuses a file that is not a regular file, by what it is.
_FILE_KINDS = (
    (stat.S_ISFIFO, N_("not a regular file (a FIFO): a record is a YAML file")),
    (stat.S_ISSOCK, N_("not a regular file (a socket): a record is a YAML file")),
    (stat.S_ISCHR, N_("not a regular file (a character device): a record is a YAML file")),
    (stat.S_ISBLK, N_("not a regular file (a block device): a record is a YAML file")),
    (stat.S_ISDIR, N_("not a regular file (a folder): a record is a YAML file")),
)
_SPECIAL_FILE = N_("not a regular file (a special file): a record is a YAML file")

#: What the YAML parser (libyaml) says of a problem, and of what it was reading, in the
#: words a person writing a record meets; a reader of another language reads them in
#: theirs, and any other wording as the parser wrote it.
_PARSER_WORDS = frozenset({
    N_("mapping values are not allowed in this context"),
    N_("block sequence entries are not allowed in this context"),
    N_("could not find expected ':'"),
    N_("did not find expected key"),
    N_("did not find expected '-' indicator"),
    N_("did not find expected node content"),
    N_("did not find expected ',' or ']'"),
    N_("did not find expected ',' or '}'"),
    N_("did not find expected comment or line break"),
    N_("did not find expected whitespace or line break"),
    N_("did not find expected alphabetic or numeric character"),
    N_("found a tab character that violates indentation"),
    N_("found a tab character where an indentation space is expected"),
    N_("found character that cannot start any token"),
    N_("found unexpected end of stream"),
    N_("found unexpected document indicator"),
    N_("found unexpected ':'"),
    N_("found undefined tag handle"),
    N_("found unknown escape character"),
    N_("while parsing a block mapping"),
    N_("while parsing a block collection"),
    N_("while parsing a flow mapping"),
    N_("while parsing a flow sequence"),
    N_("while parsing a node"),
    N_("while parsing a block node"),
    N_("while parsing a flow node"),
    N_("while scanning a simple key"),
    N_("while scanning a quoted scalar"),
    N_("while scanning a plain scalar"),
    N_("while scanning a block scalar"),
    N_("while scanning an anchor"),
    N_("while scanning an alias"),
    N_("while scanning a tag"),
})

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
            refusal = next((refusal for test, refusal in _FILE_KINDS if test(status.st_mode)),
                           _SPECIAL_FILE)
            raise RecordError([Problem(name, 1, 1, _(refusal))])
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
    return Problem(name, 1, 1, _("cannot read the file: {reason}", reason=reason))


def load_bytes(raw: bytes, path: str) -> Document:
    """Load a record from bytes; raise RecordError when its tree cannot be used.

    Problems with single values are on the returned Document (`problems`).
    """
    if len(raw) > MAX_BYTES:
        raise RecordError([_too_large(path, len(raw))])
    text = decode_utf8(raw, path)
    _check_characters(text, path)
    try:
        root, extra = compose_text(text)
    except TooDeep as error:
        message = _("values are nested more than {limit} levels deep; the limit is "
                    "{limit} levels: flatten the record", limit=MAX_DEPTH)
        raise RecordError([problem_at(path, error.mark, message)]) from None
    except yaml.MarkedYAMLError as error:
        raise RecordError([_syntax_problem(path, text, error)]) from None
    except yaml.YAMLError as error:
        raise RecordError([Problem(path, 1, 1, _("YAML cannot be read: {error}",
                                                  error=error))]) from None

    if extra is None and (root is None or is_empty(root)):
        raise RecordError([
            Problem(
                path,
                1,
                1,
                _("file is empty: an incident record is a YAML mapping "
                  "(run 'postmortem new ID' for a template)"),
            )
        ])

    if not isinstance(root, MappingNode):
        raise RecordError([problem_at(path, root.start_mark, _not_a_mapping(root))])
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
            _("found a second YAML document: a file holds one incident record, "
              "so remove the '---' and what follows or move it to its own file"),
        )
    if not isinstance(data, dict):
        # A refused tag on the root mapping leaves no record to validate.
        raise RecordError(builder.problems)
    return Document(path, data, builder.positions, builder.key_positions,
                    tuple(builder.problems), tuple(builder.emptied))


def _not_a_mapping(root: Any) -> str:
    """Say that the top of the file is not a mapping, naming what it is."""
    if isinstance(root, SequenceNode):
        return _("the record must be a YAML mapping of fields, found a list: "
                 "write `field: value` lines at the top level")
    if isinstance(root, AliasNode):
        return _("the record must be a YAML mapping of fields, found an alias: "
                 "write `field: value` lines at the top level")
    if isinstance(root, Scalar) and not is_empty(root):
        return _("the record must be a YAML mapping of fields, found a single value "
                 "'{value}': write `field: value` lines at the top level",
                 value=shorten(root.value))
    if isinstance(root, Scalar):
        return _("the record must be a YAML mapping of fields, found nothing: "
                 "write `field: value` lines at the top level")
    return _("the record must be a YAML mapping of fields, found {what}: "
             "write `field: value` lines at the top level", what=describe_node(root))


def _timezone(root: MappingNode) -> str | None:
    """Return the record's `timezone` as written, for examples in messages; None if unclear."""
    for key, value in root.value:
        if isinstance(key, Scalar) and key.value == "timezone" and isinstance(value, Scalar):
            return value.value or None
    return None


def decode_utf8(raw: bytes, path: str) -> str:
    """Decode strict UTF-8 without a leading BOM, reporting the first bad byte's position."""
    bom = 3 if raw.startswith(b"\xef\xbb\xbf") else 0
    try:
        return raw[bom:].decode("utf-8")
    except UnicodeDecodeError as error:
        prefix = raw[bom : bom + error.start].decode("utf-8")
        lines = _LINE_BREAK.split(prefix)
        message = _("file is not valid UTF-8 (byte 0x{byte}); save it as UTF-8",
                    byte=format(raw[bom + error.start], "02X"))
        raise RecordError([Problem(path, len(lines), len(lines[-1]) + 1, message)]) from None


def _check_characters(text: str, path: str) -> None:
    """Refuse control characters that YAML does not allow, at their line and column."""
    match = NON_PRINTABLE.search(text)
    if match is None:
        return
    lines = _LINE_BREAK.split(text[: match.start()])
    message = _("control character U+{code} is not allowed in YAML: remove it",
                code=format(ord(match.group()), "04X"))
    raise RecordError([Problem(path, len(lines), len(lines[-1]) + 1, message)])


def _syntax_problem(path: str, text: str, error: yaml.MarkedYAMLError) -> Problem:
    """Turn a scanner or parser error into one problem with a hint.

    The parser's own account of the problem and of what it was reading is in the reader's
    language where its wording is known (`_PARSER_WORDS`), else as the parser wrote it.
    """
    mark = error.problem_mark or error.context_mark
    problem = error.problem or "the YAML cannot be read"
    shown = _parser_says(error.problem) if error.problem else _("the YAML cannot be read")
    context_mark = error.context_mark
    if "\\t" in problem or "tab" in problem or (mark is not None and _char_at(text, mark) == "\t"):
        hint = _("indent with spaces, YAML does not allow tabs here")
    elif "nesting" in problem:
        hint = _("flatten the record")
    elif "quoted scalar" in (error.context or ""):
        hint = _("close the quote that starts there")
    else:
        layout = _layout_advice(text, error)
        if layout is not None:
            line, column, advice = layout
            return Problem(path, line, column, _("{advice} (YAML syntax error: {problem})",
                                                 advice=advice, problem=shown))
        hint = _(
            "check the indentation, the ':' after each key and the quotes "
            "on this line and the one before"
        )
    # `mark` falls back to `context_mark`, so it is set whenever `context_mark` is.
    if (
        error.context
        and context_mark is not None
        and mark is not None
        and (context_mark.line, context_mark.column) != (mark.line, mark.column)
    ):
        message = _("YAML syntax error: {problem} ({context} started at line {line}, "
                    "column {column}); {hint}", problem=shown,
                    context=_parser_says(error.context),
                    line=context_mark.line + 1, column=context_mark.column + 1, hint=hint)
    else:
        message = _("YAML syntax error: {problem}; {hint}", problem=shown, hint=hint)
    if mark is None:
        return Problem(path, 1, 1, message)
    return problem_at(path, mark, message)


def _parser_says(words: str) -> str:
    """Return what the parser wrote, in the reader's language if its wording is known."""
    return _(words) if words in _PARSER_WORDS else words


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
        if key is None:
            return (here.number + 1, column + 1,
                    _("the value of 'the key' contains ': ', which YAML reads as a new key: "
                      "put the whole value in quotes"))
        return (here.number + 1, column + 1,
                _("the value of {name!r} contains ': ', which YAML reads as a new key: "
                  "put the whole value in quotes", name=key[0]))
    if previous is None:
        return None
    key = previous.key()
    if previous.content.startswith("-") and not previous.content.startswith("- "):
        return (previous.number + 1, previous.indent + 1,
                _("a list item needs a space after its '-': write '- ' here"))
    if key is None:
        colon = previous.content.find(":")
        if colon > 0:
            return (previous.number + 1, previous.indent + colon + 1,
                    _("put a space after this ':' so that YAML reads a key and its value"))
        return None
    name, key_column = key
    if here.indent > key_column:
        return (here.number + 1, here.indent + 1,
                _("this line is indented more than the key above it; line it up with "
                  "{name!r} (column {column})", name=name, column=key_column + 1))
    return None


def _missing_colon_advice(line: _Line) -> tuple[int, int, str] | None:
    """Advise on a key that YAML could not finish: `key:value` with no space, or no ':'."""
    match = re.search(r":(?=\S)", line.content)
    if match is not None:
        return (line.number + 1, line.indent + match.start() + 1,
                _("put a space after this ':' so that YAML reads a key and its value"))
    return (line.number + 1, line.indent + 1,
            _("this line has no ':' after its key: write 'key: value', or indent it under the "
              "value it continues"))


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
            return (*where, _("this list item is indented more than the items above it; line "
                              "its '-' up with theirs (column {column})",
                              column=sibling.indent + 1))
        if sibling is not None and sibling.indent > here.indent:
            return (*where, _("this list item is indented less than the items above it; line "
                              "its '-' up with theirs (column {column})",
                              column=sibling.indent + 1))
        return (*where, _("a list item cannot stand here, among the keys of a mapping: indent "
                          "it under the key it belongs to, or write it as 'key: value'"))
    # A key: name the keys above it that it could line up with.
    candidates: list[tuple[str, int]] = []
    for line in content:
        key = line.key()
        if key is None or any(column == key[1] for _, column in candidates):
            continue
        if in_list and line.indent == entries and line.content.startswith("- ") \
                and here.indent == entries:
            return (*where, _("this line is lined up with the '-' of the list item above; "
                              "indent it to line up with {name!r} (column {column})",
                              name=key[0], column=key[1] + 1))
        if not candidates or key[1] < candidates[-1][1]:
            candidates.append(key)
        if key[1] <= entries and not in_list:
            break
    deeper = [key for key in candidates if key[1] > here.indent]
    shallower = [key for key in candidates if key[1] < here.indent]
    if not deeper and not shallower:
        return None
    (name, column), *other = deeper[-1:] + shallower[:1]
    if not other:
        return (*where, _("this line is indented to column {indent}, where no key above it "
                          "is: line it up with {name!r} (column {column})",
                          indent=here.indent + 1, name=name, column=column + 1))
    return (*where, _("this line is indented to column {indent}, where no key above it is: "
                      "line it up with {name!r} (column {column}) or {other!r} (column "
                      "{other_column})", indent=here.indent + 1, name=name, column=column + 1,
                      other=other[0][0], other_column=other[0][1] + 1))


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
        _("file is {size} bytes; the limit is {limit} bytes ({kib} KiB): "
          "an incident record is text, keep logs and attachments in separate files",
          size=figure(size), limit=figure(MAX_BYTES), kib=MAX_BYTES // 1024),
    )
