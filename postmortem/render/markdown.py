"""Render a derived report through the Jinja2 templates into Markdown."""

from __future__ import annotations

import re

from postmortem.analysis.derive import Report
from postmortem.render.environment import environment, render_inert
from postmortem.render.settings import RenderSettings


def render_markdown(report: Report, settings: RenderSettings | None = None,
                    embedded: bool = False) -> str:
    """Return the Markdown review; `embedded` leaves out the title block an HTML page draws."""
    incident = report.incident
    settings = settings or RenderSettings()
    language = settings.report_language(report)
    text = render_inert(environment(language, settings.template_dirs), "report.md.j2",
                         report=report, incident=incident, embedded=embedded)
    return tidy(text)


def tidy(text: str) -> str:
    """Return Markdown with one blank line between blocks and one newline at its end."""
    # Templates are easier to read with blank lines around blocks; the output wants one.
    text = re.sub(r"\n{3,}", "\n\n", text)
    return text.strip() + "\n"
