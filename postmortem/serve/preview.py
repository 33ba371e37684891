"""What the preview shows of a workspace, rendered in memory as a build renders it.

Each page is made from the files as they are when it is asked for: a record's bytes are
read again, and what was rendered from the same bytes and settings is reused. A record
that does not validate, or a configuration or template with an error, shows its problems
above the last page rendered without any; nothing is ever written.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import threading
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from urllib.parse import quote

from postmortem.analysis.across import Summary
from postmortem.analysis.history import read_history
from postmortem.errors import PostmortemError, Problem, RecordError, WorkspaceError
from postmortem.i18n import _, message_language
from postmortem.lint.engine import Finding, lint_document
from postmortem.record.load import load_bytes, read_source
from postmortem.record.validate import validate_upgraded
from postmortem.render import DOCUMENT_NAMES, output_name
from postmortem.render.documents import DOCUMENTS
from postmortem.serve.page import (
    Link,
    lint_panel,
    message_panel,
    problems_panel,
    records_panel,
    served_page,
)
from postmortem.workspace.config import (
    FILENAME,
    BuildOptions,
    Config,
    load_config,
    template_folders,
)
from postmortem.workspace.discover import RECORD_SUFFIXES, find_records, refused_records
from postmortem.workspace.ids import Claim, id_clashes, record_ids
from postmortem.workspace.pipeline import read_report, render_outputs

HTML = "text/html; charset=utf-8"
_PAGE = re.compile(r"/([^/]+)\.(html|pdf)")


@dataclass(frozen=True)
class Page:
    """What the server answers: a status, a media type and the bytes."""

    body: bytes
    content_type: str = HTML
    status: int = 200


@dataclass(frozen=True)
class Settings:
    """The workspace's configuration as last read, or the problems that keep it from use."""

    config: Config | None
    options: BuildOptions | None
    problems: tuple[Problem, ...] = ()


@dataclass(frozen=True)
class Record:
    """One record as the preview read it: its pages' name, its problems and its summary."""

    path: Path
    source: bytes | None
    name: str
    """The incident id its pages are named after (the file's stem while it has none)."""
    title: str
    problems: tuple[Problem, ...] = ()
    findings: tuple[Finding, ...] = ()
    summary: Summary | None = None

    @property
    def renders(self) -> bool:
        """Return whether the record validates, so that its documents can be rendered."""
        return self.summary is not None and not self.problems


@dataclass(frozen=True)
class Watched:
    """What the preview depends on: the records, template and translation folders, a file."""

    records: Path
    folders: tuple[Path, ...]
    config: Path


class Changes:
    """The state of the watched files, which each save moves on; pages wait on it."""

    def __init__(self) -> None:
        self._condition = threading.Condition()
        self._generation = 0
        self._closed = False
        # A server started again has another state: its open pages reload.
        self._started = secrets.token_hex(4)

    def token(self) -> str:
        """Return the current state, as a page carries it."""
        with self._condition:
            return f"{self._started}.{self._generation}"

    def bump(self) -> None:
        """Move the state on after a save, and wake every page that waits."""
        with self._condition:
            self._generation += 1
            self._condition.notify_all()

    def wait(self, token: str, timeout: float) -> str | None:
        """Wait until the state is other than `token` or `timeout` passed; None once closed."""
        with self._condition:
            self._condition.wait_for(
                lambda: self._closed or f"{self._started}.{self._generation}" != token,
                timeout)
            return None if self._closed else f"{self._started}.{self._generation}"

    def close(self) -> None:
        """Release every page that waits: the server stops."""
        with self._condition:
            self._closed = True
            self._condition.notify_all()


def check_path(path: Path) -> None:
    """Raise WorkspaceError unless `path` is a record file or a folder of records."""
    if path.is_dir():
        return
    if not path.exists():
        raise WorkspaceError(_("{path}: no such record or folder: give a record file or a "
                               "folder of records (by default incidents/)", path=path))
    if path.suffix not in RECORD_SUFFIXES:
        raise WorkspaceError(_("{path} is not a record: give a record file (.yaml or .yml) "
                               "or a folder of records", path=path))


