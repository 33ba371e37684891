"""The lint rules: a stable id, a default severity and what each reports."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Rule:
    """A lint rule: a stable id, a default severity and what it reports."""

    id: str
    severity: str
    description: str


RULES: dict[str, Rule] = {rule.id: rule for rule in (
    Rule("blame-language", "warning",
         "Prose blames or judges people ('human error', 'négligence')."),
    Rule("counterfactual", "warning",
         "Prose judges with hindsight ('should have', 'aurait dû')."),
    Rule("root-cause", "warning",
         "Prose frames the incident as having one root cause."),
    Rule("named-individual", "warning",
         "A cause or contributing factor names a person."),
    Rule("action-verb", "warning",
         "An action item does not start with a verb."),
    Rule("action-vague", "warning",
         "An action item is an exhortation, or an improvement with no measure."),
    Rule("action-owner", "warning",
         "An action item's owner is a placeholder, not a person or a role."),
    Rule("action-due", "error",
         "An action item that is not closed has no due date."),
    Rule("action-status", "warning",
         "An action item does not state its status."),
    Rule("action-overdue", "warning",
         "An action item that is not closed is past its due date."),
    Rule("impact-end", "error",
         "An impact marked ongoing has ended, or ends after the incident is resolved."),
    Rule("timeline-detection", "warning",
         "The record does not say when and how the incident was detected."),
    Rule("timeline-resolution", "warning",
         "The record does not say when service came back."),
    Rule("timeline-order", "warning",
         "A timeline entry is listed after an entry that it certainly precedes."),
    Rule("lesson-action", "error",
         "A lesson leads to no action item and does not say why."),
    Rule("promise-update", "warning",
         "A restoration time that was not met is followed by no update."),
    Rule("third-party-expectation", "warning",
         "A third party in the cause lacks its contract, the expectation, or whether it held."),
    Rule("weekday-mismatch", "error",
         "A weekday written in the text contradicts its date."),
)}

#: Rule id, in JSON and SARIF, of a record that does not validate.
INVALID_RECORD = "invalid-record"
