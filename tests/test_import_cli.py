"""`postmortem import`: a draft that validates, lint listing what is left, merges that add
nothing twice, and bad input refused with nothing written."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from postmortem.importers.draft import Draft
from postmortem.importers.emit import draft_yaml

from support import ROOT

STATUSPAGE = ROOT / "tests" / "imports" / "statuspage"
SLACK = ROOT / "tests" / "imports" / "slack" / "export"
CHANNEL = "inc-checkout-errors"


@pytest.fixture
def workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Run in an empty workspace folder."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _records(folder: Path) -> list[Path]:
    return sorted((folder / "incidents").glob("*.yaml")) if (folder / "incidents").is_dir() else []


def test_a_status_page_incident_becomes_a_draft_that_validates_and_lint_lists_its_todos(
        run, workspace: Path) -> None:
    status, out, err = run("import", "statuspage", STATUSPAGE / "bare-incident.json")
    assert status == 0, err
    [path] = _records(workspace)
    assert out.strip() == str(Path("incidents") / path.name)
    assert err.startswith(f"drafted incidents/{path.name} from ")
    assert run("validate", path)[0] == 0
    # What lint finds is what the import said was left, line for line.
    status, _out, lint_err = run("lint", Path("incidents") / path.name)
    assert status == 1
    todos = [line for line in lint_err.splitlines() if "[todo]" in line]
    assert todos and all(line in err.splitlines() for line in todos)
    assert f"incidents/{path.name}:11:11: error: [todo] still to do: what happened" in err


def test_importing_into_the_draft_again_adds_nothing_and_leaves_the_file_alone(
        run, workspace: Path) -> None:
    run("import", "statuspage", STATUSPAGE / "bare-incident.json")
    [path] = _records(workspace)
    before = path.read_bytes()
    status, _out, err = run("import", "statuspage", STATUSPAGE / "bare-incident.json",
                            "--into", path)
    assert status == 0, err
    assert "nothing to add" in err
    assert path.read_bytes() == before


def test_a_second_import_over_an_existing_draft_is_refused(run, workspace: Path) -> None:
    run("import", "statuspage", STATUSPAGE / "bare-incident.json")
    [path] = _records(workspace)
    path.write_text(path.read_text() + "# the author's note\n")
    before = path.read_bytes()
    status, _out, err = run("import", "statuspage", STATUSPAGE / "bare-incident.json")
    assert status == 1
    assert f"{Path('incidents') / path.name} already exists: merge into it with --into" in err
    assert path.read_bytes() == before


def test_a_slack_timeline_merges_into_the_status_page_draft_keeping_its_comments(
        run, workspace: Path) -> None:
    status, _out, err = run("import", "statuspage", STATUSPAGE / "bare-incident.json")
    [path] = _records(workspace)
    text = path.read_text()
    status, out, err = run("import", "slack", SLACK, "--channel", CHANNEL, "--into", path)
    assert status == 0, err
    assert out.strip() == str(path)
    merged = path.read_text()
    assert run("validate", path)[0] == 0
    comments = [line for line in text.splitlines() if line.lstrip().startswith("#")]
    assert all(comment in merged.splitlines() for comment in comments)
    assert f"slack-{CHANNEL}" in merged
    assert "timeline entr" in err.splitlines()[0]
    # Twice: nothing more.
    again = run("import", "slack", SLACK, "--channel", CHANNEL, "--into", path)
    assert again[0] == 0 and "nothing to add" in again[2]
    assert path.read_text() == merged


def test_roles_come_from_the_workspace_configuration(run, workspace: Path) -> None:
    users = json.loads((SLACK / "users.json").read_text())
    human = next(user for user in users if not user.get("is_bot") and not user.get("deleted"))
    (workspace / "postmortem.toml").write_text(
        f'[import.slack]\nroles = {{ {human["id"]} = "incident commander" }}\n')
    status, _out, err = run("import", "slack", SLACK, "--channel", CHANNEL)
    assert status == 0, err
    [path] = _records(workspace)
    text = path.read_text()
    assert "incident commander" in text
    for user in users:
        for name in (user.get("real_name"), user.get("profile", {}).get("real_name")):
            if name:
                assert name not in text


def test_a_mistake_in_the_import_settings_is_reported_at_its_line(run, workspace: Path) -> None:
    (workspace / "postmortem.toml").write_text('[import.slack]\nreaction = "pushpin"\nbot = true\n')
    status, _out, err = run("import", "slack", SLACK, "--channel", CHANNEL)
    assert status == 1
    assert "postmortem.toml:3:1: error: import.slack.bot: unknown key 'bot'" in err
    assert _records(workspace) == []


@pytest.mark.parametrize(("name", "where"), [
    ("not-json.json", "not-json.json:"),
    ("wrong-shape.json", "wrong-shape.json:"),
])
def test_bad_status_page_input_writes_nothing(run, workspace: Path, name: str,
                                              where: str) -> None:
    status, out, err = run("import", "statuspage", STATUSPAGE / name)
    assert status == 1
    assert out == ""
    [line, *_rest] = err.splitlines()
    assert where in line and ": error: " in line
    assert "Traceback" not in err
    assert _records(workspace) == []


def test_a_missing_channel_names_those_there_are(run, workspace: Path) -> None:
    status, _out, err = run("import", "slack", SLACK, "--channel", "no-such-channel")
    assert status == 1
    assert "no-such-channel" in err and CHANNEL in err
    assert _records(workspace) == []


def test_a_zip_export_gives_the_same_draft_as_its_folder(run, workspace: Path) -> None:
    archive = shutil.make_archive(str(workspace / "export"), "zip", SLACK)
    run("import", "slack", SLACK, "--channel", CHANNEL, "--dir", "from-folder")
    run("import", "slack", archive, "--channel", CHANNEL, "--dir", "from-zip")
    [folder] = list((workspace / "from-folder").iterdir())
    [zipped] = list((workspace / "from-zip").iterdir())
    assert folder.read_text() == zipped.read_text()


def test_into_a_record_that_does_not_validate_gives_its_problems_and_changes_nothing(
        run, workspace: Path) -> None:
    run("import", "statuspage", STATUSPAGE / "bare-incident.json")
    [path] = _records(workspace)
    broken = path.read_text().replace("kind: recovery", "kind: recovered")
    path.write_text(broken)
    status, _out, err = run("import", "slack", SLACK, "--channel", CHANNEL, "--into", path)
    assert status == 1
    assert f"{path}:" in err and "kind" in err
    assert path.read_text() == broken


def test_a_merge_keeps_the_mode_and_byte_order_mark_of_the_record(run, workspace: Path) -> None:
    run("import", "statuspage", STATUSPAGE / "bare-incident.json")
    [path] = _records(workspace)
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    os.chmod(path, 0o600)
    status, _out, err = run("import", "slack", SLACK, "--channel", CHANNEL, "--into", path)
    assert status == 0, err
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    assert path.stat().st_mode & 0o777 == 0o600


def test_a_french_draft_says_what_is_left_in_french() -> None:
    draft = Draft(id="2024-08-03-panne", title="Panne", lang="fr", timezone="Europe/Paris",
                  source={"id": "page-etat", "title": "Panne"},
                  key_instants={"started": {"at": "2024-08-03T11:30[Europe/Paris]"}})
    text = draft_yaml(draft)
    assert 'summary: "TODO : ce qui s’est passé' in text
    assert "# TODO : choisir la catégorie du déclencheur" in text


def test_the_readme_shows_the_three_commands_with_options_they_take() -> None:
    import re
    import shlex

    from postmortem.cli import build_parser

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Write a record faster", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```sh\n(.*?)```", section, re.DOTALL)
    commands = [shlex.split(line, comments=True)
                for block in blocks for line in block.replace("\\\n", " ").splitlines()
                if line.startswith("postmortem ")]
    assert [words[:3] for words in commands] == [
        ["postmortem", "import", "statuspage"], ["postmortem", "import", "slack"],
        ["postmortem", "serve", "incidents/2024-03-12-checkout-errors-for-some-customers.yaml"]]
    parser = build_parser()
    for words in commands:
        parser.parse_args(words[1:])  # an option it does not take exits 2


def test_the_readme_names_the_draft_its_first_command_writes(run, workspace: Path) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    status, out, err = run("import", "statuspage", STATUSPAGE / "example-shop-incidents.json",
                           "--incident", "p3x8kq1wz0ab")
    assert status == 0, err
    assert f"--into {out.strip()}" in readme
