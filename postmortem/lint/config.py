"""The `[lint]` section of `postmortem.toml`: rules turned off or re-graded, words added.

    [lint]
    disable = ["action-overdue"]          # rules that never report

    [lint.severity]                       # re-grade a rule: "error", "warning" or "off"
    named-individual = "error"

    [lint.words.fr]                       # words added to the bundled lists of a language
    blame = ["bévue"]
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints
from pydantic_core import PydanticCustomError

from postmortem.i18n import N_, _
from postmortem.lint.rules import RULES
from postmortem.record.languages import LanguageCode

SEVERITIES = ("error", "warning", "off")


def closest(name: str, known: Iterable[str]) -> str | None:
    """Return the known name closest to a misspelt one, or None."""
    close = difflib.get_close_matches(name, list(known), n=1)
    return close[0] if close else None


def suggestion(name: str, known: Iterable[str]) -> str:
    """Return "; did you mean 'x'?" for the closest known name, or nothing."""
    close = closest(name, known)
    return _("; did you mean {name!r}?", name=close) if close is not None else ""


def _known_rule(rule: str) -> str:
    if rule not in RULES:
        close = closest(rule, RULES)
        if close is None:
            reason = _("unknown rule {rule!r}", rule=rule)
        else:
            reason = _("unknown rule {rule!r}; did you mean {close!r}?", rule=rule, close=close)
        # The reason is filled in already: braces in a misspelt rule are not placeholders.
        raise PydanticCustomError("unknown_rule", "{reason}", {"reason": reason})
    return rule


RuleId = Annotated[str, AfterValidator(_known_rule)]
Phrase = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]


class WordLists(BaseModel):
    """Words or phrases a workspace adds to the bundled lists of one language."""

    model_config = ConfigDict(extra="forbid", frozen=True, title="word list")

    blame: list[Phrase] = Field(default_factory=list)
    """Words that blame or judge people."""
    blame_before: list[Phrase] = Field(default_factory=list)
    """Phrases that blame the party written before them, when it is people ("to blame")."""
    blame_after: list[Phrase] = Field(default_factory=list)
    """Phrases that blame the party written after them, when it is people ("blamed")."""
    counterfactual: list[Phrase] = Field(default_factory=list)
    """Hindsight: what someone should have done."""
    counterfactual_before: list[Phrase] = Field(default_factory=list)
    """Hindsight about the subject before it, when it is people or passive ("failed to")."""
    people: list[Phrase] = Field(default_factory=list)
    """Words that make a party a person, a role, a team or an organisation of people."""
    root_cause: list[Phrase] = Field(default_factory=list)
    """A single-cause framing."""
    exhortation: list[Phrase] = Field(default_factory=list)
    """Actions that only exhort ("be more careful")."""
    vague: list[Phrase] = Field(default_factory=list)
    """Improvements that need a measure to be actions."""
    measures: list[Phrase] = Field(default_factory=list)
    """Words that make an improvement measurable."""
    verbs: list[Phrase] = Field(default_factory=list)
    """Verbs an action item may start with."""
    not_verbs: list[Phrase] = Field(default_factory=list)
    """Words that look like verbs but start no action."""
    owner_placeholders: list[Phrase] = Field(default_factory=list)
    """Owners that name nobody ("TBD")."""
    first_names: list[Phrase] = Field(default_factory=list)
    """First names that mark a person named in a cause."""
    honorifics: list[Phrase] = Field(default_factory=list)
    """Titles before a person's name ("M.", "Dr")."""
    place_words: list[Phrase] = Field(default_factory=list)
    """Words that make a capitalised name a place, not a person."""


class LintSettings(BaseModel):
    """The [lint] table: rules disabled, severities changed, words added."""

    model_config = ConfigDict(extra="forbid", frozen=True, title="[lint]")

    # A description completes "<field> must be …" in a message, and is translated there.
    disable: list[RuleId] = Field(default_factory=list,
                                  description=N_('a list of rule ids, e.g. ["action-overdue"]'))
    """Rules that never report."""
    severity: dict[RuleId, Literal["error", "warning", "off"]] = Field(
        default_factory=dict, description=N_("one of error, warning, off"))
    """Rule id -> its severity in this workspace."""
    words: dict[LanguageCode, WordLists] = Field(
        default_factory=dict, description=N_("one table of word lists per language"))
    """Language -> list name -> words added to the bundled list."""

    @property
    def severities(self) -> dict[str, str]:
        """Return the severity of each rule that `disable` or [lint.severity] changes."""
        grades: dict[str, str] = dict(self.severity)
        grades.update(dict.fromkeys(self.disable, "off"))  # disable wins over a grade
        return grades

    def added_words(self, lang: str) -> dict[str, tuple[str, ...]]:
        """Return the words the workspace adds to each list of a language."""
        lists = self.words.get(lang)  # type: ignore[call-overload]
        if lists is None:
            return {}
        return {name: tuple(words) for name, words in lists.model_dump().items() if words}
