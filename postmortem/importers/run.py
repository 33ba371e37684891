"""The import driver: read the source → a draft → a new record, or merged into one → check.

Nothing is written unless the whole result validates: a new draft goes to
`<dir>/<id>.yaml` (never over a file), a merge replaces the record at once (atomic
rename), keeping its mode, byte-order mark and line endings. What is left to complete
is then listed, as `postmortem lint` finds it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from postmortem.errors import RecordError, WorkspaceError
from postmortem.i18n import _, ngettext
from postmortem.importers.draft import Draft
from postmortem.importers.emit import draft_yaml
from postmortem.importers.merge import Merged, merge_draft
from postmortem.lint.engine import lint_document
from postmortem.record.load import Document, load_bytes, read_source
from postmortem.record.model import SCHEMA_VERSION, Incident
from postmortem.record.validate import validate_upgraded
from postmortem.workspace.config import Config, load_config
from postmortem.workspace.write import make_folder, output_error, write_atomic

UTF8_BOM = "\ufeff"


@dataclass(frozen=True)
class ImportRequest:
    """What `postmortem import` was asked: a source, and where its draft goes."""

    kind: str
    """statuspage or slack."""
    source: Path
    into: Path | None = None
    folder: Path = Path("incidents")
    lang: str | None = None
    zone: str | None = None
    incident: str | None = None
    channel: str | None = None
    reaction: str | None = None
    bots: bool | None = None
    names: bool | None = None


@dataclass
class ImportResult:
    """The record written, and the lines that tell the author what happened and what is left."""

    path: Path
    report: list[str] = field(default_factory=list)


def import_draft(request: ImportRequest, config: Config | None = None) -> ImportResult:
    """Read the source, then write a new draft or merge it into `request.into`."""
    config = config or load_config()
    if request.into is None:
        draft = read_draft(request, request.lang or "en", request.zone, config)
        return _write_new(draft, request.folder, config)
    raw = read_source(request.into)
    document, incident = validate_upgraded(load_bytes(raw, str(request.into)))
    if document.data.get("schema_version") != SCHEMA_VERSION:
        raise WorkspaceError(f"{request.into} is a record of format "
                             f"{document.data.get('schema_version')}: run 'postmortem upgrade "
                             f"{request.into}' first, then import into it")
    draft = read_draft(request, request.lang or incident.lang, request.zone or incident.timezone,
                       config)
    return _merge_into(draft, request.into, raw, config)


def read_draft(request: ImportRequest, lang: str, zone: str | None, config: Config) -> Draft:
    """Return the draft the request's source gives, in the language and zone asked."""
    if request.kind == "statuspage":
        from postmortem.importers.statuspage import read_statuspage

        return read_statuspage(request.source, zone=zone, lang=lang, incident=request.incident)
    from postmortem.importers.slack import read_slack

    settings = config.imports.slack
    if not request.channel:
        raise WorkspaceError("give the incident's channel with --channel NAME")
    return read_slack(
        request.source, channel=request.channel, zone=zone, lang=lang,
        reaction=request.reaction or settings.reaction,
        bots=settings.bots if request.bots is None else request.bots,
        names=settings.names if request.names is None else request.names,
        roles=settings.roles)


def _write_new(draft: Draft, folder: Path, config: Config) -> ImportResult:
    path = folder / f"{draft.id}.yaml"
    if path.exists():
        raise WorkspaceError(f"{path} already exists: merge into it with --into {path}, or "
                             "write the draft elsewhere with --dir")
    text = draft_yaml(draft)
    checked = _check(text, path)
    make_folder(folder, "--dir")
    try:
        write_atomic(path, text)
    except OSError as error:
        raise output_error(folder, error, "--dir") from None
    counts = _counts({"impacts": len(draft.impacts), "communications": len(draft.communications),
                      "timeline": len(draft.timeline)})
    report = [_("drafted {path} from {source}: {counts}", path=path,
                source=draft.source.get("title", draft.source_id), counts=counts)]
    return ImportResult(path, report + _left_to_do(checked, text, path, config))


def _merge_into(draft: Draft, path: Path, raw: bytes, config: Config) -> ImportResult:
    text = raw.decode("utf-8")
    bom = text.startswith(UTF8_BOM)
    merged: Merged = merge_draft(text.removeprefix(UTF8_BOM), draft, str(path))
    if not merged.changed:
        return ImportResult(path, [_("{path}: nothing to add, the record already holds "
                                     "everything from {source}", path=path,
                                     source=draft.source.get("title", draft.source_id))])
    checked = _check(merged.text, path)
    mode = os.stat(path).st_mode & 0o777
    try:
        write_atomic(path, (UTF8_BOM if bom else "") + merged.text, mode=mode)
    except OSError as error:
        raise output_error(path.parent, error, "--into") from None
    report = [_("{path}: added {counts}", path=path, counts=_counts(merged.added))]
    return ImportResult(path, report + _left_to_do(checked, merged.text, path, config))


def _check(text: str, path: Path) -> tuple[Document, Incident]:
    """Return the record a result makes; refuse one that does not validate (nothing written)."""
    try:
        return validate_upgraded(load_bytes(text.encode("utf-8"), str(path)))
    except RecordError as error:
        raise WorkspaceError(
            _("the imported record would not validate, so nothing was written:\n{problems}",
              problems=error)) from None


def _counts(added: dict[str, int]) -> str:
    words = {
        "key_instants": lambda n: ngettext("{count} key instant", "{count} key instants", n),
        "impacts": lambda n: ngettext("{count} impact", "{count} impacts", n),
        "communications": lambda n: ngettext("{count} communication", "{count} communications",
                                             n),
        "timeline": lambda n: ngettext("{count} timeline entry", "{count} timeline entries", n),
        "sources": lambda n: ngettext("{count} source", "{count} sources", n),
    }
    return ", ".join(words[name](count) for name, count in added.items()
                     if count and name in words) or _("nothing")


def _left_to_do(checked: tuple[Document, Incident], text: str, path: Path,
                config: Config) -> list[str]:
    """Return what lint finds in the record written: what the author must still complete."""
    document, incident = checked
    findings = [str(finding.problem)
                for finding in lint_document(document, incident, text, config.lint)
                if not finding.silenced_at]
    if not findings:
        return []
    return [*findings, _("{count} point(s) left to complete or check: edit {path}, then run "
                         "'postmortem lint {path}'", count=len(findings), path=path)]
