"""Messages for people at the command line, in their language: validate, lint, summaries.

The command line's messages are English in the code and translated through the bundled
gettext catalogue that also holds the reports' words (`postmortem/locale/<lang>/
LC_MESSAGES/postmortem.po`). The language is `--lang` where a command takes it, else the
user's locale, read as gettext reads it: `LANGUAGE`, `LC_ALL`, `LC_MESSAGES`, then `LANG`.
A language without a bundled catalogue reads English.

    _("action item {id!r} has no due date", id=action.id)
    ngettext("{count} error", "{count} errors", count)

A message is marked where it is written, with its fields named, so that a translation can
put them in its own order; the fields are filled after the translation.
"""

from __future__ import annotations

import contextlib
import contextvars
import gettext
import os
import re
from collections.abc import Callable, Iterator, Mapping
from functools import cache
from pathlib import Path

#: The bundled catalogues, shared with the reports.
LOCALE_DIR = Path(__file__).parent / "locale"
DOMAIN = "postmortem"

#: The languages whose messages are translated; any other reads English.
MESSAGE_LANGUAGES = ("en", "fr")

_ENVIRONMENT = ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")

_chosen: contextvars.ContextVar[str | None] = contextvars.ContextVar("message_language",
                                                                     default=None)


def N_(message: str) -> str:
    """Mark a message for translation without translating it yet."""
    return message


def language_from_environment(environ: Mapping[str, str] | None = None) -> str:
    """Return the language of messages that the locale asks for: 'fr' for fr_FR.UTF-8."""
    environ = os.environ if environ is None else environ
    for name in _ENVIRONMENT:
        value = environ.get(name, "")
        if not value:
            continue
        # LANGUAGE is a list of preferences ("fr:en"); the first known one wins.
        for tag in value.split(":") if name == "LANGUAGE" else [value]:
            lang = supported(tag)
            if lang is not None:
                return lang
        if name != "LANGUAGE":
            return "en"  # the first locale variable that is set decides, as in gettext
    return "en"


def language_of(tag: str) -> str:
    """Return the language of a language tag or locale: 'en' for 'en-GB' or 'en_GB'."""
    return re.split(r"[-_]", tag.strip(), maxsplit=1)[0].lower()


def supported(tag: str) -> str | None:
    """Return the message language of a tag or locale ('fr-CA', 'fr_FR.UTF-8'), if bundled."""
    lang = language_of(re.split(r"[.@]", tag, maxsplit=1)[0])
    if lang in ("c", "posix"):
        return "en"
    return lang if lang in MESSAGE_LANGUAGES else None


def message_language() -> str:
    """Return the language messages are written in now."""
    chosen = _chosen.get()
    return chosen if chosen is not None else language_from_environment()


@contextlib.contextmanager
def messages_in(lang: str | None) -> Iterator[str]:
    """Write messages in a language inside the block (None: the locale's), then as before."""
    token = _chosen.set(None if lang is None else (supported(lang) or "en"))
    try:
        yield message_language()
    finally:
        _chosen.reset(token)


def _(message: str, /, **fields: object) -> str:
    """Return a message in the language of messages, its {fields} filled."""
    text = _catalogue(message_language()).get(message, message)
    return text.format(**fields) if fields else text


def ngettext(singular: str, plural: str, count: int, /, **fields: object) -> str:
    """Return the form of a message that a count takes, its {fields} (and {count}) filled."""
    lang = message_language()
    forms = _plurals(lang).get(singular)
    if forms is None:
        text = singular if count == 1 else plural
    else:
        text = forms[min(_plural_rule(lang)(count), len(forms) - 1)]
    return text.format(count=count, **fields)


@cache
def _read(lang: str) -> tuple[dict[str, str], dict[str, tuple[str, ...]], str]:
    """Read a bundled catalogue: messages, plural messages, and the plural expression."""
    path = LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"
    if lang == "en" or not path.is_file():
        return {}, {}, "n != 1"
    from babel.messages.pofile import read_po  # only a translated language pays for it

    with path.open("rb") as po_file:
        catalog = read_po(po_file, locale=lang)
    singles: dict[str, str] = {}
    plurals: dict[str, tuple[str, ...]] = {}
    for entry in catalog:
        if not entry.id or not entry.string:
            continue
        if isinstance(entry.id, str):
            singles[entry.id] = str(entry.string)
        elif all(entry.string):
            plurals[entry.id[0]] = tuple(entry.string)
    return singles, plurals, catalog.plural_expr


def _catalogue(lang: str) -> dict[str, str]:
    return _read(lang)[0]


def _plurals(lang: str) -> dict[str, tuple[str, ...]]:
    return _read(lang)[1]


@cache
def _plural_rule(lang: str) -> Callable[[int], int]:
    return gettext.c2py(_read(lang)[2])
