"""What a record or a template cannot make the reports do: run code, fetch, forge, crash.

A workspace may render records and templates it did not write. Templates run in a
sandbox; record text reaches the Markdown review inert (a forge renders raw HTML and
follows links, so the `.md` gets the rules the HTML page applies); a table keeps its
columns whatever text reaches a cell; deep nesting and disguised images stop at the
renderer, whatever validation let through.
"""

from __future__ import annotations

import base64
import re
import struct
import zlib
from dataclasses import replace
from pathlib import Path

import pytest
import yaml
from markdown_it import MarkdownIt
from test_every_field import RecordBuilder

from postmortem.analysis.across import Summary, review
from postmortem.errors import TemplateError
from postmortem.render.environment import markdown_table, table_cell
from postmortem.render.index import render_index_markdown
from postmortem.render.markdown import render_markdown
from postmortem.render.neutral import neutral_markdown
from postmortem.render.page import markdown_inline_to_html, markdown_to_html
from postmortem.render.safety import RENDER_NESTING
from postmortem.render.settings import RenderSettings
from postmortem.workspace.pipeline import read_report

from support import RECORDS, plain

MINIMAL = (RECORDS / "minimal.yaml").read_text(encoding="utf-8")


def _png(width: int = 1, height: int = 1) -> bytes:
    """Return a real PNG of one grey pixel per pixel."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))
    rows = b"".join(b"\x00" + b"\x80" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


PNG = "data:image/png;base64," + base64.b64encode(_png()).decode()
_SVG = base64.b64encode(b'<svg xmlns="http://www.w3.org/2000/svg" width="200" height="40">'
                        b'<text x="0" y="30">SVGLEAK</text></svg>').decode()
#: An SVG whose text would print, sent as a PNG, and as itself.
SVG_AS_PNG = "data:image/png;base64," + _SVG
SVG = "data:image/svg+xml;base64," + _SVG


def _record(**changes: object) -> bytes:
    """Return the minimal record with some fields set: 'key_instants.started.what'."""
    data = yaml.safe_load(MINIMAL)
    for path, value in changes.items():
        part = data
        *parents, last = path.split(".")
        for name in parents:
            part = part[int(name)] if name.isdigit() else part.setdefault(name, {})
        part[last] = value
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False).encode()


def _report(source: bytes):
    return read_report("record.yaml", source, history=None)[1]


def _markdown(**changes: object) -> str:
    return render_markdown(_report(_record(**changes)))


# --- What a forge sees ----------------------------------------------------------------

#: Schemes a link may have in a review; any other is run or fetched by the browser.
_SAFE_SCHEME = re.compile(r"^(https?:|mailto:|#)", re.IGNORECASE)
_ANY_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")


def _forge() -> MarkdownIt:
    """Parse as a permissive forge: raw HTML on, every link scheme kept, tables."""
    parser = MarkdownIt("commonmark", {"html": True}).enable("table")
    parser.validateLink = lambda url: True  # markdown-it would drop javascript: itself
    return parser


def forged(markdown: str) -> list[str]:
    """Return what a forge would render as HTML, fetch as an image or follow unsafely."""
    found = []
    for token in _forge().parse(markdown):
        if token.type == "html_block":
            found.append(f"html block {token.content[:60]!r}")
        for child in token.children or ():
            src, href = str(child.attrs.get("src", "")), str(child.attrs.get("href", ""))
            if child.type == "html_inline":
                found.append(f"html {child.content[:60]!r}")
            elif child.type == "image" and not src.startswith("data:image/"):
                found.append(f"image {src[:60]!r}")
            elif (child.type == "link_open" and _ANY_SCHEME.match(href)
                  and not _SAFE_SCHEME.match(href)):
                found.append(f"link {href[:60]!r}")
    return found


HOSTILE = ("<img src=http://evil.example/a.png> <script>alert(1)</script> "
           "![i](http://evil.example/i.png) ![f](file:///etc/passwd) [j](javascript:alert(1)) "
           "<javascript:alert(2)> [d](data:text/html,x) [v](vbscript:x) <!-- c -->")


def _every_field(text: str, address: str) -> bytes:
    """Return a record whose every field is filled, each text ending with `text`."""
    built = RecordBuilder("en").build()

    def fill(value: object) -> object:
        if isinstance(value, dict):
            return {key: (address if key in ("url", "archive", "link") else fill(item))
                    for key, item in value.items()}
        if isinstance(value, list):
            return [fill(item) for item in value]
        if isinstance(value, str) and re.fullmatch(r"QX\d+", value):
            return f"{value} {text}"
        return value

    return yaml.safe_dump(fill(built.data), allow_unicode=True, sort_keys=False).encode()


@pytest.fixture(scope="module")
def hostile_report():
    return _report(_every_field(HOSTILE, "javascript:alert(3)"))


def test_a_review_whose_every_field_is_hostile_gives_a_forge_nothing_to_run(hostile_report):
    markdown = render_markdown(hostile_report)
    assert forged(markdown) == []
    # The text is still there, as text: a reader sees what the record says.
    assert "\\<img src=http://evil.example/a.png>" in markdown
    assert "[i](http://evil.example/i.png)" in markdown  # a remote image: a plain link
    assert "QX102 " in markdown


def test_the_index_of_a_hostile_record_gives_a_forge_nothing_to_run(hostile_report):
    index = review([Summary.of(hostile_report)], hostile_report.incident.as_of
                   or hostile_report.incident.key_instants.started.at.reference.date(),
                   failed=["incidents/<img src=x onerror=alert(1)>.yaml"])
    markdown = render_index_markdown(index, RenderSettings().language("en", "UTC"))
    assert forged(markdown) == []
    _assert_tables_keep_their_columns(markdown)


@pytest.mark.parametrize(("text", "inert"), [
    ("<img src=http://e.example/x.png>", "\\<img src=http://e.example/x.png>"),
    ("a <b>bold</b> c", "a \\<b>bold\\</b> c"),
    ("<!-- hidden -->", "\\<!-- hidden -->"),
    ("![x](http://e.example/x.png)", "[x](http://e.example/x.png)"),
    ("![x](file:///etc/passwd) and ![y](y.png)", "x and y"),
    ("[a](javascript:alert(1))", "a"),
    ("[a](<javascript:x> \"t\")", "a"),
    ("[c](data:text/html,<b>) [m](mailto:a@b.example)", "c [m](mailto:a@b.example)"),
    ("<javascript:alert(1)> <https://ok.example/>",
     "\\<javascript:alert(1)> <https://ok.example/>"),
    ("[r]: http://e.example/x.png\n\n![a][r]", "\\[r]: http://e.example/x.png\n\n![a][r]"),
    ("`<b>` and <i>", "`<b>` and \\<i>"),
    ("```\n<script>\n```\n<script>", "```\n<script>\n```\n\\<script>"),
    (f"![s]({SVG_AS_PNG})", "s"),
])
def test_record_markdown_is_made_inert(text, inert):
    assert neutral_markdown(text) == inert
    assert neutral_markdown(inert) == inert
    assert forged(inert) == []


ORDINARY = [
    "Some **bold**, _emphasis_, `code <b>` and a [link](https://example.org/a_b).",
    f"A chart: ![latency]({PNG}).",
    "| a | b |\n| --- | --- |\n| `x\\|y` | [t](https://example.org) |",
    "- one\n- two\n\n> quoted *text*\n\n```\ncode\n```",
    "[a report](2025-03-02-checkout-latency.md) and [an anchor](#summary)",
    "Write to <ops@example.org> or <https://status.example.org/a?b=c>.",
]


@pytest.mark.parametrize("text", ORDINARY)
def test_ordinary_markdown_is_left_as_written(text):
    assert neutral_markdown(text) == text


def test_ordinary_markdown_in_a_record_reaches_the_review_unchanged():
    summary = ("Checkout **slowed** for `40 min`; see [the status page]"
               f"(https://status.example.org/1).\n\n![graph]({PNG})")
    markdown = _markdown(summary=summary)
    assert summary in markdown


def test_two_texts_side_by_side_cannot_make_a_link_together():
    # Each name alone is harmless; written one after the other they would be a link.
    markdown = _markdown(**{"review.authors": [{"name": "[click"},
                                               {"name": "](javascript:alert(1))"}]})
    assert forged(markdown) == []
    assert "click" in markdown


def test_an_address_that_is_not_a_web_address_is_not_made_a_link():
    markdown = _markdown(sources=[{"id": "s1", "title": "Status", "url": "javascript:alert(1)",
                                   "archive": "https://archive.example/s1"}],
                         **{"timeline.0.sources": ["s1"]})
    assert forged(markdown) == []
    assert "`javascript:alert(1)`" in markdown
    assert "<https://archive.example/s1>" in markdown


# --- Tables -----------------------------------------------------------------------------

def _cells_gfm(row: str) -> list[str]:
    """Split a table row as cmark-gfm does: a backslash escapes the next character."""
    cells, cell, position = [], "", 0
    row = row.strip()
    if row.startswith("|"):
        row = row[1:]
    while position < len(row):
        char = row[position]
        if char == "\\" and position + 1 < len(row):
            cell += row[position:position + 2]
            position += 2
            continue
        if char == "|":
            cells.append(cell)
            cell = ""
        else:
            cell += char
        position += 1
    if cell.strip():
        cells.append(cell)
    return cells


def _assert_tables_keep_their_columns(markdown: str) -> None:
    """Every row of every table has its header's cells, for markdown-it and for cmark-gfm."""
    lines = markdown.splitlines()
    tables = 0
    widths: list[int] = []
    for token in MarkdownIt("commonmark").enable("table").parse(markdown):
        if token.type == "table_open":
            tables += 1
            start, end = token.map
            columns = len(_cells_gfm(lines[start + 1]))  # the delimiter row
            for row in lines[start:end]:
                assert len(_cells_gfm(row)) == columns, row
            widths = []
        elif token.type == "tr_open":
            widths.append(0)
        elif token.type in ("th_open", "td_open"):
            widths[-1] += 1
        elif token.type == "table_close":
            assert set(widths) == {columns}, widths
    assert tables


