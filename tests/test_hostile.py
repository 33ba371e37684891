"""The bad-input corpus: every hostile record is refused with its exact message and position.

Each class of bad input is a file in tests/hostile/ (one change from `valid.yaml`), or bytes
built here when a file in the repository cannot or should not hold them (a FIFO, a symlink,
a device, NUL bytes, megabytes). `tests/hostile/expected.toml` says, for each class, what it
tries and the exact `line:col: error: …` lines that every command prints for it. Each class is
run through `validate` and `render --format md,html` (or `build`, for a workspace): exit
status 1, no traceback, exactly those lines, no output written, the input bytes unchanged.
"""

from __future__ import annotations

import base64
import hashlib
import os
import shutil
import struct
import subprocess
import sys
import tomllib
import zlib
from collections.abc import Callable
from pathlib import Path

import pytest
from markdown_it import MarkdownIt

from postmortem.cli import main

from strategies import markdown_tables
from support import ROOT, plain

HOSTILE = Path(__file__).resolve().parent / "hostile"
VALID = HOSTILE / "valid.yaml"
EXPECTED: dict[str, dict] = tomllib.loads((HOSTILE / "expected.toml").read_text())
# Records that are valid on purpose: what they carry must come out harmless.
HARMLESS = ("forged-table-cells", "raw-html")
SUBPROCESS_TIMEOUT = 15  # seconds; a command that blocks (on a FIFO, say) fails, never hangs


# --- Bytes that a file in the repository should not hold: built from valid.yaml -----------

def _valid() -> str:
    return VALID.read_text(encoding="utf-8")


def _replace(old: str, new: str) -> bytes:
    text = _valid()
    assert old in text, old
    return text.replace(old, new, 1).encode("utf-8")


TITLE = "title: Checkout latency after a cache node failure"
SUMMARY = "summary: Checkout slowed down for 40 minutes after a cache node failed."


def _in_title(character: str) -> bytes:
    return _replace(TITLE, f"title: Checkout latency{character} after a cache node failure")


def _summary_block(lines: list[str]) -> bytes:
    return _replace(SUMMARY, "summary: |\n" + "".join(f"  {line}\n" for line in lines).rstrip())


def _png(width: int, height: int, padding: int = 0) -> bytes:
    """A PNG signature and IHDR chunk of the given size, then `padding` bytes in a chunk."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    data = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
    if padding:
        data += chunk(b"tEXt", b"c\x00" + b"x" * (padding - len(data) - 12 - 2 - 12))
    return data + chunk(b"IEND", b"")


def _image_in_summary(media_type: str, data: bytes) -> bytes:
    encoded = base64.b64encode(data).decode("ascii")
    return _replace(SUMMARY, f"summary: 'A chart: ![load](data:{media_type};base64,{encoded})'")


def _timeline_entries(count: int) -> bytes:
    entry = ("  - at: 2025-03-02T10:00Z\n    kind: trigger\n    text: The cache node stops "
             "answering.\n")
    old = entry + "    sources: [status-page]\n"
    return _replace(old, entry * count)


def _communications(count: int) -> bytes:
    said = "    said: We are looking into slow checkouts.\n"
    start = _valid().index("communications:\n") + len("communications:\n")
    end = _valid().index(said) + len(said)
    one = _valid()[start:end]
    return _replace(one, one * count)


def _sources(count: int) -> bytes:
    old = "  - id: status-page\n    title: Status page history\n    published: 2025-03-03\n"
    extra = "".join(f"  - id: source-{n}\n    title: Source {n}\n" for n in range(count - 1))
    return _replace(old, old + extra)


GENERATED: dict[str, Callable[[], bytes]] = {
    "nul-byte": lambda: _in_title("\x00"),
    "control-bell": lambda: _in_title("\x07"),
    "control-escape-raw": lambda: _in_title("\x1b[31m"),
    "control-delete": lambda: _in_title("\x7f"),
    "control-c1-csi": lambda: _in_title("\x9b"),
    "empty-file": lambda: b"",
    "oversized-2mb": lambda: VALID.read_bytes() + b"#" * (2 * 1024 * 1024 - VALID.stat().st_size),
    "one-byte-over": lambda: VALID.read_bytes() + b"#" * (512 * 1024 + 1 - VALID.stat().st_size),
    "long-line-bad-value": lambda: _replace("severity: moderate", "severity: " + "x" * 5000),
    "list-timeline-5000": lambda: _timeline_entries(5000),
    "list-communications-600": lambda: _communications(600),
    "list-sources-250": lambda: _sources(250),
    "text-120000": lambda: _replace(SUMMARY, "summary: " + "word " * 23_999 + "last."),
    "table-2000-rows": lambda: _summary_block(  # 2,000 rows under the header row
        ["|a|b|", "|-|-|"] + ["|1|2|"] * 2000),
    "table-200-columns": lambda: _summary_block(
        ["|" + " a |" * 200, "|" + " - |" * 200, "|" + " 1 |" * 200]),
    "markdown-nested-250": lambda: _summary_block([">" * 250 + " deep"]),
    "image-300000-bytes": lambda: _image_in_summary("image/png", _png(10, 10, 300_000)),
    "image-5000-pixels-wide": lambda: _image_in_summary("image/png", _png(5000, 300)),
    "image-svg-declared-png": lambda: _image_in_summary(
        "image/png", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'),
    "image-svg": lambda: _image_in_summary(
        "image/svg+xml", b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'),
    "integer-huge": lambda: _replace("site_count: 3",
                                     "site_count: 1234567890123456789012345678"),
}


def _place(name: str, case: dict, folder: Path) -> Path:
    """Put the case's record in `folder` (a copy, a generated file, a FIFO, a link)."""
    path = folder / f"{name}.yaml"
    kind = case.get("generate")
    if kind is None:
        shutil.copyfile(HOSTILE / f"{name}.yaml", path)
    elif kind == "fifo":
        os.mkfifo(path)
    elif kind == "device":
        path.symlink_to("/dev/zero")
    else:
        path.write_bytes(GENERATED[kind]())
    return path


