"""How a workspace renders its reports: template folders, locales, and its own words.

`postmortem.toml` gives them (`Config.render_settings` in `postmortem.workspace.config`);
a renderer asks `RenderSettings.report_language` for the `Language` of a report, so that
a record's `locale`, the workspace's `[render] locales`, `[labels.<lang>]` and its
catalogues (`locale/<lang>/LC_MESSAGES/postmortem.po`) all apply. The settings are
frozen and hashable, so a build can hand them to its workers and cache on them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from postmortem.errors import Problem
from postmortem.i18n import language_of
from postmortem.record.instants import zone_named
from postmortem.record.languages import LANGUAGES
from postmortem.render.catalogue import DOMAIN, Overrides, read_catalogue
from postmortem.render.document_date import document_datetime
from postmortem.render.i18n import Language, needs_year, stated_days

if TYPE_CHECKING:
    from postmortem.analysis.derive import Report


class Label(NamedTuple):
    """A workspace's translation of one message into one language, from [labels.<lang>]."""

    lang: str
    message: str
    forms: tuple[str, ...]
    """Its text, or one text per plural form of the language."""


@dataclass(frozen=True)
class RenderSettings:
    """What a workspace changes in every report it renders; the defaults change nothing."""

    template_dirs: tuple[Path, ...] = ()
    """Template folders searched before the bundled templates, the first one first."""
    locales: tuple[tuple[str, str], ...] = ()
    """Language -> the Babel locale its reports use ('en' -> 'en_GB') unless a record says."""
    labels: tuple[Label, ...] = ()
    """The workspace's translations of single messages, tried before any catalogue."""
    translation_dirs: tuple[Path, ...] = ()
    """Folders of catalogues (`<lang>/LC_MESSAGES/postmortem.po`) tried before the bundled."""

    def language(self, lang: str, zone: str, locale: str | None = None,
                 with_year: bool = False) -> Language:
        """Return the language of a report: the record's `locale` wins over the workspace's."""
        overrides = Overrides(_labels_of(self.labels, lang), self.catalogues(lang))
        return Language(lang, zone, locale or self.locale_of(lang), with_year, overrides)

    def report_language(self, report: Report, today: date | None = None) -> Language:
        """Return the language of a report, with years shown when its dates need them.

        Dates of several years, or not of `today`'s year, carry their year. `today` is by
        default the date the document carries (its commit, else the record's own date): a
        rendering stays reproducible, and a record committed years later shows its years.
        """
        incident = report.incident
        if today is None:
            today = document_datetime(incident, report.history).date()
        days = stated_days(incident, zone_named(incident.timezone))
        return self.language(incident.lang, incident.timezone, incident.locale,
                             with_year=needs_year(days, today))

    def locale_of(self, lang: str) -> str | None:
        """Return the locale the workspace chose for a language, or None for the default."""
        return dict(self.locales).get(lang)

    def catalogues(self, lang: str) -> tuple[Path, ...]:
        """Return the workspace's catalogues of a language, the first one tried first."""
        paths = (folder / lang / "LC_MESSAGES" / f"{DOMAIN}.po" for folder in self.translation_dirs)
        return tuple(path for path in paths if path.is_file())

    def problems(self) -> list[Problem]:
        """Read every catalogue of the translation folders; return what is wrong, at its line."""
        problems: list[Problem] = []
        for folder in self.translation_dirs:
            if not folder.is_dir():
                continue
            for path in sorted(folder.rglob("*.po")):
                problems += _catalogue_problems(folder, path)
        return problems


def _catalogue_problems(folder: Path, path: Path) -> list[Problem]:
    """Check one .po file of a translation folder: where it is, then what it says."""
    parts = path.relative_to(folder).parts
    expected = f"{folder}/<lang>/LC_MESSAGES/{DOMAIN}.po"
    if len(parts) != 3 or parts[1:] != ("LC_MESSAGES", f"{DOMAIN}.po"):
        return [Problem(str(path), 1, 1, f"not read: a catalogue of postmortem's messages "
                                         f"is {expected}")]
    lang = parts[0]
    if lang not in LANGUAGES:
        hint = (f"; name the folder {language_of(lang)!r}"
                if language_of(lang) in LANGUAGES else "")
        return [Problem(str(path), 1, 1, f"no report is written in {lang!r} (languages: "
                                         f"{', '.join(LANGUAGES)}){hint}")]
    return read_catalogue(path, lang)[1]


@lru_cache(maxsize=64)
def _labels_of(labels: tuple[Label, ...], lang: str) -> tuple[tuple[str, tuple[str, ...]], ...]:
    # Cached: a build asks for the same language once per record.
    return tuple((label.message, label.forms) for label in labels if label.lang == lang)
