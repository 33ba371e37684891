"""Read a YAML incident record into plain Python values with source positions.

Only PyYAML's scanner and parser are used; the node graph is composed here
without anchors and turned into values here, so no PyYAML constructor runs on
untrusted input and YAML 1.1 surprises become problems instead of wrong values.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from typing import Any

import yaml
from yaml.composer import Composer
from yaml.constructor import SafeConstructor
from yaml.events import AliasEvent, ScalarEvent, SequenceStartEvent, StreamEndEvent
from yaml.nodes import MappingNode, ScalarNode, SequenceNode

from postmortem.errors import Problem, RecordError, field_path

MAX_BYTES = 1024 * 1024  # size cap

# Real records are a few levels deep; the cap keeps recursion far from Python's limit.
MAX_DEPTH = 64

_TAG = "tag:yaml.org,2002:"
_NULL, _BOOL, _INT, _FLOAT, _STR = (_TAG + name for name in ("null", "bool", "int", "float", "str"))
_SEQ, _MAP, _TIMESTAMP = _TAG + "seq", _TAG + "map", _TAG + "timestamp"
_SCALAR_TAGS = {_NULL, _BOOL, _INT, _FLOAT, _STR}

# YAML 1.1 booleans that YAML 1.2 and people read as words.
_WORD_BOOLEANS = {"yes", "no", "on", "off", "y", "n"}
# YAML 1.2 octal; PyYAML reads it as text, other readers as a number.
_OCTAL_12 = re.compile(r"[-+]?0o[0-7_]+")
# Same set PyYAML's reader refuses, checked up front to report a line and column.
_NON_PRINTABLE = re.compile("[^\x09\x0a\x0d\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_LINE_BREAK = re.compile(r"\r\n|\r|\n")

_BASE = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_CONSTRUCTOR = SafeConstructor()


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


class _TooDeep(Exception):
    """Raised by the composer when nesting passes MAX_DEPTH."""

    def __init__(self, mark):
        super().__init__("too deep")
        self.mark = mark


class _AliasNode(ScalarNode):
    """Stands in for an alias so it is reported, never expanded."""

    def __init__(self, start_mark, end_mark):
        super().__init__(_NULL, "", start_mark, end_mark)
        self.plain = False


class _Loader(_BASE, Composer):
    """Scan and parse with PyYAML (C when available), compose in Python without anchors."""

    # CParser composes in C, out of reach of an override; composing here through the
    # Python Composer lets compose_node see every AliasEvent before anything is expanded.

    def compose_stream(self):
        """Compose the first document; return its root and the mark of any second document."""
        self._depth = 0
        self.get_event()  # stream start
        root = None
        if not self.check_event(StreamEndEvent):
            root = self.compose_document()
        extra = None
        if not self.check_event(StreamEndEvent):
            extra = self.peek_event().start_mark
        return root, extra

    def compose_node(self, parent, index):
        """Compose one node; aliases become placeholders and anchors are never stored."""
        if self.check_event(AliasEvent):
            event = self.get_event()
            return _AliasNode(event.start_mark, event.end_mark)
        event = self.peek_event()
        self._depth += 1
        if self._depth > MAX_DEPTH:
            raise _TooDeep(event.start_mark)
        self.descend_resolver(parent, index)
        if self.check_event(ScalarEvent):
            node = self.compose_scalar_node(None)
        elif self.check_event(SequenceStartEvent):
            node = self.compose_sequence_node(None)
        else:
            node = self.compose_mapping_node(None)
        self.ascend_resolver()
        self._depth -= 1
        return node

    def compose_scalar_node(self, anchor):
        """Compose a scalar and remember whether it was plain and untagged."""
        event = self.peek_event()
        node = super().compose_scalar_node(anchor)
        node.plain = event.tag is None and event.implicit[0]
        # A bare `!` means "not resolved": the value is text.
        if event.tag == "!":
            node.tag = _STR
        return node


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
    loader = _Loader(text)
    try:
        root, extra = loader.compose_stream()
    except _TooDeep as error:
        raise RecordError([_at(path, error.mark, f"values are nested more than {MAX_DEPTH} levels deep: flatten the record")]) from None
    except yaml.MarkedYAMLError as error:
        raise RecordError([_syntax_problem(path, text, error)]) from None
    except yaml.YAMLError as error:
        raise RecordError([Problem(path, 1, 1, f"YAML cannot be read: {error}")]) from None
    finally:
        loader.dispose()

    if extra is None and (root is None or _is_empty(root)):
        raise RecordError([Problem(path, 1, 1, "file is empty: an incident record is a YAML mapping (run 'postmortem new ID' for a template)")])

    builder = _Builder(path)
    data = builder.value(root, ())
    if extra is not None:
        builder.problem(extra, (), "found a second YAML document: a file holds one incident record, so remove the '---' and what follows or move it to its own file")
    if not isinstance(root, MappingNode):
        builder.problem(root.start_mark, (), f"the record must be a YAML mapping of fields, found {_describe(root)}: write `field: value` lines at the top level")
    if builder.problems:
        raise RecordError(builder.problems)
    return Document(path, data, builder.positions, builder.key_positions)


class _Builder:
    """Turn composed nodes into plain values, recording positions and problems."""

    def __init__(self, path: str):
        self.path = path
        self.problems: list[Problem] = []
        self.positions: dict[tuple, tuple[int, int]] = {}
        self.key_positions: dict[tuple, tuple[int, int]] = {}

    def problem(self, mark, loc: tuple, message: str) -> None:
        """Record a problem at a YAML mark."""
        self.problems.append(_at(self.path, mark, message, field_path(loc)))

    def value(self, node, loc: tuple, record: bool = True) -> Any:
        """Build the value of any node; with record=False only problems are kept."""
        if record:
            self.positions[loc] = _position(node.start_mark)
        if isinstance(node, _AliasNode):
            self.problem(node.start_mark, loc, "anchors and aliases are not allowed in incident records: write the value out")
            return None
        if isinstance(node, ScalarNode):
            return self.scalar(node, loc)
        expected = _SEQ if isinstance(node, SequenceNode) else _MAP
        if node.tag != expected:
            self.problem(node.start_mark, loc, _tag_message(node.tag))
            # Still look inside so every problem of the file is reported at once.
            record = False
        if isinstance(node, SequenceNode):
            items = [self.value(child, loc + (index,), record) for index, child in enumerate(node.value)]
        else:
            items = self.mapping(node, loc, record)
        return items if node.tag == expected else None

    def mapping(self, node: MappingNode, loc: tuple, record: bool) -> dict:
        """Build a dict keyed by the keys' source text, reporting bad and duplicate keys."""
        result: dict[str, Any] = {}
        first_lines: dict[str, int] = {}
        for key_node, value_node in node.value:
            key = self.key(key_node, loc)
            if key is None:
                self.value(value_node, loc, record=False)
                continue
            entry = loc + (key,)
            if key in first_lines:
                self.problem(key_node.start_mark, entry, f"duplicate key '{key}' (first at line {first_lines[key]}): keep only one of them")
                self.value(value_node, entry, record=False)
                continue
            first_lines[key] = key_node.start_mark.line + 1
            if record:
                self.key_positions[entry] = _position(key_node.start_mark)
            result[key] = self.value(value_node, entry, record)
        return result

    def key(self, node, loc: tuple) -> str | None:
        """Return a key's source text, or None after reporting why it cannot be a key."""
        if isinstance(node, _AliasNode):
            self.problem(node.start_mark, loc, "anchors and aliases are not allowed in incident records: write the key out")
            return None
        if not isinstance(node, ScalarNode):
            self.problem(node.start_mark, loc, f"a key must be a plain name, found {_describe(node)}: write the key as text")
            return None
        if not node.plain and node.tag not in _SCALAR_TAGS:
            self.problem(node.start_mark, loc, _tag_message(node.tag))
            return None
        if node.plain and node.value == "":
            self.problem(node.start_mark, loc, "empty key: write the field name before the ':'")
            return None
        return node.value

    def scalar(self, node: ScalarNode, loc: tuple) -> Any:
        """Build a scalar value; YAML 1.1 traps and foreign tags become problems."""
        if node.plain:
            return self.plain(node, loc)
        if node.tag == _STR:
            return node.value
        if node.tag not in _SCALAR_TAGS:
            self.problem(node.start_mark, loc, _tag_message(node.tag))
            return None
        # An explicit core tag is a deliberate request, so YAML 1.1 forms are honoured.
        build = {
            _NULL: _CONSTRUCTOR.construct_yaml_null,
            _BOOL: _CONSTRUCTOR.construct_yaml_bool,
            _INT: _CONSTRUCTOR.construct_yaml_int,
            _FLOAT: _CONSTRUCTOR.construct_yaml_float,
        }[node.tag]
        try:
            return build(node)
        except (ValueError, KeyError, IndexError):
            self.problem(node.start_mark, loc, f"'{_short(node.value)}' is not a valid {_tag_name(node.tag)}: fix the value or drop the tag")
            return None

    def plain(self, node: ScalarNode, loc: tuple) -> Any:
        """Resolve an unquoted scalar the way a reader of the file would expect."""
        text = node.value
        lowered = text.lower()
        if lowered in ("true", "false"):
            return lowered == "true"
        if lowered in _WORD_BOOLEANS:
            meaning = "true" if lowered in ("yes", "on", "y") else "false"
            self.problem(node.start_mark, loc, f"`{_short(text)}` is read by YAML 1.1 as the boolean {meaning}: quote it if you mean the word, or write true/false")
            return None
        if node.tag == _NULL:
            return None
        if node.tag in (_INT, _FLOAT) and ":" in text:
            self.problem(
                node.start_mark,
                loc,
                f"bare {_short(text)} is read by YAML 1.1 as the base-60 number {_base60(node)}: quote it, "
                f'and for an instant write a date, time and zone, e.g. "2024-08-03T11:30+02:00"',
            )
            return None
        if _OCTAL_12.fullmatch(text) or (node.tag in (_INT, _FLOAT) and _is_ambiguous(text)):
            self.problem(node.start_mark, loc, f"ambiguous number {_short(text)}: YAML readers disagree on octal, hex, binary and '_' forms; quote it if it is text, or write a plain decimal")
            return None
        if node.tag == _INT:
            try:
                return _CONSTRUCTOR.construct_yaml_int(node)
            except ValueError:
                # Python refuses to convert integers with thousands of digits.
                self.problem(node.start_mark, loc, "number is too long to read: quote it if it is text")
                return None
        if node.tag == _FLOAT:
            return _CONSTRUCTOR.construct_yaml_float(node)
        # Timestamps stay text: the model parses dates and instants and reports on them.
        return text


