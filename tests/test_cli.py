"""The command line, called through main(argv) as a user would call it."""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from datetime import date

import pytest

from postmortem.cli import build_parser
from postmortem.workspace.scaffold import write_new_record

from support import APHP, RECORDS, ROOT

#: Every command the parser offers, so that a new command cannot go without help.
COMMANDS = sorted(next(action for action in build_parser()._actions
                       if isinstance(action, argparse._SubParsersAction)).choices)


def test_the_command_list_is_the_parsers():
    expected = {"validate", "render", "build", "new", "schema", "lint", "diff", "upgrade"}
    assert expected <= set(COMMANDS)


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help_with_an_example(run, command):
    status, out, _ = run(command, "--help")
    assert status == 0
    assert "example:" in out and f"postmortem {command}" in out


def test_usage_errors_exit_2(run):
    assert run("render")[0] == 2
    assert run("frobnicate")[0] == 2
    status, _, err = run("render", APHP, "--format", "docx")
    assert status == 2 and "unknown format docx" in err
    assert run()[0] == 2


def test_render_writes_the_markdown_named_after_the_id(run, tmp_path):
    status, out, _ = run("render", APHP, "--format", "md", "-o", tmp_path)
    assert status == 0
    written = tmp_path / "2024-08-03-aphp-datacenter-power-outage.md"
    assert out.strip() == str(written)
    assert written.read_text().startswith("# Panne du système d'information de l'AP-HP")
    assert [p.name for p in tmp_path.iterdir()] == [written.name]  # no temporary file left


def test_render_of_a_missing_file_is_an_error_not_a_traceback(run, tmp_path):
    status, _, err = run("render", tmp_path / "absent.yaml", "-o", tmp_path)
    assert status == 1
    assert err.strip() == f"{tmp_path / 'absent.yaml'}:1:1: error: no such file"


def test_render_of_an_invalid_record_writes_nothing(run, tmp_path):
    status, _, err = run("render", RECORDS / "invalid" / "no-offset.yaml", "-o", tmp_path)
    assert status == 1
    assert ":25:9: error: timeline[0].at:" in err
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_new_writes_a_commented_record_that_validates(run, tmp_path, lang):
    status, out, _ = run("new", "2025-01-15-db-failover", "--dir", tmp_path, "--lang", lang)
    assert status == 0
    path = tmp_path / "2025-01-15-db-failover.yaml"
    assert out.strip() == str(path)
    text = path.read_text()
    assert f"lang: {lang}" in text
    assert text.count("\n# ") >= 5  # each section is explained
    assert text.startswith("# ") and "\nschema_version: 2\n" in text
    # It shows the fields of format 2 that a new author would otherwise not find.
    for field in ["confidence:", "after started", "after rollback", "outcome:", "quantities:",
                  "as_of:", "not stated"]:
        assert field in text, field
    assert run("validate", path)[0] == 0
    assert run("lint", path)[0] == 0  # no error to fix before the first edit
    assert run("render", path, "-o", tmp_path)[0] == 0


def test_new_uses_the_date_it_is_given(tmp_path):
    path = write_new_record("x-1", tmp_path, today=date(2025, 2, 1))
    assert 'at: "2025-02-01T09:20[UTC]"' in path.read_text()


def test_new_refuses_to_overwrite_or_to_take_a_bad_id(run, tmp_path):
    assert run("new", "incident-1", "--dir", tmp_path)[0] == 0
    status, _, err = run("new", "incident-1", "--dir", tmp_path)
    assert status == 1 and "already exists" in err
    status, _, err = run("new", "Bad Id!", "--dir", tmp_path)
    assert status == 1 and "invalid id 'Bad Id!'" in err


def test_a_problem_in_no_file_is_named_after_the_command(run, tmp_path):
    status, _, err = run("new", "Bad Id!", "--dir", tmp_path)
    assert status == 1
    assert err.startswith("postmortem new: error: invalid id 'Bad Id!': ")
    status, _, err = run("build", "--incidents", tmp_path / "absent")
    assert (status, err) == (1, f"postmortem build: error: no folder {tmp_path / 'absent'}/ "
                                "of incident records\n")


