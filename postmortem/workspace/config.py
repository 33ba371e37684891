"""The workspace configuration: `postmortem.toml` in the folder commands run from.

    [lint]
    disable = ["action-overdue"]          # rules that never report

    [lint.severity]                       # re-grade a rule: "error", "warning" or "off"
    named-individual = "error"

    [lint.words.fr]                       # words added to the bundled lists of a language
    blame = ["bévue"]

    [build]                               # defaults of `postmortem build`; flags override
    formats = ["md", "html", "pdf"]
    jobs = 2
    incidents = "incidents"
    output = "output"
    templates = "templates"
    language = "fr"                       # of the index and the review across incidents

Other sections are left to the commands that own them.
"""

from __future__ import annotations

import difflib
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from postmortem.errors import Problem, RecordError
from postmortem.lint.engine import LANGUAGES, RULES, word_lists
from postmortem.workspace.pipeline import FORMATS

FILENAME = "postmortem.toml"
SEVERITIES = ("error", "warning", "off")

_LINT_KEYS = ("disable", "severity", "words")
# tomllib (before Python 3.14) gives the position only inside its message.
_TOML_POSITION = re.compile(r"\s*\(at (?:line (\d+), column (\d+)|end of document)\)$")
_HEADER = re.compile(r"\s*\[\s*([^\[\]]+?)\s*\]\s*(?:#.*)?$")
_KEY = re.compile(r"\s*([A-Za-z0-9_.\"' -]+?)\s*=")


@dataclass(frozen=True)
class LintConfig:
    """The [lint] section: severities that differ from the defaults, and added words."""

    severity: Mapping[str, str] = field(default_factory=dict)
    """Rule id -> "error", "warning" or "off"; rules in `disable` are "off"."""
    words: Mapping[str, Mapping[str, tuple[str, ...]]] = field(default_factory=dict)
    """Language -> list name -> words added to the bundled list."""


@dataclass(frozen=True)
class BuildConfig:
    """The [build] section: defaults for `postmortem build`, None where it says nothing."""

    formats: tuple[str, ...] | None = None
    jobs: int | None = None
    incidents: str | None = None
    output: str | None = None
    templates: str | None = None
    language: str | None = None


@dataclass(frozen=True)
class Config:
    """The workspace configuration, with defaults for everything it leaves out."""

    path: str | None = None
    """The file it was read from, or None when the workspace has none."""
    lint: LintConfig = field(default_factory=LintConfig)
    build: BuildConfig = field(default_factory=BuildConfig)


def load_config(folder: str | Path = ".") -> Config:
    """Read `postmortem.toml` in folder, if any; raise RecordError with every problem."""
    path = Path(folder) / FILENAME
    if not path.is_file():
        return Config()
    name = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        reason = getattr(error, "strerror", None) or str(error)
        problem = Problem(name, 1, 1, f"cannot read the configuration: {reason}")
        raise RecordError([problem]) from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise RecordError([_syntax_problem(name, text, error)]) from None
    problems: list[Problem] = []
    where = _Locator(name, text)
    lint = _lint_section(data.get("lint", {}), where, problems)
    build = _build_section(data.get("build", {}), where, problems)
    if problems:
        raise RecordError(problems)
    return Config(name, lint, build)


_BUILD_KEYS = ("formats", "jobs", "incidents", "output", "templates", "language")
LANGUAGES_OF_INDEX = ("en", "fr")


def _build_section(section: object, where: _Locator, problems: list[Problem]) -> BuildConfig:
    """Check the [build] table and return it as a BuildConfig, adding problems found."""

    def problem(key: str, message: str) -> None:
        line, column = where.find(("build", key) if key else ("build",))
        problems.append(Problem(where.name, line, column, message, field=f"build.{key}".rstrip(".")))

    if not isinstance(section, dict):
        problem("", "[build] must be a table")
        return BuildConfig()
    for key in section:
        if key not in _BUILD_KEYS:
            problem(key, f"unknown key {key!r} in [build]{_suggest(key, _BUILD_KEYS)}")
    values: dict[str, object] = {}
    formats = section.get("formats")
    if formats is not None:
        if not _strings(formats) or not formats or set(formats) - set(FORMATS):
            problem("formats", f"formats must be a list drawn from {', '.join(FORMATS)}, "
                               f"e.g. [\"md\", \"pdf\"], got {formats!r}")
        else:
            values["formats"] = tuple(formats)
    jobs = section.get("jobs")
    if jobs is not None:
        if isinstance(jobs, bool) or not isinstance(jobs, int) or jobs < 1:
            problem("jobs", f"jobs must be a whole number of at least 1, got {jobs!r}")
        else:
            values["jobs"] = jobs
    for key in ("incidents", "output", "templates"):
        value = section.get(key)
        if value is not None and (not isinstance(value, str) or not value.strip()):
            problem(key, f"{key} must be a folder path as text, got {value!r}")
        elif value is not None:
            values[key] = value
    language = section.get("language")
    if language is not None:
        if language not in LANGUAGES_OF_INDEX:
            problem("language", f"language must be one of {', '.join(LANGUAGES_OF_INDEX)}, "
                                f"got {language!r}")
        else:
            values["language"] = language
    return BuildConfig(**values)


