"""Find the records that claim one incident id: their reports would overwrite each other."""

from __future__ import annotations

from pathlib import Path

from postmortem.errors import Problem, RecordError
from postmortem.record.load import Document, load_bytes


def record_ids(sources: dict[Path, bytes], known: dict[Path, str]) -> dict[Path, str]:
    """Return the id of every record that has one: `known`, else read from its bytes."""
    ids = {}
    for path, raw in sources.items():
        # Loading takes milliseconds: a record rendered from these very bytes keeps its id.
        incident_id = known[path] if path in known else _id(_load(path, raw))
        if incident_id:
            ids[path] = incident_id
    return ids


def id_clashes(ids: dict[Path, str], sources: dict[Path, bytes]) -> dict[str, Problem]:
    """Return a problem, at its id, for every record whose id another record has too."""
    holders: dict[str, list[Path]] = {}
    for path, incident_id in ids.items():
        holders.setdefault(incident_id, []).append(path)
    problems = {}
    for incident_id, paths in holders.items():
        for path in paths if len(paths) > 1 else ():
            # Only the records that clash are loaded again, for the position of their id.
            line, column = load_bytes(sources[path], str(path)).locate(("id",))
            others = ", ".join(str(other) for other in paths if other != path)
            problems[str(path)] = Problem(
                str(path), line, column, f"id {incident_id!r} is also the id of {others}: their "
                "reports would overwrite each other; give each record its own id", field="id")
    return problems


def _load(path: Path, raw: bytes) -> Document | None:
    try:
        return load_bytes(raw, str(path))
    except RecordError:
        return None  # validation will say what is wrong with the record


def _id(document: Document | None) -> str:
    data = document.data if document else None
    incident_id = data.get("id") if isinstance(data, dict) else None
    # An id that is not text fails validation, which says so at its position.
    return incident_id if isinstance(incident_id, str) else ""
