"""The linear driver: load → validate → derive → render → write, for one record."""

from __future__ import annotations

import os
from collections.abc import Sequence
from datetime import date
from pathlib import Path

from postmortem.analysis.derive import Report, derive
from postmortem.analysis.history import History, read_history
from postmortem.record.load import Document, load_bytes, read_source
from postmortem.record.source_text import SourceText, silenced_action_ids
from postmortem.record.validate import validate_upgraded
from postmortem.render import FORMATS, output_name
from postmortem.render.document_date import document_datetime
from postmortem.render.exports import incident_json
from postmortem.render.markdown import render_markdown
from postmortem.render.settings import RenderSettings
from postmortem.workspace.write import make_folder, write_together


def read_report(path: str | os.PathLike, source: bytes, history: History | None,
                today: date | None = None) -> tuple[Document, Report]:
    """Load, validate and derive one record from its bytes; return the document and report.

    Open and overdue action items are counted on the record's `as_of`, else on `today`,
    which defaults to the date the document carries (so that a rendering is reproducible);
    an item whose overdue finding a comment silences is counted overdue nowhere.
    """
    # Load and validate: raises RecordError carrying every problem with its position.
    document = load_bytes(source, str(path))
    upgraded, incident = validate_upgraded(document)
    silenced = silenced_action_ids(upgraded, SourceText(source.decode("utf-8-sig")))
    if today is None:
        # A record whose knowledge stops on `as_of` knows that day, whatever it is dated.
        today = max(filter(None, (document_datetime(incident, history).date(), incident.as_of)))
    return document, derive(incident, history=history, today=today, silenced_overdue=silenced)


def render_outputs(
    path: str | os.PathLike,
    source: bytes,
    formats: Sequence[str] = FORMATS,
    settings: RenderSettings | None = None,
    today: date | None = None,
    documents: Sequence[str] = ("full",),
) -> tuple[str, dict[str, bytes]]:
    """Render one record's bytes in memory; return its id and each output's name and bytes.

    Each document is written in each of `formats` it has: `<id>.<fmt>` for the full
    review (the only one with a JSON export), `<id>.<document>.<fmt>` for the others.
    Nothing is written: the caller writes the outputs together (`write_together`).
    """
    # Derive durations, slippage and order from the record; carry its git history along.
    document, report = read_report(path, source, read_history(path), today)
    incident = report.incident
    outputs: dict[str, bytes] = {}
    if "pdf" in formats:
        from postmortem.render.pdf import check_record_glyphs  # WeasyPrint imports lazily

        check_record_glyphs(document)
    if "full" in documents or "json" in formats:
        full_formats = formats if "full" in documents else ("json",)
        outputs.update(_full_review(path, source, report, full_formats, settings))
    for name in documents:
        if name == "full":
            continue
        from postmortem.render.documents import DOCUMENT_FORMATS, render_document

        shown = [fmt for fmt in DOCUMENT_FORMATS if fmt in formats]
        if not shown:
            continue
        rendered = render_document(report, name, settings, shown, source, str(path))
        for fmt in shown:
            content = rendered[fmt]
            outputs[output_name(incident.id, name, fmt)] = (
                content.encode("utf-8") if isinstance(content, str) else content)
    return incident.id, outputs


def _full_review(path: str | os.PathLike, source: bytes, report: Report,
                 formats: Sequence[str], settings: RenderSettings | None) -> dict[str, bytes]:
    """Render the full review in the given formats; return each output's name and bytes."""
    incident = report.incident
    rendered: dict[str, str | bytes] = {}
    if "md" in formats:
        rendered["md"] = render_markdown(report, settings)
    if "json" in formats:
        rendered["json"] = incident_json(report)
    if "html" in formats or "pdf" in formats:
        from postmortem.render.page import render_html, with_screen_fonts  # keeps `md` light

        # The fonts a browser needs are cut to the page's characters, which takes time:
        # only the HTML output carries them, as printing never uses them.
        html = render_html(report, settings, screen_fonts=False)
        if "html" in formats:
            rendered["html"] = with_screen_fonts(html)
        if "pdf" in formats:
            from postmortem.render.pdf import render_pdf  # WeasyPrint imports lazily

            rendered["pdf"] = render_pdf(report, html, source, str(path))
    return {f"{incident.id}.{fmt}": (content.encode("utf-8") if isinstance(content, str)
                                     else content)
            for fmt, content in ((fmt, rendered[fmt]) for fmt in formats)}


def render_file(
    path: str | os.PathLike,
    output_dir: Path,
    formats: Sequence[str] = FORMATS,
    settings: RenderSettings | None = None,
    today: date | None = None,
    documents: Sequence[str] = ("full",),
) -> list[Path]:
    """Render one record into `output_dir` in the given formats; return the files written.

    Items are counted open and overdue as `read_report` counts them, on `today` if given.
    Every format is rendered before any is written, and they replace the old ones together.
    This runs in the calling process, unbounded; the command line renders in a worker
    (`postmortem.workspace.workers`).
    """
    _, outputs = render_outputs(path, read_source(path), formats, settings, today, documents)
    make_folder(output_dir)
    return write_together(output_dir, outputs)