#: Pipes every way a text may hold them, line breaks, a row of its own, emphasis markers.
TABLE_HOSTILE = "| x | **INJ 0 min** | 01:00 \\| a \\\\| b \\\\\\| c |\nnext | line\n\n| --- |"


def test_hostile_text_in_every_field_keeps_every_table_and_its_figures():
    report = _report(_every_field(TABLE_HOSTILE, "http://a | b | c"))
    markdown = render_markdown(report)
    _assert_tables_keep_their_columns(markdown)
    # The figures are in their own column, not pushed along by a cell's text.
    key_figures = markdown.split("## Key figures")[1].split("\n\n")[1]
    for row in key_figures.splitlines()[2:]:
        cells = _cells_gfm(row)
        assert re.match(r" \*\*[^*]+\*\*", cells[1]), row


def test_known_forgeries_stay_in_their_cell():
    markdown = _markdown(**{
        "key_instants.detected.what": "x | **INJ 0 min** | 01:00",
        "actions": [{"id": "a1", "action": "Do it", "owner": "Bob", "due": "2025-04-01",
                     "link": "http://a | b | c", "type": "mitigate", "priority": "high",
                     "status": "open"}]})
    _assert_tables_keep_their_columns(markdown)
    row = next(line for line in markdown.splitlines() if line.startswith("| `a1`"))
    assert plain(_cells_gfm(row)[2]) == " Bob "
    assert plain(_cells_gfm(row)[3]) == " April 1, 2025 "


