"""Completeness and coherence: impacts, offsets, timeline, lessons, promises, weekdays."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from babel.dates import get_day_names, get_month_names

from postmortem.i18n import _, message_language
from postmortem.lint.context import Context, Hit, alternatives, mask_quotes, quote
from postmortem.record.instants import When, stale_offset

# "about 14:00" may be off either way; order is only reported beyond this margin.
APPROXIMATE_SLACK = timedelta(minutes=30)


def check_impacts(context: Context) -> Iterator[Hit]:
    """Report impacts whose outcome contradicts their end or the incident's resolution."""
    incident = context.incident
    resolved = incident.key_instants.resolved
    resolved_by = resolved.at.latest if resolved else None  # None while not resolved
    zone = ZoneInfo(incident.timezone)
    for index, impact in enumerate(incident.impacts):
        loc = ("impacts", index)
        if impact.end_state == "restored" and impact.ended is None:
            yield Hit("impact-end", loc + ("outcome",),
                      _("outcome 'restored' but no 'ended': the report cannot say when"),
                      _("add 'ended:' (a day or 'after …' is fine), or write 'outcome: ended' "
                        "when the time is unknown"))
        elif impact.ongoing and resolved_by is not None and (
                incident.as_of is None or resolved_by.astimezone(zone).date() <= incident.as_of):
            assert resolved is not None, "resolved_by is read from resolved"
            yield Hit("impact-end", loc + ("outcome",),
                      _("marked ongoing, but the incident is resolved ({resolved})",
                        resolved=resolved.at),
                      _("give this impact its end and outcome, or make key_instants.resolved "
                        "'after …'"))
        if (impact.ended is not None and impact.ended.earliest is not None
                and resolved_by is not None and impact.ended.earliest > resolved_by):
            assert resolved is not None, "resolved_by is read from resolved"
            yield Hit("impact-end", loc + ("ended",),
                      _("ends ({ended}) after the incident is resolved ({resolved})",
                        ended=impact.ended, resolved=resolved.at),
                      _("move key_instants.resolved to when the last impact ended"))


def check_data_losses(context: Context) -> Iterator[Hit]:
    """Report impacts whose outcome is lost data that the record does not describe."""
    for index, impact in enumerate(context.incident.impacts):
        if impact.outcome == "data_lost" and impact.data_loss is None:
            yield Hit("data-loss", ("impacts", index, "outcome"),
                      _("outcome 'data_lost', but the impact on {service} does not say what "
                        "was lost", service=quote(impact.service)),
                      _("add 'data_loss:' with 'what', the window of lost changes ('since', "
                        "'until'), the amount and whether it is permanent"))


def check_offsets(context: Context) -> Iterator[Hit]:
    """Report offsets of the record's zone in the wrong season: a +01:00 after the clocks moved.

    An offset the zone never uses is taken as deliberate (a time read in another zone).
    """
    for loc, when in context.instants:
        stale = stale_offset(when, context.incident.timezone)
        if stale is not None:
            yield Hit("offset-zone", loc, *stale)


