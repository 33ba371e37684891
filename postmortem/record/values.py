"""Turn composed YAML nodes into plain values with the position of each, refusing traps.

YAML 1.1 surprises — base-60 `11:30`, `yes`/`no`, octal-looking numbers, duplicate keys,
aliases, explicit tags — become problems at their line instead of wrong values. The rest
of the tree is still built: a refused value is read as None and its location recorded
(`emptied`), so that validation can report every other problem of the file beside it.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from yaml.constructor import SafeConstructor
from yaml.nodes import MappingNode, ScalarNode, SequenceNode

from postmortem.errors import Problem, field_path
from postmortem.i18n import _
from postmortem.record.compose import (
    BOOL_TAG,
    FLOAT_TAG,
    INT_TAG,
    MAP_TAG,
    NULL_TAG,
    SCALAR_TAGS,
    SEQ_TAG,
    STR_TAG,
    YAML_TAG,
    AliasNode,
    Scalar,
)
from postmortem.record.echo import shorten
from postmortem.record.instants import zone_hint

#: Characters that YAML refuses in a file (PyYAML's reader's set); a double-quoted text
#: can still hold them, written as escapes ("\0", "\x1b").
NON_PRINTABLE = re.compile(
    "[^\x09\x0a\x0d\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]"
)
#: Characters that change the order in which text is displayed (embeddings, overrides,
#: isolates): a text holding them reads otherwise on screen than in the file, the way
#: "Trojan Source" hides code. The left-to-right and right-to-left marks stay allowed.
BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")
#: Either, searched for at once.
_REFUSED = re.compile(f"{NON_PRINTABLE.pattern}|{BIDI_CONTROLS.pattern}")

# YAML 1.1 booleans that YAML 1.2 and people read as words.
_WORD_BOOLEANS = {"yes", "no", "on", "off", "y", "n"}
# YAML 1.2 octal; PyYAML reads it as text, other readers as a number.
_OCTAL_12 = re.compile(r"[-+]?0o[0-7_]+")
_CONSTRUCTOR = SafeConstructor()
# A clock time as people write it, which YAML 1.1 reads as a base-60 number.
_CLOCK = re.compile(r"([0-9]{1,2}):([0-5][0-9])(?::[0-5][0-9])?")


class ValueBuilder:
    """Turn composed nodes into plain values, recording positions and problems."""

    def __init__(self, path: str, zone: str | None = None, bidi: bool = False):
        self.path = path
        #: Whether the file holds a bidirectional control: then every text is searched.
        self.bidi = bidi
        #: Whether a value or a key holding one was found (and reported).
        self.bidi_found = False
        #: The record's `timezone`, for the examples in messages about times.
        self.zone = zone
        self.problems: list[Problem] = []
        #: Locations whose value is read as empty (None) because of a problem there.
        self.emptied: list[tuple] = []
        self.positions: dict[tuple, tuple[int, int]] = {}
        self.key_positions: dict[tuple, tuple[int, int]] = {}

    def problem(self, mark, loc: tuple, message: str) -> None:
        """Record a problem at a YAML mark."""
        self.problems.append(problem_at(self.path, mark, message, field_path(loc)))

    def empty(self, mark, loc: tuple, message: str) -> None:
        """Record a problem with the value at loc, which is read as None."""
        self.problem(mark, loc, message)
        self.emptied.append(loc)

    def value(self, node, loc: tuple, record: bool = True) -> Any:
        """Build the value of any node; with record=False only problems are kept."""
        if record:
            self.positions[loc] = _position(node.start_mark)
        if isinstance(node, AliasNode):
            self.empty(
                node.start_mark,
                loc,
                _("anchors and aliases are not allowed in incident records: write the value out"),
            )
            return None
        if isinstance(node, Scalar):
            return self.scalar(node, loc)
        expected = SEQ_TAG if isinstance(node, SequenceNode) else MAP_TAG
        if node.tag != expected:
            self.empty(node.start_mark, loc, _tag_message(node.tag))
            # Still look inside so every problem of the file is reported at once.
            record = False
        items: list[Any] | dict[str, Any]
        if isinstance(node, SequenceNode):
            items = [
                self.value(child, loc + (index,), record)
                for index, child in enumerate(node.value)
            ]
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
                self.problem(
                    key_node.start_mark,
                    entry,
                    _("duplicate key '{key}' (first at line {line}): keep only one of them",
                      key=_short(key), line=first_lines[key]),
                )
                self.value(value_node, entry, record=False)
                continue
            first_lines[key] = key_node.start_mark.line + 1
            if record:
                self.key_positions[entry] = _position(key_node.start_mark)
            result[key] = self.value(value_node, entry, record)
        return result

    def key(self, node, loc: tuple) -> str | None:
        """Return a key's source text, or None after reporting why it cannot be a key."""
        if isinstance(node, AliasNode):
            self.problem(
                node.start_mark,
                loc,
                _("anchors and aliases are not allowed in incident records: write the key out"),
            )
            return None
        if not isinstance(node, Scalar):
            self.problem(
                node.start_mark,
                loc,
                _("a key must be a plain name, found {found}: write the key as text",
                  found=describe_node(node)),
            )
            return None
        if not node.plain and node.tag not in SCALAR_TAGS:
            self.problem(node.start_mark, loc, _tag_message(node.tag))
            return None
        if node.plain and node.value == "":
            self.problem(node.start_mark, loc,
                         _("empty key: write the field name before the ':'"))
            return None
        if self.bidi or node.style == '"':
            self.check_characters(node, loc)
        return node.value

    def check_characters(self, node: Scalar, loc: tuple) -> None:
        """Report a bidirectional control, or a control character written as an escape."""
        found = _REFUSED.search(node.value)
        if found is None:
            return
        character = found.group()
        if BIDI_CONTROLS.match(character):
            self.bidi_found = True
            self.problem(node.start_mark, loc, bidi_message(character))
            # Look for a control character written as an escape beyond it.
            found = NON_PRINTABLE.search(node.value) if node.style == '"' else None
            if found is None:
                return
            character = found.group()
        if node.style == '"':
            self.problem(node.start_mark, loc, _(
                "contains the control character {code} (written as an escape), which a "
                "report cannot show; remove it", code=code_point(character)))

    def scalar(self, node: Scalar, loc: tuple) -> Any:
        """Build a scalar value; YAML 1.1 traps and foreign tags become problems."""
        if self.bidi or node.style == '"':
            self.check_characters(node, loc)
        if node.plain:
            return self.plain(node, loc)
        if node.tag == STR_TAG:
            return node.value
        if node.tag not in SCALAR_TAGS:
            self.empty(node.start_mark, loc, _tag_message(node.tag))
            return None
        # An explicit core tag is a deliberate request, so YAML 1.1 forms are honoured.
        build = {
            NULL_TAG: _CONSTRUCTOR.construct_yaml_null,
            BOOL_TAG: _CONSTRUCTOR.construct_yaml_bool,
            INT_TAG: _CONSTRUCTOR.construct_yaml_int,
            FLOAT_TAG: _CONSTRUCTOR.construct_yaml_float,
        }[node.tag]
        try:
            return build(node)
        except (ValueError, KeyError, IndexError):
            self.empty(
                node.start_mark,
                loc,
                _("'{value}' is not a valid {tag}: fix the value or drop the tag",
                  value=_short(node.value), tag=_tag_name(node.tag)),
            )
            return None

    def plain(self, node: Scalar, loc: tuple) -> Any:
        """Resolve an unquoted scalar the way a reader of the file would expect."""
        text = node.value
        lowered = text.lower()
        if lowered in ("true", "false"):
            return lowered == "true"
        if lowered in _WORD_BOOLEANS:
            meaning = "true" if lowered in ("yes", "on", "y") else "false"
            self.empty(
                node.start_mark,
                loc,
                _("`{text}` is read by YAML 1.1 as the boolean {meaning}: quote it if you mean "
                  "the word, or write true/false", text=_short(text), meaning=meaning),
            )
            return None
        if node.tag == NULL_TAG:
            return None
        if node.tag in (INT_TAG, FLOAT_TAG) and ":" in text:
            self.empty(
                node.start_mark,
                loc,
                _("bare {text} is read by YAML 1.1 as the base-60 number {number}: quote it, "
                  "and for an instant write a date, time and zone, e.g. {example}",
                  text=_short(text), number=_base60(node),
                  example=_instant_example(text, self.zone)),
            )
            return None
        if _OCTAL_12.fullmatch(text) or (node.tag in (INT_TAG, FLOAT_TAG) and _is_ambiguous(text)):
            self.empty(
                node.start_mark,
                loc,
                _("ambiguous number {text}: YAML readers disagree on octal, hex, binary and "
                  "'_' forms; quote it if it is text, or write a plain decimal",
                  text=_short(text)),
            )
            return None
        if node.tag == INT_TAG:
            try:
                return _CONSTRUCTOR.construct_yaml_int(node)
            except ValueError:
                # Python refuses to convert integers with thousands of digits.
                self.empty(
                    node.start_mark, loc, _("number is too long to read: quote it if it is text")
                )
                return None
        if node.tag == FLOAT_TAG:
            return _CONSTRUCTOR.construct_yaml_float(node)
        # Timestamps stay text: the model parses dates and instants and reports on them.
        return text


