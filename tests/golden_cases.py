"""The records whose rendered Markdown is kept as golden files, and how to render them."""

from __future__ import annotations

from pathlib import Path

from postmortem.analysis.derive import derive
from postmortem.record.validate import read_incident
from postmortem.render.markdown import render_markdown

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
    # No git history: the golden files must not change with each commit of this repository.
    return render_markdown(derive(read_incident(CASES[name]), history=None))
