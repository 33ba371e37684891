"""The limits of a record: at each cap a record validates, one past it is refused, at the
value's line and column, with `<what> is <actual>; the limit is <N> <unit>`."""

from __future__ import annotations

import base64
import os
import struct
import threading
import zlib

import pytest

from postmortem.errors import Problem, RecordError
from postmortem.record.images import inspect_image
from postmortem.record.limits import (
    MAX_BYTES,
    MAX_COMMUNICATIONS,
    MAX_IMAGE_BYTES,
    MAX_LIST,
    MAX_NESTING,
    MAX_TABLE_COLUMNS,
    MAX_TABLE_ROWS,
    MAX_TEXT,
    MAX_TIMELINE,
)
from postmortem.record.load import load_bytes, read_source
from postmortem.record.validate import read_incident, validate_document

RECORD = """\
schema_version: 2
id: 2025-03-02-checkout-latency
title: Checkout latency after a cache node failure
lang: en
timezone: Europe/London
organisation: Example Shop
summary: Checkout slowed down for 40 minutes after a cache node failed.
key_instants:
  started:
    at: 2025-03-02T10:00Z
cause:
  trigger:
    summary: A cache node ran out of memory.
    category: capacity
impacts:
  - service: Checkout
    started: 2025-03-02T10:00Z
    ended: 2025-03-02T10:40Z
timeline:
  - at: 2025-03-02T10:00Z
    kind: trigger
    text: The cache node stops answering.
"""


def problems(text: str) -> list[Problem]:
    """Return the problems of validating a record's text; [] when it is valid."""
    try:
        validate_document(load_bytes(text.encode("utf-8"), "r.yaml"))
    except RecordError as error:
        return error.problems
    return []


def refusal(text: str) -> str:
    """Return the single problem of a record as printed, without the file name."""
    found = problems(text)
    assert len(found) == 1, found
    return str(found[0]).removeprefix("r.yaml:")


def position(text: str, fragment: str, offset: int = 0) -> str:
    """Return 'line:col:' of the first occurrence of fragment (plus offset columns)."""
    before = text[: text.index(fragment)].split("\n")
    return f"{len(before)}:{len(before[-1]) + 1 + offset}:"


def with_summary(summary: str) -> str:
    """Return the record with a block summary (literal, indented by two)."""
    block = "\n".join(f"  {line}" if line else "" for line in summary.split("\n"))
    return RECORD.replace(
        "summary: Checkout slowed down for 40 minutes after a cache node failed.\n",
        f"summary: |-\n{block}\n")


def test_the_base_record_is_valid():
    assert problems(RECORD) == []


# Lists.

def _timeline(count: int) -> str:
    entry = "  - {at: '2025-03-02T10:00Z', kind: action, text: An entry.}\n"
    return RECORD.replace(RECORD[RECORD.index("timeline:"):], "timeline:\n" + entry * count)


def test_a_timeline_at_the_cap_validates_and_one_past_is_refused():
    assert problems(_timeline(MAX_TIMELINE)) == []
    text = _timeline(5000)
    assert refusal(text) == (f"{position(text, '  - {at', 2)} error: timeline: 5,000 entries; "
                             "the limit is 1,000 entries")
    assert "1,001 entries; the limit is 1,000 entries" in refusal(_timeline(MAX_TIMELINE + 1))


def _communications(count: int) -> str:
    entry = ("  - {at: '2025-03-02T10:05Z', channel: status page, audience: [customers], "
             "said: We are looking into it.}\n")
    return RECORD + "communications:\n" + entry * count


def test_communications_at_the_cap_validate_and_one_past_is_refused():
    assert problems(_communications(MAX_COMMUNICATIONS)) == []
    text = _communications(MAX_COMMUNICATIONS + 1)
    assert refusal(text) == (f"{position(text, '  - {at', 2)} error: communications: 501 "
                             "entries; the limit is 500 entries")


@pytest.mark.parametrize("count", [MAX_LIST, MAX_LIST + 1])
def test_every_other_list_has_the_common_cap(count):
    sites = "[" + ", ".join(f"site {n}" for n in range(count)) + "]"
    text = RECORD.replace("  - service: Checkout\n", f"  - service: Checkout\n    sites: {sites}\n")
    if count == MAX_LIST:
        assert problems(text) == []
    else:
        assert refusal(text) == (f"{position(text, '[site 0')} error: impacts[0].sites: 201 "
                                 "entries; the limit is 200 entries")


