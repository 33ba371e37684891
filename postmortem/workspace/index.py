"""Write what a build gives for the whole workspace: the index, the review and actions.csv."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from postmortem.errors import PostmortemError, Problem
from postmortem.render import INDEX_FORMATS
from postmortem.workspace.config import BuildOptions
from postmortem.workspace.state import BuildState
from postmortem.workspace.write import write_together

if TYPE_CHECKING:
    from postmortem.analysis.across import Summary


def write_index(options: BuildOptions, state: BuildState, digest: bytes,
                failed: list[str]) -> tuple[bool, dict[str, Problem]]:
    """Write the index, the review across incidents and actions.csv, when anything changed.

    Return whether they were written, and a problem for each record left out because its
    JSON export cannot be read: the caller has it rendered again by the next build.
    """
    names = ["actions.csv"] + [f"index.{fmt}" for fmt in INDEX_FORMATS if fmt in options.formats]
    fingerprint = hashlib.sha256(digest + json.dumps(
        [sorted((s, e["fingerprint"]) for s, e in state.records.items()), failed,
         options.today.isoformat(), options.language]).encode()).hexdigest()
    if (not options.force and state.index == fingerprint
            and all((options.output / name).is_file() for name in names)):
        return False, {}
    # Imported once something changed: a build with nothing to do stays light.
    from postmortem.render.exports import action_rows, actions_csv, read_export

    # Each record's JSON export holds what the review needs, as its own build derived it.
    incidents = []
    unreadable: dict[str, Problem] = {}
    for source, entry in sorted(state.records.items()):
        if source in failed:
            continue
        export = options.output / f"{entry['id']}.json"
        try:
            incident = read_export(export.read_text(encoding="utf-8"))
            rows = action_rows(incident, options.today)
        except (OSError, ValueError, KeyError, TypeError, AttributeError,
                PostmortemError) as error:
            reason = getattr(error, "strerror", None) or f"{type(error).__name__}: {error}"
            unreadable[source] = Problem("", 0, 0, (
                f"the index leaves out {source}: its export {export} cannot be read "
                f"({str(reason)[:200]}); the next build renders it again"))
            continue
        incidents.append((incident, rows))
    rows = [row for _, found in incidents for row in found]
    outputs: dict[str, str | bytes] = {"actions.csv": actions_csv(rows)}
    outputs.update(_index_documents(options, [incident for incident, _ in incidents],
                                    sorted([*failed, *unreadable])))
    write_together(options.output, outputs)
    # An index that left a record out is written again once that record is rendered again.
    state.index = "" if unreadable else fingerprint
    return True, unreadable


def _index_documents(options: BuildOptions, incidents: list[Summary],
                     failed: list[str]) -> dict[str, str | bytes]:
    from postmortem.analysis.across import review
    from postmortem.render.index import render_index_html, render_index_markdown

    index = review(incidents, options.today, failed)
    language = options.render.language(options.language, "UTC")
    outputs: dict[str, str | bytes] = {}
    if "md" in options.formats:
        outputs["index.md"] = render_index_markdown(index, language, options.template_dirs)
    if "html" in options.formats or "pdf" in options.formats:
        html = render_index_html(index, language, options.template_dirs)
        if "html" in options.formats:
            outputs["index.html"] = html
        if "pdf" in options.formats:
            from postmortem.render.pdf import print_pdf

            stamp = datetime(options.today.year, options.today.month, options.today.day,
                             tzinfo=UTC)
            outputs["index.pdf"] = print_pdf(html, stamp)
    return outputs