@pytest.mark.parametrize(("value", "cell"), [
    ("a | b", "a \\| b"),
    ("a \\| b", "a \\| b"),            # already escaped: left as it is
    ("a \\\\| b", "a \\\\\\| b"),      # a backslash, then a pipe: the pipe is escaped
    ("| lead and trail |", "\\| lead and trail \\|"),
    ("one\ntwo", "one two"),
    ("", "—"),
])
def test_a_cell_is_one_line_with_every_pipe_escaped(value, cell):
    assert table_cell(value) == cell


def test_a_table_of_hostile_cells_keeps_its_columns():
    hostile = ["a | b", "a \\| b", "a \\\\| b", "|", "\\", "x\n| y |", "<b>|</b>", "`|`"]
    table = markdown_table(["One", "Two"], [[value, value] for value in hostile])
    _assert_tables_keep_their_columns(table)


# --- Templates --------------------------------------------------------------------------

def _render_with(folder: Path, name: str, text: str | bytes, tmp_path: Path) -> str:
    folder.mkdir(exist_ok=True)
    path = folder / name
    path.write_bytes(text if isinstance(text, bytes) else text.encode())
    return render_markdown(_report(_record()), RenderSettings(template_dirs=(folder,)))


def test_a_template_cannot_reach_out_of_its_sandbox(tmp_path):
    ran = tmp_path / "ran"
    escape = f"{{{{ cycler.__init__.__globals__.os.system('touch {ran}') }}}}"
    with pytest.raises(TemplateError) as caught:
        _render_with(tmp_path / "templates", "report.md.j2", f"# Title\n\n{escape}\n", tmp_path)
    assert not ran.exists()
    (problem,) = caught.value.problems
    assert problem.path == str(tmp_path / "templates" / "report.md.j2")
    assert (problem.line, problem.column) == (3, 1)
    assert problem.message.startswith(
        "template: unsafe access refused (templates run in a sandbox): ")


