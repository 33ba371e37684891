"""The workspace configuration: `postmortem.toml` in the folder commands run from.

Each section is a pydantic model owned by the feature it configures: `[lint]` is
`postmortem.lint.config.LintSettings`, `[build]` is `BuildSettings` below. This module
reads the file, validates every section and reports each problem at its line; the
defaults of the build live in `BuildSettings`, and `BuildSettings.options` lays the
command line's flags over them.

    [build]                               # defaults of `postmortem build`; flags override
    formats = ["md", "html", "pdf"]
    documents = ["full", "executive", "public"]   # of each record; default: ["full"]
    period = "2024-Q3"                    # of the period review; default: the last 12 months
    jobs = 2
    incidents = "incidents"
    output = "output"
    templates = "templates"               # workspace templates: used only when named here
    language = "fr"                       # of the index and the review across incidents
    time_limit = 120                      # seconds to render one record (render, too)
    memory_limit = 2048                   # MiB a worker rendering one record may map

    [render]                              # how every report is rendered
    locales = { en = "en_GB" }            # a language's dates and numbers; a record's wins
    translations = "locale"               # folder of <lang>/LC_MESSAGES/postmortem.po

    [import.slack]                        # `postmortem import slack`; flags override
    reaction = "pushpin"                  # messages with it are imported, beside pinned ones
    bots = false                          # also bots' messages
    roles = { U024BE7LH = "incident commander", "ada.example" = "database on-call" }

    [labels.fr]                           # the workspace's own words, tried first
    "Executive summary" = "Synthèse"
    "%(num)s action item" = ["%(num)s action", "%(num)s actions"]   # one per plural form

`Config.render_settings` gathers templates, locales, labels and catalogues into the
`RenderSettings` a renderer uses; `Config.build_options` gives a build all of it.
Other sections are left to the commands that own them.
"""

from __future__ import annotations

import json
import os
import re
import tomllib
import typing
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Annotated

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    PlainValidator,
    RootModel,
    StringConstraints,
    ValidationError,
)
from pydantic_core import PydanticCustomError

from postmortem.errors import ConfigError, Problem
from postmortem.i18n import N_, _, language_of
from postmortem.lint.config import LintSettings, suggestion
from postmortem.record.languages import LANGUAGES, LOCALES, LanguageCode
from postmortem.render import DOCUMENT_NAMES, FORMATS, Document, Format
from postmortem.render.catalogue import (
    bundled_plural,
    bundled_single,
    check_translation,
    plural_rule,
)
from postmortem.render.settings import Label, RenderSettings
from postmortem.workspace.bounds import MEMORY_LIMIT, TIME_LIMIT, Bounds

FILENAME = "postmortem.toml"
#: The folder of template overrides a workspace usually has: used only when configured.
WORKSPACE_TEMPLATES = "templates"
#: The folder of translation catalogues a workspace may have, tried before the bundled ones.
WORKSPACE_TRANSLATIONS = "locale"

# tomllib (before Python 3.14) gives the position only inside its message.
_TOML_POSITION = re.compile(r"\s*\(at (?:line (\d+), column (\d+)|end of document)\)$")
# A key as TOML writes it: bare, "quoted" or 'literal' parts joined by dots.
_KEY_PART = r"""(?:[A-Za-z0-9_-]+|"(?:[^"\\]|\\.)*"|'[^']*')"""
_DOTTED_KEY = rf"{_KEY_PART}(?:\s*\.\s*{_KEY_PART})*"
_HEADER = re.compile(rf"\s*\[\s*({_DOTTED_KEY})\s*\]\s*(?:#.*)?$")
_KEY = re.compile(rf"\s*({_DOTTED_KEY})\s*=")

Folder = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]


def _known_period(text: str) -> str:
    from postmortem.analysis.period import parse_period

    try:
        parse_period(text, date.today())
    except ValueError as error:
        raise PydanticCustomError("period", "{reason}", {"reason": str(error)}) from None
    return text


PeriodText = Annotated[str, AfterValidator(_known_period)]