# Texts.

def test_a_text_at_the_cap_validates_and_one_past_is_refused():
    assert problems(with_summary("x" * MAX_TEXT)) == []
    text = with_summary("x" * 120_000)
    assert refusal(text) == (f"{position(text, '|-')} error: summary: 120,000 characters; "
                             "the limit is 20,000 characters")


def _table(rows: int, columns: int) -> str:
    header = "|" + "|".join(f"c{n}" for n in range(columns)) + "|"
    delimiter = "|" + "|".join("-" for _ in range(columns)) + "|"
    body = ["|" + "|".join(str(n) for _ in range(columns)) + "|" for n in range(rows)]
    return "\n".join(["A table:", "", header, delimiter, *body])


def test_a_table_at_the_caps_validates():
    assert problems(with_summary(_table(MAX_TABLE_ROWS, MAX_TABLE_COLUMNS))) == []


def test_a_table_of_too_many_rows_is_refused():
    text = with_summary(_table(2000, 1))
    assert refusal(text) == (f"{position(text, '|-')} error: summary: a table of 2,000 rows; "
                             "the limit is 100 rows")
    assert "a table of 101 rows; the limit is 100 rows" in refusal(
        with_summary(_table(MAX_TABLE_ROWS + 1, 2)))


def test_a_table_of_too_many_columns_is_refused():
    text = with_summary(_table(2, 200))
    assert refusal(text) == (f"{position(text, '|-')} error: summary: a table of 200 columns; "
                             "the limit is 12 columns")
    assert "a table of 13 columns; the limit is 12 columns" in refusal(
        with_summary(_table(2, MAX_TABLE_COLUMNS + 1)))


def test_tables_are_measured_in_every_text():
    text = RECORD.replace("text: The cache node stops answering.",
                          "text: |\n      " + _table(2, 13).replace("\n", "\n      "))
    assert refusal(text).endswith("error: timeline[0].text: a table of 13 columns; the limit "
                                  "is 12 columns")


@pytest.mark.parametrize(("markdown", "depth"), [
    ("> " * 250 + "deep", 250),
    ("> " * (MAX_NESTING + 1) + "deep", 17),
    ("- " * 40 + "deep", 40),
    ("[" * 250 + "deep" + "]" * 250, 250),
    ("[" * 5000, 5000),
    ("*" * 40 + "deep" + "*" * 40, 20),
    ("\n".join("  " * level + "- item" for level in range(30)), 30),
    ("> - " * 9 + "deep", 18),
])
def test_markdown_nested_too_deep_is_refused(markdown, depth):
    text = with_summary(markdown)
    assert refusal(text) == (f"{position(text, '|-')} error: summary: Markdown nested "
                             f"{depth:,} levels deep; the limit is 16 levels")


@pytest.mark.parametrize("markdown", [
    "> " * MAX_NESTING + "at the limit",
    "- " * MAX_NESTING + "at the limit",
    "[" * MAX_NESTING + "at the limit" + "]" * MAX_NESTING,
    "*" * 32 + "at the limit" + "*" * 32,
    "\n".join("  " * level + "- item" for level in range(MAX_NESTING)),
    "Many [links](https://example.com) and *emphases* side by side. " * 40,
    "- item\n" * 300,
])
def test_markdown_at_the_nesting_limit_validates(markdown):
    assert problems(with_summary(markdown)) == []


def test_nesting_is_measured_in_every_text_at_its_line():
    text = RECORD.replace("summary: A cache node ran out of memory.",
                          "summary: '" + ">" * 30 + " x'")
    assert refusal(text) == (f"{position(text, chr(39) + '>>>')} error: cause.trigger.summary: "
                             "Markdown nested 30 levels deep; the limit is 16 levels")


# Images.

def png(width: int, height: int, padding: int = 0) -> bytes:
    """Return a PNG's signature and IHDR chunk for the size, and padding bytes after them."""
    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)
    chunk = struct.pack(">I", len(header)) + b"IHDR" + header
    chunk += struct.pack(">I", zlib.crc32(b"IHDR" + header))
    return b"\x89PNG\r\n\x1a\n" + chunk + b"\0" * padding


