"""Words the chart and its text alternative share."""

from __future__ import annotations

from postmortem.render.chart.parts import Span
from postmortem.render.i18n import Language


def open_end_words(span: Span, language: Language) -> str:
    """Return what a bar without an end time says: its outcome, or that no end is known."""
    if span.ongoing:
        return language.gettext("ongoing")
    if span.end_state in ("restored", "ended", "never_restored", "data_lost"):
        return language.label("outcome", span.end_state)
    return language.gettext("No known end")