class BuildSettings(BaseModel):
    """The [build] table: the defaults of `postmortem build`."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, title="[build]")

    formats: list[Format] = Field(
        default=["md", "html", "pdf"], min_length=1,
        description=f'a list drawn from {", ".join(FORMATS)}, e.g. ["md", "pdf"]')
    """Formats of each review (a JSON export is always written)."""
    documents: list[Document] = Field(
        default=["full"], min_length=1,
        description=f'a list drawn from {", ".join(DOCUMENT_NAMES)}, e.g. ["full", "executive"]')
    """Documents of each record: the full review, and those for each audience."""
    period: PeriodText = Field(
        default="", description='a quarter, half, year, month or range of days as text, e.g. '
        '"2024-Q3", "2024-H1", "2024", "2024-08", "2024-01-01..2024-06-30"')
    """Period of the review for management; empty: the 12 months up to the build's day."""
    jobs: int | None = Field(default=None, ge=1, description=N_("a whole number of at least 1"))
    """Records rendered at once; none: one per core."""
    incidents: Folder = Field(default="incidents", description=N_("a folder path as text"))
    """Folder of incident records."""
    output: Folder = Field(default="output", description=N_("a folder path as text"))
    """Folder the reports are written to."""
    templates: Folder | None = Field(default=None, description=N_("a folder path as text"))
    """Template folder searched before the bundled templates; none: the bundled ones only.

    Templates are code that runs on every record: a workspace's are used only when named
    here or by --templates, never because a ./templates folder happens to exist.
    """
    language: LanguageCode = Field(default="en", description=f"one of {', '.join(LANGUAGES)}")
    """Language of the index and of the review across incidents."""
    time_limit: float = Field(default=TIME_LIMIT, gt=0, allow_inf_nan=False,
                              description=N_("a number of seconds above 0"))
    """Seconds one record may take to render (`render` too); past it, it is reported failed."""
    memory_limit: int = Field(default=MEMORY_LIMIT, ge=1,
                              description=N_("a whole number of MiB of at least 1"))
    """MiB of memory the process rendering one record may map; past it, the record fails."""

    def options(self, *, formats: tuple[str, ...] | None = None,
                documents: tuple[str, ...] | None = None, period: str | None = None,
                jobs: int | None = None,
                incidents: str | None = None, output: str | None = None,
                templates: str | None = None, language: str | None = None,
                force: bool = False, today: date | None = None,
                time_limit: float | None = None,
                memory_limit: int | None = None) -> BuildOptions:
        """Return the options of a build: each flag given, else this table's value."""
        return BuildOptions(
            incidents=Path(incidents or self.incidents),
            output=Path(output or self.output),
            formats=formats or tuple(self.formats),
            documents=documents or tuple(self.documents),
            period=self.period if period is None else period,
            jobs=max(1, jobs or self.jobs or os.cpu_count() or 1),
            force=force,
            template_dirs=tuple(template_folders(templates or self.templates)),
            language=language or self.language,
            today=today or date.today(),
            bounds=self.bounds(time_limit, memory_limit),
        )

    def bounds(self, time_limit: float | None = None,
               memory_limit: int | None = None) -> Bounds:
        """Return the bounds on rendering one record: each flag given, else this table's."""
        return Bounds(time_limit or self.time_limit, memory_limit or self.memory_limit)


RoleText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]


class SlackImportSettings(BaseModel):
    """The [import.slack] table: what `postmortem import slack` takes from a channel."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, title="[import.slack]")

    reaction: RoleText = Field(default="pushpin", description=N_("a reaction's name as text"))
    """Messages carrying this reaction are imported, besides the pinned ones."""
    bots: bool = Field(default=False, description=N_("true or false"))
    """Whether bots' messages are imported too."""
    names: bool = Field(default=False, description=N_("true or false"))
    """Whether people without a role are named; no: a neutral word, the review stays blameless."""
    roles: dict[RoleText, RoleText] = Field(
        default_factory=dict, description=N_("a table of Slack user (id or name) = role"))
    """Slack user (its id, name, display name or real name) -> the role the record names."""