def gif(width: int, height: int) -> bytes:
    return b"GIF89a" + struct.pack("<HH", width, height) + b"\0" * 20


def jpeg(width: int, height: int) -> bytes:
    app0 = b"\xff\xe0" + struct.pack(">H", 16) + b"JFIF\0\1\1\0\0\1\0\1\0\0"
    sof = b"\xff\xc0" + struct.pack(">HBHHB", 11, 8, height, width, 1) + b"\1\x11\0"
    return b"\xff\xd8" + app0 + sof + b"\xff\xd9"


def webp_vp8x(width: int, height: int) -> bytes:
    body = b"VP8X" + struct.pack("<I", 10) + b"\0\0\0\0" + (width - 1).to_bytes(3, "little") \
        + (height - 1).to_bytes(3, "little")
    return b"RIFF" + struct.pack("<I", len(body) + 4) + b"WEBP" + body


def webp_vp8(width: int, height: int) -> bytes:
    frame = b"\0\0\0" + b"\x9d\x01\x2a" + struct.pack("<HH", width, height)
    body = b"VP8 " + struct.pack("<I", len(frame)) + frame
    return b"RIFF" + struct.pack("<I", len(body) + 4) + b"WEBP" + body


def webp_vp8l(width: int, height: int) -> bytes:
    bits = (width - 1) | ((height - 1) << 14)
    frame = b"\x2f" + bits.to_bytes(4, "little")
    body = b"VP8L" + struct.pack("<I", len(frame)) + frame
    return b"RIFF" + struct.pack("<I", len(body) + 4) + b"WEBP" + body


@pytest.mark.parametrize(("media_type", "make"), [
    ("image/png", png), ("image/gif", gif), ("image/jpeg", jpeg), ("image/webp", webp_vp8x),
    ("image/webp", webp_vp8), ("image/webp", webp_vp8l),
])
def test_image_sizes_are_read_from_every_kind_of_header(media_type, make):
    assert inspect_image(media_type, make(4096, 3906)) is None
    assert inspect_image(media_type, make(5000, 300)) == (
        "an image of 5,000×300 pixels; the limit is 4,096 pixels a side")
    assert inspect_image(media_type, make(300, 4097)) == (
        "an image of 300×4,097 pixels; the limit is 4,096 pixels a side")


def test_an_image_of_too_many_pixels_is_refused():
    assert inspect_image("image/png", png(4000, 4000)) is None
    assert inspect_image("image/png", png(4096, 4096)) == (
        "an image of 4,096×4,096 pixels (16,777,216 pixels); the limit is 16,000,000 pixels")


def test_an_image_of_too_many_bytes_is_refused():
    header = len(png(1, 1))
    assert inspect_image("image/png", png(10, 10, MAX_IMAGE_BYTES - header)) is None
    assert inspect_image("image/png", png(10, 10, 300_000 - header)) == (
        "an image of 300,000 bytes; the limit is 262,144 bytes")


