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

from postmortem.lint.rules import RULES
from postmortem.record.languages import LanguageCode

SEVERITIES = ("error", "warning", "off")


def suggestion(name: str, known: Iterable[str]) -> str:
    """Return "; did you mean 'x'?" for the closest known name, or nothing."""
    close = difflib.get_close_matches(name, list(known), n=1)
    return f"; did you mean {close[0]!r}?" if close else ""


def _known_rule(rule: str) -> str:
    if rule not in RULES:
        raise PydanticCustomError("unknown_rule", "unknown rule {rule}{hint}",
                                  {"rule": repr(rule), "hint": suggestion(rule, RULES)})
    return rule


RuleId = Annotated[str, AfterValidator(_known_rule)]
Phrase = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]


class WordLists(BaseModel):
    """Words or phrases a workspace adds to the bundled lists of one language."""

    model_config = ConfigDict(extra="forbid", frozen=True, title="word list")

    blame: list[Phrase] = Field(default_factory=list)
    """Words that blame or judge people."""
    counterfactual: list[Phrase] = Field(default_factory=list)
    """Hindsight: what someone should have done."""
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

    disable: list[RuleId] = Field(default_factory=list,
                                  description='a list of rule ids, e.g. ["action-overdue"]')
    """Rules that never report."""
    severity: dict[RuleId, Literal["error", "warning", "off"]] = Field(
        default_factory=dict, description=f"one of {', '.join(SEVERITIES)}")
    """Rule id -> its severity in this workspace."""
    words: dict[LanguageCode, WordLists] = Field(
        default_factory=dict, description="one table of word lists per language")
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