def _fingerprint(path: Path) -> str:
    """Hash a record's bytes (a FIFO or a device by what it is, never by reading it)."""
    if not path.is_file():
        return f"not a file: {path.lstat().st_mode:o}"
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _run(argv: list[str], in_subprocess: bool, capsys) -> tuple[int, str]:
    """Run postmortem ARGV; return its exit status and stderr."""
    if in_subprocess:
        try:
            done = subprocess.run([sys.executable, "-m", "postmortem", *argv],
                                  capture_output=True, text=True, timeout=SUBPROCESS_TIMEOUT,
                                  env={**os.environ, "PYTHONPATH": str(ROOT)})
        except subprocess.TimeoutExpired:
            pytest.fail(f"postmortem {' '.join(argv)} was still running after "
                        f"{SUBPROCESS_TIMEOUT} s")
        return done.returncode, done.stderr
    status = main(argv)
    return status, capsys.readouterr().err


def _check_lines(err: str, path: str, case: dict) -> None:
    """The problem lines are exactly the case's (or start as it says), in order."""
    lines = [line for line in err.splitlines() if line.startswith(f"{path}:")]
    if "errors" in case:
        expected = [f"{path}:{line}" for line in case["errors"]]
        if "error_count" in case:
            assert len(lines) == case["error_count"], err
            assert [line for line in lines if line in expected] == expected, err
        else:
            assert lines == expected, err
    else:
        starts = [f"{path}:{start}" for start in case["starts"]]
        assert len(lines) == len(starts), err
        for line, start in zip(lines, starts, strict=True):
            assert line.startswith(start), (line, start)
    for absent in case.get("absent", []):
        assert absent not in err


REFUSED = sorted(name for name, case in EXPECTED.items()
                 if name not in HARMLESS and "build" not in case.get("commands", []))
# `render` validates a record before it starts a worker for it, so a refusal is quick.
RUNS = [pytest.param(name, command, id=f"{name}-{command}")
        for name in REFUSED for command in EXPECTED[name].get("commands", ["validate", "render"])]


@pytest.mark.parametrize(("name", "command"), RUNS)
def test_a_hostile_record_is_refused_with_its_message_and_nothing_is_written(
        name, command, tmp_path, monkeypatch, capsys):
    case = EXPECTED[name]
    monkeypatch.chdir(tmp_path)  # no postmortem.toml, no templates/ of the project
    records = tmp_path / "records"
    records.mkdir()
    path = _place(name, case, records)
    before = _fingerprint(path)
    output = tmp_path / "out"
    argv = ["validate", str(path)] if command == "validate" else [
        "render", str(path), "--format", "md,html", "-o", str(output)]
    status, err = _run(argv, case.get("subprocess", False), capsys)
    assert status == 1, err
    assert "Traceback" not in err, err
    _check_lines(err, str(path), case)
    if command == "validate":
        assert err.splitlines()[-1].startswith("1 record(s) checked, 1 invalid, "), err
    assert not output.exists() or not any(output.iterdir()), list(output.iterdir())
    assert _fingerprint(path) == before


WORKSPACE = sorted(name for name, case in EXPECTED.items()
                   if "build" in case.get("commands", []))