def _base60(node: ScalarNode) -> str:
    """Return the number YAML 1.1 reads from a base-60 scalar, as text for a message."""
    try:
        if node.tag == _INT:
            return str(_CONSTRUCTOR.construct_yaml_int(node))
        return str(_CONSTRUCTOR.construct_yaml_float(node))
    except ValueError:
        return "(too large to show)"


def _is_ambiguous(text: str) -> bool:
    """Tell whether a resolved number is written in a form other than plain decimal."""
    digits = text.lstrip("+-")
    if "_" in digits:
        return True
    return len(digits) > 1 and digits[0] == "0" and digits[1] not in ".eE"


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
    if error.context and context_mark is not None and (context_mark.line, context_mark.column) != (mark.line, mark.column):
        message += f" ({error.context} started at line {error.context_mark.line + 1}, column {error.context_mark.column + 1})"
    if "\\t" in problem or "tab" in problem or (mark is not None and _char_at(text, mark) == "\t"):
        hint = "indent with spaces, YAML does not allow tabs here"
    elif "nesting" in problem:
        hint = "flatten the record"
    elif "quoted scalar" in (error.context or ""):
        hint = "close the quote that starts there"
    else:
        hint = "check the indentation, the ':' after each key and the quotes on this line and the one before"
    if mark is None:
        return Problem(path, 1, 1, f"{message}; {hint}")
    return _at(path, mark, f"{message}; {hint}")


