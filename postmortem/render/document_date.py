"""The date a document carries: reproducible, so that the same record gives the same bytes."""

from __future__ import annotations

import os
from datetime import UTC, datetime

from postmortem.analysis.history import History
from postmortem.record.model import Incident


def document_datetime(incident: Incident, history: History | None) -> datetime:
    """Return the date the document carries: SOURCE_DATE_EPOCH, else the record's own dates."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        return datetime.fromtimestamp(int(epoch), tz=UTC)
    if history and history.clean and history.latest:
        # The commit the file is at: the same for every rendering of that commit.
        return history.latest.committed.astimezone(UTC)
    updated = incident.review.updated
    if updated:
        return datetime(updated.year, updated.month, updated.day, tzinfo=UTC)
    started = incident.key_instants.started.at
    bound = started.latest or started.earliest
    assert bound is not None, "an instant has at least one bound"
    return bound.astimezone(UTC)