def test_a_template_cannot_change_the_values_it_is_given(tmp_path):
    with pytest.raises(TemplateError) as caught:
        _render_with(tmp_path / "templates", "report.md.j2",
                     "{{ incident.timeline.append(1) }}\n", tmp_path)
    assert "unsafe access refused" in str(caught.value)


def test_an_included_template_is_sandboxed_too(tmp_path):
    folder = tmp_path / "templates"
    folder.mkdir()
    (folder / "part.j2").write_text("ok\n{{ ''.__class__.__mro__ }}\n", encoding="utf-8")
    with pytest.raises(TemplateError) as caught:
        _render_with(folder, "report.md.j2", '{% include "part.j2" %}\n', tmp_path)
    (problem,) = caught.value.problems
    assert (problem.path, problem.line) == (str(folder / "part.j2"), 2)


def test_a_template_that_is_not_utf8_is_reported_at_its_first_line(tmp_path):
    folder = tmp_path / "templates"
    with pytest.raises(TemplateError) as caught:
        _render_with(folder, "report.md.j2", b"# Title\n\ncaf\xe9\n", tmp_path)
    (problem,) = caught.value.problems
    assert str(problem).startswith(
        f"{folder / 'report.md.j2'}:1:1: error: template is not UTF-8 text: byte 0xE9 on line 3")


def test_an_included_template_that_is_not_utf8_is_named(tmp_path):
    folder = tmp_path / "templates"
    folder.mkdir()
    (folder / "part.j2").write_bytes(b"\xff\xfe")
    with pytest.raises(TemplateError) as caught:
        _render_with(folder, "report.md.j2", '{% include "part.j2" %}\n', tmp_path)
    assert str(caught.value).startswith(f"{folder / 'part.j2'}:1:1: error: template is not UTF-8")


def test_a_missing_include_names_who_includes_it_and_where_it_was_looked_for(tmp_path):
    folder = tmp_path / "templates"
    with pytest.raises(TemplateError) as caught:
        _render_with(folder, "report.md.j2", 'one\ntwo\n{% include "missing.j2" %}\n', tmp_path)
    (problem,) = caught.value.problems
    assert (problem.path, problem.line, problem.column) == (str(folder / "report.md.j2"), 3, 1)
    assert "report.md.j2 includes 'missing.j2'" in problem.message
    assert str(folder) in problem.message and "templates" in problem.message


