"""Action items: a verb first, a measure, an owner, a status and a due date that holds."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence

from postmortem.i18n import N_, _
from postmortem.lint.context import Context, Hit, quote
from postmortem.lint.lexicon import has_measure, starts_with_verb
from postmortem.record.model import ActionItem

_WORD = re.compile(r"[^\W\d_][\w'’-]*")

# An open item past its due date, by its status: (judged today, judged on `as_of`).
_OVERDUE = {
    None: (N_("action item {id!r} was due {due} ({late} day(s) ago) and its status is not "
              "stated"),
           N_("action item {id!r} was due {due} and its status is not stated as of {day} "
              "({late} day(s) later)")),
    "proposed": (N_("action item {id!r} was due {due} ({late} day(s) ago) and is still "
                    "proposed"),
                 N_("action item {id!r} was due {due} and is still proposed as of {day} "
                    "({late} day(s) later)")),
    "open": (N_("action item {id!r} was due {due} ({late} day(s) ago) and is still open"),
             N_("action item {id!r} was due {due} and is still open as of {day} "
                "({late} day(s) later)")),
    "in_progress": (N_("action item {id!r} was due {due} ({late} day(s) ago) and is still "
                       "in progress"),
                    N_("action item {id!r} was due {due} and is still in progress as of "
                       "{day} ({late} day(s) later)")),
}


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
        lang = context.incident.lang
        yield from _check_verb(loc + ("action",), text, lang, words)
        for match in exhortation.finditer(text):
            yield Hit("action-vague", loc + ("action",),
                      _("{phrase} asks people to try harder; it changes nothing they work with",
                        phrase=quote(match.group())),
                      _("change a tool, a check, a default or a procedure, and say how it will "
                        "be seen to work"), match.start())
        if not has_measure(text, lang, measures):
            for match in vague.finditer(text):
                yield Hit("action-vague", loc + ("action",),
                          _("{phrase} has no measure: nobody can tell when it is done",
                            phrase=quote(match.group())),
                          _("say what will exist or change, with a number, a threshold or a "
                            "frequency"), match.start())
                break
        if action.owner.strip().lower() in placeholders:
            yield Hit("action-owner", loc + ("owner",),
                      _("owner {owner} names nobody", owner=quote(action.owner)),
                      _("name who is accountable; a role or a team is enough"))
        # An item a source states has the due date the source gives, or none ("not stated").
        if action.is_open and action.due is None and not action.sources:
            yield Hit("action-due", loc, _("action item {id!r} has no due date", id=action.id),
                      _("add 'due: YYYY-MM-DD'; an item without a date is a wish (if it is "
                        "taken from a source that gives none, cite it in 'sources')"))
        # An item replaced by or merged into another stands where that one stands; one
        # taken from sources that give no status is rightly "not stated", as for `due`.
        if action.status is None and not (action.superseded_by or action.merged_into
                                          or action.sources):
            yield Hit("action-status", loc,
                      _("action item {id!r} does not state its status: the report shows "
                        "'not stated'", id=action.id),
                      _("add 'status:' (proposed, open, in_progress, done or wont_do), and "
                        "'status_as_of:' if it is only known on a date (if it is taken from "
                        "a source that gives none, cite it in 'sources')"))
        if action.id in overdue:
            yield _overdue(context, loc, action)


def _overdue(context: Context, loc: tuple, action: ActionItem) -> Hit:
    """Say how long ago an open item fell due, as of the day the record's knowledge stops."""
    # Only a dated item is overdue; the type checker cannot see through the method.
    assert action.due is not None
    day = context.report.knowledge_day
    late = (day - action.due).days
    today_message, as_of_message = _OVERDUE[action.status]
    fields = {"id": action.id, "due": action.due.isoformat(), "late": late}
    if day < context.today:  # the record's knowledge stops on `as_of`
        message = _(as_of_message, day=day.isoformat(), **fields)
        hint = _("say where it stood later and move 'as_of', or agree a new due date; "
                 "'# postmortem: ignore[action-overdue]' on the item keeps it out of every "
                 "count")
    else:
        message = _(today_message, **fields)
        hint = _("update its status, or agree a new due date")
    return Hit("action-overdue", loc + ("due",), message, hint)


def _check_verb(loc: tuple, text: str, lang: str,
                words: Mapping[str, Sequence[str]]) -> Iterator[Hit]:
    match = _WORD.search(text)
    if match is None or starts_with_verb(text, lang, words):
        return
    word = match.group()
    example = "« Ajouter une alerte sur … »" if lang == "fr" else "'Add an alert on …'"
    yield Hit("action-verb", loc,
              _("action item starts with {word}, not a verb", word=quote(word)),
              _("start with what will be done, e.g. {example}; if {word} is a verb here, add "
                "it to [lint.words.{lang}] verbs in postmortem.toml",
                example=example, word=quote(word), lang=lang), match.start())