class ImportSettings(BaseModel):
    """The [import] tables: the settings of each `postmortem import` source."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, title="[import]")

    slack: SlackImportSettings = Field(default_factory=SlackImportSettings)


@dataclass(frozen=True)
class BuildOptions:
    """What to build, where, and how: `BuildSettings.options` gives them."""

    incidents: Path
    output: Path
    formats: tuple[str, ...]
    jobs: int
    force: bool
    template_dirs: tuple[Path, ...]
    language: str
    today: date
    render: RenderSettings = field(default_factory=RenderSettings)
    """How each report is rendered: `Config.build_options` fills it from the workspace."""
    bounds: Bounds = field(default_factory=Bounds)
    """How long, and with how much memory, one record may render."""
    documents: tuple[str, ...] = ("full",)
    """Documents of each record (`postmortem.render.documents`)."""
    period: str = ""
    """Period of the review for management, as written; empty: the last 12 months."""


def _known_locale(locale: str) -> str:
    if locale not in LOCALES:
        raise PydanticCustomError(
            "unknown_locale", "{reason}",
            {"reason": _("unknown locale {locale}{hint} (locales: {known})",
                         locale=repr(locale), hint=suggestion(locale, LOCALES),
                         known=", ".join(LOCALES))})
    return locale


def _label_value(value: object) -> str | list[str]:
    if isinstance(value, str) and value:
        return value
    if (isinstance(value, list) and value
            and all(isinstance(form, str) and form for form in value)):
        return value
    raise PydanticCustomError("label", "a text, or a list of one text per plural form")


LocaleName = Annotated[str, AfterValidator(_known_locale)]
LabelText = Annotated[str, StringConstraints(min_length=1)]
LabelValue = Annotated[str | list[str], PlainValidator(_label_value)]


class RenderTable(BaseModel):
    """The [render] table: how every report of the workspace is rendered."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, title="[render]")

    locales: dict[LanguageCode, LocaleName] = Field(
        default_factory=dict, description=f"a locale among {', '.join(LOCALES)}")
    """Language -> the Babel locale of its dates and numbers; a record's `locale` wins."""
    translations: Folder | None = Field(default=None, description=N_("a folder path as text"))
    """Folder of <lang>/LC_MESSAGES/postmortem.po; none: ./locale if present."""


class LabelTables(RootModel[dict[LanguageCode, dict[LabelText, LabelValue]]]):
    """The [labels.<lang>] tables: the workspace's words for messages of the reports."""

    model_config = ConfigDict(frozen=True, strict=True, title="[labels]")

    root: dict[LanguageCode, dict[LabelText, LabelValue]] = Field(
        default_factory=dict,
        description=N_("a text, or a list of one text per plural form of the language"))

    def labels(self) -> tuple[Label, ...]:
        """Return every label, language by language, in the order the file gives them."""
        return tuple(Label(lang, message, (value,) if isinstance(value, str) else tuple(value))
                     for lang, table in self.root.items() for message, value in table.items())


@dataclass(frozen=True)
class Config:
    """The workspace configuration, with defaults for everything it leaves out."""

    path: str | None = None
    """The file it was read from, or None when the workspace has none."""
    lint: LintSettings = field(default_factory=LintSettings)
    build: BuildSettings = field(default_factory=BuildSettings)
    render: RenderTable = field(default_factory=RenderTable)
    labels: LabelTables = field(default_factory=LabelTables)
    imports: ImportSettings = field(default_factory=ImportSettings)
    """The [import] tables (`import` is a word Python keeps)."""

    def render_settings(self, templates: str | os.PathLike | None = None) -> RenderSettings:
        """Return how reports are rendered; raise ConfigError naming each bad catalogue line.

        `templates` is the --templates flag, which wins over [build] templates.
        """
        settings = RenderSettings(
            template_dirs=tuple(template_folders(templates or self.build.templates)),
            locales=tuple(self.render.locales.items()),
            labels=self.labels.labels(),
            translation_dirs=tuple(translation_folders(self.render.translations)),
        )
        problems = settings.problems()
        if problems:
            raise ConfigError(problems)
        return settings

    def build_options(self, *, templates: str | None = None,
                      **flags: typing.Any) -> BuildOptions:
        """Return the options of a build (see `BuildSettings.options`) with render settings."""
        settings = self.render_settings(templates)
        options = self.build.options(templates=templates, **flags)
        return replace(options, template_dirs=settings.template_dirs, render=settings)


#: Section name -> the model that reads it.
SECTIONS: dict[str, type[BaseModel]] = {"lint": LintSettings, "build": BuildSettings,
                                        "render": RenderTable, "labels": LabelTables,
                                        "import": ImportSettings}


def template_folders(explicit: str | os.PathLike | None = None) -> list[Path]:
    """Return the user's template folders: the one given (--templates or configured), or none.

    A folder given that does not exist is an error, not a silent fallback to the bundled
    templates.
    """
    if not explicit:
        return []
    folder = Path(explicit)
    if not folder.is_dir():
        what = "is a file, not a folder" if folder.exists() else "does not exist"
        raise ConfigError(f"the templates folder {folder} {what}: give --templates (or "
                          "templates in [build] of postmortem.toml) the folder that holds "
                          "your templates")
    return [folder]


