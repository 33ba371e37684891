"""Translation catalogues: the bundled one, a workspace's own, and its [labels] table.

Catalogues are read strictly, so that a mistake in a workspace's `.po` file is reported
at its line and column; each is read once per process and again only when it changes.
"""

from __future__ import annotations

import gettext
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cache, lru_cache
from pathlib import Path

from babel.messages.plurals import get_plural

from postmortem import i18n
from postmortem.errors import Problem
from postmortem.record.languages import LANGUAGES

LOCALE_DIR = i18n.LOCALE_DIR
DOMAIN = i18n.DOMAIN

# Catalogues: read strictly, so that a workspace's mistake is reported at its line.

@dataclass(frozen=True)
class PluralRule:
    """How many plural forms a language has, and which one a count takes (gettext's rule)."""

    forms: int
    expression: str

    def index(self, count: int) -> int:
        """Return the index of the form a count takes."""
        return int(_compiled_rule(self.expression)(count))


#: The rule of a translation that has one form for every count.
ONE_FORM = PluralRule(1, "0")


@cache
def _compiled_rule(expression: str) -> Callable[[int], int]:
    return gettext.c2py(expression)


@dataclass(frozen=True, eq=False)
class Catalogue:
    """Translated messages: singular message -> its text, and -> its plural forms and rule."""

    messages: Mapping[str, str] = field(default_factory=dict)
    plurals: Mapping[str, tuple[tuple[str, ...], PluralRule]] = field(default_factory=dict)
    plural_ids: Mapping[str, str] = field(default_factory=dict)
    """Singular message -> its English plural (msgid_plural), for the plural messages."""
    rule: PluralRule | None = None
    """The rule its Plural-Forms header states, if it has one."""


@dataclass
class _Entry:
    """One message of a .po file as written, before it is checked."""

    line: int
    id: str = ""
    plural: str | None = None
    context: str | None = None
    strings: list[str] = field(default_factory=list)
    indexed: bool = False
    string_line: int = 0
    fuzzy: bool = False
    has_id: bool = False
    has_string: bool = False
    broken: bool = False
    """A mistake was reported in it: it is left out, with no further complaint."""


_PO_KEYWORD = re.compile(r"(msgctxt|msgid_plural|msgid|msgstr(?:\[(\d+)\])?)(?=[ \t]|\")")
_PO_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\", "a": "\a", "b": "\b",
               "f": "\f", "v": "\v"}
_PLURAL_FORMS = re.compile(r"^\s*Plural-Forms\s*:\s*nplurals\s*=\s*(\d+)\s*;\s*plural\s*=\s*"
                           r"(.+?)\s*;?\s*$", re.MULTILINE)
# A %-conversion of a message: "%(name)s", "%(num)d", a literal "%%".
_CONVERSION = re.compile(
    r"%(?:\((?P<name>[^()]*)\))?[#0 +\-]*\d*(?:\.\d+)?(?P<type>[diouxXeEfFgGcrsa%])")


def format_names(text: str) -> set[str] | None:
    """Return the names a %-format message fills ('%(day)s'), or None if it is no such format."""
    names: set[str] = set()
    position = 0
    for found in _CONVERSION.finditer(text):
        if "%" in text[position:found.start()]:
            return None
        if found["type"] != "%" and found["name"] is None:
            return None  # a value is given by name, never by position
        if found["type"] != "%":
            names.add(found["name"])
        position = found.end()
    return None if "%" in text[position:] else names


def check_translation(message: str, plural: str | None, text: str) -> str | None:
    """Say what is wrong with a translation of a message, or return None when it can be used.

    Templates fill every message as a %-format, so a translation must be one, and may use
    only the values its message gives (`num` too, for a message with plural forms).
    """
    names = format_names(text)
    if names is None:
        return (f"{text!r} is not a valid message: write a value as %(name)s and a "
                f"literal % as %%")
    given = (format_names(message) or set()) | (format_names(plural or "") or set())
    if plural is not None:
        given.add("num")
    unknown = sorted(names - given)
    if unknown:
        return f"{text!r} uses %({unknown[0]})s, which {message!r} does not give"
    return None


