"""Check a loaded record against the model and the cross-field rules, with positions.

Every problem of a file comes out in one run, ordered by line: the values the loader
refused, the fields the model refuses (in words for a record author, never the
validation library's), the values past the limits (`bounds.py`), and the cross-field
rules; the last two read the raw data so that they run even when the model is not
satisfied.
"""

from __future__ import annotations

import os

from pydantic import ValidationError
from pydantic_core import ErrorDetails

from postmortem.errors import Problem, RecordError, field_path
from postmortem.i18n import _
from postmortem.record.anchors import validation_context
from postmortem.record.bounds import check_bounds
from postmortem.record.checks import check_data, check_incident
from postmortem.record.load import Document, load_file
from postmortem.record.migrations import OLDEST_VERSION, is_readable, upgrade_document
from postmortem.record.model import SCHEMA_VERSION, Incident


def read_incident(path: str | os.PathLike) -> Incident:
    """Load and validate one record file; raise RecordError with every problem found."""
    return validate_document(load_file(path))


def file_problems(path: str | os.PathLike) -> list[Problem]:
    """Return every problem of one record file: none when it is valid."""
    try:
        read_incident(path)
    except RecordError as exc:
        return list(exc.problems)
    return []


def validate_document(document: Document) -> Incident:
    """Validate a loaded document; raise RecordError with every problem found."""
    return validate_upgraded(document)[1]


def validate_upgraded(document: Document) -> tuple[Document, Incident]:
    """Validate a loaded document; return it in the current format version, and the incident.

    The document returned is the one the incident was read from: an older record's data
    with its keys renamed and its positions following them, so that a caller that pairs
    values with positions (lint) finds them where the incident has them.
    """
    if ("schema_version",) in document.emptied:
        # Without a version the record cannot be read; the loader's problem says why.
        raise RecordError(list(document.problems))
    version_problem = _check_version(document)
    if version_problem:
        # A record of another format version would only produce misleading field errors.
        raise RecordError([*document.problems, version_problem])
    # Older records are read through the upgrade path (postmortem/record/migrations.py).
    document = upgrade_document(document)
    problems = list(document.problems)
    incident: Incident | None = None
    try:
        incident = Incident.model_validate(
            document.data, context=validation_context(document.data))
    except ValidationError as exc:
        problems += _schema_problems(document, exc.errors())
    found = list(check_bounds(document.data))
    found += check_data(document.data, document.emptied)
    if incident is not None:
        found += check_incident(incident)
    problems += [_problem(document, loc, message, document.locate(loc))
                 for loc, message in found if not _emptied(document, loc)]
    if problems or incident is None:
        raise RecordError(problems)
    return document, incident


def _check_version(document: Document) -> Problem | None:
    version = document.data.get("schema_version")
    if "schema_version" not in document.data:
        message = _("missing required field: start the record with 'schema_version: "
                    "{version}'", version=SCHEMA_VERSION)
        return _problem(document, (), message, (1, 1))
    if isinstance(version, int) and not isinstance(version, bool) and version > SCHEMA_VERSION:
        message = _("schema_version {version} is newer than this postmortem understands "
                    "(up to {newest}): upgrade postmortem to read this record",
                    version=version, newest=SCHEMA_VERSION)
    elif not is_readable(version):
        message = _("unsupported schema_version {version!r}: this postmortem reads versions "
                    "{oldest} to {newest}", version=version, oldest=OLDEST_VERSION,
                    newest=SCHEMA_VERSION)
    else:
        return None
    loc = ("schema_version",)
    return _problem(document, loc, message, document.locate(loc))


def _emptied(document: Document, loc: tuple) -> bool:
    """Tell whether loc is, or is inside, a value the loader refused and read as None."""
    return any(loc[:len(empty)] == empty for empty in document.emptied)


def _schema_problems(document: Document, errors: list[ErrorDetails]) -> list[Problem]:
    """Turn the model's errors into problems: one per value, in words for a record author."""
    from postmortem.record.messages import rank  # only a record with problems needs them

    by_loc: dict[tuple, list[ErrorDetails]] = {}
    for error in errors:
        loc = _data_loc(document.data, tuple(error["loc"]))
        if not _emptied(document, loc):
            by_loc.setdefault(loc, []).append(error)
    # The branches of a union each give an error for the same value: keep the most useful.
    return [_from_pydantic(document, loc, min(found, key=rank))
            for loc, found in by_loc.items()]


def _data_loc(data: object, loc: tuple) -> tuple:
    """Keep the parts of an error location that lead through the record, dropping union tags."""
    kept: tuple = ()
    value = data
    for index, part in enumerate(loc):
        inside_list = isinstance(value, list) and isinstance(part, int) and 0 <= part < len(value)
        if (isinstance(value, dict) and part in value) or inside_list:
            value = value[part]  # type: ignore[index]
        elif isinstance(value, dict) and index == len(loc) - 1:
            value = None  # a missing or unknown field
        else:
            continue
        kept += (part,)
    return kept


def _from_pydantic(document: Document, loc: tuple, error: ErrorDetails) -> Problem:
    from postmortem.record.messages import describe

    # An unknown field is shown at its key, a missing one at the mapping that lacks it.
    if error["type"] == "extra_forbidden":
        position = document.locate_key(loc)
    elif error["type"] == "missing":
        position = document.locate(loc[:-1])
    else:
        position = document.locate(loc)
    return _problem(document, loc, describe(loc, error), position)


def _problem(document: Document, loc: tuple, message: str, position: tuple[int, int]) -> Problem:
    line, column = position
    return Problem(document.path, line, column, message, field=field_path(loc))
