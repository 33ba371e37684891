"""Tests for reading YAML incident records with positions and problems."""

import pytest

from postmortem.errors import RecordError
from postmortem.record.load import MAX_BYTES, Document, load_bytes, load_file

# Nine levels of nine aliases each: expanding it would build 9**9 strings.
LOL_BOMB = """\
a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]
b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]
c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]
d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]
e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]
f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]
g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f]
h: &h [*g, *g, *g, *g, *g, *g, *g, *g, *g]
i: &i [*h, *h, *h, *h, *h, *h, *h, *h, *h]
"""


def load(text: str) -> Document:
    """Load YAML text as the file `r.yaml`."""
    return load_bytes(text.encode("utf-8"), "r.yaml")


def problems(source: str | bytes) -> list:
    """Return the problems of loading the source: raised, or kept on the document."""
    raw = source.encode("utf-8") if isinstance(source, str) else source
    try:
        document = load_bytes(raw, "r.yaml")
    except RecordError as error:
        return error.problems
    assert document.problems, "loading found no problem"
    return sorted(document.problems)


def fatal(source: str | bytes):
    """Return the single problem that loading the source raises, the tree being unusable."""
    raw = source.encode("utf-8") if isinstance(source, str) else source
    with pytest.raises(RecordError) as caught:
        load_bytes(raw, "r.yaml")
    assert len(caught.value.problems) == 1, caught.value.problems
    return caught.value.problems[0]


def only_problem(source: str | bytes):
    """Return the single problem that loading the source raises."""
    found = problems(source)
    assert len(found) == 1, found
    return found[0]


def test_valid_document_values_and_positions():
    doc = load(
        "id: INC-7\n"
        "timeline:\n"
        "  - at: '2024-08-03T11:00+02:00'\n"
        "    count: 3\n"
        "    ok: true\n"
        "    ratio: 0.5\n"
        "    note:\n"
    )
    assert doc.path == "r.yaml"
    assert doc.data == {
        "id": "INC-7",
        "timeline": [
            {"at": "2024-08-03T11:00+02:00", "count": 3, "ok": True, "ratio": 0.5, "note": None}
        ],
    }
    assert doc.positions[()] == (1, 1)
    assert doc.positions[("id",)] == (1, 5)
    assert doc.positions[("timeline", 0)] == (3, 5)
    assert doc.positions[("timeline", 0, "at")] == (3, 9)
    assert doc.key_positions[("timeline", 0, "count")] == (4, 5)
    assert doc.positions[("timeline", 0, "count")] == (4, 12)


def test_every_value_and_entry_has_a_position():
    doc = load("a: {b: [1, 2]}\nc: x\n")
    assert set(doc.positions) == {(), ("a",), ("a", "b"), ("a", "b", 0), ("a", "b", 1), ("c",)}
    assert set(doc.key_positions) == {("a",), ("a", "b"), ("c",)}


def test_locate_skips_unknown_components():
    doc = load("timeline:\n  - at: x\n    what: z\n")
    assert doc.locate(("timeline", 0, "function-after[x]", "what")) == (3, 11)
    assert doc.locate(("timeline", 0, "missing")) == (2, 5)
    assert doc.locate(("nothing",)) == (1, 1)


def test_locate_key_points_at_the_key():
    doc = load("timeline:\n  - at: x\n    bogus: z\n")
    assert doc.locate_key(("timeline", 0, "bogus")) == (3, 5)
    assert doc.locate(("timeline", 0, "bogus")) == (3, 12)
    # An index has no key, so the value position is used.
    assert doc.locate_key(("timeline", 0)) == (2, 5)


def test_keys_use_their_source_text():
    doc = load("no: 1\non: 2\n12: 3\n<<: 4\n")
    assert doc.data == {"no": 1, "on": 2, "12": 3, "<<": 4}


def test_duplicate_key():
    problem = only_problem("id: INC-1\ntitle: a\n\ntitle: b\n")
    assert (problem.line, problem.column) == (4, 1)
    assert problem.field == "title"
    assert "duplicate key 'title' (first at line 2)" in problem.message


def test_base_60_time_is_a_problem():
    problem = only_problem("start: 11:30\n")
    assert (problem.line, problem.column, problem.field) == (1, 8, "start")
    assert "base-60 number 690" in problem.message
    assert "quote it" in problem.message


def test_base_60_with_seconds_computes_the_number():
    problem = only_problem("timeline:\n  - at: 1:20:00\n")
    assert problem.field == "timeline[0].at"
    assert "base-60 number 4800" in problem.message


def test_yes_no_words_are_problems():
    problem = only_problem("a: 1\nrollback: no\n")
    assert (problem.line, problem.column, problem.field) == (2, 11, "rollback")
    assert "`no` is read by YAML 1.1 as the boolean false" in problem.message
    assert "On" in only_problem("x: On\n").message


