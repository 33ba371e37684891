"""Write what a build gives for the whole workspace: the index, the review and actions.csv."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from postmortem.errors import ConfigError, PostmortemError, Problem
from postmortem.render import INDEX_FORMATS
from postmortem.workspace.config import BuildOptions
from postmortem.workspace.state import BuildState
from postmortem.workspace.write import write_together

if TYPE_CHECKING:
    from postmortem.analysis.across import Summary
    from postmortem.analysis.period import Period


@dataclass(frozen=True)
class IndexEntry:
    """A record the index lists: its source, its id, and the JSON export it is read from."""

    source: str
    id: str
    export: Path


def write_index(options: BuildOptions, state: BuildState, digest: bytes,
                failed: list[str]) -> tuple[bool, dict[str, Problem]]:
    """Write the index, the review across incidents, the period review and actions.csv.

    They are written when anything changed. Return whether they were, and a problem for
    each record left out because its JSON export cannot be read: the caller has it
    rendered again by the next build.
    """
    period = _period(options)
    names = index_names(options)
    fingerprint = hashlib.sha256(digest + json.dumps(
        [sorted((s, e["fingerprint"]) for s, e in state.records.items()), failed,
         options.today.isoformat(), options.language,
         [period.start.isoformat(), period.end.isoformat(), period.label],
         list(options.documents)]).encode()).hexdigest()
    if (not options.force and state.index == fingerprint
            and all((options.output / name).is_file() for name in names)):
        return False, {}
    entries = [IndexEntry(source, entry["id"], options.output / f"{entry['id']}.json")
               for source, entry in state.records.items()]
    outputs, unreadable = index_outputs(options, entries, failed)
    problems = {source: Problem("", 0, 0, (
        f"the index leaves out {source}: its export {export} cannot be read "
        f"({reason}); the next build renders it again"))
        for source, (export, reason) in unreadable.items()}
    write_together(options.output, outputs)
    # An index that left a record out is written again once that record is rendered again.
    state.index = "" if unreadable else fingerprint
    return True, problems


def index_names(options: BuildOptions) -> list[str]:
    """Return the names of the files the index writes for the workspace, in `options`' formats."""
    return ["actions.csv"] + [f"{stem}.{fmt}" for stem in ("index", "period-review")
                              for fmt in INDEX_FORMATS if fmt in options.formats]


def index_outputs(options: BuildOptions, entries: Iterable[IndexEntry], failed: Iterable[str]
                  ) -> tuple[dict[str, str | bytes], dict[str, tuple[Path, str]]]:
    """Return the index, the reviews and actions.csv of `entries`, by file name.

    Records in `failed` are listed as not included. Also return, for each record left out
    because its export cannot be read, the export and the reason.
    """
    _period(options)  # a period the build cannot read is refused before any export is
    failed = sorted(failed)
    # Imported once something changed: a build with nothing to do stays light.
    from postmortem.render.exports import action_rows, actions_csv, read_export

    # Each record's JSON export holds what the review needs, as its own build derived it.
    incidents = []
    unreadable: dict[str, tuple[Path, str]] = {}
    for entry in sorted(entries, key=lambda entry: entry.source):
        if entry.source in failed:
            continue
        try:
            incident = read_export(entry.export.read_text(encoding="utf-8"))
            rows = action_rows(incident, options.today)
        except (OSError, ValueError, KeyError, TypeError, AttributeError,
                PostmortemError) as error:
            reason = getattr(error, "strerror", None) or f"{type(error).__name__}: {error}"
            unreadable[entry.source] = (entry.export, str(reason)[:200])
            continue
        incidents.append((incident, rows))
    rows = [row for _, found in incidents for row in found]
    outputs: dict[str, str | bytes] = {"actions.csv": actions_csv(rows)}
    summaries = [incident for incident, _ in incidents]
    outputs.update(workspace_pages(options, summaries, sorted([*failed, *unreadable])))
    return outputs, unreadable


def workspace_pages(options: BuildOptions, summaries: list[Summary], failed: list[str],
                    stems: Iterable[str] = ("index", "period-review")
                    ) -> dict[str, str | bytes]:
    """Return the index and the review for management of `summaries`, in `options`' formats.

    `failed` are the records listed as not included; `stems` the pages wanted.
    """
    period = _period(options)
    outputs: dict[str, str | bytes] = {}
    if "index" in stems:
        outputs.update(_index_documents(options, summaries, failed, period))
    if "period-review" in stems:
        outputs.update(_period_documents(options, summaries, period))
    return outputs


def _period(options: BuildOptions) -> Period:
    """Return the period the review for management covers, as the build options give it."""
    from postmortem.analysis.period import parse_period

    try:
        return parse_period(options.period, options.today)
    except ValueError as error:
        raise ConfigError([Problem("", 0, 0, f"the review for management: {error}")]) from None


def _index_documents(options: BuildOptions, incidents: list[Summary], failed: list[str],
                     period: Period) -> dict[str, str | bytes]:
    from postmortem.analysis.across import review
    from postmortem.render.index import render_index_html, render_index_markdown
    from postmortem.render.period import period_name

    index = review(incidents, options.today, failed)
    language = options.render.language(options.language, "UTC")
    documents = [name for name in options.documents if name != "full"]
    named = period_name(period, language)
    outputs: dict[str, str | bytes] = {}
    if "md" in options.formats:
        outputs["index.md"] = render_index_markdown(index, language, options.template_dirs,
                                                    documents=documents, period_name=named)
    if "html" in options.formats or "pdf" in options.formats:
        html = render_index_html(index, language, options.template_dirs, documents=documents,
                                 period_name=named)
        outputs.update(_page_outputs(options, "index", html))
    return outputs


def _period_documents(options: BuildOptions, incidents: list[Summary],
                      period: Period) -> dict[str, str | bytes]:
    from postmortem.analysis.period import period_review
    from postmortem.render.period import render_period_html, render_period_markdown

    review = period_review(incidents, period, options.today)
    language = options.render.language(options.language, "UTC")
    outputs: dict[str, str | bytes] = {}
    if "md" in options.formats:
        outputs["period-review.md"] = render_period_markdown(review, language,
                                                             options.template_dirs)
    if "html" in options.formats or "pdf" in options.formats:
        html = render_period_html(review, language, options.template_dirs)
        outputs.update(_page_outputs(options, "period-review", html))
    return outputs


def _page_outputs(options: BuildOptions, stem: str, html: str) -> dict[str, str | bytes]:
    """Return a page of the workspace as HTML and as PDF, in the formats asked for."""
    outputs: dict[str, str | bytes] = {}
    if "html" in options.formats:
        outputs[f"{stem}.html"] = html
    if "pdf" in options.formats:
        from postmortem.render.pdf import print_pdf

        stamp = datetime(options.today.year, options.today.month, options.today.day,
                         tzinfo=UTC)
        outputs[f"{stem}.pdf"] = print_pdf(html, stamp)
    return outputs
