"""Machine exports: one JSON document per incident, and every action item as CSV."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from datetime import date, datetime, timedelta

from postmortem import __version__
from postmortem.analysis.across import Summary
from postmortem.analysis.derive import Report
from postmortem.record.instants import Duration, When
from postmortem.record.model import ActionItem, Quantity

#: Columns of actions.csv; new ones go at the end, so that readers by position keep working.
ACTION_COLUMNS = ("incident", "id", "action", "owner", "due", "status", "type", "priority",
                  "overdue", "lessons", "link", "incident_title", "completed", "superseded_by",
                  "merged_into", "status_as_of", "note", "sources")


def incident_json(report: Report) -> str:
    """Return the normalised record with its derived figures, as JSON."""
    incident = report.incident
    derived = {
        "figures": {figure.name: _duration(figure.duration) for figure in report.figures},
        "trigger_duration": _duration(report.trigger_duration),
        "impacts": [{"service": span.impact.service, "id": span.impact.id,
                     "outcome": span.impact.end_state, "duration": _duration(span.duration)}
                    for span in report.impacts],
        "data_losses": [{"service": lost.impact.service, "what": lost.loss.what,
                         "since": _when(lost.loss.since), "until": _when(lost.loss.until),
                         "window": _duration(lost.window), "permanent": lost.loss.permanent,
                         "amount": _quantity(lost.loss.amount)}
                        for lost in report.data_losses],
        "quantities": [_quantity(quantity) for quantity in report.quantities],
        "slippages": [{"announced": _when(s.communication.at),
                       "kind": "deliverable" if s.about == "deliverable" else "restoration",
                       "about": s.about, "deliverable": s.promise.deliverable,
                       "promised": _when(s.promised), "actual": _when(s.actual),
                       "slip": _duration(s.slip), "late": s.late,
                       "withdrawn": _when(s.withdrawn)}
                      for s in report.slippages],
        "started": _when(incident.key_instants.started.at),
        "as_of": report.as_of.isoformat() if report.as_of else None,
        "knowledge_day": report.knowledge_day.isoformat(),
        "open_actions": len(report.open_actions),
        "overdue_actions": len(report.overdue_actions),
        "silenced_overdue": sorted(report.silenced_overdue),
        "current_state": report.current_state,
    }
    document = {
        "generator": f"postmortem {__version__}",
        "record": incident.model_dump(mode="json"),
        "derived": derived,
    }
    return json.dumps(document, indent=2, ensure_ascii=False, sort_keys=False) + "\n"


def actions_csv(rows: Iterable[dict]) -> str:
    """Return action-item rows as CSV with a header line."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=ACTION_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


def read_export(text: str) -> Summary:
    """Read back from a record's JSON export what the review across incidents needs.

    Figures are read as derived when the export was written, and action items as the
    model has them; nothing else is validated again, so an index of many records is fast.
    """
    document = json.loads(text)
    record, derived = document["record"], document["derived"]
    figures = {name: _read_duration(value) for name, value in derived["figures"].items()
               if value}
    if derived["trigger_duration"]:
        figures["trigger_duration"] = _read_duration(derived["trigger_duration"])
    started = derived["started"]
    cause = record["cause"]
    return Summary(
        id=record["id"], title=record["title"],
        started=datetime.fromisoformat(started["earliest"] or started["latest"]),
        severity=record["severity"], status=record["review"]["status"], lang=record["lang"],
        figures=figures,
        actions=[ActionItem.model_validate(action) for action in record["actions"]],
        categories=[factor["category"]
                    for factor in [cause["trigger"], *cause["contributing_factors"]]],
        third_parties=[party["name"] for party in record["third_parties"]],
        as_of=date.fromisoformat(record["as_of"]) if record.get("as_of") else None,
        silenced_overdue=frozenset(derived.get("silenced_overdue", ())),
        # An export written before the state was exported: unknown.
        state=derived.get("current_state", ""),
    )


def action_rows(incident: Summary, today: date) -> list[dict]:
    """Return one CSV row per action item of an incident, overdue as the index counts it.

    An item is overdue on the record's `as_of` when that is earlier than `today`, and never
    when a comment in the record silences its overdue finding; what the record does not
    state is an empty cell, not a default.
    """
    overdue = {action.id for action in incident.overdue_actions(today)}
    return [{
        "incident": incident.id, "id": action.id, "action": action.action,
        "owner": action.owner, "due": _day(action.due),
        "status": action.status or "", "type": action.type, "priority": action.priority or "",
        "overdue": "yes" if action.id in overdue else "no",
        "lessons": " ".join(action.lessons), "link": action.link,
        "incident_title": incident.title, "completed": _day(action.completed),
        "superseded_by": action.superseded_by or "", "merged_into": action.merged_into or "",
        "status_as_of": _day(action.status_as_of), "note": " ".join(action.note.split()),
        "sources": " ".join(action.sources),
    } for action in incident.actions]


def _day(day: date | None) -> str:
    return day.isoformat() if day else ""


def _quantity(quantity: Quantity | None) -> dict | None:
    return None if quantity is None else quantity.model_dump(mode="json")


def _duration(duration: Duration | None) -> dict | None:
    return duration.as_dict() if duration else None


def _read_duration(value: dict) -> Duration:
    def bound(name: str) -> timedelta | None:
        if f"{name}_seconds" in value:
            count = value[f"{name}_seconds"]
            return None if count is None else timedelta(seconds=count)
        # An export written before seconds were exported.
        count = value[f"{name}_minutes"]
        return None if count is None else timedelta(minutes=count)

    return Duration(bound("shortest"), bound("longest"), value["approximate"])


def _when(when: When | None) -> dict | None:
    if when is None:
        return None
    return {"text": when.text,
            "earliest": when.earliest.isoformat() if when.earliest else None,
            "latest": when.latest.isoformat() if when.latest else None,
            "approximate": when.approximate}