@pytest.mark.parametrize(("data", "looks"), [
    (b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "SVG text"),
    (b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg"/>', "SVG text"),
    (jpeg(10, 10), "JPEG"),
    (b"<!DOCTYPE html><html><script>alert(1)</script></html>", "HTML"),
    (b"\x00\x01\x02\x03garbage", "unknown data"),
])
def test_an_image_whose_bytes_are_not_of_its_type_is_refused(data, looks):
    assert inspect_image("image/png", data) == (
        f"an image declared image/png whose bytes are not PNG (they look like {looks}); only "
        "PNG, JPEG, GIF and WebP rasters may be embedded")


def test_only_rasters_may_be_embedded():
    assert inspect_image("image/svg+xml", b"<svg/>") == (
        "an image declared image/svg+xml (its bytes look like SVG text); only PNG, JPEG, GIF "
        "and WebP rasters may be embedded")


def test_an_image_with_a_damaged_header_is_refused():
    assert "whose header is damaged" in inspect_image("image/png", png(1, 1)[:20])
    assert "whose header is damaged" in inspect_image("image/png", png(0, 10))
    assert "whose header is damaged" in inspect_image("image/jpeg", b"\xff\xd8\xff\xe0")


def _data_url(media_type: str, data: bytes) -> str:
    return f"data:{media_type};base64,{base64.b64encode(data).decode()}"


def test_images_in_any_text_are_checked_at_the_text():
    text = RECORD.replace("text: The cache node stops answering.",
                          f"text: 'A graph: ![graph]({_data_url('image/png', png(5000, 300))})'")
    assert refusal(text) == (f"{position(text, chr(39) + 'A graph')} error: timeline[0].text: "
                             "an image of 5,000×300 pixels; the limit is 4,096 pixels a side")
    svg = _data_url("image/png", b"<svg xmlns='http://www.w3.org/2000/svg'/>")
    assert refusal(with_summary(f"See ![x]({svg})")).endswith(
        "error: summary: an image declared image/png whose bytes are not PNG (they look like "
        "SVG text); only PNG, JPEG, GIF and WebP rasters may be embedded")
    assert problems(with_summary(f"See ![x]({_data_url('image/png', png(40, 30))})")) == []


def test_an_image_whose_base64_cannot_be_decoded_is_refused():
    assert "whose base64 data cannot be decoded" in refusal(
        with_summary("See ![x](data:image/png;base64,iVBOR!!!!)"))


# Numbers.

def _site_count(written: str) -> str:
    return RECORD.replace("  - service: Checkout\n",
                          f"  - service: Checkout\n    site_count: {written}\n")


def test_a_count_at_the_cap_validates_and_a_larger_one_is_refused():
    assert problems(_site_count("1000000000000")) == []
    text = _site_count("1234567890123456789012345678")
    assert refusal(text) == (
        f"{position(text, '1234567')} error: impacts[0].site_count: "
        "1,234,567,890,123,456,789,012,345,678 is too large; the limit is 1,000,000,000,000")
    assert "1,000,000,000,001 is too large" in refusal(_site_count("1000000000001"))
    assert any("is too large; the limit is 1,000,000,000,000" in problem.message
               for problem in problems(_site_count("1.0e+30")))


def _quantity(written: str) -> str:
    return RECORD + f"quantities:\n  - value: {written}\n    unit: carts\n"


def test_a_quantity_below_ten_to_the_fifteen_validates_and_not_above():
    assert problems(_quantity("999999999999999")) == []
    assert problems(_quantity("0.123456789012345")) == []
    text = _quantity("1000000000000000")
    assert refusal(text) == (f"{position(text, '1000000')} error: quantities[0].value: "
                             "1,000,000,000,000,000 is too large; the limit is "
                             "999,999,999,999,999")
    assert refusal(_quantity("0.12345678901234567")).endswith(
        "error: quantities[0].value: 0.12345678901234566 has 17 significant digits; the limit "
        "is 15 digits")


@pytest.mark.parametrize(("text", "message"), [
    # YAML reads `1e308` (no dot) and a quoted number as text; the model reads them as numbers.
    (_quantity("1e308"), "quantities[0].value: 1e+308 is too large; the limit is "
                         "999,999,999,999,999"),
    (_quantity("'2000000000000000'"), "quantities[0].value: 2,000,000,000,000,000 is too large; "
                                      "the limit is 999,999,999,999,999"),
    (_site_count('"1234567890123456789012345678"'),
     "impacts[0].site_count: 1,234,567,890,123,456,789,012,345,678 is too large; the limit is "
     "1,000,000,000,000"),
])
def test_a_number_written_as_text_is_bounded_too_and_refused_once(text, message):
    found = problems(text)
    assert [f"{problem.field}: {problem.message}" for problem in found] == [message]


# Instants.

@pytest.mark.parametrize("written", [
    "1900-01-01T00:00+14:00", "2199-12-31T23:59-12:00", "after 2199-12-31T23:59+02:00",
    "before 1900-01-01T00:00Z", "about 1900-01-01T00:00Z", "2199-12", "1900-01-01",
])
def test_instants_at_the_bounds_of_the_years_validate(written):
    text = RECORD.replace("ended: 2025-03-02T10:40Z", f"ended: '{written}'").replace(
        "started: 2025-03-02T10:00Z", "started: '1900-01-01T00:00+14:00'")
    assert problems(text) == []


@pytest.mark.parametrize(("field", "old", "written"), [
    ("key_instants.started.at", "at: 2025-03-02T10:00Z", "0001-01-01T00:00+14:00"),
    ("impacts[0].ended", "ended: 2025-03-02T10:40Z", "after 9999-12-31T23:59+02:00"),
    ("impacts[0].ended", "ended: 2025-03-02T10:40Z",
     "between 2199-12-31T23:00Z and 2200-01-01T01:00Z"),
    ("impacts[0].ended", "ended: 2025-03-02T10:40Z", "2200-01"),
    ("impacts[0].ended", "ended: 2025-03-02T10:40Z", "1899-12-31"),
    ("impacts[0].ended", "ended: 2025-03-02T10:40Z", "within 20000 w after started"),
    ("impacts[0].ended", "ended: 2025-03-02T10:40Z", "999999999999 w after started"),
])
def test_instants_outside_the_years_are_refused(field, old, written):
    key = old.split(":")[0]
    text = RECORD.replace(old, f"{key}: '{written}'", 1)
    assert refusal(text) == (f"{position(text, repr(written))} error: {field}: {written!r} is "
                             "outside the years 1900 to 2199 that a record may use")


def test_days_outside_the_years_are_refused():
    text = RECORD + ("actions:\n  - id: fix\n    action: Add memory\n    owner: SRE\n"
                     "    type: prevent\n    due: 9999-12-31\n")
    assert refusal(text).endswith("error: actions[0].due: '9999-12-31' is outside the years "
                                  "1900 to 2199 that a record may use")


def test_an_offset_that_is_not_one_is_refused_without_a_traceback(run, tmp_path):
    text = RECORD.replace("at: 2025-03-02T10:00Z", "at: 2025-03-02T10:00+25:00", 1)
    assert refusal(text) == (f"{position(text, '2025-03-02T10:00+25')} error: "
                             "key_instants.started.at: '+25:00' is not a UTC offset: offsets "
                             "run from -12:00 to +14:00")
    path = tmp_path / "r.yaml"
    path.write_text(text.replace("at: 2025-03-02T10:00Z", "at: 2025-03-02T10:00-12:30", 1))
    status, _out, err = run("validate", path)
    assert status == 1 and "Traceback" not in err
    assert "'+25:00' is not a UTC offset" in err and "'-12:30' is not a UTC offset" in err


# Ids, characters, echoes.

@pytest.mark.parametrize("ident", ["con", "prn", "aux", "nul", "com1", "lpt9", "com0"])
def test_windows_device_names_are_refused_as_ids(ident):
    text = RECORD.replace("id: 2025-03-02-checkout-latency", f"id: {ident}")
    assert refusal(text) == (f"2:5: error: id: {ident!r} is a device name on Windows, where its "
                             "reports could not be written; choose another id")


def test_an_id_that_only_starts_like_a_device_name_is_valid():
    assert problems(RECORD.replace("id: 2025-03-02-checkout-latency", "id: console")) == []


BIDI_MESSAGE = ("contains the bidirectional control character U+202E (RIGHT-TO-LEFT OVERRIDE), "
                "which makes text display in another order than it is read; remove it")


def test_a_bidirectional_control_is_refused_at_its_value():
    text = RECORD.replace("title: Checkout latency", "title: Checkout \u202elatency")
    assert refusal(text) == f"3:8: error: title: {BIDI_MESSAGE}"


@pytest.mark.parametrize(("old", "new", "expected"), [
    ("title: Checkout latency", 'title: "Checkout \\u202Elatency', "3:8: error: title: "),
    ("    kind: trigger", "    kind\u2066: trigger", "21:5: error: timeline[0]: "),
    ("timeline:", "# a \u202e comment\ntimeline:", "19:5: error: "),
])
def test_bidirectional_controls_are_refused_anywhere(old, new, expected):
    text = RECORD.replace(old, new)
    if new.count('"') == 1:
        text = text.replace("failure\n", 'failure"\n', 1)
    found = [str(problem).removeprefix("r.yaml:") for problem in problems(text)]
    assert any(line.startswith(expected) and "bidirectional control character U+" in line
               for line in found), found


def test_marks_of_direction_are_allowed():
    assert problems(RECORD.replace("title: Checkout latency", "title: Checkout\u200f latency"
                                   "\u200e")) == []


def test_a_control_character_written_as_an_escape_is_refused():
    text = RECORD.replace("title: Checkout latency after a cache node failure",
                          'title: "Checkout\\0 latency"')
    assert refusal(text) == ("3:8: error: title: contains the control character U+0000 (written "
                             "as an escape), which a report cannot show; remove it")


@pytest.mark.parametrize(("old", "new"), [
    ("    kind: trigger", "    " + "k" * 500 + ": trigger\n    kind: trigger"),
    ("at: 2025-03-02T10:00Z", "at: " + "x" * 500),
    ("at: 2025-03-02T10:00Z", "at: 5 min after " + "a" * 500),
    ("category: capacity", "category: " + "c" * 500),
    ("kind: trigger", "kind: " + "t" * 500),
    ("lang: en", "lang: " + "e" * 500),
    ("    text: The cache node stops answering.",
     "    text: The cache node stops answering.\n    sources: [" + "s" * 500 + "]"),
])
def test_echoed_values_are_cut_at_sixty_characters(old, new):
    found = problems(RECORD.replace(old, new, 1))
    assert found
    for problem in found:
        for run_of_letters in problem.message.replace("…", " ").split():
            assert len(run_of_letters.strip("'\",.;:()[]")) <= 60, problem.message


@pytest.mark.parametrize(("old", "new"), [
    ("id: 2025-03-02-checkout-latency", "id: Not A Slug"),
    ("category: capacity", "category: Not A Slug"),
    ("lang: en", "lang: english"),
    ("    text: The cache node stops answering.",
     "    text: The cache node stops answering.\n    id: Not A Slug"),
])
def test_pattern_messages_never_show_a_regular_expression(old, new):
    found = problems(RECORD.replace(old, new))
    assert found
    for problem in found:
        assert "^" not in problem.message and "[a-z" not in problem.message, problem.message


# Reading a record's bytes.

def _finishes(call, seconds: float = 10) -> object:
    """Run call in a thread; fail if it does not finish in time (a blocking open or read)."""
    outcome: list[object] = []
    thread = threading.Thread(target=lambda: outcome.append(_catch(call)), daemon=True)
    thread.start()
    thread.join(seconds)
    assert outcome, "the call did not finish: it blocks"
    return outcome[0]


def _catch(call):
    try:
        return call()
    except RecordError as error:
        return error


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="FIFOs are a POSIX feature")
def test_a_fifo_is_refused_without_blocking(tmp_path):
    fifo = tmp_path / "record.yaml"
    os.mkfifo(fifo)
    error = _finishes(lambda: read_incident(fifo))
    assert isinstance(error, RecordError)
    assert str(error) == f"{fifo}:1:1: error: not a regular file (a FIFO): a record is a YAML file"