class Preview:
    """The pages of a workspace's records, its index and period review, made on request."""

    def __init__(self, path: Path, templates: str | None = None):
        check_path(path)
        # A folder named on the command line cannot be fixed while serving: refused now.
        template_folders(templates)
        self.path = path
        self.templates = templates
        self.changes = Changes()
        self._lock = threading.Lock()
        self._settings_version = 0
        self._settings: tuple[int, Settings] | None = None
        self._records: dict[Path, tuple[tuple, Record]] = {}
        self._rendered: dict[tuple[Path, str, str], tuple[tuple, bytes | PostmortemError]] = {}
        self._last_good: dict[tuple[Path, str], bytes] = {}
        self._titles: dict[Path, str] = {}
        self._aliases: dict[str, Path] = {}

    # What is watched, and what a save changes.

    def watched(self) -> Watched:
        """Return the files and folders whose saves change what the preview shows."""
        with self._lock:
            options = self._current_settings().options
        folders: list[Path] = []
        if options is not None:
            folders = [*options.template_dirs, *options.render.translation_dirs]
        elif self.templates:
            folders = [Path(self.templates)]
        return Watched(self.path, tuple(folder for folder in folders if folder.is_dir()),
                       Path(FILENAME))

    def changed(self, paths: Iterable[Path]) -> bool:
        """Take note of saved files; return whether the settings changed (not only records).

        Every open page is told, and reloads.
        """
        settings = any(not self._is_record(path) for path in paths)
        with self._lock:
            if settings:
                self._settings_version += 1
        self.changes.bump()
        return settings

    def close(self) -> None:
        """Release the pages that wait for a save."""
        self.changes.close()

    def _is_record(self, path: Path) -> bool:
        if path.suffix not in RECORD_SUFFIXES:
            return False
        path, watched = path.resolve(), self.path.resolve()
        return path == watched or (watched.is_dir() and path.is_relative_to(watched))

    # The pages.

    def page(self, route: str) -> Page:
        """Return the page at `route` (an index, a record's document or its PDF), else a 404."""
        # Taken before any file is read: a save after it reloads the page.
        token = self.changes.token()
        with self._lock:
            settings = self._current_settings()
            records = self._read_records(settings)
            if route in ("/", "/index.html"):
                return self._index_page(settings, records, token)
            if route == "/period-review.html":
                return self._period_page(settings, records, token)
            match = _PAGE.fullmatch(route)
            if match:
                found = self._find(match[1], records)
                if found is not None:
                    record, document = found
                    if match[2] == "pdf":
                        return self._pdf(record, document, settings, token)
                    return self._record_page(record, document, settings, token)
        return Page(served_page(
            None, title=_("No such page"), lang=message_language(),
            links=[Link(_("Index"), "/")], token=token,
            panels=[message_panel(_("No page at {route}: the preview serves the index, and "
                                    "each record's documents and PDFs.", route=route))]),
            status=404)

    def _find(self, name: str, records: list[Record]) -> tuple[Record, str] | None:
        """Return the record and document a page's name (`<id>` or `<id>.<document>`) asks for."""
        candidates = [(name, "full")]
        stem, _dot, document = name.rpartition(".")
        if stem and document in DOCUMENT_NAMES and document != "full":
            candidates.insert(0, (stem, document))
        by_path = {record.path: record for record in records}
        for incident_id, document in candidates:
            record = next((record for record in records if record.name == incident_id), None)
            if record is None and incident_id in self._aliases:
                # A page named after an id the record had: it follows the record.
                record = by_path.get(self._aliases[incident_id])
            if record is not None:
                return record, document
        return None

    def _record_page(self, record: Record, document: str, settings: Settings,
                     token: str) -> Page:
        problems = [*settings.problems, *record.problems]
        content = None
        if not problems and record.renders:
            rendered = self._render(record, document, "html", settings)
            if isinstance(rendered, bytes):
                content = self._last_good[record.path, document] = rendered
            else:
                problems += rendered.problems
        if content is None:
            content = self._last_good.get((record.path, document))
        panels = [problems_panel(problems, record.path, report_below=content is not None),
                  lint_panel(record.findings, record.path)]
        page = served_page(None if content is None else content.decode("utf-8"),
                           title=record.title, lang=message_language(),
                           links=self._links(record, document, "html"), panels=panels,
                           token=token)
        return Page(page)

    def _pdf(self, record: Record, document: str, settings: Settings, token: str) -> Page:
        problems = [*settings.problems, *record.problems]
        if not problems and record.renders:
            rendered = self._render(record, document, "pdf", settings)
            if isinstance(rendered, bytes):
                return Page(rendered, "application/pdf")
            problems += rendered.problems
        panel = problems_panel(problems, record.path, report_below=False,
                               what=_("The PDF is rendered once these problems are fixed."))
        return Page(served_page(None, title=record.title, lang=message_language(),
                                links=self._links(record, document, "pdf"), panels=[panel],
                                token=token))

    def _links(self, record: Record, document: str, fmt: str) -> list[Link]:
        links = [Link(_("Index"), "/")]
        links += [Link(_(DOCUMENTS[name].listed_as), _href(record.name, name, "html"),
                       current=(name, "html") == (document, fmt)) for name in DOCUMENT_NAMES]
        links.append(Link(_("PDF"), _href(record.name, document, "pdf"), current=fmt == "pdf"))
        return links

    def _render(self, record: Record, document: str, fmt: str,
                settings: Settings) -> bytes | PostmortemError:
        """Render one document of a record in one format, or say why it cannot be."""
        assert record.source is not None and settings.options is not None
        key = (hashlib.sha256(record.source).digest(), self._settings_version)
        cached = self._rendered.get((record.path, document, fmt))
        if cached is not None and cached[0] == key:
            return cached[1]
        result: bytes | PostmortemError
        try:
            if fmt == "pdf":
                from postmortem.render.libraries import require_pdf_libraries

                require_pdf_libraries()
            incident_id, outputs = render_outputs(record.path, record.source, (fmt,),
                                                  settings.options.render,
                                                  documents=(document,))
            result = outputs[output_name(incident_id, document, fmt)]
        except PostmortemError as error:
            result = error
        except OSError as error:
            result = RecordError([Problem(str(error.filename or record.path), 0, 0,
                                          str(error.strerror or error))])
        self._rendered[record.path, document, fmt] = (key, result)
        return result

    def _index_page(self, settings: Settings, records: list[Record], token: str) -> Page:
        problems = list(settings.problems)
        content = None
        if not problems and settings.options is not None:
            try:
                content = self._workspace_page("index", settings.options, records)
            except PostmortemError as error:
                problems += error.problems
        if content is None:
            content = self._last_good.get((Path(), "index"))
        rows = [(str(record.path), _href(record.name, "full", "html"), len(record.problems),
                 len(record.findings)) for record in records]
        panels = [problems_panel(problems, None, report_below=content is not None),
                  records_panel(rows)]
        return Page(served_page(None if content is None else content.decode("utf-8"),
                                title=_("Incident reviews"), lang=message_language(),
                                links=[Link(_("Index"), "/", current=True)], panels=panels,
                                token=token))

    def _period_page(self, settings: Settings, records: list[Record], token: str) -> Page:
        problems = list(settings.problems)
        content = None
        if not problems and settings.options is not None:
            try:
                content = self._workspace_page("period-review", settings.options, records)
            except PostmortemError as error:
                problems += error.problems
        if content is None:
            content = self._last_good.get((Path(), "period-review"))
        panels = [problems_panel(problems, None, report_below=content is not None)]
        return Page(served_page(None if content is None else content.decode("utf-8"),
                                title=_("Review for management"), lang=message_language(),
                                links=[Link(_("Index"), "/")], panels=panels, token=token))

    def _workspace_page(self, stem: str, options: BuildOptions, records: list[Record]) -> bytes:
        """Render the index or the period review of the records, as a build writes them."""
        key = (tuple((record.path, record.source) for record in records),
               self._settings_version, date.today())
        cached = self._rendered.get((Path(), stem, "html"))
        if cached is not None and cached[0] == key:
            result = cached[1]
        else:
            try:
                result = _workspace_html(stem, options, records)
            except PostmortemError as error:
                result = error
            self._rendered[Path(), stem, "html"] = (key, result)
        if isinstance(result, PostmortemError):
            raise result
        self._last_good[Path(), stem] = result
        return result

    # Reading the workspace.

    def _current_settings(self) -> Settings:
        """Return the configuration, read again once a save changed it."""
        if self._settings is not None and self._settings[0] == self._settings_version:
            return self._settings[1]
        try:
            config = load_config()
            settings = Settings(config, config.build_options(templates=self.templates))
        except PostmortemError as error:
            settings = Settings(None, None, tuple(error.problems))
        self._settings = (self._settings_version, settings)
        return settings

    def _read_records(self, settings: Settings) -> list[Record]:
        """Read every record again; check those whose bytes changed, reuse the others."""
        paths = find_records([self.path]) if self.path.exists() else []
        refused = refused_records([self.path]) if self.path.exists() else {}
        sources: dict[Path, bytes] = {}
        unread: dict[Path, tuple[Problem, ...]] = {}
        for path in paths:
            if path in refused:
                unread[path] = (refused[path],)
                continue
            try:
                sources[path] = read_source(path)
            except RecordError as error:
                unread[path] = tuple(error.problems)
        claims = record_ids(sources)
        clashes = id_clashes(claims)
        records = []
        for path in paths:
            if path in unread:
                claim = claims.get(path)
                records.append(Record(path, None, claim.id if claim else path.stem,
                                      self._titles.get(path, path.name), unread[path]))
                continue
            source = sources[path]
            clash = clashes.get(str(path))
            key = (hashlib.sha256(source).digest(), self._settings_version, clash,
                   date.today())
            cached = self._records.get(path)
            if cached is None or cached[0] != key:
                cached = self._records[path] = (key, self._check(path, source, settings,
                                                                 claims.get(path), clash))
            records.append(cached[1])
        for gone in set(self._records) - set(paths):
            del self._records[gone]
        for record in records:
            self._aliases[record.name] = record.path
            self._aliases.setdefault(record.path.stem, record.path)
        return records

    def _check(self, path: Path, source: bytes, settings: Settings, claim: Claim | None,
               clash: Problem | None) -> Record:
        """Validate, lint and derive one record's bytes, as `validate` and `lint` do."""
        problems = [clash] if clash else []
        name = claim.id if claim else path.stem
        try:
            # The upgraded document: an older record's values are where the incident has them.
            document, incident = validate_upgraded(load_bytes(source, str(path)))
        except RecordError as error:
            return Record(path, source, name, self._titles.get(path, path.name),
                          (*problems, *error.problems))
        self._titles[path] = incident.title
        lint = settings.config.lint if settings.config is not None else None
        findings = tuple(finding for finding in lint_document(
            document, incident, source.decode("utf-8-sig"), lint) if not finding.silenced_at)
        try:
            _document, report = read_report(path, source, read_history(path))
        except PostmortemError as error:
            return Record(path, source, incident.id, incident.title,
                          (*problems, *error.problems), findings)
        return Record(path, source, incident.id, incident.title, tuple(problems), findings,
                      Summary.of(report))


def _workspace_html(stem: str, options: BuildOptions, records: list[Record]) -> bytes:
    """Render the index or the period review with the build's own renderers."""
    from postmortem.workspace.index import workspace_pages

    summaries = [record.summary for record in records
                 if record.renders and record.summary is not None]
    failed = sorted(str(record.path) for record in records if not record.renders)
    pages = workspace_pages(replace(options, formats=("html",)), summaries, failed, [stem])
    page = pages[f"{stem}.html"]
    return page.encode("utf-8") if isinstance(page, str) else page


def _href(incident_id: str, document: str, fmt: str) -> str:
    return "/" + quote(output_name(incident_id, document, fmt))