def test_a_problem_in_a_file_names_the_file_line_and_column(run, tmp_path, monkeypatch):
    (tmp_path / "postmortem.toml").write_text("[build]\njobs = 0\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    status, _, err = run("build")
    assert (status, err) == (1, "postmortem.toml:2:1: error: build.jobs: jobs must be a whole "
                                "number of at least 1, got 0\n")


def test_schema_is_draft_2020_12_and_documents_every_field(run):
    status, out, _ = run("schema")
    schema = json.loads(out)
    assert status == 0
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    undocumented = [
        f"{name}.{field}"
        for name, definition in [("Incident", schema), *schema["$defs"].items()]
        for field, spec in definition.get("properties", {}).items()
        if not spec.get("description")
    ]
    assert undocumented == []


def test_an_external_validator_accepts_the_aphp_record_and_rejects_an_unknown_key(run, tmp_path):
    schema = tmp_path / "incident.schema.json"
    schema.write_text(run("schema")[1])
    validator = [sys.executable, "-m", "check_jsonschema", "--schemafile", str(schema)]
    accepted = subprocess.run([*validator, str(APHP)], capture_output=True, text=True)
    assert accepted.returncode == 0, accepted.stdout + accepted.stderr
    rejected = subprocess.run([*validator, str(RECORDS / "invalid" / "unknown-key.yaml")],
                              capture_output=True, text=True)
    assert rejected.returncode == 1
    assert "'colour' was unexpected" in rejected.stdout


def test_python_dash_m_runs_the_same_command_line():
    result = subprocess.run([sys.executable, "-m", "postmortem", "validate", str(APHP)],
                            capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0
    assert "1 record(s) checked, 0 invalid" in result.stderr


def test_the_readme_record_example_validates(run, tmp_path):
    readme = (ROOT / "README.md").read_text()
    example = readme.split("```yaml\n", 1)[1].split("```", 1)[0]
    path = tmp_path / "example.yaml"
    path.write_text(example)
    assert run("validate", path)[0] == 0


def test_render_into_a_file_says_a_folder_is_needed(run, tmp_path):
    target = tmp_path / "report.md"
    target.write_text("not a folder")
    status, out, err = run("render", RECORDS / "minimal.yaml", "-o", target)
    assert (status, out) == (1, "")
    assert err == (f"postmortem render: error: {target} is a file, not a folder: give -o a "
                   "folder (it is created when missing)\n")
    assert target.read_text() == "not a folder"
    status, _, err = run("render", RECORDS / "minimal.yaml", "-o", target / "reports")
    assert status == 1
    assert err == (f"postmortem render: error: cannot create the folder {target / 'reports'}: "
                   f"{target} is a file, not a folder; give -o another folder\n")


def test_new_into_a_file_says_a_folder_is_needed(run, tmp_path):
    target = tmp_path / "incidents"
    target.write_text("not a folder")
    status, _, err = run("new", "incident-1", "--dir", target)
    assert status == 1
    assert err == (f"postmortem new: error: {target} is a file, not a folder: give --dir a "
                   "folder (it is created when missing)\n")
    status, _, err = run("new", "incident-1", "--dir", target / "sub")
    assert err == (f"postmortem new: error: cannot create the folder {target / 'sub'}: {target} "
                   "is a file, not a folder; give --dir another folder\n")


def test_a_folder_that_may_not_be_written_is_named_with_what_to_do(run, tmp_path, monkeypatch):
    import postmortem.workspace.write as write

    def refused(*_args, **_kwargs):
        raise PermissionError(13, "Permission denied")

    # As a user who may not write there sees it (the tests may run as root, who may).
    monkeypatch.setattr(write.tempfile, "mkstemp", refused)
    output = tmp_path / "out"
    status, _, err = run("render", RECORDS / "minimal.yaml", "-o", output)
    assert status == 1
    assert err == (f"postmortem render: error: cannot write into {output}/: permission denied: "
                   "choose a folder you may write to with -o, or change its permissions; the "
                   "files already there are unchanged\n")
    status, _, err = run("new", "incident-1", "--dir", tmp_path)
    assert err == (f"postmortem new: error: cannot write into {tmp_path}/: permission denied: "
                   "choose a folder you may write to with --dir, or change its permissions; the "
                   "files already there are unchanged\n")
    monkeypatch.setattr(write.Path, "mkdir", refused)
    status, _, err = run("render", RECORDS / "minimal.yaml", "-o", tmp_path / "new")
    assert err == (f"postmortem render: error: cannot write into {tmp_path / 'new'}/: permission "
                   "denied: choose a folder you may write to with -o, or change its permissions; "
                   "the files already there are unchanged\n")


def test_render_with_a_templates_folder_that_does_not_exist_is_an_error(run, tmp_path):
    status, _, err = run("render", RECORDS / "minimal.yaml", "-o", tmp_path,
                         "--templates", tmp_path / "absent")
    assert status == 1
    assert err == (f"postmortem render: error: the templates folder {tmp_path / 'absent'} does "
                   "not exist: give --templates (or templates in [build] of postmortem.toml) the "
                   "folder that holds your templates\n")
    assert list(tmp_path.iterdir()) == []


def test_render_notes_once_that_a_templates_folder_is_not_used(run, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "report.md.j2").write_text("# Not asked for\n")
    status, out, err = run("render", RECORDS / "minimal.yaml", "-o", "out")
    assert status == 0
    assert err == ("postmortem render: note: templates/ is not used: a workspace's templates are "
                   "used only when asked for; pass --templates templates, or set templates = "
                   "\"templates\" in [build] of postmortem.toml\n")
    assert (tmp_path / out.strip()).read_text().startswith("# Checkout latency")
    status, out, err = run("render", RECORDS / "minimal.yaml", "-o", "out",
                           "--templates", "templates")
    assert (status, err) == (0, "")
    assert (tmp_path / out.strip()).read_text() == "# Not asked for\n"


@pytest.mark.parametrize("command", ["render", "build"])
def test_the_bounds_on_rendering_are_documented_and_checked(run, command):
    status, out, _ = run(command, "--help")
    flat = " ".join(out.split())
    assert "--time-limit SECONDS longest time one record may take to render; past it, the " \
           "record is reported failed (default: [build] time_limit, else 120)" in flat
    assert "--memory-limit MIB memory (MiB of address space) the process rendering one record " \
           "may map; past it, the record is reported failed (default: [build] memory_limit, " \
           "else 2048)" in flat
    assert "./templates is used only when named" in flat
    status, _, err = run(command, *([APHP] if command == "render" else []), "--time-limit", "0")
    assert status == 2 and "not a number of seconds above 0: '0'" in err
    status, _, err = run(command, *([APHP] if command == "render" else []), "--memory-limit", "x")
    assert status == 2 and "not a whole number of MiB of at least 1: 'x'" in err
