"""Rewrite a record file of an older format version in the current one.

The file is rewritten line by line rather than by dumping YAML, so that comments and
layout survive; the steps themselves are in `postmortem.record.migrations`.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from postmortem.errors import Problem, RecordError
from postmortem.record.load import Document, load_bytes, load_file
from postmortem.record.migrations import final_names, upgrade_data
from postmortem.record.model import SCHEMA_VERSION
from postmortem.record.validate import validate_document
from postmortem.workspace.write import write_atomic

# YAML line breaks, as the loader counts lines.
_LINE = re.compile(r"[^\r\n\x85\u2028\u2029]*(?:\r\n|[\r\n\x85\u2028\u2029]|$)")


def upgrade_file(path: str | os.PathLike) -> int | None:
    """Rewrite an older record file in the current version; return its old version, or None."""
    path = Path(path)
    document = load_file(path)
    # Refuses newer and unknown versions, and any record that is not valid once upgraded.
    validate_document(document)
    version = document.data["schema_version"]
    if version == SCHEMA_VERSION:
        return None
    raw = path.read_bytes()
    rewritten = upgrade_text(raw, document)
    # Never replace a record by something that reads differently from what it meant.
    result = load_bytes(rewritten, str(path))
    if result.data != upgrade_data(document.data):
        raise RecordError([Problem(
            str(path), 1, 1, "the file cannot be rewritten line by line; rename the keys by "
            "hand: " + ", ".join(f"{old} → {new}" for old, new in final_names(version).items()))])
    try:
        validate_document(result)
    except RecordError as exc:
        raise RecordError([Problem(str(path), 1, 1, "the rewritten record would not be valid, "
                                   "so the file is left as it is")] + exc.problems) from None
    write_atomic(path, rewritten, mode=path.stat().st_mode & 0o777)
    return version


def upgrade_text(raw: bytes, document: Document) -> bytes:
    """Return the file's bytes with the keys renamed and schema_version set to the current one."""
    bom = b"\xef\xbb\xbf" if raw.startswith(b"\xef\xbb\xbf") else b""
    lines = _LINE.findall(raw[len(bom):].decode("utf-8"))
    edits = []  # (line, column, old text, new text), 1-based as the loader gives them
    for old, new in final_names(document.data["schema_version"]).items():
        if (old,) in document.key_positions:
            edits.append((*document.key_positions[(old,)], old, new))
    line, column = document.positions[("schema_version",)]
    edits.append((line, column, str(document.data["schema_version"]), str(SCHEMA_VERSION)))
    # From the end of each line backwards, so that an edit does not move the next one.
    for line, column, old, new in sorted(edits, reverse=True):
        text = lines[line - 1]
        start = column - 1
        if text[start:start + 1] in ("'", '"'):
            start += 1  # a quoted key: rename inside the quotes
        if text[start:start + len(old)] != old:
            raise RecordError([Problem(document.path, line, column,
                                       f"expected {old!r} here: rename it by hand")])
        lines[line - 1] = text[:start] + new + text[start + len(old):]
    return bom + "".join(lines).encode("utf-8")


