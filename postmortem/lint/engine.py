"""Review-quality rules: blameless wording, action items, completeness and coherence.

Lint runs on records that validate; what validation already refuses (unknown source
ids, an impact that does not say how it ended) is left to it. Each rule has a stable id,
a default severity and a one-line description. A finding about a phrase points at the
phrase itself, inside multi-line text too, whenever its place can be proven from the raw
file; otherwise at the start of the value.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from postmortem.errors import Problem, RecordError, field_path
from postmortem.i18n import _, message_language
from postmortem.lint.actions import check_actions
from postmortem.lint.coherence import (
    check_data_losses,
    check_impacts,
    check_lessons,
    check_offsets,
    check_promises,
    check_third_parties,
    check_timeline,
    check_weekdays,
)
from postmortem.lint.context import Context
from postmortem.lint.rules import RULES
from postmortem.lint.todos import check_todos
from postmortem.lint.wording import check_named_individuals, check_wording
from postmortem.lint.words import words_for
from postmortem.record.load import Document, load_bytes, read_source
from postmortem.record.model import Incident
from postmortem.record.source_text import SourceText
from postmortem.record.validate import validate_upgraded

if TYPE_CHECKING:
    from postmortem.lint.config import LintSettings

_CHECKS = (
    check_wording,
    check_named_individuals,
    check_actions,
    check_impacts,
    check_data_losses,
    check_timeline,
    check_lessons,
    check_promises,
    check_third_parties,
    check_weekdays,
    check_offsets,
    check_todos,
)


@dataclass(frozen=True, order=True)
class Finding:
    """One finding of a rule, at a 1-based line and column of a record file."""

    path: str
    line: int
    column: int
    rule: str
    severity: str
    message: str
    hint: str = ""
    field: str = ""
    #: The line of the `# postmortem: ignore[rule]` comment that silences it, if any.
    silenced_at: int = 0

    @property
    def text(self) -> str:
        """Return the message with its hint, as people read it."""
        if not self.hint:
            return self.message
        return _("{message} (hint: {hint})", message=self.message, hint=self.hint)

    @property
    def problem(self) -> Problem:
        """Return the finding as a Problem, printed `path:line:col: severity: [rule] message`."""
        return Problem(self.path, self.line, self.column, f"[{self.rule}] {self.text}",
                       severity=self.severity)

    def as_dict(self) -> dict:
        """Return the finding as a JSON-ready mapping (`silenced_at` only when silenced)."""
        fields = asdict(self)
        if not self.silenced_at:
            del fields["silenced_at"]
        return fields


@dataclass(frozen=True)
class FileResult:
    """What lint found in one record file: validation problems, or findings.

    A finding that a comment silences is in `silenced`, never in `findings` nor in any
    count; SARIF carries it as suppressed in source.
    """

    path: str
    problems: list[Problem]
    findings: list[Finding]
    silenced: list[Finding] = field(default_factory=list)

    @property
    def errors(self) -> int:
        """Return how many problems and error findings the file has."""
        return len(self.problems) + sum(1 for f in self.findings if f.severity == "error")

    @property
    def warnings(self) -> int:
        """Return how many warning findings the file has."""
        return sum(1 for f in self.findings if f.severity == "warning")


def lint_file(path: str | Path, config: LintSettings | None = None,
              today: date | None = None) -> FileResult:
    """Load, validate and lint one record; a record that does not validate gets its problems."""
    try:
        # The upgraded document: an older record's values are where the incident has them.
        raw = read_source(path)
        document, incident = validate_upgraded(load_bytes(raw, str(path)))
    except RecordError as exc:
        return FileResult(str(path), exc.problems, [])
    # The raw text places phrases inside multi-line values and holds the silencing comments.
    text = raw.decode("utf-8-sig")
    found = lint_document(document, incident, text, config, today)
    return FileResult(str(path), [], [f for f in found if not f.silenced_at],
                      [f for f in found if f.silenced_at])


def lint_document(document: Document, incident: Incident, text: str,
                  config: LintSettings | None = None, today: date | None = None) -> list[Finding]:
    """Return the findings of every rule that is on, for a valid record and its raw text.

    A finding silenced by a comment is returned with the comment's line in `silenced_at`.
    """
    overrides = config.severities if config else {}
    added = config.added_words(incident.lang) if config else {}
    context = Context(document, incident, SourceText(text), words_for(incident.lang, added),
                      today or date.today())
    findings = []
    for check in _CHECKS:
        for hit in check(context):
            severity = overrides.get(hit.rule, RULES[hit.rule].severity)
            if severity == "off":
                continue
            line, column = hit.place or (document.locate_key(hit.loc) if hit.at_key
                                         else context.position(hit.loc, hit.offset))
            finding = Finding(document.path, line, column, hit.rule, severity, hit.message,
                              hit.hint, field_path(hit.loc))
            scope = [] if hit.place else context.source.scope(document, hit.loc)
            comment = context.source.silencing_line(hit.rule, [line, *scope])
            findings.append(replace(finding, silenced_at=comment) if comment else finding)
    return sorted(set(findings))


def to_json(results: Sequence[FileResult]) -> dict:
    """Return the results as a JSON-ready mapping: per file, its problems and findings.

    Rule ids are stable; messages and hints are in the language of messages (`lang`).
    """
    return {
        "lang": message_language(),
        "errors": sum(result.errors for result in results),
        "warnings": sum(result.warnings for result in results),
        "files": [{"path": result.path, "valid": not result.problems,
                   "problems": [problem.as_dict() for problem in result.problems],
                   "findings": [finding.as_dict() for finding in result.findings],
                   "silenced": [finding.as_dict() for finding in result.silenced]}
                  for result in results],
    }
