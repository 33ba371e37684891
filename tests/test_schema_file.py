"""The JSON Schema editors use: checked in, addressed by a stable URL, flagging what we refuse."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from postmortem.record.model import SCHEMA_URL, SCHEMA_VERSION

from support import ROOT

CHECKED_IN = ROOT / "schema" / str(SCHEMA_VERSION) / "incident.schema.json"


def test_the_checked_in_schema_is_what_postmortem_schema_prints(run):
    status, out, _ = run("schema")
    assert status == 0
    assert CHECKED_IN.read_text(encoding="utf-8") == out, (
        "schema/ is stale: run `postmortem schema > "
        f"{CHECKED_IN.relative_to(ROOT)}` and commit it")


def test_the_schema_id_is_the_url_of_the_checked_in_file():
    schema = json.loads(CHECKED_IN.read_text(encoding="utf-8"))
    assert schema["$id"] == SCHEMA_URL
    # Editors fetch the $id: it must name the file at its path in the repository.
    assert SCHEMA_URL.endswith("/main/" + CHECKED_IN.relative_to(ROOT).as_posix())
    assert SCHEMA_URL.startswith("https://")


@pytest.fixture
def new_record(run, tmp_path):
    assert run("new", "2025-01-15-database-failover", "--dir", tmp_path)[0] == 0
    return tmp_path / "2025-01-15-database-failover.yaml"


def test_a_new_record_tells_the_editor_where_its_schema_is(new_record):
    first_line = new_record.read_text(encoding="utf-8").splitlines()[0]
    assert first_line == f"# yaml-language-server: $schema={SCHEMA_URL}"


def _check(schema_path, record):
    """Validate with check-jsonschema, the validator an editor's CI uses, offline."""
    return subprocess.run(
        [sys.executable, "-m", "check_jsonschema", "--schemafile", str(schema_path),
         "--output-format", "text", str(record)],
        capture_output=True, text=True)


def test_the_schema_accepts_a_new_record_and_flags_a_misspelt_field_and_a_zoneless_time(
        new_record, tmp_path):
    accepted = _check(CHECKED_IN, new_record)
    assert accepted.returncode == 0, accepted.stdout + accepted.stderr

    text = new_record.read_text(encoding="utf-8")
    misspelt = tmp_path / "misspelt.yaml"
    misspelt.write_text(text.replace("\nsummary:", "\nsumary:", 1), encoding="utf-8")
    flagged = _check(CHECKED_IN, misspelt)
    assert flagged.returncode == 1
    assert "'sumary' was unexpected" in flagged.stdout

    detected = next(line for line in text.splitlines() if "T09:20[" in line)
    zoneless = tmp_path / "zoneless.yaml"
    zoneless.write_text(text.replace(detected, '    at: "2025-01-15T09:20"', 1), encoding="utf-8")
    flagged = _check(CHECKED_IN, zoneless)
    assert flagged.returncode == 1
    assert "$.key_instants.detected.at" in flagged.stdout
