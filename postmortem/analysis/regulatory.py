"""What the regulatory documents state: the NIS2 reporting clock and final report, and the
French health-sector declaration of a serious information-system incident.

The NIS2 clock (Directive (EU) 2022/2555, Article 23(4)) runs from the moment the entity
became aware of the significant incident: an early warning within 24 hours (point a), an
incident notification within 72 hours (point b), and a final report within one month of
the incident notification (point d). A record rarely knows that moment to the minute; each
deadline is counted from the EARLIEST moment the awareness may have been (the strict
reading: a deadline the entity may already have been bound by is never shown later than
it may be). A notification is judged on its own bounds: met when it was certainly sent by
the deadline, late when certainly after, uncertain when its range straddles it.

The declaration (Code de la santé publique, art. L1111-8-2 and D1111-16-2) asks into which
categories the incident falls; each is ticked from the facts of the record that support
it, and shown with them (see `declaration_facts`).
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import TYPE_CHECKING, Literal

from postmortem.record import model
from postmortem.record.instants import When, zone_named

if TYPE_CHECKING:
    from postmortem.analysis.derive import Figure, ImpactSpan, LostData, Report
    from postmortem.record.model import (
        ActionItem,
        Factor,
        Impact,
        Incident,
        NotAffected,
        Notification,
        Quantity,
        RuledOut,
        TimelineEntry,
    )

#: The deadlines of NIS2 Article 23(4), in the order they fall; a notification of the
#: kind of the same name answers each.
DEADLINES = ("early_warning", "incident_notification", "final_report")

#: Timeline entries that tell of a mitigation measure applied during the incident.
MEASURE_KINDS = ("action", "recovery", "decision")

#: The categories of the health-sector declaration, in the order the declaration asks them.
CONSEQUENCES = tuple(model.CONSEQUENCES)

AwarenessSource = Literal["aware", "detected", "started"]
DeadlineStatus = Literal["met", "late", "uncertain", "not_recorded", "not_yet_due"]
NotificationStatus = Literal["met", "late", "uncertain"]


@dataclass(frozen=True)
class Awareness:
    """The moment of awareness the NIS2 clock starts at, and where the record gives it."""

    when: When
    source: AwarenessSource
    """'aware' (regulatory.aware), else the key instant 'detected', else 'started'."""

    @property
    def clock_start(self) -> datetime:
        """Return the instant the deadlines count from: the earliest the awareness may be."""
        start = self.when.earliest or self.when.latest
        assert start is not None, "an instant has at least one bound"
        return start

    @property
    def earliest_unknown(self) -> bool:
        """Return whether only an upper bound is known ('before …'): counted from that bound."""
        return self.when.earliest is None


@dataclass(frozen=True)
class NotificationCheck:
    """A notification made to an authority, the deadline it answers and whether it met it."""

    notification: Notification
    deadline: str | None
    """The deadline of Art. 23(4) it answers (by its kind); None: it answers none."""
    due: datetime | None = None
    status: NotificationStatus | None = None


@dataclass(frozen=True)
class Deadline:
    """One deadline of the NIS2 clock: when it falls, and whether it was met."""

    name: str
    """'early_warning', 'incident_notification' or 'final_report'."""
    due: datetime
    """The deadline, in the record's time zone."""
    counted_from: Literal["awareness", "notification", "notification_deadline"]
    """What it counts from: the awareness; the recorded incident notification; or, none
    being recorded, the deadline of the incident notification."""
    start: datetime
    """The instant it counts from (the earliest possible one)."""
    approximate: bool
    """The instant it counts from is approximate: so is the deadline."""
    status: DeadlineStatus
    """That of its first notification; with none: not recorded, or not yet due."""
    checks: list[NotificationCheck] = field(default_factory=list)
    """The notifications that answer it, first sent first."""


