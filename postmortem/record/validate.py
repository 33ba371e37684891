"""Check a loaded record against the model and the cross-field rules, with positions."""

from __future__ import annotations

import difflib
import os
import types
import typing

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from postmortem.errors import Problem, RecordError, field_path
from postmortem.record.checks import check
from postmortem.record.load import Document, load_file
from postmortem.record.migrations import OLDEST_VERSION, is_readable, upgrade_document
from postmortem.record.model import SCHEMA_VERSION, Incident


def read_incident(path: str | os.PathLike) -> Incident:
    """Load and validate one record file; raise RecordError with every problem found."""
    return validate_document(load_file(path))


def validate_document(document: Document) -> Incident:
    """Validate a loaded document; raise RecordError with every problem found."""
    return validate_upgraded(document)[1]


def validate_upgraded(document: Document) -> tuple[Document, Incident]:
    """Validate a loaded document; return it in the current format version, and the incident.

    The document returned is the one the incident was read from: an older record's data
    with its keys renamed and its positions following them, so that a caller that pairs
    values with positions (lint) finds them where the incident has them.
    """
    version_problem = _check_version(document)
    if version_problem:
        # A record of another format version would only produce misleading field errors.
        raise RecordError([version_problem])
    # Older records are read through the upgrade path (postmortem/record/migrations.py).
    document = upgrade_document(document)
    try:
        incident = Incident.model_validate(document.data)
    except ValidationError as exc:
        raise RecordError([_from_pydantic(document, error) for error in exc.errors()]) from None
    problems = [
        _problem(document, loc, message, document.locate(loc))
        for loc, message in check(incident)
    ]
    if problems:
        raise RecordError(problems)
    return document, incident


def _check_version(document: Document) -> Problem | None:
    version = document.data.get("schema_version")
    if "schema_version" not in document.data:
        message = (
            f"missing required field: start the record with 'schema_version: {SCHEMA_VERSION}'"
        )
        return _problem(document, (), message, (1, 1))
    if isinstance(version, int) and not isinstance(version, bool) and version > SCHEMA_VERSION:
        message = (
            f"schema_version {version} is newer than this postmortem understands "
            f"(up to {SCHEMA_VERSION}): upgrade postmortem to read this record"
        )
    elif not is_readable(version):
        message = (f"unsupported schema_version {version!r}: this postmortem reads versions "
                   f"{OLDEST_VERSION} to {SCHEMA_VERSION}")
    else:
        return None
    loc = ("schema_version",)
    return _problem(document, loc, message, document.locate(loc))


def _from_pydantic(document: Document, error: ErrorDetails) -> Problem:
    loc = tuple(error["loc"])
    kind = error["type"]
    if kind == "extra_forbidden":
        name = loc[-1]
        allowed = _fields_at(loc[:-1])
        hint = difflib.get_close_matches(str(name), allowed, n=1)
        message = f"unknown field {name!r}" + (f"; did you mean {hint[0]!r}?" if hint else "")
        if allowed and not hint:
            message += f" (allowed: {', '.join(allowed)})"
        return _problem(document, loc, message, document.locate_key(loc))
    if kind == "missing":
        return _problem(document, loc, f"missing required field {loc[-1]!r}",
                        document.locate(loc[:-1]))
    message = error["msg"]
    if kind in ("literal_error", "enum"):
        message += f", got {error['input']!r}"
    elif kind in ("string_type", "int_type", "bool_type", "list_type", "model_type", "dict_type"):
        message += f", got {_describe(error['input'])}"
    return _problem(document, loc, message, document.locate(loc))


def _problem(document: Document, loc: tuple, message: str, position: tuple[int, int]) -> Problem:
    line, column = position
    return Problem(document.path, line, column, message, field=field_path(loc))


def _fields_at(loc: tuple) -> list[str]:
    """Return the field names allowed in the mapping at `loc`, for suggestions."""
    model: object = Incident
    for part in loc:
        if isinstance(part, int):
            continue
        if (
            not (isinstance(model, type) and issubclass(model, BaseModel))
            or part not in model.model_fields
        ):
            return []
        model = _model_of(model.model_fields[part].annotation)
    if isinstance(model, type) and issubclass(model, BaseModel):
        return list(model.model_fields)
    return []


def _model_of(annotation: object) -> object:
    """Find the model class inside list[...], Optional[...] and Annotated[...] annotations."""
    for _ in range(5):
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            return annotation
        args = [arg for arg in typing.get_args(annotation) if arg is not type(None)]
        if not args:
            return annotation
        annotation = args[0]
        if isinstance(annotation, types.GenericAlias):
            inner = typing.get_args(annotation)
            annotation = inner[0] if inner else annotation
    return annotation


def _describe(value: object) -> str:
    if value is None:
        return "nothing (an empty value)"
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return repr(value)