def bidi_message(character: str) -> str:
    """Say that a text holds a bidirectional control character, and what it does."""
    # The character's Unicode name is an identifier, the same in every language.
    name = unicodedata.name(character, None) or _("a bidirectional control")
    return _("contains the bidirectional control character {code} ({name}), which makes text "
             "display in another order than it is read; remove it",
             code=code_point(character), name=name)


def code_point(character: str) -> str:
    """Write a character's code point as Unicode does: U+202E."""
    return f"U+{ord(character):04X}"


def _instant_example(text: str, zone: str | None) -> str:
    """Write a bare clock time as an instant in the record's zone, the day left to fill in."""
    match = _CLOCK.fullmatch(text)
    clock = f"{int(match.group(1)):02d}:{match.group(2)}" if match else "11:30"
    return zone_hint("YYYY-MM-DD", clock, zone)


def _base60(node: ScalarNode) -> str:
    """Return the number YAML 1.1 reads from a base-60 scalar, as text for a message."""
    try:
        if node.tag == INT_TAG:
            return str(_CONSTRUCTOR.construct_yaml_int(node))
        return str(_CONSTRUCTOR.construct_yaml_float(node))
    except ValueError:
        return _("(too large to show)")


def _is_ambiguous(text: str) -> bool:
    """Tell whether a resolved number is written in a form other than plain decimal."""
    digits = text.lstrip("+-")
    if "_" in digits:
        return True
    return len(digits) > 1 and digits[0] == "0" and digits[1] not in ".eE"


