"""Write a new incident record from the commented template, and check that it validates."""

from __future__ import annotations

import re
import shutil
from collections.abc import Sequence
from datetime import date
from pathlib import Path

from postmortem.errors import RecordError, WorkspaceError
from postmortem.record.model import SCHEMA_URL
from postmortem.record.validate import read_incident
from postmortem.render.environment import BUNDLED_TEMPLATES, environment, render_template
from postmortem.render.i18n import Language
from postmortem.workspace.discover import find_records
from postmortem.workspace.write import make_folder, output_error, write_atomic

ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]*$")
#: The files `init` starts a workspace with, beside its first record.
STARTER = Path(__file__).parent / "starter"
GITIGNORE_LINE = "/output/"


def write_new_record(
    incident_id: str,
    folder: Path,
    lang: str = "en",
    zone: str = "UTC",
    today: date | None = None,
    template_dirs: Sequence[Path] = (),
) -> Path:
    """Write `folder/<id>.yaml` from the template `new-record.yaml.j2`; return its path."""
    if not ID_PATTERN.match(incident_id) or len(incident_id) > 120:
        raise WorkspaceError(
            f"invalid id {incident_id!r}: use lowercase letters, digits and hyphens, "
            "e.g. 2025-01-15-database-failover"
        )
    make_folder(folder, "--dir")
    path = folder / f"{incident_id}.yaml"
    if path.exists():
        raise WorkspaceError(f"{path} already exists; choose another id or edit that file")
    env = environment(Language(lang, zone), template_dirs)
    text = render_template(env, "new-record.yaml.j2", id=incident_id, lang=lang, zone=zone,
                           today=(today or date.today()).isoformat(), schema_url=SCHEMA_URL)
    try:
        write_atomic(path, text)
    except OSError as error:
        raise output_error(folder, error, "--dir") from None
    try:
        read_incident(path)
    except RecordError as exc:
        path.unlink()
        raise WorkspaceError(f"the record template does not validate:\n{exc}") from None
    return path


def write_workspace(
    folder: Path, lang: str = "en", templates: bool = False, today: date | None = None,
) -> list[str]:
    """Start a workspace in `folder`; return what was written, and what was kept, line by line.

    A file already there is never overwritten: `init` can be run in an existing
    repository, which keeps its own README and gains the one line `.gitignore` needs.
    """
    make_folder(folder, "DIR")
    config = (STARTER / "postmortem.toml").read_text(encoding="utf-8")
    if templates:  # the commented setting, switched on in place
        config = re.sub(r'(?m)^# (templates = "templates")  ', r"\1    ", config)
    lines = [_write_new(folder / "postmortem.toml", config, folder,
                        'set templates = "templates" in its [build] to use the copies'
                        if templates else ""),
             _ignore_output(folder),
             _write_new(folder / "README.md",
                        (STARTER / "README.md").read_text(encoding="utf-8"), folder)]
    day = today or date.today()
    incidents = folder / "incidents"
    if not incidents.is_dir() or not find_records([incidents]):  # records as build finds them
        lines.append(str(write_new_record(f"{day.isoformat()}-example", incidents, lang=lang,
                                          today=day)))
    if templates:
        lines.extend(copy_templates(folder / "templates"))
    return lines


def copy_templates(target: Path) -> list[str]:
    """Copy the bundled templates and stylesheets into `target`; keep any already there."""
    make_folder(target, "DIR")
    copied, kept = 0, []
    for source in sorted(BUNDLED_TEMPLATES.iterdir()):
        if not source.is_file():  # fonts/ stay bundled: the PDF loads them from the package
            continue
        path = target / source.name
        if path.exists():
            kept.append(f"{path} (kept: it exists)")
            continue
        try:
            shutil.copyfile(source, path)
        except OSError as error:
            raise output_error(target, error, "DIR") from None
        copied += 1
    return [f"{target}/ ({copied} bundled templates and stylesheets to customise)", *kept]


def _ignore_output(folder: Path) -> str:
    """Add `/output/` to the workspace's .gitignore (created if missing); say what was done."""
    path = folder / ".gitignore"
    if not path.exists():
        _write(path, (STARTER / "gitignore").read_text(encoding="utf-8"), folder)
        return str(path)
    # As bytes, so that a line in another encoding is kept as it is.
    data = path.read_bytes()
    if any(line.strip() in {b"/output/", b"output/", b"/output", b"output"}
           for line in data.splitlines()):
        return f"{path} (kept: it ignores output/)"
    _write(path, data + (b"" if data.endswith(b"\n") or not data else b"\n")
           + GITIGNORE_LINE.encode() + b"\n", folder)
    return f"{path} (added {GITIGNORE_LINE})"


def _write_new(path: Path, text: str, folder: Path, advice: str = "") -> str:
    """Write `text` to `path` unless a file is there; say which, with advice if it is kept."""
    if path.exists():
        return f"{path} (kept: it exists{'; ' + advice if advice else ''})"
    _write(path, text, folder)
    return str(path)


def _write(path: Path, text: str | bytes, folder: Path) -> None:
    try:
        write_atomic(path, text)
    except OSError as error:
        raise output_error(folder, error, "DIR") from None