def read_catalogue(path: Path, lang: str) -> tuple[Catalogue, list[Problem]]:
    """Read a gettext .po catalogue; return its translations and every problem at its line.

    Fuzzy, untranslated and obsolete entries are left out, as msgfmt leaves them; a
    message with a context (msgctxt) is never looked up, so it is left out too.
    """
    name = str(path)
    try:
        raw = path.read_bytes()
    except OSError as error:
        return Catalogue(), [Problem(name, 1, 1, f"cannot read the translations: "
                                                 f"{error.strerror or error}")]
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw.count(b"\n", 0, error.start) + 1
        column = error.start - (raw.rfind(b"\n", 0, error.start) + 1) + 1
        return Catalogue(), [Problem(name, line, column, "translations must be UTF-8 text")]
    entries, problems = _po_entries(name, text)
    rule = _header_rule(name, entries, problems)
    plural_rule_of_file = rule or plural_rule(lang)
    messages: dict[str, str] = {}
    plurals: dict[str, tuple[tuple[str, ...], PluralRule]] = {}
    plural_ids: dict[str, str] = {}
    seen: dict[tuple[str | None, str], int] = {}
    for entry in entries:
        if not entry.id:
            continue  # the header
        key = (entry.context, entry.id)
        if key in seen:
            problems.append(Problem(name, entry.line, 1, f"{entry.id!r} is translated twice "
                                                          f"(first at line {seen[key]})"))
            continue
        seen[key] = entry.line
        if entry.fuzzy or entry.context is not None or not any(entry.strings):
            continue
        if entry.plural is not None and len(entry.strings) != plural_rule_of_file.forms:
            problems.append(Problem(
                name, entry.string_line, 1,
                f"{entry.id!r} has {len(entry.strings)} plural form(s); the catalogue's "
                f"language has {plural_rule_of_file.forms}"))
            continue
        wrong = next(filter(None, (check_translation(entry.id, entry.plural, string)
                                   for string in entry.strings)), None)
        if wrong:
            problems.append(Problem(name, entry.string_line, 1, wrong))
            continue
        if entry.plural is None:
            messages[entry.id] = entry.strings[0]
        elif all(entry.strings):
            plurals[entry.id] = (tuple(entry.strings), plural_rule_of_file)
            plural_ids[entry.id] = entry.plural
    return Catalogue(messages, plurals, plural_ids, rule), problems


def _header_rule(name: str, entries: list[_Entry], problems: list[Problem]) -> PluralRule | None:
    """Return the plural rule the header of a catalogue states, if it states a valid one."""
    header = next((entry for entry in entries if not entry.id and entry.context is None), None)
    if header is None or not header.strings:
        return None
    found = _PLURAL_FORMS.search(header.strings[0])
    if not found:
        return None
    try:
        _compiled_rule(found[2])
    except (ValueError, SyntaxError):
        problems.append(Problem(name, header.string_line, 1,
                                f"Plural-Forms: {found[2]!r} is not a valid plural rule"))
        return None
    return PluralRule(int(found[1]), found[2])