def test_a_folder_and_a_device_are_refused(tmp_path):
    error = _finishes(lambda: read_source(tmp_path))
    assert isinstance(error, RecordError) and "not a regular file (a folder)" in str(error)
    if os.path.exists("/dev/zero"):
        error = _finishes(lambda: read_source("/dev/zero"))
        assert isinstance(error, RecordError)
        assert "not a regular file (a character device)" in str(error)


def test_read_source_returns_the_bytes_up_to_the_cap(tmp_path):
    path = tmp_path / "r.yaml"
    path.write_bytes(b"a" * MAX_BYTES)
    assert read_source(path) == b"a" * MAX_BYTES
    path.write_bytes(b"a" * (MAX_BYTES + 1))
    with pytest.raises(RecordError) as caught:
        read_source(path)
    assert str(caught.value) == (
        f"{path}:1:1: error: file is 524,289 bytes; the limit is 524,288 bytes (512 KiB): an "
        "incident record is text, keep logs and attachments in separate files")
    with pytest.raises(RecordError, match="cannot read the file"):
        read_source(tmp_path / "missing.yaml")


def test_an_image_at_the_byte_cap_fits_in_a_text_whose_prose_is_within_its_cap():
    header = len(png(1, 1))
    image = _data_url("image/png", png(10, 10, MAX_IMAGE_BYTES - header))
    assert len(image) > MAX_TEXT
    assert problems(with_summary(f"See ![x]({image})")) == []
    text = with_summary("x" * MAX_TEXT + f" ![x]({image})")
    assert refusal(text).endswith(f"error: summary: {MAX_TEXT + 29:,} characters; the limit is "
                                  "20,000 characters")


def test_a_quantity_that_is_not_a_number_is_named_so():
    assert refusal(_quantity(".nan")).endswith(
        "error: quantities[0].value: value must be a finite number, found the number nan")
