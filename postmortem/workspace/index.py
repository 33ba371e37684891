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
    from postmortem.analysis.derive import Report


def write_index(options: BuildOptions, state: BuildState, digest: bytes, failed: list[str]) -> bool:
    """Write the index, the review across incidents and actions.csv, when anything changed."""
    from postmortem.analysis.derive import derive
    from postmortem.record.model import Incident
    from postmortem.render.exports import action_rows, actions_csv

    names = ["actions.csv"] + [f"index.{fmt}" for fmt in INDEX_FORMATS if fmt in options.formats]
    fingerprint = hashlib.sha256(digest + json.dumps(
        [sorted((s, e["fingerprint"]) for s, e in state.records.items()), failed,
         options.today.isoformat(), options.language]).encode()).hexdigest()
    if (not options.force and state.index == fingerprint
            and all((options.output / name).is_file() for name in names)):
        return False
    # Each record's JSON export holds it normalised: read back, it is the record again.
    reports = [derive(Incident.model_validate(json.loads(
        (options.output / f"{entry['id']}.json").read_text(encoding="utf-8"))["record"]))
        for source, entry in sorted(state.records.items()) if source not in failed]
    rows = [row for report in reports for row in action_rows(report.incident, options.today)]
    write_atomic(options.output / "actions.csv", actions_csv(rows))
    _write_index_documents(options, reports, failed)
    state.index = fingerprint
    return True


def _write_index_documents(options: BuildOptions, reports: list[Report], failed: list[str]) -> None:
    from postmortem.analysis.across import review
    from postmortem.render.i18n import Language
    from postmortem.render.index import render_index_html, render_index_markdown

    index = review(reports, options.today, failed)
    language = Language(options.language, "UTC")
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

