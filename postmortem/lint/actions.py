"""Action items: a verb first, a measure, an owner, a status and a due date that holds."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping

from postmortem.lint.context import Context, Hit, quote

_WORD = re.compile(r"[^\W\d_][\w'’-]*")
_DIGIT = re.compile(r"\d")


def check_actions(context: Context) -> Iterator[Hit]:
    """Report action items that are vague, unowned, undated, without status or overdue."""
    words = context.words
    exhortation = context.phrases("exhortation")
    vague = context.phrases("vague")
    measures = context.phrases("measures")
    placeholders = {word.lower() for word in words["owner_placeholders"]}
    written = context.document.data.get("actions", [])
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
        if action.is_open and action.due is None:
            yield Hit("action-due", loc, f"action item {action.id!r} has no due date",
                      "add 'due: YYYY-MM-DD'; an item without a date is a wish")
        if "status" not in written[index]:
            yield Hit("action-status", loc, f"action item {action.id!r} does not state its status",
                      "add 'status:' (proposed, open, in_progress, done or wont_do)")
        if action.is_overdue(context.today):
            # Only a dated item is overdue; the type checker cannot see through the method.
            assert action.due is not None
            late = (context.today - action.due).days
            yield Hit("action-overdue", loc + ("due",),
                      f"action item {action.id!r} was due {action.due.isoformat()} "
                      f"({late} day(s) ago) and is still {action.status.replace('_', ' ')}",
                      "update its status, or agree a new due date")


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
