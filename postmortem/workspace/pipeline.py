"""The linear driver: load → validate → derive → render → write, for one record."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from postmortem.analysis.derive import derive
from postmortem.analysis.history import read_history
from postmortem.record.load import load_bytes
from postmortem.record.validate import validate_document
from postmortem.render import FORMATS
from postmortem.render.exports import incident_json
from postmortem.render.markdown import render_markdown
from postmortem.workspace.write import write_atomic


def render_file(
    path: str | os.PathLike,
    output_dir: Path,
    formats: Sequence[str] = FORMATS,
    template_dirs: Sequence[Path] = (),
) -> list[Path]:
    """Render one record into `output_dir` in the given formats; return the files written."""
    # Load and validate: raises RecordError carrying every problem with its position.
    source = Path(path).read_bytes()
    document = load_bytes(source, str(path))
    incident = validate_document(document)
    # Derive durations, slippage and order from the record; carry its git history along.
    report = derive(incident, history=read_history(path))
    # Render every format in memory first, so that a failure writes nothing at all.
    rendered: dict[str, str | bytes] = {}
    if "md" in formats:
        rendered["md"] = render_markdown(report, template_dirs)
    if "json" in formats:
        rendered["json"] = incident_json(report)
    if "html" in formats or "pdf" in formats:
        from postmortem.render.page import render_html  # HTML and PDF only: keeps `md` light

        html = render_html(report, template_dirs)
        rendered["html"] = html
        if "pdf" in formats:
            from postmortem.render.pdf import (  # WeasyPrint imports lazily
                check_record_glyphs,
                render_pdf,
            )

            check_record_glyphs(document)
            rendered["pdf"] = render_pdf(report, html, source, str(path))
    # Write each output atomically, named after the incident id.
    written = []
    for fmt in formats:
        target = output_dir / f"{incident.id}.{fmt}"
        write_atomic(target, rendered[fmt])
        written.append(target)
    return written
