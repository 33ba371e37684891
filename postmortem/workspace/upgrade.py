"""Rewrite a record file of an older format version in the current one.

The file is rewritten line by line rather than by dumping YAML, so that comments and
layout survive; the steps themselves are in `postmortem.record.migrations`. Each edit
is made where the loader found the key or value: renamed top-level keys (version 0),
an impact's `ongoing: true` written as `outcome: ongoing` and a line `ongoing: false`
removed (version 1). The rewritten file must read as the upgraded data, or the file is
left alone.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from postmortem.errors import Problem, RecordError, field_path
from postmortem.record.load import Document, load_bytes, load_file, read_source
from postmortem.record.migrations import final_names, upgrade_data
from postmortem.record.model import SCHEMA_VERSION
from postmortem.record.validate import validate_document
from postmortem.workspace.write import write_atomic

# YAML line breaks, as the loader counts lines.
_LINE = re.compile(r"[^\r\n\x85\u2028\u2029]*(?:\r\n|[\r\n\x85\u2028\u2029]|$)")
# A line that holds nothing but `ongoing: false` (or `ongoing:`), and perhaps a comment,
# which is kept.
_ONGOING_FALSE = re.compile(
    r"(?P<indent> *)ongoing *:(?: *(?:false|False|FALSE))? *(?P<comment>#.*?)?"
    r"(?P<end>\r\n|[\r\n\x85\u2028\u2029]|)")
_TRUE = re.compile(r"true|True|TRUE")


def upgrade_file(path: str | os.PathLike) -> int | None:
    """Rewrite an older record file in the current version; return its old version, or None."""
    path = Path(path)
    document = load_file(path)
    # Refuses newer and unknown versions, and any record that is not valid once upgraded.
    validate_document(document)
    version = document.data["schema_version"]
    if version == SCHEMA_VERSION:
        return None
    raw = read_source(path)
    rewritten = upgrade_text(raw, document)
    # Never replace a record by something that reads differently from what it meant.
    result = load_bytes(rewritten, str(path))
    if result.data != upgrade_data(document.data):
        raise RecordError([Problem(
            str(path), 1, 1, "the file cannot be rewritten line by line; make these changes by "
            "hand: " + ", ".join(_changes(version)))])
    try:
        validate_document(result)
    except RecordError as exc:
        raise RecordError([Problem(str(path), 1, 1, "the rewritten record would not be valid, "
                                   "so the file is left as it is")] + exc.problems) from None
    write_atomic(path, rewritten, mode=path.stat().st_mode & 0o777)
    return version


def upgrade_text(raw: bytes, document: Document) -> bytes:
    """Return the file's bytes in the current version: keys renamed, `ongoing` rewritten."""
    bom = b"\xef\xbb\xbf" if raw.startswith(b"\xef\xbb\xbf") else b""
    lines = _LINE.findall(raw[len(bom):].decode("utf-8"))
    version = document.data["schema_version"]
    edits = []  # (line, column, old text, new text), 1-based as the loader gives them
    for old, new in final_names(version).items():
        if (old,) in document.key_positions:
            edits.append((*document.key_positions[(old,)], old, new))
    line, column = document.positions[("schema_version",)]
    edits.append((line, column, str(version), str(SCHEMA_VERSION)))
    removed: list[int] = []  # 1-based lines that hold only `ongoing: false`
    if version <= 1:
        for loc, value in _ongoing(document):
            if value is True:
                edits += _ongoing_true(document, lines, loc)
            else:
                removed.append(_ongoing_false_line(document, lines, loc))
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
    for line in removed:
        match = _ONGOING_FALSE.fullmatch(lines[line - 1])
        assert match is not None  # checked by _ongoing_false_line
        comment = match.group("comment")
        lines[line - 1] = (match.group("indent") + comment.rstrip() + match.group("end")
                           if comment else "")
    return bom + "".join(lines).encode("utf-8")


def _ongoing(document: Document) -> list[tuple[tuple, object]]:
    """Return the location and value of each impact's `ongoing` in a version 1 record."""
    impacts = document.data.get("impacts")
    if not isinstance(impacts, list):
        return []
    return [(("impacts", index, "ongoing"), impact["ongoing"])
            for index, impact in enumerate(impacts)
            if isinstance(impact, dict) and "ongoing" in impact]


def _ongoing_true(document: Document, lines: list[str], loc: tuple) -> list:
    """Return the edits that write `ongoing: true` at loc as `outcome: ongoing`."""
    line, column = document.positions[loc]
    value = _TRUE.match(lines[line - 1], column - 1)
    if loc not in document.key_positions or value is None:
        raise RecordError([Problem(
            document.path, line, column,
            "write 'outcome: ongoing' in place of this 'ongoing' by hand, then run "
            "'postmortem upgrade' again", field_path(loc))])
    return [(*document.key_positions[loc], "ongoing", "outcome"),
            (line, column, value.group(), "ongoing")]


def _ongoing_false_line(document: Document, lines: list[str], loc: tuple) -> int:
    """Return the line that holds only `ongoing: false` at loc, to be removed."""
    line, column = document.key_positions.get(loc, document.positions[loc])
    match = _ONGOING_FALSE.fullmatch(lines[line - 1])
    if match is None or len(match.group("indent")) != column - 1:
        raise RecordError([Problem(
            document.path, line, column,
            "remove this 'ongoing: false' by hand (format 2 has no 'ongoing'; an impact "
            "that has ended says so with 'ended' or 'outcome'), then run 'postmortem "
            "upgrade' again", field_path(loc))])
    return line


def _changes(version: int) -> list[str]:
    """List the changes from a record of `version` to the current one, for a person."""
    changes = [f"{old} → {new}" for old, new in final_names(version).items()]
    if version <= 1:
        changes += ["ongoing: true → outcome: ongoing", "ongoing: false → (remove the line)"]
    return changes