@pytest.mark.parametrize("name", WORKSPACE)
def test_a_hostile_entry_of_the_workspace_is_refused_and_the_build_goes_on(
        name, tmp_path, monkeypatch, capsys):
    case = EXPECTED[name]
    monkeypatch.chdir(tmp_path)
    incidents = tmp_path / "incidents"
    incidents.mkdir()
    shutil.copyfile(VALID, incidents / "valid.yaml")
    outside = tmp_path / "outside"
    outside.mkdir()
    # A valid record outside the workspace, with an id and a secret of its own.
    secret = "The secret outside the workspace"
    (outside / "record.yaml").write_text(_valid().replace(
        "id: 2025-03-02-checkout-latency", "id: 2025-03-02-outside").replace(
        "Checkout latency after a cache node failure", secret))
    entry = incidents / f"{name}.yaml"
    if case["generate"] == "symlink-outside":
        entry.symlink_to(outside / "record.yaml")
    elif case["generate"] == "fifo":
        os.mkfifo(entry)
    relative = f"incidents/{name}.yaml"
    argv = ["build", "--format", "md", "--jobs", "1", "--today", "2025-03-20"]
    status, err = _run(argv, case.get("subprocess", False), capsys)
    assert status == 1, err
    assert "Traceback" not in err, err
    _check_lines(err, relative, case)
    written = sorted(path.name for path in (tmp_path / "output").iterdir()
                     if path.name.startswith("2025-03-02"))
    assert written == ["2025-03-02-checkout-latency.json", "2025-03-02-checkout-latency.md"]
    assert not any(secret in path.read_text(errors="replace")
                   for path in (tmp_path / "output").iterdir() if path.is_file())


def test_the_corpus_holds_every_class_once_and_its_base_is_valid(capsys):
    files = {path.stem for path in HOSTILE.glob("*.yaml")} - {"valid"}
    from_files = {name for name, case in EXPECTED.items() if "generate" not in case}
    assert files == from_files
    assert {case["generate"] for case in EXPECTED.values() if "generate" in case} - {
        "fifo", "device", "symlink-outside"} == set(GENERATED)
    assert all(case.get("what") for case in EXPECTED.values())
    assert len(EXPECTED) - len(HARMLESS) >= 60
    # Each class is one change from a record that passes, so its refusal is that change's.
    assert main(["validate", str(VALID)]) == 0, capsys.readouterr().err


# --- Valid records that carry payloads: what reaches the Markdown must be harmless ---------

def _render_markdown(name: str, tmp_path: Path, capsys) -> str:
    # A copy outside the repository: the review is dated by the record, not by a commit.
    record = tmp_path / f"{name}.yaml"
    shutil.copyfile(HOSTILE / f"{name}.yaml", record)
    output = tmp_path / "out"
    status = main(["render", str(record), "--format", "md", "-o", str(output)])
    assert status == 0, capsys.readouterr().err
    [written] = output.iterdir()
    return written.read_text(encoding="utf-8")


def _tables(markdown: str) -> list[list[list[str]]]:
    """Each table of the Markdown as a forge splits it: rows of cells, spaces made plain."""
    return [[[plain(cell) for cell in row] for row in table] for table in markdown_tables(markdown)]


def _table_headed(tables: list[list[list[str]]], *header: str) -> list[list[str]]:
    [table] = [table for table in tables if table[0] == list(header)]
    return table


def test_forged_table_cells_keep_every_table_to_its_columns_and_figures(
        tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    tables = _tables(_render_markdown("forged-table-cells", tmp_path, capsys))
    for table in tables:
        assert {len(row) for row in table} == {len(table[0])}, table
    impact = _table_headed(tables, "Service", "Sites", "Start", "End", "Duration")
    assert len(impact) == 2
    assert impact[1] == ["**Checkout | 999 | forged**", "3", "Sun, Mar 2, 10:00",
                         "about Sun, Mar 2, 10:40", "about 40 min"]
    timeline = _table_headed(tables, "When", "Kind", "What happened")
    assert len(timeline) == 2 and timeline[1][:2] == ["Sun, Mar 2, 10:00", "Trigger"]
    communications = _table_headed(tables, "When", "Audience", "Channel", "What was said")
    assert len(communications) == 2
    assert communications[1][:2] == ["Sun, Mar 2, 10:10", "customers"]
    actions = _table_headed(tables, "Id", "Action", "Owner", "Due", "Type", "Priority", "Status")
    assert len(actions) == 2
    assert actions[1][2:] == ["SRE `|` team", "April 1, 2025", "Detect", "not stated",
                              "not stated"]
    parties = _table_headed(tables, "Third party", "Met")
    assert parties[1:] == [["**Example Cloud | yes**", "no"]]


UNSAFE_SCHEMES = ("javascript:", "vbscript:", "file:", "data:")


def test_raw_html_and_unsafe_links_of_a_record_do_not_reach_the_markdown(
        tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    markdown = _render_markdown("raw-html", tmp_path, capsys)
    # Read as a forge reads it: HTML allowed, links validated by scheme only afterwards.
    parser = MarkdownIt("commonmark", {"html": True}).enable("table")
    parser.validateLink = lambda url: True
    html_tokens, links, images = [], [], []

    def walk(tokens):
        for token in tokens:
            if token.type in ("html_block", "html_inline"):
                html_tokens.append(token.content)
            elif token.type == "link_open":
                links.append(str(token.attrGet("href")))
            elif token.type == "image":
                images.append(str(token.attrGet("src")))
            walk(token.children or [])

    walk(parser.parse(markdown))
    assert html_tokens == []
    assert [link for link in links if link.lower().startswith(UNSAFE_SCHEMES)] == []
    assert [src for src in images if not src.startswith("data:image/")] == []
    # The words stay, shown as text.
    assert "a block of raw HTML" in markdown and "Checkout slowed down" in markdown