def test_quoted_words_and_true_false_are_fine():
    doc = load("a: 'no'\nb: \"11:30\"\nc: TRUE\nd: false\n")
    assert doc.data == {"a": "no", "b": "11:30", "c": True, "d": False}


@pytest.mark.parametrize("number", ["017", "0o17", "0x1F", "0b101", "1_000"])
def test_ambiguous_numbers_are_problems(number):
    problem = only_problem(f"count: {number}\n")
    assert (problem.line, problem.column) == (1, 8)
    assert f"ambiguous number {number}" in problem.message


def test_timestamps_stay_text():
    doc = load("day: 2024-08-03\nat: 2024-08-03 11:00:00\nzoned: 2024-08-03T11:00:00+02:00\n")
    assert doc.data == {
        "day": "2024-08-03",
        "at": "2024-08-03 11:00:00",
        "zoned": "2024-08-03T11:00:00+02:00",
    }


def test_empty_file():
    problem = only_problem("")
    assert (problem.line, problem.column) == (1, 1)
    assert "file is empty" in problem.message
    assert "postmortem new ID" in problem.message


def test_comment_only_file_is_empty():
    problem = only_problem("# nothing yet\n\n   \n# still nothing\n")
    assert "file is empty" in problem.message


def test_unclosed_quote_is_a_syntax_error():
    problem = only_problem('id: INC-1\ntitle: "broken\nseverity: 2\n')
    assert (problem.line, problem.column) == (4, 1)
    assert "YAML syntax error" in problem.message
    assert "line 2, column 8" in problem.message


def test_bad_indentation_is_a_syntax_error():
    problem = fatal("title: a\n  severity: 2\n")
    assert (problem.line, problem.column) == (2, 3)
    assert "mapping values are not allowed" in problem.message
    assert "line it up with 'title' (column 1)" in problem.message


def test_tab_indentation():
    problem = only_problem("timeline:\n\t- at: x\n")
    assert (problem.line, problem.column) == (2, 1)
    assert "tabs" in problem.message


def test_invalid_utf8_in_the_middle_of_line_3():
    problem = only_problem(b"id: INC-1\ntitle: a\nsummary: caf\xe9 cr\xc3\xa8me\n")
    assert (problem.line, problem.column) == (3, 13)
    assert problem.message == "file is not valid UTF-8 (byte 0xE9); save it as UTF-8"


def test_invalid_utf8_column_counts_characters():
    problem = only_problem("id: INC-1\nsummary: crème \n".encode() + b"\xff")
    assert (problem.line, problem.column) == (3, 1)
    problem = only_problem("title: crème".encode() + b"\x80\n")
    assert (problem.line, problem.column) == (1, 13)


def test_bom_is_accepted():
    doc = load_bytes(b"\xef\xbb\xbfid: INC-1\n", "r.yaml")
    assert doc.data == {"id": "INC-1"}
    assert doc.key_positions[("id",)] == (1, 1)


def test_control_character_is_a_problem():
    problem = only_problem("a: 1\nb: x\x07y\n")
    assert (problem.line, problem.column) == (2, 5)
    assert "U+0007" in problem.message


def test_alias_bomb_is_refused_at_the_first_alias():
    found = problems(LOL_BOMB)
    assert len(found) == 8 * 9
    first = found[0]
    assert (first.line, first.column, first.field) == (2, 8, "b[0]")
    assert "anchors and aliases are not allowed" in first.message


def test_alias_is_replaced_and_the_rest_still_checked():
    found = problems("a: &x 1\nb: *x\nc: yes\n")
    assert [(p.line, p.column) for p in found] == [(2, 4), (3, 4)]


def test_python_tag_is_refused():
    problem = only_problem("title: !!python/object/apply:os.system ['true']\n")
    assert (problem.line, problem.column, problem.field) == (1, 8, "title")
    assert "tag !!python/object/apply:os.system is not allowed" in problem.message


@pytest.mark.parametrize(
    "tagged",
    ["!!binary aGk=", "!!set {a: null}", "!!omap [a: 1]", "!local x", "!!timestamp 2024-08-03"],
)
def test_other_tags_are_refused(tagged):
    assert "is not allowed" in only_problem(f"a: {tagged}\n").message


def test_core_tags_are_allowed():
    doc = load("a: !!str 12\nb: !!int '7'\nc: !!float 1\nd: !!null ''\n")
    assert doc.data == {"a": "12", "b": 7, "c": 1.0, "d": None}


def test_two_documents():
    problem = only_problem("id: INC-1\n---\nid: INC-2\n")
    assert (problem.line, problem.column) == (2, 1)
    assert "second YAML document" in problem.message


def test_top_level_list():
    problem = only_problem("- id: INC-1\n")
    assert (problem.line, problem.column, problem.field) == (1, 1, "")
    assert "the record must be a YAML mapping of fields, found a list" in problem.message


def test_non_scalar_key():
    problem = only_problem("? [a, b]\n: 1\n")
    assert (problem.line, problem.column) == (1, 3)
    assert "found a list" in problem.message


