"""What the executive page and the public statement show, gathered from a derived report.

The executive page is one A4 page for a director. It is rendered at rising levels of
`detail`, from 0 (fullest) to EXECUTIVE_LEVELS - 1, and the first level whose page fits
is kept. What each level shows is decided here, not clipped by the page: level by level,

0. everything: the whole summary, every impact, quantity and headline figure, the three
   most important open action items, every decision with its context;
1. the impacts are shortened to the six that matter most (ongoing first, then the
   widest), the others counted;
2. the quantities are shortened to three, the headline figures to the main duration;
3. the decisions lose their context (question, date, options and recommendation stay);
4. the summary is cut to its first paragraph;
5. the impacts are shortened to four, and who was affected to its first two groups;
6. the summary is cut to the sentences that fit in 700 characters;
7. the action items, questions and recommendations are cut at 200 characters, the
   impacts shortened to three;
8. every text is cut at a fixed length (CUT_LENGTHS), who was affected to one group,
   the decisions to two with two options each;
9. every text is cut shorter still (SHORT_CUT_LENGTHS). Whatever the record, this fits
   one page, even written in capitals, the widest letters.

A text is cut at a word boundary and ends with "…"; the summary ends at a sentence when
one ends late enough, and says that the full review goes on.

The public statement is for patients, customers and the press; the report it is given is
already redacted for the public, and it shows no owner, no person and no internal id.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from postmortem.analysis.derive import PRIORITY_ORDER, Figure, Report
from postmortem.record.instants import When
from postmortem.record.model import (
    ActionItem,
    Communication,
    Decision,
    Impact,
    NotAffected,
    Quantity,
)

#: Levels of detail the executive page can be rendered at; the last always fits one page.
EXECUTIVE_LEVELS = 10

#: The headline duration, by preference: the service back for its users, then the rest.
HEADLINE_FIGURES = ("time_to_restore", "time_to_resolve", "time_to_mitigate", "time_to_detect")

#: How many entries each level shows at most (None: all), by level.
_IMPACTS = (None, 6, 6, 6, 6, 4, 4, 3, 3, 3)
_QUANTITIES = (None, None, 3, 3, 3, 3, 3, 3, 3, 3)
_AFFECTED = (None, None, None, None, None, 2, 2, 2, 1, 1)
_DECISIONS = (None, None, None, None, None, None, None, None, 2, 2)
_OPTIONS = (None, None, None, None, None, None, None, None, 2, 2)

#: Characters each text keeps from level 8.
CUT_LENGTHS = {
    "title": 120, "organisation": 60, "summary": 400, "service": 80, "sites": 40,
    "affected": 50, "quantity": 50, "action": 130, "owner": 40, "question": 130,
    "recommendation": 100, "option": 50, "figure": 50,
}

#: Characters each text keeps at the last level: about two thirds of CUT_LENGTHS.
SHORT_CUT_LENGTHS = {
    "title": 80, "organisation": 40, "summary": 260, "service": 50, "sites": 25,
    "affected": 30, "quantity": 30, "action": 90, "owner": 25, "question": 90,
    "recommendation": 70, "option": 30, "figure": 30,
}

#: The lengths texts are cut at, by level and kind of text (a kind not named: whole).
_CUTS: tuple[dict[str, int], ...] = (
    {}, {}, {}, {}, {}, {}, {"summary": 700},
    {"summary": 700, "action": 200, "question": 200, "recommendation": 200},
    CUT_LENGTHS, SHORT_CUT_LENGTHS)

#: The audiences of a communication that the public statement lists.
PUBLIC_AUDIENCES = ("public", "press", "customers")

_ELLIPSIS = "…"
_BLANK_LINE = re.compile(r"\n[ \t]*\n")
#: The end of a sentence: its stop (and a closing quote or bracket), then a space.
_SENTENCE_END = re.compile(r"([.!?…][»)\]\"'’]?)(?=\s)")


@dataclass(frozen=True)
class ExecutiveImpact:
    """One affected service as the executive page shows it: for whom, where, how it ended."""

    service: str
    sites: str
    """The names of the sites, joined with '; ', or empty."""
    affected: tuple[str, ...]
    affected_left_out: int
    ongoing: bool


@dataclass(frozen=True)
class ExecutiveAction:
    """An open action item with who is accountable and by when."""

    action: str
    owner: str
    due: date | None
    priority: str | None
    overdue: bool


@dataclass(frozen=True)
class ExecutiveDecision:
    """A decision asked of management."""

    question: str
    by: date | None
    recommendation: str
    options: tuple[str, ...]
    options_left_out: int
    context: str


@dataclass(frozen=True)
class ExecutiveLevel:
    """What the executive page shows at one level of detail (see the module's levels)."""

    detail: int
    title: str
    organisation: str
    summary: tuple[str, ...]
    """The summary's paragraphs (Markdown), as many as the level keeps."""
    summary_shortened: bool
    """Whether the summary shown is shorter than the record's."""
    duration: Figure | None
    """The headline duration, with its uncertainty: restored, else resolved, mitigated."""
    figures: tuple[Figure, ...]
    """The headline durations shown besides it, in the order of the incident's life."""
    figure_names: dict[str, str]
    """What each shown figure ends at, in the record's words (cut from level 8)."""
    sites: int | None
    services: int
    key_quantity: Quantity | None
    """The incident's first quantity, else an impact's: the count of the figure band."""
    quantities: tuple[Quantity, ...]
    quantity_names: tuple[str, ...]
    """What each quantity counts, in words (its unit and what), cut from level 8."""
    quantities_left_out: int
    impacts: tuple[ExecutiveImpact, ...]
    impacts_left_out: int
    state: str
    """Where the incident stands (Report.current_state)."""
    as_of: date
    """The day the state holds on: the record's `as_of`, else the document's day."""
    actions: tuple[ExecutiveAction, ...]
    open_actions: int
    overdue_actions: int
    decisions: tuple[ExecutiveDecision, ...]
    decisions_left_out: int


@dataclass(frozen=True)
class PublicAction:
    """An action item as the public reads it: what, by when, whether done; never who."""

    action: str
    due: date | None
    done: bool
    completed: date | None
    status: str | None = None
    """Where it stands ('proposed' is only proposed: the statement says so); never who."""


@dataclass(frozen=True)
class PublicFacts:
    """What the public statement shows."""

    summary: str
    duration: Figure | None
    sites: int | None
    impacts: tuple[Impact, ...]
    not_affected: tuple[NotAffected, ...]
    state: str
    as_of: date
    recovery: str
    """How service came back, in the response's words (Markdown)."""
    actions_open: tuple[PublicAction, ...]
    actions_done: tuple[PublicAction, ...]
    lessons: tuple[str, ...]
    next_update: When | None
    next_update_channel: str
    next_update_note: str
    next_update_wording: str
    """What the statement says of the next update: "scheduled" (a time is given), "final"
    (the incident is over: nothing more will come) or "unscheduled" (ongoing, no time)."""
    communications: tuple[Communication, ...] = field(default=())
    """What was said to the public, the press or customers, in time order."""


def cut(text: str, limit: int, sentences: bool = False) -> str:
    """Return a text cut to at most `limit` characters at a word boundary, ending with "…".

    With `sentences`, the text ends at the end of a sentence instead, when one ends past
    half the limit.
    """
    text = text.strip()
    if len(text) <= limit:
        return text
    if sentences:
        ends = [found.end(1) for found in _SENTENCE_END.finditer(text, 0, limit + 1)]
        if ends and ends[-1] > limit // 2:
            return text[:ends[-1]]
    head = text[:limit - len(_ELLIPSIS)]
    boundary = max(head.rfind(" "), head.rfind("\n"), head.rfind("\t"))
    if boundary > limit // 2:
        head = head[:boundary]
    # A cut after a mark of punctuation would leave it dangling before the ellipsis.
    return head.rstrip(" \t\n.,;:!?—–-") + _ELLIPSIS


def first_paragraph(text: str) -> str:
    """Return the first paragraph of a Markdown text."""
    return _BLANK_LINE.split(text.strip(), maxsplit=1)[0]


def paragraphs(text: str) -> tuple[str, ...]:
    """Return the paragraphs of a Markdown text, without the blank lines between them."""
    return tuple(part.strip() for part in _BLANK_LINE.split(text.strip()) if part.strip())


def ranked_open_actions(report: Report) -> list[ActionItem]:
    """Return the open action items, most important first.

    Overdue items first (past due on the knowledge day, unless a comment silences it),
    then by priority (high, medium, low, not stated), then by the earliest due date (none
    last), then in the order of the record.
    """
    overdue = {action.id for action in report.overdue_actions}

    def rank(row: tuple[int, ActionItem]) -> tuple[int, int, date, int]:
        index, action = row
        return (0 if action.id in overdue else 1, PRIORITY_ORDER[action.priority],
                action.due or date.max, index)

    rows = [(index, action) for index, action in enumerate(report.incident.actions)
            if action.is_open]
    return [action for _, action in sorted(rows, key=rank)]


def headline_figure(report: Report) -> Figure | None:
    """Return the duration a reader asks for first: until service came back, else the next."""
    by_name = {figure.name: figure for figure in report.figures}
    return next((by_name[name] for name in HEADLINE_FIGURES if name in by_name), None)


@dataclass(frozen=True)
class ExecutiveFacts:
    """What the executive page shows at each level of detail, 0 (fullest) first."""

    levels: tuple[ExecutiveLevel, ...]

    def at(self, detail: int) -> ExecutiveLevel:
        """Return what the page shows at one level; past the last, the last."""
        return self.levels[min(max(detail, 0), len(self.levels) - 1)]


def executive_facts(report: Report) -> ExecutiveFacts:
    """Gather what the executive page shows, at every level of detail (see the module)."""
    return ExecutiveFacts(tuple(_executive_level(report, level)
                                for level in range(EXECUTIVE_LEVELS)))


def _executive_level(report: Report, detail: int) -> ExecutiveLevel:
    """Gather the executive page's facts at one level of detail."""
    incident = report.incident
    lengths = _CUTS[detail]

    def text(value: str, kind: str) -> str:
        return cut(value, lengths[kind]) if kind in lengths else value.strip()

    def kept(items: list, limits: tuple[int | None, ...]) -> tuple[list, int]:
        limit = limits[min(detail, len(limits) - 1)]
        shown = items if limit is None else items[:limit]
        return shown, len(items) - len(shown)

    summary = (first_paragraph(incident.summary),) if detail >= 4 else paragraphs(
        incident.summary)
    summary_shortened = len(summary) < len(paragraphs(incident.summary))
    if "summary" in lengths:
        shortened = cut(summary[0], lengths["summary"], sentences=True)
        summary_shortened = summary_shortened or shortened != summary[0]
        summary = (shortened,)

    duration = headline_figure(report)
    # From level 2 the band's duration stands alone; before, the others follow it.
    figures = [figure for figure in report.figures
               if figure is not duration and detail < 2]
    shown_figures = [figure for figure in (duration, *figures) if figure is not None]

    quantities, quantities_left_out = kept(list(report.quantities), _QUANTITIES)

    # The impacts a director must see first: those still going on, then the widest.
    order = sorted(enumerate(incident.impacts), key=lambda row: (
        not row[1].ongoing, -(row[1].site_count or 0), row[0]))
    impacts, impacts_left_out = kept([impact for _, impact in order], _IMPACTS)
    affected_limit = _AFFECTED[detail]

    def executive_impact(impact: Impact) -> ExecutiveImpact:
        affected = (impact.affected if affected_limit is None
                    else impact.affected[:affected_limit])
        names = "; ".join(impact.sites)
        return ExecutiveImpact(
            service=text(impact.service, "service"),
            sites=text(names, "sites") if names else "",
            affected=tuple(text(who, "affected") for who in affected),
            affected_left_out=len(impact.affected) - len(affected),
            ongoing=impact.ongoing)

    actions = ranked_open_actions(report)
    overdue = {action.id for action in report.overdue_actions}
    decisions, decisions_left_out = kept(list(incident.decisions), _DECISIONS)
    option_limit = _OPTIONS[detail]

    def executive_decision(decision: Decision) -> ExecutiveDecision:
        options = (decision.options if option_limit is None
                   else decision.options[:option_limit])
        return ExecutiveDecision(
            question=text(decision.question, "question"), by=decision.by,
            recommendation=text(decision.recommendation, "recommendation"),
            options=tuple(text(option, "option") for option in options),
            options_left_out=len(decision.options) - len(options),
            context="" if detail >= 3 else decision.context.strip())

    return ExecutiveLevel(
        detail=detail,
        title=text(incident.title, "title"),
        organisation=text(incident.organisation, "organisation"),
        summary=summary,
        summary_shortened=summary_shortened,
        duration=duration,
        figures=tuple(figures),
        figure_names={figure.name: text(figure.what, "figure") for figure in shown_figures},
        sites=report.sites_affected,
        services=report.services_affected,
        key_quantity=report.quantities[0] if report.quantities else None,
        quantities=tuple(quantities),
        quantity_names=tuple(
            text(quantity.unit + (f" ({quantity.what})" if quantity.what else ""), "quantity")
            for quantity in quantities),
        quantities_left_out=quantities_left_out,
        impacts=tuple(executive_impact(impact) for impact in impacts),
        impacts_left_out=impacts_left_out,
        state=report.current_state,
        as_of=report.knowledge_day,
        actions=tuple(ExecutiveAction(
            action=text(action.action, "action"), owner=text(action.owner, "owner"),
            due=action.due, priority=action.priority, overdue=action.id in overdue)
            for action in actions[:3]),
        open_actions=len(actions),
        overdue_actions=len(overdue),
        decisions=tuple(executive_decision(decision) for decision in decisions),
        decisions_left_out=decisions_left_out,
    )


def next_update_wording(report: Report) -> str:
    """Say what the statement tells of the next update: scheduled, final or unscheduled.

    A time given in the record is "scheduled"; without one, an incident over (resolved,
    or every impact ended) makes this "final", one still going on "unscheduled".
    """
    planned = report.incident.next_update
    if planned is not None and planned.at is not None:
        return "scheduled"
    return "unscheduled" if report.current_state == "ongoing" else "final"


def public_facts(report: Report) -> PublicFacts:
    """Gather what the public statement shows from a report redacted for the public."""
    incident = report.incident
    planned = incident.next_update
    actions = [action for action in incident.actions
               if action.superseded_by is None and action.merged_into is None
               and action.status != "wont_do"]

    def public_action(action: ActionItem) -> PublicAction:
        return PublicAction(action.action.strip(), action.due, action.status == "done",
                            action.completed, action.status)

    return PublicFacts(
        summary=incident.summary.strip(),
        duration=headline_figure(report),
        sites=report.sites_affected,
        impacts=tuple(incident.impacts),
        not_affected=tuple(incident.not_affected),
        state=report.current_state,
        as_of=report.knowledge_day,
        recovery=incident.response.recovery.strip(),
        actions_open=tuple(public_action(action) for action in actions if action.is_open),
        actions_done=tuple(public_action(action) for action in actions
                           if action.status == "done"),
        lessons=tuple(lesson.title.strip() for lesson in incident.lessons),
        next_update=planned.at if planned is not None else None,
        next_update_channel=planned.channel.strip() if planned is not None else "",
        next_update_note=planned.note.strip() if planned is not None else "",
        next_update_wording=next_update_wording(report),
        communications=tuple(sorted(
            (message for message in incident.communications
             if any(audience in PUBLIC_AUDIENCES for audience in message.audience)),
            key=lambda message: message.at.reference)),
    )
