"""Every class of bad input gives `path:line:col: error: field: message` and exit 1."""

from __future__ import annotations

import json
import shutil

import pytest

from support import APHP, RECORDS

INVALID = RECORDS / "invalid"

# fixture -> (line, column, field path, fragment of the message)
EXPECTED = {
    "duplicate-key": (5, 1, "title", "duplicate key 'title' (first at line 3)"),
    "unknown-key": (22, 5, "impacts[0].colour", "unknown field 'colour'"),
    "bare-time": (25, 9, "timeline[0].at", "base-60 number 600"),
    "no-offset": (25, 9, "timeline[0].at", "has no time zone"),
    "date-only": (25, 9, "timeline[0].at", "is a date without a time"),
    "end-before-start": (23, 12, "impacts[0].ended", "before it starts"),
    "yes-boolean": (24, 14, "impacts[0].ongoing", "`yes` is read by YAML 1.1 as the boolean true"),
    "syntax-error": (28, 1, "", "close the quote that starts there"),
    "alias-bomb": (30, 9, "lessons[1][0]", "anchors and aliases are not allowed"),
    "future-version": (1, 17, "schema_version", "newer than this postmortem understands"),
    "unknown-source": (28, 15, "timeline[0].sources[0]", "unknown source 'vendor-report'"),
    "bad-category": (19, 15, "cause.trigger.category", "not in the 'generic' taxonomy"),
    "missing-field": (1, 1, "severity", "missing required field 'severity'"),
    "empty": (1, 1, "", "file is empty"),
    "non-utf8": (6, 32, "", "not valid UTF-8 (byte 0xE9)"),
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_bad_input_is_reported_at_its_line_and_column(run, name):
    line, column, field, fragment = EXPECTED[name]
    path = INVALID / f"{name}.yaml"
    status, _out, err = run("validate", path)
    assert status == 1
    first = err.splitlines()[0]
    where = f"{field}: " if field else ""
    assert first.startswith(f"{path}:{line}:{column}: error: {where}"), first
    assert fragment in first
    assert "Traceback" not in err


def test_every_fixture_has_an_expectation():
    assert sorted(path.stem for path in INVALID.glob("*.yaml")) == sorted(EXPECTED)


def test_all_problems_of_a_file_are_reported_at_once(run, tmp_path):
    record = (RECORDS / "minimal.yaml").read_text()
    broken = record.replace("severity: moderate", "severity: apocalyptic").replace(
        "    category: capacity", "    category: capacity\n    colour: red")
    path = tmp_path / "two-problems.yaml"
    path.write_text(broken)
    status, _, err = run("validate", path)
    assert status == 1
    assert f"{path}:7:11: error: severity: Input should be" in err
    assert "'apocalyptic'" in err
    assert f"{path}:20:5: error: cause.trigger.colour: unknown field 'colour'" in err


def test_alias_bomb_stops_at_the_aliases_without_expanding_them(run):
    status, _, err = run("validate", INVALID / "alias-bomb.yaml")
    assert status == 1
    assert err.count("anchors and aliases are not allowed") == 72


def test_a_valid_record_passes(run):
    status, _, err = run("validate", RECORDS / "minimal.yaml")
    assert status == 0
    assert "1 record(s) checked, 0 invalid" in err


def test_the_aphp_record_is_valid(run):
    status, _, err = run("validate", APHP)
    assert (status, err.splitlines()[-1]) == (0, "1 record(s) checked, 0 invalid, 0 problem(s)")


def test_folders_are_searched_and_json_lists_each_file(run, tmp_path):
    shutil.copy(RECORDS / "minimal.yaml", tmp_path / "good.yaml")
    shutil.copy(INVALID / "no-offset.yaml", tmp_path / "bad.yaml")
    status, out, _ = run("validate", tmp_path, "--format", "json")
    report = json.loads(out)
    assert status == 1 and report["valid"] is False
    by_name = {entry["path"].rsplit("/", 1)[-1]: entry for entry in report["files"]}
    assert by_name["good.yaml"]["valid"] is True
    problem = by_name["bad.yaml"]["problems"][0]
    assert (problem["line"], problem["column"], problem["field"]) == (25, 9, "timeline[0].at")


def test_validate_without_records_fails_clearly(run, tmp_path):
    status, _, err = run("validate", tmp_path)
    assert status == 1
    assert "no incident records" in err


def test_the_input_file_is_never_changed(run):
    path = INVALID / "unknown-key.yaml"
    before = path.read_bytes()
    run("validate", path)
    run("render", path, "-o", path.parent / "never")
    assert path.read_bytes() == before
    assert not (path.parent / "never").exists()
