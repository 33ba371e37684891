"""Tell the chart in sentences, for readers who cannot see it: its text alternative."""

from __future__ import annotations

from collections.abc import Sequence

from postmortem.analysis.derive import Report, Slippage
from postmortem.render.chart.parts import Marker, Span
from postmortem.render.chart.timescale import charted_promises, known_instants
from postmortem.render.chart.words import open_end_words
from postmortem.render.i18n import Language


def describe(report: Report, language: Language, spans: Sequence[Span],
             markers: Sequence[Marker]) -> tuple[str, ...]:
    """Return the chart as sentences: its range, each lane, each key instant, each promise."""
    gettext = language.gettext
    colon = gettext(":")
    known = known_instants(report)
    # With the year when the document shows years: the axis itself names only the days.
    first, last = (language.compact_day(instant) for instant in (min(known), max(known)))
    sentences = [gettext("Timeline from %(start)s to %(end)s, one lane per service affected.",
                         start=first, end=last)]
    for span in spans:
        name = span.name
        if span.kind == "trigger":
            name = f"{language.label('kind', 'trigger')} ({span.name})"
        sentences.append(f"{name}{colon} {_span_words(span, language)}.")
    for marker in markers:
        sentences.append(f"{marker.title}{colon} "
                         f"{language.when(marker.when, compact=True)}.")
    sentences += [_promise_words(slippage, language) for slippage in charted_promises(report)]
    return tuple(sentences)


def _span_words(span: Span, language: Language) -> str:
    """Describe a lane's start, end and duration."""
    gettext = language.gettext
    parts = [gettext("start %(instant)s", instant=language.when(span.start, compact=True))]
    if span.end is not None:
        parts.append(gettext("end %(instant)s", instant=language.when(span.end, compact=True)))
    if span.end_state in ("ongoing", "never_restored", "data_lost") or (
            span.end_state in ("ended", "restored") and span.end is None):
        parts.append(open_end_words(span, language).lower())
    if span.duration is not None:
        parts.append(gettext("lasting %(duration)s", duration=language.duration(span.duration)))
    return ", ".join(parts)


def _promise_words(slippage: Slippage, language: Language) -> str:
    """Describe a promise: when it was made, for when, and what actually happened."""
    gettext = language.gettext
    announced = language.when(slippage.communication.at, compact=True)
    promised = language.when(slippage.promised, compact=True)
    actual = language.when(slippage.actual, compact=True) if slippage.actual else ""
    if slippage.about == "deliverable":
        sentence = gettext("Deliverable announced %(at)s for %(promised)s: %(what)s",
                           at=announced, promised=promised,
                           what=" ".join(slippage.promise.deliverable.split()))
        if slippage.actual is not None:
            sentence += "; " + gettext("delivered %(actual)s", actual=actual)
    elif slippage.withdrawn is None and slippage.actual is None and not slippage.late:
        return gettext("Restoration announced %(at)s for %(promised)s; not reached yet.",
                       at=announced, promised=promised)
    elif slippage.withdrawn is None and slippage.actual is not None:
        return gettext(
            "Restoration announced %(at)s for %(promised)s; actual %(actual)s, slippage "
            "%(slip)s.", at=announced, promised=promised, actual=actual,
            slip=language.duration(slippage.slip, signed=True))
    else:
        sentence = gettext("Restoration announced %(at)s for %(promised)s",
                           at=announced, promised=promised)
        if slippage.actual is not None:
            sentence += "; " + gettext("actual %(actual)s", actual=actual)
    if slippage.withdrawn is not None:
        sentence += "; " + gettext("withdrawn on %(when)s",
                                   when=language.when(slippage.withdrawn, compact=True))
    elif slippage.actual is None:
        sentence += "; " + (gettext("missed") if slippage.late else gettext("not reached yet"))
    return sentence + "."
