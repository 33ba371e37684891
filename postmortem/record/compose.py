"""Compose a YAML stream into nodes without anchors, tags or aliases resolved by PyYAML.

Every node keeps its marks, nesting deeper than MAX_DEPTH is refused, and each scalar's
text is left as written. A record as people write it (one document, no tag, anchor or
alias) is composed by libyaml in C, about twice as fast; anything else, and any error,
goes through the composer below, which sees every event and says exactly where.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import yaml
from yaml.composer import Composer
from yaml.events import AliasEvent, ScalarEvent, SequenceStartEvent, StreamEndEvent
from yaml.nodes import MappingNode, ScalarNode

from postmortem.record.limits import MAX_DEPTH

#: The tags of YAML's core schema, which the loader resolves itself.
YAML_TAG = "tag:yaml.org,2002:"
NULL_TAG, BOOL_TAG, INT_TAG, FLOAT_TAG, STR_TAG = (
    YAML_TAG + name for name in ("null", "bool", "int", "float", "str"))
SEQ_TAG, MAP_TAG, TIMESTAMP_TAG = YAML_TAG + "seq", YAML_TAG + "map", YAML_TAG + "timestamp"
SCALAR_TAGS = {NULL_TAG, BOOL_TAG, INT_TAG, FLOAT_TAG, STR_TAG}


if TYPE_CHECKING:
    # Both loaders scan and parse alike; the checker is shown the Python one, whose
    # stubs declare the Reader and Parser interface that NodeComposer relies on.
    _BASE = yaml.SafeLoader
else:
    _BASE = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

#: libyaml's loader, when PyYAML was built with it.
_C_LOADER = getattr(yaml, "CSafeLoader", None)


def compose_text(text: str) -> tuple[Any, Any]:
    """Compose the first document of `text`; return its root and the mark of any second one.

    Raises TooDeep past MAX_DEPTH levels and yaml.YAMLError on a syntax error.
    """
    composed = _compose_in_c(text)
    if composed is not None:
        return composed, None
    loader = NodeComposer(text)
    try:
        return loader.compose_stream()
    finally:
        loader.dispose()


def _compose_in_c(text: str) -> Any:
    """Return the root composed by libyaml, or None when the record needs the full composer.

    An empty stream also gives None: the full composer says so as cheaply.
    """
    loader = _C_LOADER(text) if _C_LOADER is not None else None
    if loader is None:
        return None
    try:
        if not loader.check_node():
            return None
        root = loader.get_node()
        if loader.check_node():  # a second document, reported at its mark
            return None
    except yaml.YAMLError:
        return None
    finally:
        loader.dispose()
    return root if _as_written(root, text) else None


def _as_written(node: Any, text: str, depth: int = 1) -> bool:
    """Mark the scalars of a C-composed tree as plain or not; say whether the tree can be used.

    It cannot when a node has a tag or an anchor (its start mark is on the `!` or the `&`;
    without an anchor there is no alias), or when nesting passes MAX_DEPTH.
    """
    # An empty value at the end of the file starts past its last character.
    if depth > MAX_DEPTH or text.startswith(("!", "&"), node.start_mark.index):
        return False
    kind = node.__class__
    if kind is ScalarNode:
        node.__class__ = Scalar
        node.plain = not node.style  # libyaml's plain style is ""
        return True
    if kind is MappingNode:
        return all(_as_written(key, text, depth + 1) and _as_written(value, text, depth + 1)
                   for key, value in node.value)
    return all(_as_written(child, text, depth + 1) for child in node.value)


class TooDeep(Exception):
    """Raised by the composer when nesting passes MAX_DEPTH."""

    def __init__(self, mark):
        super().__init__("too deep")
        self.mark = mark


class Scalar(ScalarNode):
    """A scalar node that remembers whether it was written plain and untagged."""

    plain: bool = False


class AliasNode(Scalar):
    """Stands in for an alias so it is reported, never expanded."""

    def __init__(self, start_mark, end_mark):
        super().__init__(NULL_TAG, "", start_mark, end_mark)
        self.plain = False


class NodeComposer(_BASE, Composer):
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
            return AliasNode(event.start_mark, event.end_mark)
        event = self.peek_event()
        self._depth += 1
        if self._depth > MAX_DEPTH:
            raise TooDeep(event.start_mark)
        self.descend_resolver(parent, index)
        # types-PyYAML types `anchor` as a dict, but PyYAML passes the anchor's name or None.
        if self.check_event(ScalarEvent):
            node = self.compose_scalar_node(None)
        elif self.check_event(SequenceStartEvent):
            node = self.compose_sequence_node(None)  # type: ignore[arg-type]
        else:
            node = self.compose_mapping_node(None)  # type: ignore[arg-type]
        self.ascend_resolver()
        self._depth -= 1
        return node

    def compose_scalar_node(self, anchor):
        """Compose a scalar and remember whether it was plain and untagged."""
        event = self.peek_event()
        composed = super().compose_scalar_node(anchor)
        node = Scalar(
            composed.tag, composed.value, composed.start_mark, composed.end_mark, composed.style
        )
        node.plain = event.tag is None and event.implicit[0]
        # A bare `!` means "not resolved": the value is text.
        if event.tag == "!":
            node.tag = STR_TAG
        return node
