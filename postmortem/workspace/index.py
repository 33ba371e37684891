"""Write what a build gives for the whole workspace: the index, the review and actions.csv."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from postmortem.render import INDEX_FORMATS
from postmortem.workspace.config import BuildOptions
from postmortem.workspace.state import BuildState
from postmortem.workspace.write import write_atomic

if TYPE_CHECKING:
    from postmortem.analysis.across import Summary


def write_index(options: BuildOptions, state: BuildState, digest: bytes, failed: list[str]) -> bool:
    """Write the index, the review across incidents and actions.csv, when anything changed."""
    names = ["actions.csv"] + [f"index.{fmt}" for fmt in INDEX_FORMATS if fmt in options.formats]
    fingerprint = hashlib.sha256(digest + json.dumps(
        [sorted((s, e["fingerprint"]) for s, e in state.records.items()), failed,
         options.today.isoformat(), options.language]).encode()).hexdigest()
    if (not options.force and state.index == fingerprint
            and all((options.output / name).is_file() for name in names)):
        return False
    # Imported once something changed: a build with nothing to do stays light.
    from postmortem.render.exports import action_rows, actions_csv, read_export

    # Each record's JSON export holds what the review needs, as its own build derived it.
    incidents = [read_export((options.output / f"{entry['id']}.json").read_text(encoding="utf-8"))
                 for source, entry in sorted(state.records.items()) if source not in failed]
    rows = [row for incident in incidents for row in action_rows(incident, options.today)]
    write_atomic(options.output / "actions.csv", actions_csv(rows))
    _write_index_documents(options, incidents, failed)
    state.index = fingerprint
    return True


def _write_index_documents(options: BuildOptions, incidents: list[Summary],
                           failed: list[str]) -> None:
    from postmortem.analysis.across import review
    from postmortem.render.index import render_index_html, render_index_markdown

    index = review(incidents, options.today, failed)
    language = options.render.language(options.language, "UTC")
    outputs: dict[str, str | bytes] = {}
    if "md" in options.formats:
        outputs["md"] = render_index_markdown(index, language, options.template_dirs)
    if "html" in options.formats or "pdf" in options.formats:
        html = render_index_html(index, language, options.template_dirs)
        if "html" in options.formats:
            outputs["html"] = html
        if "pdf" in options.formats:
            from postmortem.render.pdf import print_pdf

            stamp = datetime(options.today.year, options.today.month, options.today.day,
                             tzinfo=UTC)
            outputs["pdf"] = print_pdf(html, stamp)
    for fmt, content in outputs.items():
        write_atomic(options.output / f"index.{fmt}", content)

