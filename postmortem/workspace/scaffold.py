"""Write a new incident record from the commented template, and check that it validates."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date
from pathlib import Path

from postmortem.errors import RecordError, WorkspaceError
from postmortem.record.model import SCHEMA_URL
from postmortem.record.validate import read_incident
from postmortem.render.environment import environment, render_template
from postmortem.render.i18n import Language
from postmortem.workspace.write import make_folder, output_error, write_atomic

ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]*$")


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
