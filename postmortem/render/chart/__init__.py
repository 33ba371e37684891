"""Draw the incident as an inline SVG timeline: a lane per impact, key instants, promises.

`layout` computes where everything goes, measuring each text in the PDF's fonts; `svg`
writes it out. Every value comes from the report, so the same report gives the same text.
"""

from __future__ import annotations

from postmortem.analysis.derive import Report
from postmortem.render.chart.layout import lay_out
from postmortem.render.chart.svg import draw
from postmortem.render.i18n import Language


def timeline_svg(report: Report, language: Language) -> str:
    """Return the incident's timeline as one self-contained inline <svg> element."""
    return draw(lay_out(report, language))
