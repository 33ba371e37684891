"""Lint results as SARIF 2.1.0, so that code-scanning annotations show on pull requests."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, TypedDict

from postmortem import __version__
from postmortem.i18n import _, message_language
from postmortem.lint.engine import FileResult
from postmortem.lint.rules import INVALID_RECORD, RULES

if TYPE_CHECKING:
    from postmortem.lint.config import LintSettings

SARIF_SCHEMA = ("https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/"
                "sarif-schema-2.1.0.json")
_SARIF_LEVEL = {"error": "error", "warning": "warning", "off": "none"}


class _RuleDescriptor(TypedDict):
    """A SARIF reportingDescriptor: one rule as the log's driver lists it."""

    id: str
    shortDescription: dict[str, str]
    defaultConfiguration: dict[str, str]


def to_sarif(results: Sequence[FileResult], config: LintSettings | None = None,
             root: Path | None = None) -> dict:
    """Return the results as a SARIF 2.1.0 log, with paths relative to root (default: cwd)."""
    root = (root or Path.cwd()).resolve()
    overrides = config.severities if config else {}
    rules: list[_RuleDescriptor] = [
        {"id": rule.id, "shortDescription": {"text": _(rule.description)},
         "defaultConfiguration": {
             "level": _SARIF_LEVEL[overrides.get(rule.id, rule.severity)]}}
        for rule in RULES.values()]
    rules.append({"id": INVALID_RECORD,
                  "shortDescription": {"text": _("The record does not validate; "
                                                 "'postmortem validate' says why.")},
                  "defaultConfiguration": {"level": "error"}})
    index = {rule["id"]: number for number, rule in enumerate(rules)}
    entries = []
    for result in results:
        location = _artifact(result.path, root)
        for problem in result.problems:
            message = f"{problem.field}: {problem.message}" if problem.field else problem.message
            entries.append(_sarif_result(INVALID_RECORD, index, "error", message, location,
                                         problem.line, problem.column))
        for finding in result.findings:
            entries.append(_sarif_result(finding.rule, index, finding.severity, finding.text,
                                         location, finding.line, finding.column))
        for finding in result.silenced:
            entry = _sarif_result(finding.rule, index, finding.severity, finding.text, location,
                                  finding.line, finding.column)
            # Silenced in the record itself: code scanning shows it as dismissed.
            entry["suppressions"] = [{
                "kind": "inSource", "status": "accepted",
                "location": {"physicalLocation": {
                    "artifactLocation": location,
                    "region": {"startLine": finding.silenced_at}}},
            }]
            entries.append(entry)
    return {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "postmortem", "version": __version__, "rules": rules}},
            # Columns count characters, as in the text output.
            "columnKind": "unicodeCodePoints",
            # The language of the messages; rule ids do not change with it.
            "language": {"fr": "fr-FR"}.get(message_language(), "en-US"),
            "results": entries,
        }],
    }


def _sarif_result(rule: str, index: dict[str, int], level: str, message: str, location: dict,
                  line: int, column: int) -> dict:
    return {
        "ruleId": rule,
        "ruleIndex": index[rule],
        "level": level,
        "message": {"text": message},
        "locations": [{"physicalLocation": {
            "artifactLocation": location,
            "region": {"startLine": line, "startColumn": column},
        }}],
    }


def _artifact(path: str, root: Path) -> dict:
    """Return a SARIF artifact location: relative to the root when inside it, else absolute."""
    resolved = Path(path).resolve()
    try:
        return {"uri": resolved.relative_to(root).as_posix(), "uriBaseId": "%SRCROOT%"}
    except ValueError:
        return {"uri": resolved.as_uri()}
