"""The lint rules: a stable id, a default severity and what each reports."""

from __future__ import annotations

from dataclasses import dataclass

from postmortem.i18n import N_


@dataclass(frozen=True)
class Rule:
    """A lint rule: a stable id, a default severity and what it reports."""

    id: str
    severity: str
    description: str


RULES: dict[str, Rule] = {rule.id: rule for rule in (
    Rule("blame-language", "warning",
         N_("Prose blames or judges people ('human error', 'négligence').")),
    Rule("counterfactual", "warning",
         N_("Prose judges with hindsight ('should have', 'aurait dû').")),
    Rule("root-cause", "warning",
         N_("Prose frames the incident as having one root cause.")),
    Rule("named-individual", "warning",
         N_("A cause or contributing factor names a person.")),
    Rule("action-verb", "warning",
         N_("An action item does not start with a verb.")),
    Rule("action-vague", "warning",
         N_("An action item is an exhortation, or an improvement with no measure.")),
    Rule("action-owner", "warning",
         N_("An action item's owner is a placeholder, not a person or a role.")),
    Rule("action-due", "error",
         N_("An action item that is not closed has no due date, and cites no source that would "
            "leave it unstated.")),
    Rule("action-status", "warning",
         N_("An action item does not state its status, and cites no source that would leave "
            "it unstated: the report shows 'not stated'.")),
    Rule("action-overdue", "warning",
         N_("An action item that is not closed is past its due date on the record's 'as_of' "
            "(else today); silencing it keeps it out of every overdue count.")),
    Rule("impact-end", "error",
         N_("An impact is ongoing once the incident is resolved, ends after it is resolved, or "
            "says 'restored' without saying when.")),
    Rule("data-loss", "warning",
         N_("An impact whose outcome is 'data_lost' does not describe the data lost.")),
    Rule("offset-zone", "warning",
         N_("An instant's fixed offset is the record's zone's offset of the other season "
            "(a stale +01:00 after the clock change).")),
    Rule("timeline-detection", "warning",
         N_("The record does not say when and how the incident was detected (a 'detection' "
            "entry or 'response: detection:', and the 'detected' instant).")),
    Rule("timeline-resolution", "warning",
         N_("The record does not say how and when service came back (a 'recovery' entry or "
            "'response: recovery:', and the 'restored' or 'resolved' instant).")),
    Rule("timeline-order", "warning",
         N_("A timeline entry is listed after an entry that it certainly precedes.")),
    Rule("lesson-action", "error",
         N_("A lesson leads to no action item and does not say why.")),
    Rule("promise-update", "warning",
         N_("A promise (a restoration time, a deliverable) past its deadline and not certainly "
            "kept is followed by no update to its audience.")),
    Rule("third-party-expectation", "warning",
         N_("A third party in the cause lacks its contract, the expectation, or whether it held.")),
    Rule("todo", "error",
         N_("A TODO is left in a value or a comment: something the author must still write "
            "or check (a drafted record has one for each).")),
    Rule("weekday-mismatch", "error",
         N_("A weekday written in the text contradicts its date.")),
)}

#: Rule id, in JSON and SARIF, of a record that does not validate.
INVALID_RECORD = "invalid-record"
