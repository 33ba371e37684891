"""Tell the chart in sentences, for readers who cannot see it: its text alternative."""

from __future__ import annotations

from collections.abc import Sequence

from babel.dates import format_skeleton

from postmortem.analysis.derive import Report, Slippage
from postmortem.render.chart.parts import Marker, Span
from postmortem.render.chart.timescale import known_instants
from postmortem.render.i18n import Language


def describe(report: Report, language: Language, spans: Sequence[Span],
             markers: Sequence[Marker]) -> tuple[str, ...]:
    """Return the chart as sentences: its range, each lane, each key instant, each promise."""
    gettext = language.gettext
    colon = gettext(":")
    known = known_instants(report)
    first, last = (format_skeleton("MMMEd", instant.astimezone(language.zone),
                                   locale=language.locale)
                   for instant in (min(known), max(known)))
    sentences = [gettext("Timeline from %(start)s to %(end)s, one lane per service affected.",
                         start=first, end=last)]
    for span in spans:
        name = span.name
        if span.kind == "trigger":
            name = f"{language.label('kind', 'trigger')} ({span.name})"
        sentences.append(f"{name}{colon} {_span_words(span, language)}.")
    for marker in markers:
        sentences.append(f"{marker.label.content}{colon} "
                         f"{language.when(marker.when, compact=True)}.")
    sentences += [_promise_words(slippage, language) for slippage in report.slippages]
    return tuple(sentences)


def _span_words(span: Span, language: Language) -> str:
    """Describe a lane's start, end and duration."""
    gettext = language.gettext
    parts = [gettext("start %(instant)s", instant=language.when(span.start, compact=True))]
    if span.end is not None:
        parts.append(gettext("end %(instant)s", instant=language.when(span.end, compact=True)))
    if span.ongoing:
        parts.append(gettext("ongoing"))
    if span.duration is not None:
        parts.append(gettext("lasting %(duration)s", duration=language.duration(span.duration)))
    return ", ".join(parts)


def _promise_words(slippage: Slippage, language: Language) -> str:
    """Describe a promise: when it was made, for when, and what actually happened."""
    announced = language.when(slippage.communication.at, compact=True)
    promised = language.when(slippage.promised, compact=True)
    if slippage.actual is None:
        return language.gettext(
            "Restoration announced %(at)s for %(promised)s; not reached yet.",
            at=announced, promised=promised)
    return language.gettext(
        "Restoration announced %(at)s for %(promised)s; actual %(actual)s, slippage %(slip)s.",
        at=announced, promised=promised, actual=language.when(slippage.actual, compact=True),
        slip=language.duration(slippage.slip, signed=True))
