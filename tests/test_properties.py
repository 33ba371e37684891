"""Generated records: valid ones validate and render, table cells hold, broken ones never crash.

Each property runs on a fixed budget of examples drawn the same way on every run
(`derandomize=True`), so that a failure is reproduced by running the test again.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from postmortem.cli import main
from postmortem.render.markdown import render_markdown
from postmortem.render.page import render_html
from postmortem.workspace.pipeline import read_report

import strategies

VALID = Path(__file__).resolve().parent / "hostile" / "valid.yaml"


def _budget(examples: int):
    return settings(max_examples=examples, derandomize=True, deadline=None, database=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture,
                                           HealthCheck.too_slow, HealthCheck.data_too_large])


def _report(record: dict):
    return read_report("generated.yaml", strategies.as_yaml(record), None)[1]


def _timeline_tables(tables: list[list[list[str]]], entries: int) -> list[list[list[str]]]:
    """The tables of three columns (the timeline's) that hold one row per entry."""
    return [table for table in tables if len(table[0]) == 3 and len(table) == entries + 1]


@_budget(60)
@given(strategies.records())
def test_a_record_drawn_from_the_model_validates_and_renders_to_markdown(record):
    report = _report(record)
    assert report.incident.id == record["id"]
    assert len(report.incident.timeline) == len(record["timeline"])
    markdown = render_markdown(report)
    assert f"`{record['id']}`" in markdown
    # Every timeline entry is one row of the timeline table, under its header.
    tables = strategies.markdown_tables(markdown)
    assert _timeline_tables(tables, len(record["timeline"])), markdown


@_budget(6)
@given(strategies.records())
def test_a_record_drawn_from_the_model_renders_to_html(record):
    html = render_html(_report(record))
    assert html.startswith("<!DOCTYPE html>") and html.rstrip().endswith("</html>")
    assert f'lang="{record["lang"]}"' in html


@_budget(60)
@given(strategies.records(text=strategies.cell_texts()))
def test_markdown_tables_keep_their_columns_whatever_text_reaches_a_cell(record):
    markdown = render_markdown(_report(record))
    tables = strategies.markdown_tables(markdown)
    assert tables
    for table in tables:
        assert {len(row) for row in table} == {len(table[0])}, table
    # And no text breaks a table in two: each timeline entry is still one row.
    assert _timeline_tables(tables, len(record["timeline"])), markdown


_MUTATED = st.one_of(
    strategies.mutated(VALID.read_bytes()),
    strategies.records().map(strategies.as_yaml).flatmap(strategies.mutated),
)


@pytest.fixture
def workspace(monkeypatch):
    """An empty folder to run in: no postmortem.toml, no templates/."""
    with tempfile.TemporaryDirectory() as folder:
        monkeypatch.chdir(folder)
        yield Path(folder)


@_budget(30)
@given(source=_MUTATED)
def test_a_broken_record_never_crashes_a_command(workspace, source):
    path = workspace / "record.yaml"
    path.write_bytes(source)
    output = workspace / "out"
    for argv in (["validate", path], ["lint", path, "--today", "2026-01-01"],
                 ["render", path, "--format", "md", "-o", output]):
        status = main([os.fspath(arg) for arg in argv])
        assert status in (0, 1), (argv[0], status)
    assert path.read_bytes() == source
