"""Records are composed by libyaml when they can be, with the very nodes the full composer makes.

A node's marks, tag, style, text and plainness decide every position and value a record
has, so the fast path is checked against the composer that sees every event, on every
record of the repository and on the forms that must leave the fast path.
"""

from __future__ import annotations

import pytest
import yaml

from postmortem.record import compose
from postmortem.record.compose import NodeComposer, Scalar, compose_text
from postmortem.record.limits import MAX_DEPTH

from support import ROOT

RECORDS = sorted(
    path for folder in ("incidents", "tests/records", "tests/hostile", "examples")
    for path in (ROOT / folder).rglob("*.yaml"))


def _full(text: str):
    loader = NodeComposer(text)
    try:
        return loader.compose_stream()
    finally:
        loader.dispose()


def _shape(node) -> list:
    """Everything of a tree that loading reads: kind, tag, style, text, plainness, marks."""
    out: list = []

    def visit(node) -> None:
        marks = (node.start_mark.index, node.start_mark.line, node.start_mark.column,
                 node.end_mark.index, node.end_mark.line, node.end_mark.column)
        if isinstance(node, Scalar):
            out.append(("scalar", type(node).__name__, node.tag, node.style or None, node.value,
                        node.plain, marks))
        elif isinstance(node, yaml.SequenceNode):
            out.append(("seq", node.tag, marks))
            for child in node.value:
                visit(child)
        else:
            out.append(("map", node.tag, marks))
            for key, value in node.value:
                visit(key)
                visit(value)

    if node is not None:
        visit(node)
    return out


def test_the_repository_has_records_to_compare():
    assert len(RECORDS) > 40


@pytest.mark.parametrize("path", RECORDS, ids=lambda path: str(path.relative_to(ROOT)))
def test_both_composers_give_the_same_tree(path):
    text = path.read_bytes().decode("utf-8-sig", errors="replace")
    try:
        expected = _full(text)
    except (yaml.YAMLError, compose.TooDeep) as error:
        with pytest.raises(type(error)):
            compose_text(text)
        return
    root, extra = compose_text(text)
    assert _shape(root) == _shape(expected[0])
    assert (extra is None) == (expected[1] is None)


SAMPLES = {
    "accents and emoji": "title: Panne électrique 🔌 à l'hôpital\nsummary: ça « marche »\n",
    "line breaks of Windows": "title: A\r\nsummary: |\r\n  two\r\n  lines\r\n",
    "quoted and block styles": "a: 'x'\nb: \"y\\u00e9\"\nc: >\n  folded\nd: |-\n  kept\n",
    "plain values YAML would type": "a: 2024-08-03\nb: 12\nc: 1.5\nd: yes\ne: ~\nf: 08:00\n",
    "flow collections": "a: [1, {b: c}, 'd']\ne: {}\n",
    "an empty value at the end of the file": "a: 1\nb:",
    "an empty list entry at the end of the file": "a:\n  -",
    "a document start and nothing else": "---",
}


@pytest.mark.parametrize("text", SAMPLES.values(), ids=SAMPLES.keys())
def test_the_fast_path_takes_ordinary_records_as_written(text):
    assert compose._compose_in_c(text) is not None
    assert _shape(compose_text(text)[0]) == _shape(_full(text)[0])


LEAVING = {
    "a tag": "a: !!str 12\n",
    "a local tag": "a: !thing x\n",
    "a bare tag": "a: ! 12\n",
    "an anchor": "a: &x 1\n",
    "an alias": "a: &x 1\nb: *x\n",
    "a tagged mapping": "a: !!map\n  b: c\n",
    "a second document": "a: 1\n---\nb: 2\n",
    "an empty stream": "# nothing\n",
    "nesting past the limit": "a: " + "[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1) + "\n",
    "a syntax error": "a: [1, 2\n",
}


@pytest.mark.parametrize("text", LEAVING.values(), ids=LEAVING.keys())
def test_what_the_full_composer_must_say_leaves_the_fast_path(text):
    assert compose._compose_in_c(text) is None


def test_an_alias_is_reported_where_it_is_written():
    root, _extra = compose_text("a: &x 1\nb: *x\n")
    alias = root.value[1][1]
    assert isinstance(alias, compose.AliasNode)
    assert (alias.start_mark.line, alias.start_mark.column) == (1, 3)


def test_nesting_past_the_limit_is_refused_at_the_first_level_too_deep():
    with pytest.raises(compose.TooDeep) as caught:
        compose_text("a: " + "[" * 70 + "]" * 70 + "\n")
    assert caught.value.mark.column == 3 + MAX_DEPTH - 1