def _po_entries(name: str, text: str) -> tuple[list[_Entry], list[Problem]]:
    """Split a .po text into its entries; report each line that is not .po syntax."""
    entries: list[_Entry] = []
    problems: list[Problem] = []
    entry: _Entry | None = None
    fuzzy = False
    # Where a continuation string ("…" alone on a line) goes: the msgid, its plural, a msgstr.
    target: str | None = None

    def finish() -> None:
        nonlocal entry, target
        if entry is not None and not entry.broken:
            if not entry.has_string:
                problems.append(Problem(name, entry.line, 1,
                                        f"msgid {entry.id!r} has no msgstr"))
            else:
                entries.append(entry)
        entry, target = None, None

    for number, line in enumerate(text.splitlines(), 1):
        stripped = line.strip()
        column = len(line) - len(line.lstrip()) + 1
        if not stripped:
            finish()
            continue
        if stripped.startswith("#"):
            if entry is not None and entry.has_string:
                finish()  # a comment opens the next entry
            if stripped.startswith("#,") and "fuzzy" in re.split(r"[,\s]+", stripped[2:]):
                fuzzy = True
            continue
        if stripped.startswith('"'):
            value = _po_string(name, line, number, column - 1, problems)
            if target is None or entry is None:
                problems.append(Problem(name, number, column,
                                        "a string that continues no msgid or msgstr"))
            elif value is not None:
                _append(entry, target, value)
            continue
        keyword = _PO_KEYWORD.match(stripped)
        if keyword is None:
            word = stripped.split()[0]
            problems.append(Problem(
                name, number, column,
                f"unknown keyword {word!r}: a .po line is msgctxt, msgid, msgid_plural, "
                f"msgstr, msgstr[N], a \"string\" or a # comment"))
            target = None
            continue
        word = keyword[1]
        if word in ("msgctxt", "msgid") and entry is not None and (
                entry.has_string or entry.has_id):
            finish()  # a new message begins (the last one without msgstr is reported)
        if entry is None:
            entry = _Entry(line=number, fuzzy=fuzzy)
            fuzzy = False
        value = _po_string(name, line, number, column - 1 + keyword.end(), problems)
        order = _po_order(entry, word, keyword[2])
        if order:
            problems.append(Problem(name, number, column, order))
            entry.broken, target = True, None
            continue
        target = word if keyword[2] is None else "msgstr"
        if word == "msgctxt":
            entry.context = value or ""
        elif word == "msgid":
            entry.line, entry.id, entry.has_id = number, value or "", True
        elif word == "msgid_plural":
            entry.plural = value or ""
        else:
            entry.strings.append(value or "")
            entry.indexed = keyword[2] is not None
            entry.has_string = True
            entry.string_line = entry.string_line or number
    finish()
    return entries, problems


def _po_order(entry: _Entry, word: str, index: str | None) -> str | None:
    """Say why a keyword cannot come where it is written in its entry, or return None."""
    if word == "msgid_plural" and (not entry.has_id or entry.has_string or entry.plural):
        return "msgid_plural must follow its msgid, before any msgstr"
    if word == "msgstr" and not entry.has_id:
        return "msgstr without its msgid"
    if word == "msgstr" and index is None and (entry.plural is not None or entry.has_string):
        return ("a message with msgid_plural has msgstr[0], msgstr[1]…"
                if entry.plural is not None else "a second msgstr for one msgid")
    if word == "msgstr" and index is not None:
        if entry.plural is None:
            return "msgstr[N] needs a msgid_plural; write msgstr alone"
        if int(index) != len(entry.strings):
            return f"msgstr[{index}] out of order: expected msgstr[{len(entry.strings)}]"
    return None


def _append(entry: _Entry, target: str, value: str) -> None:
    if target == "msgctxt":
        entry.context = (entry.context or "") + value
    elif target == "msgid":
        entry.id += value
    elif target == "msgid_plural":
        entry.plural = (entry.plural or "") + value
    else:
        entry.strings[-1] += value


