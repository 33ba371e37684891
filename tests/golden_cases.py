"""The records whose rendered Markdown is kept as golden files, and how to render them."""

from __future__ import annotations

from pathlib import Path

from postmortem.render.markdown import render_markdown
from postmortem.workspace.pipeline import read_report

TESTS = Path(__file__).resolve().parent
GOLDEN = TESTS / "golden"

#: golden file name -> record it is rendered from
CASES = {
    "minimal.md": TESTS / "records" / "minimal.yaml",
    "tables.md": TESTS / "records" / "tables.yaml",
    "aphp.md": TESTS.parent / "incidents" / "2024-08-03-aphp-datacenter-power-outage.yaml",
}


def render_case(name: str) -> str:
    """Render the record of a golden case with the bundled templates only."""
    # No git history: the golden files must not change with each commit of this repository;
    # open and overdue items are counted on the record's own date, not on the day of the run.
    path = CASES[name]
    return render_markdown(read_report(path, path.read_bytes(), history=None)[1])