@dataclass(frozen=True)
class Nis2Facts:
    """What the NIS2 final report states, item by item of Article 23(4)(d), and its clock."""

    entity: str
    establishment: str
    sector: str
    contact: str
    awareness: Awareness
    deadlines: list[Deadline]
    notifications: list[NotificationCheck]
    """Every notification recorded, in the order they were sent."""
    knowledge_day: date
    ongoing: bool
    """The incident still goes on when the record's knowledge stops (Art. 23(4)(e) applies)."""
    # (i) description, severity and impact
    summary: str
    severity: str | None
    figures: list[Figure]
    impacts: list[ImpactSpan]
    quantities: list[Quantity]
    data_losses: list[LostData]
    # (ii) type of threat or root cause
    threat: str
    """The record's own statement of the threat or root cause; empty: see the cause."""
    trigger: Factor
    contributing_factors: list[Factor]
    ruled_out: list[RuledOut]
    # (iii) mitigation measures applied and ongoing
    measures_applied: list[TimelineEntry]
    actions_done: list[ActionItem]
    actions_open: list[ActionItem]
    # (iv) cross-border impact
    cross_border: str
    member_states: list[str]

    @property
    def by_name(self) -> dict[str, Deadline]:
        """Return the deadlines by name."""
        return {deadline.name: deadline for deadline in self.deadlines}

    @property
    def cross_border_stated(self) -> bool:
        """Return whether the record states anything of a cross-border impact."""
        return bool(self.cross_border.strip() or self.member_states)


def awareness(incident: Incident) -> Awareness:
    """Return the moment of awareness: `regulatory.aware`, else detection, else the start."""
    regulatory = incident.regulatory
    if regulatory is not None and regulatory.aware is not None:
        return Awareness(regulatory.aware, "aware")
    detected = incident.key_instants.detected
    if detected is not None:
        return Awareness(detected.at, "detected")
    return Awareness(incident.key_instants.started.at, "started")


def after_hours(start: datetime, hours: int, zone: tzinfo) -> datetime:
    """Return the instant `hours` of elapsed time after `start` (across a change of clock)."""
    return (start.astimezone(UTC) + timedelta(hours=hours)).astimezone(zone)


def one_month_after(start: datetime, zone: tzinfo) -> datetime:
    """Return the same time of day one calendar month later in `zone`, on the month's last
    day when it is shorter (31 January → 28 or 29 February)."""
    local = start.astimezone(zone)
    year, month = (local.year + 1, 1) if local.month == 12 else (local.year, local.month + 1)
    day = min(local.day, calendar.monthrange(year, month)[1])
    # Through UTC, so that a wall time in a change of clock takes the zone's offset.
    return local.replace(year=year, month=month, day=day).astimezone(UTC).astimezone(zone)


def judged(sent: When, due: datetime) -> NotificationStatus:
    """Judge a notification on its bounds: met if certainly by `due`, late if certainly after."""
    if sent.latest is not None and sent.latest <= due:
        return "met"
    if sent.earliest is not None and sent.earliest > due:
        return "late"
    return "uncertain"


def _first_sent(notifications: list[Notification]) -> list[Notification]:
    return sorted(notifications, key=lambda item: item.at.earliest or item.at.reference)