def _char_at(text: str, mark) -> str:
    """Return the character a mark points at, or '' when it is past the end."""
    lines = _LINE_BREAK.split(text)
    if mark.line < len(lines) and mark.column < len(lines[mark.line]):
        return lines[mark.line][mark.column]
    return ""


def _too_large(path: str, size: int) -> Problem:
    """Describe a file over the size cap."""
    return Problem(path, 1, 1, f"file is {size} bytes, over the limit of {MAX_BYTES} bytes: an incident record is text, keep logs and attachments in separate files")


def _at(path: str, mark, message: str, field: str = "") -> Problem:
    """Build a problem at a 0-based YAML mark."""
    line, column = _position(mark)
    return Problem(path, line, column, message, field)


def _position(mark) -> tuple[int, int]:
    """Convert a 0-based YAML mark to a 1-based (line, column)."""
    return mark.line + 1, mark.column + 1


def _describe(node) -> str:
    """Name the kind of a node for messages."""
    if isinstance(node, SequenceNode):
        return "a list"
    if isinstance(node, MappingNode):
        return "a mapping"
    if isinstance(node, _AliasNode):
        return "an alias"
    if _is_empty(node):
        return "nothing"
    return f"a single value '{_short(node.value)}'"


def _is_empty(node) -> bool:
    """Tell whether a node is an empty plain scalar, as left by `key:` or a bare '---'."""
    return isinstance(node, ScalarNode) and node.plain and node.value == ""


def _short(text: str) -> str:
    """Shorten text for a message."""
    return text if len(text) <= 40 else text[:37] + "..."


def _tag_name(tag: str) -> str:
    """Write a tag the way it appears in YAML source."""
    return "!!" + tag[len(_TAG):] if tag.startswith(_TAG) else tag


def _tag_message(tag: str) -> str:
    """Explain that a tag is refused."""
    return f"tag {_tag_name(tag)} is not allowed: remove it and write a plain value"