def _syntax_problem(name: str, text: str, error: tomllib.TOMLDecodeError) -> Problem:
    message = str(error)
    line, column = getattr(error, "lineno", None), getattr(error, "colno", None)
    match = _TOML_POSITION.search(message)
    if match:
        message = message[: match.start()]
        if match.group(1):
            line, column = int(match.group(1)), int(match.group(2))
        else:  # at the end of the document: just after its last character
            lines = text.split("\n")
            line, column = len(lines), len(lines[-1]) + 1
    return Problem(name, line or 1, column or 1, f"TOML syntax error: {message}")


def _lint_section(section: object, where: _Locator, problems: list[Problem]) -> LintConfig:
    """Check the [lint] table and return it as a LintConfig, adding the problems found."""

    def problem(keys: tuple[str, ...], message: str, item: str | None = None) -> None:
        line, column = where.find(keys, item)
        problems.append(Problem(where.name, line, column, message, field=".".join(keys)))

    if not isinstance(section, dict):
        problem(("lint",), "[lint] must be a table")
        return LintConfig()
    for key in section:
        if key not in _LINT_KEYS:
            problem(("lint", key), f"unknown key {key!r} in [lint]{_suggest(key, _LINT_KEYS)}")
    return LintConfig(_severities(section, problem), _added_words(section, problem))


def _severities(section: dict, problem) -> dict[str, str]:
    """Return the severity of each rule that `disable` or [lint.severity] changes."""
    severity: dict[str, str] = {}
    disable = section.get("disable", [])
    if not _strings(disable):
        problem(("lint", "disable"), 'disable must be a list of rule ids, e.g. ["action-overdue"]')
        disable = []
    for rule in disable:
        if rule in RULES:
            severity[rule] = "off"
        else:
            problem(("lint", "disable"), _unknown_rule(rule), item=rule)
    grades = section.get("severity", {})
    if not isinstance(grades, dict):
        problem(("lint", "severity"),
                '[lint.severity] must be a table of rule = "error"|"warning"|"off"')
        grades = {}
    for rule, grade in grades.items():
        if rule not in RULES:
            problem(("lint", "severity", rule), _unknown_rule(rule))
        elif grade not in SEVERITIES:
            problem(("lint", "severity", rule),
                    f"severity of {rule} must be one of {', '.join(SEVERITIES)}, got {grade!r}")
        elif severity.get(rule) != "off":  # disable wins over a grade
            severity[rule] = grade
    return severity


def _added_words(section: dict, problem) -> dict[str, dict[str, tuple[str, ...]]]:
    """Return, per language and list, the words [lint.words.LANG] adds."""
    words: dict[str, dict[str, tuple[str, ...]]] = {}
    languages = section.get("words", {})
    if not isinstance(languages, dict):
        problem(("lint", "words"),
                "[lint.words] must hold one table per language, e.g. [lint.words.fr]")
        languages = {}
    for lang, lists in languages.items():
        if lang not in LANGUAGES:
            problem(("lint", "words", lang),
                    f"no word lists for language {lang!r} (known: {', '.join(LANGUAGES)})")
            continue
        if not isinstance(lists, dict):
            problem(("lint", "words", lang),
                    f"[lint.words.{lang}] must be a table of list = [words]")
            continue
        known = word_lists(lang)
        for list_name, added in lists.items():
            keys = ("lint", "words", lang, list_name)
            if list_name not in known:
                problem(keys, f"unknown word list {list_name!r}{_suggest(list_name, known)} "
                              f"(known: {', '.join(known)})")
            elif not _strings(added):
                problem(keys, f"{list_name} must be a list of words or phrases")
            else:
                words.setdefault(lang, {})[list_name] = tuple(added)
    return words


def _strings(value: object) -> bool:
    return isinstance(value, list) and all(isinstance(item, str) and item.strip() for item in value)


def _unknown_rule(rule: object) -> str:
    return f"unknown rule {rule!r}{_suggest(str(rule), RULES)}"


def _suggest(name: str, known) -> str:
    close = difflib.get_close_matches(name, list(known), n=1)
    return f"; did you mean {close[0]!r}?" if close else ""


class _Locator:
    """Find where a key or a list item is written, since tomllib keeps no positions."""

    def __init__(self, name: str, text: str):
        self.name = name
        self.lines = text.splitlines()

    def find(self, keys: tuple[str, ...], item: str | None = None) -> tuple[int, int]:
        """Return the line and column of keys (and of item in its list), else of a parent."""
        for depth in range(len(keys), 0, -1):
            found = self._key(keys[:depth])
            if found:
                if item is not None and depth == len(keys):
                    return self._item(found[0], item) or found
                return found
        return 1, 1

    def _key(self, keys: tuple[str, ...]) -> tuple[int, int] | None:
        table: tuple[str, ...] = ()
        for number, line in enumerate(self.lines, 1):
            header = _HEADER.match(line)
            if header:
                table = _dotted(header.group(1))
                if table == keys:
                    return number, line.index("[") + 1
                continue
            key = _KEY.match(line)
            if key and table + _dotted(key.group(1)) == keys:
                return number, key.start(1) + 1
        return None

    def _item(self, start: int, item: str) -> tuple[int, int] | None:
        """Find a quoted item of a list that starts on line `start`, stopping at the next key."""
        for number in range(start, len(self.lines) + 1):
            line = self.lines[number - 1]
            if number > start and (_HEADER.match(line) or _KEY.match(line)):
                return None
            for quote in ('"', "'"):
                column = line.find(f"{quote}{item}{quote}")
                if column >= 0:
                    return number, column + 1
        return None


def _dotted(key: str) -> tuple[str, ...]:
    return tuple(part.strip().strip("\"'") for part in key.split("."))
