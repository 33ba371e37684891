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
from postmortem.record.model import ActionItem, Incident

ACTION_COLUMNS = ("incident", "id", "action", "owner", "due", "status", "type", "priority",
                  "overdue", "lessons", "link", "incident_title")


def incident_json(report: Report) -> str:
    """Return the normalised record with its derived figures, as JSON."""
    incident = report.incident
    derived = {
        "figures": {figure.name: _duration(figure.duration) for figure in report.figures},
        "trigger_duration": _duration(report.trigger_duration),
        "impacts": [{"service": span.impact.service, "duration": _duration(span.duration)}
                    for span in report.impacts],
        "slippages": [{"announced": _when(s.communication.at), "promised": _when(s.promised),
                       "actual": _when(s.actual), "slip": _duration(s.slip), "late": s.late}
                      for s in report.slippages],
        "started": _when(incident.key_instants.started.at),
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
    )


def action_rows(incident: Summary | Incident, today: date) -> list[dict]:
    """Return one CSV row per action item of an incident, judged overdue against `today`."""
    return [{
        "incident": incident.id, "id": action.id, "action": action.action,
        "owner": action.owner, "due": action.due.isoformat() if action.due else "",
        "status": action.status, "type": action.type, "priority": action.priority,
        "overdue": "yes" if action.is_overdue(today) else "no",
        "lessons": " ".join(action.lessons), "link": action.link,
        "incident_title": incident.title,
    } for action in incident.actions]


def _duration(duration: Duration | None) -> dict | None:
    return duration.as_dict() if duration else None


def _read_duration(value: dict) -> Duration:
    def minutes(count: float | None) -> timedelta | None:
        return None if count is None else timedelta(minutes=count)

    return Duration(minutes(value["shortest_minutes"]), minutes(value["longest_minutes"]),
                    value["approximate"])


def _when(when: When | None) -> dict | None:
    if when is None:
        return None
    return {"text": when.text,
            "earliest": when.earliest.isoformat() if when.earliest else None,
            "latest": when.latest.isoformat() if when.latest else None,
            "approximate": when.approximate}