def unused_templates(explicit: str | os.PathLike | None, config: Config) -> str | None:
    """Say that ./templates is not used when neither a flag nor the configuration names it."""
    if explicit or config.build.templates or not Path(WORKSPACE_TEMPLATES).is_dir():
        return None
    return (f"note: {WORKSPACE_TEMPLATES}/ is not used: a workspace's templates are used only "
            f"when asked for; pass --templates {WORKSPACE_TEMPLATES}, or set templates = "
            f'"{WORKSPACE_TEMPLATES}" in [build] of postmortem.toml')


def translation_folders(explicit: str | os.PathLike | None = None) -> list[Path]:
    """Return the user's translation folders: the one given, else ./locale when it exists."""
    if explicit:
        return [Path(explicit)]
    workspace = Path(WORKSPACE_TRANSLATIONS)
    return [workspace] if workspace.is_dir() else []


def load_config(folder: str | Path = ".") -> Config:
    """Read `postmortem.toml` in folder, if any; raise ConfigError with every problem."""
    path = Path(folder) / FILENAME
    if not path.is_file():
        return Config()
    name = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        reason = getattr(error, "strerror", None) or str(error)
        problem = Problem(name, 1, 1, f"cannot read the configuration: {reason}")
        raise ConfigError([problem]) from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ConfigError([_syntax_problem(name, text, error)]) from None
    where = _Locator(name, text)
    problems: list[Problem] = []
    sections: dict[str, BaseModel] = {}
    for section, model in SECTIONS.items():
        try:
            sections[section] = model.model_validate(data.get(section, {}))
        except ValidationError as error:
            problems += [_problem(section, model, detail, where)
                         for detail in _without_values_of_unknown_keys(error.errors())]
    # What a section's types accept is then checked against the languages and messages.
    render, labels, build = sections.get("render"), sections.get("labels"), sections.get("build")
    if isinstance(build, BuildSettings) and build.templates and not Path(build.templates).is_dir():
        line, column = where.find(("build", "templates"))
        problems.append(Problem(name, line, column,
                                f"no folder {build.templates!r} of templates: give the folder "
                                "that holds the workspace's templates", field="build.templates"))
    if isinstance(render, RenderTable):
        problems += _render_problems(render, where)
    if isinstance(labels, LabelTables):
        problems += _label_problems(labels, where)
    if problems:
        raise ConfigError(problems)
    imports = sections.pop("import", ImportSettings())
    return Config(name, imports=imports, **sections)  # type: ignore[arg-type]


def _without_values_of_unknown_keys(details: list[typing.Any]) -> list[typing.Any]:
    """Leave out what is wrong with the value of an unknown key: the key is the mistake."""
    unknown = {tuple(detail["loc"][:-1]) for detail in details
               if tuple(detail["loc"][-1:]) == ("[key]",)}
    return [detail for detail in details if tuple(detail["loc"][-1:]) == ("[key]",)
            or not any(tuple(detail["loc"][:len(key)]) == key for key in unknown)]


def _render_problems(table: RenderTable, where: _Locator) -> list[Problem]:
    """Report a translation folder that is not there, and each locale of another language."""
    problems = []
    if table.translations and not Path(table.translations).is_dir():
        line, column = where.find(("render", "translations"))
        problems.append(Problem(where.name, line, column,
                                f"no folder {table.translations!r} of translations",
                                field="render.translations"))
    for lang, locale in table.locales.items():
        if language_of(locale) != lang:
            own = [code for code in LOCALES if language_of(code) == lang]
            line, column = where.find(("render", "locales", lang), locale)
            problems.append(Problem(where.name, line, column,
                                    f"{locale!r} is not a locale of {lang!r}; use one of "
                                    f"{', '.join(own)}", field=f"render.locales.{lang}"))
    return problems


def _label_problems(tables: LabelTables, where: _Locator) -> list[Problem]:
    """Report each label a report could not use: wrong placeholders, wrong plural forms."""
    problems = []
    for lang, table in tables.root.items():
        for message, value in table.items():
            wrong = _label_problem(lang, message, value)
            if wrong:
                line, column = where.find(("labels", lang, message))
                problems.append(Problem(where.name, line, column, wrong,
                                        field=f"labels.{lang}"))
    return problems


def _label_problem(lang: str, message: str, value: str | list[str]) -> str | None:
    """Say what is wrong with one label, or return None."""
    plural = bundled_plural(message)
    if isinstance(value, str):
        forms = [value]
    elif bundled_single(message):
        return f"{message!r} has no plural forms: give one text, not a list"
    else:
        rule = plural_rule(lang)
        if len(value) != rule.forms:
            return (f"{lang!r} has {rule.forms} plural forms (plural={rule.expression}): "
                    f"give {rule.forms} texts, not {len(value)}")
        forms = value
        plural = plural or ""  # a workspace's own message with plural forms: it gives num
    return next(filter(None, (check_translation(message, plural, form) for form in forms)), None)