def _po_string(name: str, line: str, number: int, start: int,
               problems: list[Problem]) -> str | None:
    """Read the quoted string at or after index `start` of a line; None when it is not one."""
    position = start
    while position < len(line) and line[position] in " \t":
        position += 1
    if position >= len(line) or line[position] != '"':
        problems.append(Problem(name, number, position + 1, 'expected a "quoted string"'))
        return None
    opening = position
    position += 1
    value: list[str] = []
    while position < len(line):
        char = line[position]
        if char == '"':
            after = line[position + 1:]
            rest = after.strip()
            if rest and not rest.startswith("#"):
                column = position + 2 + len(after) - len(after.lstrip())
                problems.append(Problem(name, number, column,
                                        f"unexpected {rest!r} after the closing quote"))
                return None
            return "".join(value)
        if char == "\\":
            escaped = line[position + 1:position + 2]
            octal = re.match(r"[0-7]{1,3}", line[position + 1:])
            if escaped in _PO_ESCAPES:
                value.append(_PO_ESCAPES[escaped])
                position += 2
                continue
            if octal:
                value.append(chr(int(octal[0], 8)))
                position += 1 + len(octal[0])
                continue
            problems.append(Problem(name, number, position + 1,
                                    f"unknown escape \\{escaped}: use \\n, \\t, \\\" or \\\\"))
            return None
        value.append(char)
        position += 1
    problems.append(Problem(name, number, opening + 1, "string not closed on its line"))
    return None


@cache
def bundled_catalogue(lang: str) -> Catalogue:
    """Return the catalogue shipped with postmortem for a language (empty for English)."""
    path = LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"
    if not path.is_file():
        return Catalogue()  # messages are written in English
    catalogue, problems = read_catalogue(path, lang)
    if problems:
        raise ValueError("\n".join(str(problem) for problem in problems))
    return catalogue


def bundled_plural(message: str) -> str | None:
    """Return the English plural of a bundled message that has plural forms, else None."""
    for lang in LANGUAGES:
        plural = bundled_catalogue(lang).plural_ids.get(message)
        if plural is not None:
            return plural
    return None


def bundled_single(message: str) -> bool:
    """Return whether a message is one of the bundled catalogues' messages without plurals."""
    return any(message in bundled_catalogue(lang).messages for lang in LANGUAGES)


@cache
def plural_rule(lang: str) -> PluralRule:
    """Return a language's plural rule: the bundled catalogue's, else Babel's."""
    path = LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"
    if path.is_file():
        rule = bundled_catalogue(lang).rule
        if rule is not None:
            return rule
    forms, expression = tuple(get_plural(lang))
    return PluralRule(int(forms), str(expression))


@lru_cache(maxsize=64)
def _workspace_catalogue(path: Path, lang: str, stamp: tuple[int, int]) -> Catalogue:
    # `stamp` (modification time, size) makes an edited file read again.
    return read_catalogue(path, lang)[0]


def catalogue_stamp(path: Path) -> tuple[int, int] | None:
    try:
        status = path.stat()
    except OSError:
        return None
    return status.st_mtime_ns, status.st_size


@dataclass(frozen=True)
class Overrides:
    """A workspace's own words for one language, tried before the bundled catalogue."""

    labels: tuple[tuple[str, tuple[str, ...]], ...] = ()
    """Message -> its text, or its plural forms, from a [labels.<lang>] table; tried first."""
    catalogues: tuple[Path, ...] = ()
    """The workspace's catalogues of the language, the first one tried first."""


@lru_cache(maxsize=64)
def merged_words(lang: str, overrides: Overrides,
           stamps: tuple[tuple[int, int] | None, ...]) -> Catalogue:
    """Merge a language's words: labels over workspace catalogues over the bundled one."""
    bundled = bundled_catalogue(lang)
    messages = dict(bundled.messages)
    plurals = dict(bundled.plurals)
    for path, stamp in reversed(list(zip(overrides.catalogues, stamps, strict=True))):
        if stamp is not None:
            catalogue = _workspace_catalogue(path, lang, stamp)
            messages.update(catalogue.messages)
            plurals.update(catalogue.plurals)
    rule = plural_rule(lang)
    for message, forms in overrides.labels:
        messages[message] = forms[0]
        plurals[message] = (forms, rule if len(forms) > 1 else ONE_FORM)
    return Catalogue(messages, plurals)