def check_timeline(context: Context) -> Iterator[Hit]:
    """Report a missing detection or recovery, and entries listed out of order."""
    incident = context.incident
    kinds = {entry.kind for entry in incident.timeline}
    instants = incident.key_instants
    # How it was detected, or how service came back, may be told under `response`.
    if "detection" not in kinds and not incident.response.detection.strip():
        yield Hit("timeline-detection", ("timeline",),
                  _("no timeline entry says how the incident was detected"),
                  _("add an entry with 'kind: detection': who or what noticed, and how (or "
                    "tell it under 'response: detection:')"),
                  at_key=True)
    if instants.detected is None:
        yield Hit("timeline-detection", ("key_instants",), _("key_instants has no 'detected'"),
                  _("add 'detected:' so that the time to detect can be computed; a range is "
                    "fine"), at_key=True)
    if "recovery" not in kinds and not incident.response.recovery.strip():
        yield Hit("timeline-resolution", ("timeline",),
                  _("no timeline entry says how service came back"),
                  _("add an entry with 'kind: recovery' (or tell it under 'response: "
                    "recovery:')"), at_key=True)
    if instants.restored is None and instants.resolved is None:
        yield Hit("timeline-resolution", ("key_instants",),
                  _("key_instants has neither 'restored' nor 'resolved'"),
                  _("add 'restored:' (or 'resolved: after …' while it is not)"), at_key=True)
    # An entry is out of order only if it certainly happened before one listed above it.
    latest_start = None  # (earliest instant of the entries so far, index of that entry)
    for index, entry in enumerate(incident.timeline):
        earliest, latest = _bounds(entry.at)
        if latest_start and latest is not None and latest < latest_start[0]:
            before = latest_start[1]
            yield Hit("timeline-order", ("timeline", index, "at"),
                      _("listed after timeline[{before}] ({at}) but happened before it",
                        before=before, at=incident.timeline[before].at),
                      _("move the entry to its place in time"))
        if earliest is not None and (latest_start is None or earliest > latest_start[0]):
            latest_start = (earliest, index)


def _bounds(when: When):
    slack = APPROXIMATE_SLACK if when.approximate else timedelta(0)
    earliest = when.earliest - slack if when.earliest else None
    latest = when.latest + slack if when.latest else None
    return earliest, latest


def check_lessons(context: Context) -> Iterator[Hit]:
    """Report lessons that lead to no action item and do not say why."""
    followed = {lesson for action in context.incident.actions for lesson in action.lessons}
    for index, lesson in enumerate(context.incident.lessons):
        if lesson.id not in followed and not lesson.no_action_because.strip():
            yield Hit("lesson-action", ("lessons", index),
                      _("lesson {id!r} leads to no action item", id=lesson.id),
                      _("add an action with 'lessons: [{id}]', or say why not in "
                        "'no_action_because'", id=lesson.id))


def check_promises(context: Context) -> Iterator[Hit]:
    """Report promises not certainly kept, and followed by no update to their audience."""
    communications = context.incident.communications
    index_of = {id(communication): index for index, communication in enumerate(communications)}
    for slippage in context.report.slippages:
        actual = slippage.actual
        if actual is not None and actual.latest is not None and actual.latest <= slippage.deadline:
            continue  # kept
        if slippage.withdrawn is not None:
            continue  # withdrawing it told the audience
        if actual is None and not slippage.unmet_on_knowledge_day:
            continue  # it may still be kept: its deadline is not past when the record stops
        communication = slippage.communication
        audience = set(communication.audience)
        made = communication.at.reference
        if any(other.at.reference > made and audience & set(other.audience)
               for other in communications):
            continue
        promise = slippage.promise
        audiences = ", ".join(sorted(audience))
        if slippage.about == "deliverable":
            field, what = "by", _("{deliverable}, promised for {promised}, was not certainly "
                                  "delivered, and no later communication to {audience} follows",
                                  deliverable=quote(promise.deliverable),
                                  promised=slippage.promised, audience=audiences)
        else:
            field, what = "restoration", _("restoration promised for {promised} was not "
                                           "certainly met, and no later communication to "
                                           "{audience} follows", promised=slippage.promised,
                                           audience=audiences)
        yield Hit("promise-update",
                  ("communications", index_of[id(communication)], "promised", field), what,
                  _("add the communication that updated this audience; if there was none, say "
                    "so under response.went_wrong"))