def _problem(section: str, model: type[BaseModel], error: typing.Any, where: _Locator) -> Problem:
    """Say what is wrong with a value of a section, at the line where it is written."""
    loc = tuple(error["loc"])
    is_key = loc[-1:] == ("[key]",)
    names = tuple(str(part) for part in loc if isinstance(part, str) and part != "[key]")
    keys = (section, *names)
    value = error["input"]
    kind = error["type"]
    # A list item, or a value our own validators refuse: point at the value itself.
    item = (value if isinstance(value, str) and not is_key
            and (len(loc) > len(names) or kind.startswith("unknown_")) else None)
    owner, field_name = _owner(model, names)
    if issubclass(model, RootModel) and names and not is_key:
        # A table of tables of values ([labels.fr]): the value's own key names it.
        owner, field_name = model, "root"
    if not loc:
        message = _("[{section}] must be a table", section=section)
    elif kind == "extra_forbidden":
        known = list(owner.model_fields) if owner else []
        title = (owner.model_config.get("title") if owner else None) or f"[{section}]"
        if title.startswith("["):
            message = _("unknown key {key!r} in {table}{hint}", key=names[-1], table=title,
                        hint=suggestion(names[-1], known))
        else:  # a table of tables: [lint.words.<lang>] names a word list
            message = _("unknown word list {name!r}{hint} (known: {known})", name=names[-1],
                        hint=suggestion(names[-1], known), known=", ".join(known))
    elif kind.startswith("unknown_"):  # our own validators say it themselves
        message = error["msg"]
    elif is_key:
        table = ".".join(keys[:-1])
        message = _("unknown key {key!r} in [{table}]; use {expected}", key=value, table=table,
                    expected=error["ctx"]["expected"])
    else:
        description = owner.model_fields[field_name].description if owner and field_name else None
        # A description is marked in its model (N_) and completes this sentence.
        wanted = _(description) if description else error["msg"].lower()
        if field_name == "root":
            subject = repr(names[-1])
        elif field_name and names[-1] != field_name:
            subject = _("{field} of {name}", field=field_name, name=names[-1])
        else:
            subject = names[-1]
        message = _("{subject} must be {wanted}, got {value!r}", subject=subject,
                    wanted=wanted, value=value)
    line, column = where.find(keys, item)
    return Problem(where.name, line, column, message, field=".".join(keys))


def _owner(model: type[BaseModel], names: tuple[str, ...]) -> tuple[type[BaseModel] | None, str]:
    """Return the model that holds the value at `names`, and the name of its field there."""
    owner: type[BaseModel] | None = model
    field_name = ""
    annotation: object = model
    for name in names:
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            if name not in annotation.model_fields:
                return annotation, ""
            owner, field_name = annotation, name
            annotation = annotation.model_fields[name].annotation
            continue
        # Inside a dict or list: the next name is a key; its value is the last type argument.
        arguments = typing.get_args(annotation)
        annotation = arguments[-1] if arguments else None
    if isinstance(annotation, type) and issubclass(annotation, BaseModel) and names:
        return annotation, ""
    return owner, field_name


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


class _Locator:
    """Find where a key or a list item is written, since tomllib keeps no positions."""

    def __init__(self, name: str, text: str):
        self.name = name
        self.lines = text.splitlines()

    def find(self, keys: tuple[str, ...], item: str | None = None) -> tuple[int, int]:
        """Return the line and column of keys (and of item in its list), else of a parent.

        An item of a key written in an inline table (`locales = { en = "en_XX" }`) is found
        on its parent's line.
        """
        for depth in range(len(keys), 0, -1):
            found = self._key(keys[:depth])
            if found:
                if item is not None and (depth == len(keys) or depth == len(keys) - 1):
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
    """Split a TOML key into its parts, unquoted: 'labels."Time to detect."' has two."""
    parts = []
    for part in re.findall(_KEY_PART, key):
        if part.startswith('"'):
            try:
                part = json.loads(part)  # TOML's basic strings escape as JSON does
            except ValueError:
                part = part[1:-1]
        elif part.startswith("'"):
            part = part[1:-1]
        parts.append(part)
    return tuple(parts)