def test_size_cap():
    raw = b"a: " + b"x" * MAX_BYTES + b"\n"
    problem = only_problem(raw)
    assert (problem.line, problem.column) == (1, 1)
    assert problem.message.startswith(
        f"file is {len(raw):,} bytes; the limit is {MAX_BYTES:,} bytes (512 KiB): ")


def test_deep_nesting_is_a_problem():
    problem = only_problem("a: " + "[" * 100 + "]" * 100 + "\n")
    assert (problem.line, problem.column) == (1, 67)
    assert problem.message == ("values are nested more than 64 levels deep; the limit is 64 "
                               "levels: flatten the record")
    assert "flatten" in only_problem("a: " + "[" * 5000).message


def test_all_problems_are_reported_at_once():
    found = problems("title: a\nrollback: no\ntitle: b\n")
    assert [(p.line, p.column, p.field) for p in found] == [(2, 11, "rollback"), (3, 1, "title")]
    assert "boolean false" in found[0].message
    assert "duplicate key 'title'" in found[1].message


def test_load_file_reads_bytes(tmp_path):
    path = tmp_path / "inc.yaml"
    path.write_bytes(b"id: INC-1\n")
    doc = load_file(path)
    assert doc.data == {"id": "INC-1"}
    assert doc.path == str(path)


def test_load_file_reports_problems_with_the_path(tmp_path):
    path = tmp_path / "inc.yaml"
    path.write_bytes(b"- a\n")
    with pytest.raises(RecordError) as caught:
        load_file(path)
    assert str(caught.value).startswith(f"{path}:1:1: error: ")


def test_load_file_missing(tmp_path):
    with pytest.raises(RecordError) as caught:
        load_file(tmp_path / "absent.yaml")
    assert "cannot read the file" in caught.value.problems[0].message


def test_value_problems_are_kept_on_the_document_with_the_rest_of_the_tree():
    doc = load("title: a\nrollback: no\nat: 11:30\nid: INC-1\n")
    assert doc.data == {"title": "a", "rollback": None, "at": None, "id": "INC-1"}
    assert [(p.line, p.field) for p in doc.problems] == [(2, "rollback"), (3, "at")]
    assert doc.emptied == (("rollback",), ("at",))


# A record's start, then one indentation mistake; (line, column, advice) of each.
RECORD_START = """\
schema_version: 2
id: 2025-03-02-checkout-latency
cause:
  trigger:
    summary: A cache node ran out of memory.
"""

INDENTATION_MISTAKES = {
    # A key one space too far right reads as the continuation of the value above it.
    "key too far right": (
        "impacts:\n  - service: Checkout\n     started: 2025-03-02T10:00Z\n",
        (8, 6, "this line is indented more than the key above it; line it up with 'service' "
               "(column 5)")),
    # A key one space short of its siblings belongs to no mapping.
    "key one space short": (
        "   category: capacity\n",
        (6, 4, "this line is indented to column 4, where no key above it is: line it up with "
               "'summary' (column 5) or 'trigger' (column 3)")),
    "list item under-indented": (
        "timeline:\n  - at: 2025-03-02T10:00Z\n    kind: trigger\n - at: 2025-03-02T10:05Z\n",
        (9, 2, "this list item is indented less than the items above it; line its '-' up with "
               "theirs (column 3)")),
    "list item over-indented": (
        "timeline:\n  - at: 2025-03-02T10:00Z\n    kind: trigger\n   - at: 2025-03-02T10:05Z\n",
        (9, 4, "this list item is indented more than the items above it; line its '-' up with "
               "theirs (column 3)")),
    "key of an item lined up with its dash": (
        "impacts:\n  - service: Checkout\n  started: 2025-03-02T10:00Z\n",
        (8, 3, "this line is lined up with the '-' of the list item above; indent it to line "
               "up with 'service' (column 5)")),
    "colon inside a plain value": (
        "title: Outage: the sequel\n",
        (6, 14, "the value of 'title' contains ': ', which YAML reads as a new key: put the "
                "whole value in quotes")),
    "no space after a colon": (
        "title:Outage\nlang: en\n",
        (6, 6, "put a space after this ':' so that YAML reads a key and its value")),
}


@pytest.mark.parametrize("mistake", sorted(INDENTATION_MISTAKES))
def test_a_layout_mistake_points_at_the_line_to_change(mistake):
    text, (line, column, advice) = INDENTATION_MISTAKES[mistake]
    problem = fatal(RECORD_START + text)
    assert (problem.line, problem.column) == (line, column), problem
    assert problem.message.startswith(advice), problem.message
    assert "YAML syntax error" in problem.message


def test_the_base_60_hint_writes_the_time_in_the_records_zone():
    problem = only_problem("timezone: Europe/Paris\nat: 9:30\n")
    assert "base-60 number 570" in problem.message
    assert "e.g. 'YYYY-MM-DDT09:30[Europe/Paris]'" in problem.message
    assert "+02:00" not in problem.message