def check_third_parties(context: Context) -> Iterator[Hit]:
    """Report third parties in the cause without contract, expectation or whether it held."""
    cause = context.incident.cause
    involved = {factor.third_party for factor in (cause.trigger, *cause.contributing_factors)}
    for index, party in enumerate(context.incident.third_parties):
        if party.id not in involved:
            continue
        given = {"contract": party.contract.strip(), "expectation": party.expectation.strip(),
                 "expectation_met": party.expectation_met is not None}
        missing = [name for name, present in given.items() if not present]
        if missing:
            yield Hit("third-party-expectation", ("third_parties", index),
                      _("third party {id!r} is part of the cause but the record does not "
                        "give: {missing}", id=party.id, missing=", ".join(missing)),
                      _("state the contract or SLA (or that it is not known), what was "
                        "expected, and whether it held"))


def check_weekdays(context: Context) -> Iterator[Hit]:
    """Report weekdays written in prose that contradict their date."""
    lang = context.incident.lang
    reference = context.incident.key_instants.started.at.reference.date()
    hint = _("fix the weekday or the date; if a source says otherwise, quote it and "
             "record the discrepancy")
    for loc, text, cites in context.prose:
        searched = mask_quotes(text) if cites else text
        for start, written, weekday, day in _weekday_dates(searched, lang, reference):
            if day.weekday() == weekday:
                continue
            # The day is named in the reader's language, and in the record's where it differs.
            actual = get_day_names("wide", locale=message_language())[day.weekday()]
            local = get_day_names("wide", locale=lang)[day.weekday()]
            if local.lower() == actual.lower():
                message = _("{written}: {day} is a {weekday}", written=quote(written),
                            day=day.isoformat(), weekday=actual)
            else:
                message = _("{written}: {day} is a {weekday} ({in_record_language})",
                            written=quote(written), day=day.isoformat(), weekday=actual,
                            in_record_language=local)
            yield Hit("weekday-mismatch", loc, message, hint, start)


def _weekday_dates(text: str, lang: str, reference: date) -> Iterator[tuple[int, str, int, date]]:
    """Yield (offset, text, weekday written, date meant) for each 'weekday day month' in text."""
    for pattern in _weekday_patterns(lang):
        for match in pattern.finditer(text):
            weekday = _calendar_index(lang, "day")[_calendar_key(match.group("weekday"))]
            month = _calendar_index(lang, "month")[_calendar_key(match.group("month"))]
            day = int(match.group("day"))
            # Without a year, the date meant is the one nearest to the incident.
            years = ([int(match.group("year"))] if match.group("year")
                     else [reference.year - 1, reference.year, reference.year + 1])
            candidates = []
            for year in years:
                try:
                    candidates.append(date(year, month, day))
                except ValueError:
                    continue
            if candidates:
                meant = min(candidates, key=lambda candidate: abs(candidate - reference))
                yield match.start(), match.group(), weekday, meant


@functools.cache
def _calendar_index(lang: str, kind: str) -> dict[str, int]:
    """Map each wide and abbreviated day (0 = Monday) or month (1 = January) name to its number."""
    names = get_day_names if kind == "day" else get_month_names
    index: dict[str, int] = {}
    for width in ("wide", "abbreviated"):
        for number, name in names(width, locale=lang).items():
            index[_calendar_key(name)] = number
    return index


def _calendar_key(name: str) -> str:
    return name.lower().rstrip(".")


@functools.cache
def _weekday_patterns(lang: str) -> tuple[re.Pattern, ...]:
    days = alternatives(_calendar_index(lang, "day"))
    months = alternatives(_calendar_index(lang, "month"))
    weekday = rf"(?<!\w)(?P<weekday>{days})\.?,?\s+"
    day = r"(?P<day>\d{1,2})(?:er|st|nd|rd|th)?"
    year = r"(?:,?\s+(?P<year>\d{4}))?(?!\w)"
    day_first = rf"{weekday}(?:the\s+)?{day}\s+(?:of\s+)?(?P<month>{months})\.?{year}"
    month_first = rf"{weekday}(?P<month>{months})\.?\s+{day}{year}"
    return tuple(re.compile(pattern, re.IGNORECASE) for pattern in (day_first, month_first))
