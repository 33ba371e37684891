"""Action items: a verb first, a measure, an owner, a status and a due date that holds."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping

from postmortem.lint.context import Context, Hit, quote
from postmortem.record.model import ActionItem

_WORD = re.compile(r"[^\W\d_][\w'’-]*")
_DIGIT = re.compile(r"\d")


def check_actions(context: Context) -> Iterator[Hit]:
    """Report action items that are vague, unowned, undated, without status or overdue."""
    words = context.words
    exhortation = context.phrases("exhortation")
    vague = context.phrases("vague")
    measures = context.phrases("measures")
    placeholders = {word.lower() for word in words["owner_placeholders"]}
    overdue = {action.id for action in context.report.overdue_actions}
    for index, action in enumerate(context.incident.actions):
        loc = ("actions", index)
        text = action.action
        yield from _check_verb(loc + ("action",), text, context.incident.lang, words)
        for match in exhortation.finditer(text):
            yield Hit("action-vague", loc + ("action",),
                      f"{quote(match.group())} asks people to try harder; "
                      f"it changes nothing they work with",
                      "change a tool, a check, a default or a procedure, and say how it will "
                      "be seen to work", match.start())
        if not _DIGIT.search(text) and not measures.search(text):
            for match in vague.finditer(text):
                yield Hit("action-vague", loc + ("action",),
                          f"{quote(match.group())} has no measure: "
                          f"nobody can tell when it is done",
                          "say what will exist or change, with a number, a threshold or a "
                          "frequency", match.start())
                break
        if action.owner.strip().lower() in placeholders:
            yield Hit("action-owner", loc + ("owner",),
                      f"owner {quote(action.owner)} names nobody",
                      "name who is accountable; a role or a team is enough")
        # An item a source states has the due date the source gives, or none ("not stated").
        if action.is_open and action.due is None and not action.sources:
            yield Hit("action-due", loc, f"action item {action.id!r} has no due date",
                      "add 'due: YYYY-MM-DD'; an item without a date is a wish (if it is "
                      "taken from a source that gives none, cite it in 'sources')")
        # An item replaced by or merged into another stands where that one stands.
        if action.status is None and not (action.superseded_by or action.merged_into):
            yield Hit("action-status", loc,
                      f"action item {action.id!r} does not state its status: the report shows "
                      f"'not stated'",
                      "add 'status:' (proposed, open, in_progress, done or wont_do), and "
                      "'status_as_of:' if it is only known on a date")
        if action.id in overdue:
            yield _overdue(context, loc, action)


def _overdue(context: Context, loc: tuple, action: ActionItem) -> Hit:
    """Say how long ago an open item fell due, as of the day the record's knowledge stops."""
    # Only a dated item is overdue; the type checker cannot see through the method.
    assert action.due is not None
    day = context.report.knowledge_day
    late = (day - action.due).days
    state = ("its status is not stated" if action.status is None
             else f"is still {action.status.replace('_', ' ')}")
    if day < context.today:  # the record's knowledge stops on `as_of`
        message = (f"action item {action.id!r} was due {action.due.isoformat()} and {state} "
                   f"as of {day.isoformat()} ({late} day(s) later)")
        hint = ("say where it stood later and move 'as_of', or agree a new due date; "
                "'# postmortem: ignore[action-overdue]' on the item keeps it out of every count")
    else:
        message = (f"action item {action.id!r} was due {action.due.isoformat()} "
                   f"({late} day(s) ago) and {state}")
        hint = "update its status, or agree a new due date"
    return Hit("action-overdue", loc + ("due",), message, hint)


def _check_verb(loc: tuple, text: str, lang: str,
                words: Mapping[str, tuple[str, ...]]) -> Iterator[Hit]:
    match = _WORD.search(text)
    if match is None:
        return
    word = match.group()
    lowered = word.lower()
    if lang == "fr":
        # "S'assurer", "se doter": the verb follows the reflexive pronoun.
        lowered = re.sub(r"^s['’]", "", lowered)
        if lowered == "se":
            following = _WORD.search(text, match.end())
            lowered = following.group().lower() if following else lowered
        # Any infinitive is a verb; nouns in -ure and the listed look-alikes are not.
        is_verb = lowered in words["verbs"] or (
            lowered not in words["not_verbs"] and not lowered.endswith("ure")
            and lowered.endswith(("er", "ir", "re", "oir")))
        example = "« Ajouter une alerte sur … »"
    else:
        # English imperatives look like nouns: only the listed verbs count.
        is_verb = lowered in words["verbs"]
        example = "'Add an alert on …'"
    if not is_verb:
        yield Hit("action-verb", loc, f"action item starts with {quote(word)}, not a verb",
                  f"start with what will be done, e.g. {example}; if {quote(word)} is a verb "
                  f"here, add it to [lint.words.{lang}] verbs in postmortem.toml", match.start())