def reporting_clock(incident: Incident, knowledge_day: date) -> tuple[Awareness, list[Deadline]]:
    """Return the moment of awareness and the three deadlines of NIS2 Article 23(4).

    24 h and 72 h are elapsed hours; one month is a calendar month in the record's zone.
    A deadline with no notification is 'not_recorded' when it fell on or before the
    knowledge day (the record would know of a notification by then), else 'not_yet_due'.
    """
    zone = zone_named(incident.timezone)
    aware = awareness(incident)
    # The record knows what happened until the end of its knowledge day.
    known_until = datetime.combine(knowledge_day + timedelta(days=1), time(0), zone)
    sent = {name: _first_sent([item for item in incident.notifications
                               if item.kind == name]) for name in DEADLINES}

    def deadline(name: str, due: datetime, counted_from: str, start: datetime,
                 approximate: bool) -> Deadline:
        checks = [NotificationCheck(item, name, due, judged(item.at, due)) for item in sent[name]]
        status: DeadlineStatus
        if checks:
            status = checks[0].status  # type: ignore[assignment]
        else:
            status = "not_recorded" if due < known_until else "not_yet_due"
        return Deadline(name, due, counted_from, start, approximate,  # type: ignore[arg-type]
                        status, checks)

    start = aware.clock_start
    early = deadline("early_warning", after_hours(start, 24, zone), "awareness", start,
                     aware.when.approximate)
    notification = deadline("incident_notification", after_hours(start, 72, zone), "awareness",
                            start, aware.when.approximate)
    if sent["incident_notification"]:
        submitted = sent["incident_notification"][0].at
        final_start = submitted.earliest or submitted.latest
        assert final_start is not None, "an instant has at least one bound"
        final = deadline("final_report", one_month_after(final_start, zone), "notification",
                         final_start, submitted.approximate)
    else:
        final = deadline("final_report", one_month_after(notification.due, zone),
                         "notification_deadline", notification.due, notification.approximate)
    return aware, [early, notification, final]


def nis2_facts(report: Report) -> Nis2Facts:
    """Gather what the NIS2 final report states: its clock and the four items of Art. 23(4)(d).

    The deadlines count from the earliest possible moment of awareness (see the module);
    each recorded notification is judged against the deadline its kind answers: early
    warning, incident notification, final report (an intermediate report, a health-sector
    declaration or another notification answers none of them).
    """
    incident = report.incident
    regulatory = incident.regulatory
    aware, deadlines = reporting_clock(incident, report.knowledge_day)
    # Each deadline has judged its notifications; those of other kinds answer none.
    judged_checks = {id(check.notification): check for deadline in deadlines
                     for check in deadline.checks}
    checks = [judged_checks.get(id(item), NotificationCheck(item, None))
              for item in _first_sent(list(incident.notifications))]
    return Nis2Facts(
        **_entity(incident),
        awareness=aware,
        deadlines=deadlines,
        notifications=checks,
        knowledge_day=report.knowledge_day,
        ongoing=report.current_state == "ongoing",
        summary=incident.summary,
        severity=incident.severity,
        figures=report.figures,
        impacts=report.impacts,
        quantities=report.quantities,
        data_losses=report.data_losses,
        threat=regulatory.threat if regulatory else "",
        trigger=incident.cause.trigger,
        contributing_factors=list(incident.cause.contributing_factors),
        ruled_out=list(incident.cause.ruled_out),
        measures_applied=measures_applied(report),
        actions_done=[action for action in incident.actions if action.status == "done"],
        actions_open=report.open_actions,
        cross_border=regulatory.cross_border if regulatory else "",
        member_states=list(regulatory.member_states) if regulatory else [],
    )


def _entity(incident: Incident) -> dict[str, str]:
    """Return who reports, as both documents name it: the entity, else the organisation."""
    regulatory = incident.regulatory
    return {
        "entity": (regulatory.entity if regulatory and regulatory.entity
                   else incident.organisation),
        "establishment": regulatory.establishment if regulatory else "",
        "sector": regulatory.sector if regulatory else "",
        "contact": regulatory.contact if regulatory else "",
    }


def measures_applied(report: Report) -> list[TimelineEntry]:
    """Return the timeline's actions, recoveries and decisions, in the order they happened."""
    return [entry for entry in report.timeline if entry.kind in MEASURE_KINDS]


# The health-sector declaration.

#: Why a fact ticks a category: stated by the impact, or inferred from what it records.
Reason = Literal["stated", "data_loss", "degraded_mode", "sites"]


@dataclass(frozen=True)
class CategoryFact:
    """An impact that ticks a category of the declaration, and why."""

    impact: Impact
    reasons: tuple[Reason, ...]
    sources: tuple[str, ...]
    """The sources of the impact, and of its data loss when that is the reason."""