def test_what_a_workspace_template_writes_itself_is_kept(tmp_path):
    # Its own HTML is the workspace's choice; the record's text in it is still inert.
    folder = tmp_path / "templates"
    folder.mkdir()
    (folder / "report.md.j2").write_text(
        "<details>\n\n{{ incident.title }}\n\n</details>\n", encoding="utf-8")
    report = _report(_record(title="A **bold** <b>title</b>"))
    markdown = render_markdown(report, RenderSettings(template_dirs=(folder,)))
    assert markdown == "<details>\n\nA **bold** \\<b>title\\</b>\n\n</details>\n"


def test_the_bundled_templates_run_in_the_sandbox():
    markdown = render_markdown(_report((RECORDS / "tables.yaml").read_bytes()))
    assert "## Timeline" in markdown


# --- Backstops --------------------------------------------------------------------------

DEEP = "**" * 250 + "x" + "**" * 250


def test_deep_emphasis_is_cut_before_it_reaches_the_page():
    html, _ = markdown_to_html(DEEP)
    assert 16 <= html.count("<strong>") <= RENDER_NESTING
    assert "x" in html
    assert 16 <= markdown_inline_to_html(DEEP).count("<strong>") <= RENDER_NESTING


@pytest.mark.parametrize("text", [
    DEEP, "> " * 250 + "x", "[" * 250 + "x" + "](https://e.example)" * 250,
    "".join("  " * depth + "- item\n" for depth in range(100)),
])
def test_deeply_nested_text_renders_to_html(text):
    from postmortem.render.page import render_html

    # Built past validation, which refuses such a text: the renderer stands on its own.
    report = _report(_record(summary="placeholder"))
    report = replace(report, incident=report.incident.model_copy(update={"summary": text}))
    assert "</html>" in render_html(report)


def test_the_deepest_text_the_renderer_keeps_prints_to_pdf():
    from postmortem.render.page import render_html
    from postmortem.render.pdf import render_pdf

    report = _report(_record(summary="placeholder"))
    report = replace(report, incident=report.incident.model_copy(update={"summary": DEEP}))
    html = render_html(report)
    assert html.count("<strong>") > 2 * 16
    assert render_pdf(report, html, MINIMAL.encode(), "minimal.yaml").startswith(b"%PDF-")


@pytest.mark.parametrize("image", [SVG_AS_PNG, SVG])
def test_an_svg_image_is_not_embedded_in_the_page(image):
    html, _ = markdown_to_html(f"before ![shown as text]({image}) after")
    assert "<img" not in html
    assert "shown as text" in html
    assert "<img" in markdown_to_html(f"![real]({PNG})")[0]


@pytest.mark.parametrize("image", [SVG_AS_PNG, SVG])
def test_an_svg_image_never_reaches_the_pdf(image):
    pypdf = pytest.importorskip("pypdf")
    pytest.importorskip("weasyprint")
    from datetime import UTC, datetime
    from io import BytesIO

    from postmortem.render.pdf import print_pdf

    html = (f'<!DOCTYPE html><html lang="en"><head><title>t</title></head><body>'
            f'<p>page</p><img src="{image}" alt="a"><img src="{PNG}" alt="b"></body></html>')
    pdf = print_pdf(html, datetime(2025, 1, 1, tzinfo=UTC))
    text = "".join(page.extract_text() for page in pypdf.PdfReader(BytesIO(pdf)).pages)
    assert "page" in text and "SVGLEAK" not in text


def test_a_code_fence_left_open_in_one_field_does_not_swallow_the_review():
    markdown = _markdown(summary="Checkout slowed down.\n\n```\nSELECT * FROM orders")
    after_summary = markdown.split("SELECT * FROM orders", 1)[1]
    assert after_summary.lstrip().startswith("```")
    blocks = [token for token in MarkdownIt("commonmark").parse(markdown) if token.type == "fence"]
    assert [block.content for block in blocks] == ["SELECT * FROM orders\n"]
    assert "The cache node stops answering." in plain(markdown)
