"""The workspace configuration: `postmortem.toml` in the folder commands run from.

Each section is a pydantic model owned by the feature it configures: `[lint]` is
`postmortem.lint.config.LintSettings`, `[build]` is `BuildSettings` below. This module
reads the file, validates every section and reports each problem at its line; the
defaults of the build live in `BuildSettings`, and `BuildSettings.options` lays the
command line's flags over them.

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

import os
import re
import tomllib
import typing
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from postmortem.errors import ConfigError, Problem
from postmortem.lint.config import LintSettings, suggestion
from postmortem.record.languages import LANGUAGES, LanguageCode
from postmortem.render import FORMATS, Format

FILENAME = "postmortem.toml"
#: The folder of template overrides a workspace may have, searched before the bundled ones.
WORKSPACE_TEMPLATES = "templates"

# tomllib (before Python 3.14) gives the position only inside its message.
_TOML_POSITION = re.compile(r"\s*\(at (?:line (\d+), column (\d+)|end of document)\)$")
_HEADER = re.compile(r"\s*\[\s*([^\[\]]+?)\s*\]\s*(?:#.*)?$")
_KEY = re.compile(r"\s*([A-Za-z0-9_.\"' -]+?)\s*=")

Folder = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]


class BuildSettings(BaseModel):
    """The [build] table: the defaults of `postmortem build`."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, title="[build]")

    formats: list[Format] = Field(
        default=["md", "html", "pdf"], min_length=1,
        description=f'a list drawn from {", ".join(FORMATS)}, e.g. ["md", "pdf"]')
    """Formats of each review (a JSON export is always written)."""
    jobs: int | None = Field(default=None, ge=1, description="a whole number of at least 1")
    """Records rendered at once; none: one per core."""
    incidents: Folder = Field(default="incidents", description="a folder path as text")
    """Folder of incident records."""
    output: Folder = Field(default="output", description="a folder path as text")
    """Folder the reports are written to."""
    templates: Folder | None = Field(default=None, description="a folder path as text")
    """Template folder searched before the bundled templates; none: ./templates if present."""
    language: LanguageCode = Field(default="en", description=f"one of {', '.join(LANGUAGES)}")
    """Language of the index and of the review across incidents."""

    def options(self, *, formats: tuple[str, ...] | None = None, jobs: int | None = None,
                incidents: str | None = None, output: str | None = None,
                templates: str | None = None, language: str | None = None,
                force: bool = False, today: date | None = None) -> BuildOptions:
        """Return the options of a build: each flag given, else this table's value."""
        return BuildOptions(
            incidents=Path(incidents or self.incidents),
            output=Path(output or self.output),
            formats=formats or tuple(self.formats),
            jobs=max(1, jobs or self.jobs or os.cpu_count() or 1),
            force=force,
            template_dirs=tuple(template_folders(templates or self.templates)),
            language=language or self.language,
            today=today or date.today(),
        )


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


@dataclass(frozen=True)
class Config:
    """The workspace configuration, with defaults for everything it leaves out."""

    path: str | None = None
    """The file it was read from, or None when the workspace has none."""
    lint: LintSettings = field(default_factory=LintSettings)
    build: BuildSettings = field(default_factory=BuildSettings)


#: Section name -> the model that reads it.
SECTIONS: dict[str, type[BaseModel]] = {"lint": LintSettings, "build": BuildSettings}


def template_folders(explicit: str | os.PathLike | None = None) -> list[Path]:
    """Return the user's template folders: the one given, else ./templates when it exists."""
    if explicit:
        return [Path(explicit)]
    workspace = Path(WORKSPACE_TEMPLATES)
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
            problems += [_problem(section, model, detail, where) for detail in error.errors()]
    if problems:
        raise ConfigError(problems)
    return Config(name, **sections)  # type: ignore[arg-type]


def _problem(section: str, model: type[BaseModel], error: typing.Any, where: _Locator) -> Problem:
    """Say what is wrong with a value of a section, at the line where it is written."""
    loc = tuple(error["loc"])
    is_key = loc[-1:] == ("[key]",)
    names = tuple(str(part) for part in loc if isinstance(part, str) and part != "[key]")
    keys = (section, *names)
    value = error["input"]
    item = value if isinstance(value, str) and not is_key and len(loc) > len(names) else None
    owner, field_name = _owner(model, names)
    kind = error["type"]
    if not loc:
        message = f"[{section}] must be a table"
    elif kind == "extra_forbidden":
        known = list(owner.model_fields) if owner else []
        title = (owner.model_config.get("title") if owner else None) or f"[{section}]"
        if title.startswith("["):
            message = f"unknown key {names[-1]!r} in {title}{suggestion(names[-1], known)}"
        else:
            message = (f"unknown {title} {names[-1]!r}{suggestion(names[-1], known)} "
                       f"(known: {', '.join(known)})")
    elif kind.startswith("unknown_"):  # our own validators say it themselves
        message = error["msg"]
    elif is_key:
        table = ".".join(keys[:-1])
        message = f"unknown key {value!r} in [{table}]; use {error['ctx']['expected']}"
    else:
        description = owner.model_fields[field_name].description if owner and field_name else None
        wanted = description or error["msg"].lower()
        subject = (f"{field_name} of {names[-1]}" if field_name and names[-1] != field_name
                   else names[-1])
        message = f"{subject} must be {wanted}, got {value!r}"
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
