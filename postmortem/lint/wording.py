"""Blameless wording: blame, hindsight, single root causes, and people named in causes."""

from __future__ import annotations

import re
from collections.abc import Iterator

from postmortem.lint.context import Context, Hit, alternatives, mask_quotes, quote
from postmortem.record.model import Incident

CAUSE_FIELDS = ("title", "summary", "detail")

_HANDLE = re.compile(r"(?<![\w.@])@[A-Za-z][\w.-]*\w")
_CAPITALISED = r"[^\W\d_][\w'’-]*"  # checked for its capital in code: re has no \p{Lu}

_WORDING = {
    "blame-language": ("blame", "{phrase} blames or judges people",
                       "describe the conditions that made the action likely (tools, time, "
                       "information, procedures), not the person"),
    "counterfactual": ("counterfactual", "{phrase} judges with hindsight what people did not do",
                       "describe what people did and why it made sense to them at the time"),
    "root-cause": ("root_cause", "{phrase} frames the incident as having one root cause",
                   "describe the trigger and the contributing factors under cause"),
}


def check_wording(context: Context) -> Iterator[Hit]:
    """Report phrases of prose that blame, judge with hindsight or name one root cause."""
    for rule, (words, message, hint) in _WORDING.items():
        pattern = context.phrases(words)
        for loc, text, cites in context.prose:
            searched = mask_quotes(text) if cites else text
            for match in pattern.finditer(searched):
                yield Hit(rule, loc, message.format(phrase=quote(match.group())), hint,
                          match.start())


def check_named_individuals(context: Context) -> Iterator[Hit]:
    """Report people named in the trigger or a contributing factor."""
    count = len(context.incident.cause.contributing_factors)
    factors = [("trigger",)] + [("contributing_factors", index) for index in range(count)]
    finders = _name_finders(context)
    hint = "name the role and the conditions (e.g. 'the on-call engineer'), not the person"
    for factor in factors:
        for key in CAUSE_FIELDS:
            loc = ("cause",) + factor + (key,)
            text = context.values.get(loc)
            if not isinstance(text, str):
                continue
            seen: set[int] = set()
            for finder in finders:
                for start, name in finder(text):
                    if start not in seen:
                        seen.add(start)
                        yield Hit("named-individual", loc,
                                  f"{quote(name)} names a person in a cause", hint, start)


def _name_finders(context: Context) -> list:
    """Return functions that yield (offset, name) for each way a text can name a person."""
    words = context.words
    places = {word.lower() for word in words["place_words"]}
    titles, first_names = alternatives(words["honorifics"]), alternatives(words["first_names"])
    titled = re.compile(rf"(?<!\w)(?:{titles})(?!\w)\.?\s+{_CAPITALISED}")
    first_last = re.compile(rf"(?<![\w-])(?:{first_names})\s+({_CAPITALISED})")
    known = _people_named_in(context.incident, set(words["first_names"]))
    named = re.compile(rf"(?<!\w)(?:{alternatives(known)})(?!\w)") if known else None

    def by_title(text: str) -> Iterator[tuple[int, str]]:
        for match in titled.finditer(text):
            if match.group().split()[-1][0].isupper():
                yield match.start(), match.group()

    def by_known_name(text: str) -> Iterator[tuple[int, str]]:
        for match in named.finditer(text) if named else ():
            yield match.start(), match.group()

    def by_first_name(text: str) -> Iterator[tuple[int, str]]:
        for match in first_last.finditer(text):
            surname = match.group(1)
            if not surname[0].isupper() or surname.isupper():
                continue
            # "John Radcliffe Hospital", "l'hôpital Robert Debré" are places.
            neighbours = text[: match.start()].split()[-1:] + text[match.end():].split()[:1]
            if any(re.sub(r"^\w['’]", "", word.lower().strip(".,;:()")) in places
                   for word in neighbours):
                continue
            yield match.start(), match.group()

    def by_handle(text: str) -> Iterator[tuple[int, str]]:
        for match in _HANDLE.finditer(text):
            yield match.start(), match.group()

    return [by_title, by_known_name, by_first_name, by_handle]


def _people_named_in(incident: Incident, first_names: set[str]) -> set[str]:
    """Return the names, and surnames, of people the record names elsewhere."""
    review = incident.review
    written = [person.name for person in (*review.authors, *review.reviewers)]
    written += [approval.name for approval in review.approvals]
    written += [communication.by for communication in incident.communications]
    written += [action.owner for action in incident.actions]
    names = set()
    for text in written:
        # "Frédéric Valletoux, ministre délégué" names a person; "Incident Commander" does not.
        candidate = re.split(r"[,(]", text, maxsplit=1)[0].strip()
        parts = candidate.split()
        if (2 <= len(parts) <= 4 and parts[0] in first_names
                and all(part[0].isupper() for part in parts)):
            names.add(candidate)
            if len(parts[-1]) >= 3:
                names.add(parts[-1])
    return names