def describe_node(node) -> str:
    """Name the kind of a node for messages."""
    if isinstance(node, SequenceNode):
        return _("a list")
    if isinstance(node, MappingNode):
        return _("a mapping")
    if isinstance(node, AliasNode):
        return _("an alias")
    if is_empty(node):
        return _("nothing")
    return _("a single value '{value}'", value=_short(node.value))


def is_empty(node) -> bool:
    """Tell whether a node is an empty plain scalar, as left by `key:` or a bare '---'."""
    return isinstance(node, Scalar) and node.plain and node.value == ""


def _short(text: str) -> str:
    """Shorten text for a message."""
    return shorten(text)


def _tag_name(tag: str) -> str:
    """Write a tag the way it appears in YAML source."""
    return "!!" + tag[len(YAML_TAG):] if tag.startswith(YAML_TAG) else tag


def _tag_message(tag: str) -> str:
    """Explain that a tag is refused."""
    return _("tag {tag} is not allowed: remove it and write a plain value", tag=_tag_name(tag))


def problem_at(path: str, mark, message: str, field: str = "") -> Problem:
    """Build a problem at a 0-based YAML mark."""
    line, column = _position(mark)
    return Problem(path, line, column, message, field)


def _position(mark) -> tuple[int, int]:
    """Convert a 0-based YAML mark to a 1-based (line, column)."""
    return mark.line + 1, mark.column + 1