@dataclass(frozen=True)
class Category:
    """One category of the declaration, with the facts of the record that tick it."""

    name: str
    facts: list[CategoryFact]

    @property
    def ticked(self) -> bool:
        """Return whether some fact of the record supports the category."""
        return bool(self.facts)


@dataclass(frozen=True)
class DeclarationFacts:
    """What the declaration of a serious information-system incident states."""

    entity: str
    establishment: str
    sector: str
    contact: str
    organisation: str
    started: When
    detected: When | None
    awareness: Awareness
    mitigated: When | None
    restored: When | None
    resolved: When | None
    current_state: str
    knowledge_day: date
    categories: list[Category]
    summary: str
    trigger: Factor
    measures_applied: list[TimelineEntry]
    actions_open: list[ActionItem]
    declarations: list[Notification]
    """The health-sector declarations already recorded, first sent first."""
    notifications: list[Notification]
    """Every notification recorded, first sent first."""
    not_affected: list[NotAffected]

    @property
    def ticked(self) -> list[str]:
        """Return the names of the categories ticked."""
        return [category.name for category in self.categories if category.ticked]


def consequence_reasons(impact: Impact) -> dict[str, list[Reason]]:
    """Return, for each category an impact ticks, why it ticks it.

    Stated: the impact lists the category in `consequences`. Inferred (from what the record
    holds, never from the wording of its texts): a data loss touches the integrity of the
    data (data_integrity); a degraded mode, or sites affected, means the establishment did
    not work normally (operations). Care safety, confidentiality, the health system and
    other establishments are ticked only when stated: no field of the record says them.
    """
    reasons: dict[str, list[Reason]] = {}
    for name in impact.consequences:
        reasons.setdefault(name, []).append("stated")
    if impact.data_loss is not None:
        reasons.setdefault("data_integrity", []).append("data_loss")
    if impact.degraded_mode.strip():
        reasons.setdefault("operations", []).append("degraded_mode")
    if impact.sites or impact.site_count:
        reasons.setdefault("operations", []).append("sites")
    return reasons


def _sources(impact: Impact, reasons: list[Reason]) -> tuple[str, ...]:
    found = list(impact.sources)
    if "data_loss" in reasons and impact.data_loss is not None:
        found += impact.data_loss.sources
    return tuple(dict.fromkeys(found))


def declaration_categories(incident: Incident) -> list[Category]:
    """Return the six categories of the declaration, each with the impacts that tick it."""
    facts: dict[str, list[CategoryFact]] = {name: [] for name in CONSEQUENCES}
    for impact in incident.impacts:
        for name, reasons in consequence_reasons(impact).items():
            facts[name].append(CategoryFact(impact, tuple(reasons), _sources(impact, reasons)))
    return [Category(name, facts[name]) for name in CONSEQUENCES]


def declaration_facts(report: Report) -> DeclarationFacts:
    """Gather what the declaration states: the establishment, the dates, the categories."""
    incident = report.incident
    instants = incident.key_instants
    notifications = _first_sent(list(incident.notifications))

    def at(name: str) -> When | None:
        instant = getattr(instants, name)
        return instant.at if instant is not None else None

    return DeclarationFacts(
        **_entity(incident),
        organisation=incident.organisation,
        started=instants.started.at,
        detected=at("detected"),
        awareness=awareness(incident),
        mitigated=at("mitigated"),
        restored=at("restored"),
        resolved=at("resolved"),
        current_state=report.current_state,
        knowledge_day=report.knowledge_day,
        categories=declaration_categories(incident),
        summary=incident.summary,
        trigger=incident.cause.trigger,
        measures_applied=measures_applied(report),
        actions_open=report.open_actions,
        declarations=[item for item in notifications if item.kind == "health_declaration"],
        notifications=notifications,
        not_affected=list(incident.not_affected),
    )
