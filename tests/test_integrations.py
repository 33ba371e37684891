"""The pre-commit hooks and the CI workflow that workspaces copy: they run the real command line."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from postmortem.cli import build_parser
from postmortem.record.model import SCHEMA_URL
from postmortem.workspace.config import BuildSettings

from git_repo import commit, new_repo
from support import ROOT

HOOKS = ROOT / ".pre-commit-hooks.yaml"
WORKFLOW = ROOT / "examples" / "github-actions" / "postmortem.yml"
PAGE = ROOT / "docs" / "integrations.md"
AWS = ROOT / "incidents" / "2021-12-07-aws-us-east-1-network-congestion.yaml"
PROJECT_URL = "https://github.com/postmortem-dev/postmortem"

# A redirection and what follows it: `> lint.sarif`, `>> log`, `2>&1`, `>file`.
REDIRECTION = re.compile(r"^(\d*)(>>?|<)(&\d+)?(.*)$")


def _parse(argv: list[str]):
    """Parse `postmortem ARGV…` with the real parser; fail the test on a usage error."""
    try:
        return build_parser().parse_args(argv)
    except SystemExit:
        pytest.fail(f"postmortem does not accept: {shlex.join(argv)}")


def _command(line: str) -> tuple[list[str], str | None]:
    """Split a shell line into its words and the file its standard output goes to."""
    words, stdout = [], None
    tokens = iter(shlex.split(line))
    for token in tokens:
        if token in ("|", "||", "&&", ";"):  # the next command is not postmortem's
            break
        redirection = REDIRECTION.match(token)
        if redirection:
            stream, operator, duplicate, target = redirection.groups()
            if not duplicate:
                target = target or next(tokens)
                if operator != "<" and stream in ("", "1"):
                    stdout = target
            continue
        words.append(token)
    return words, stdout


def _workflow() -> dict:
    return yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))


def _steps() -> list[dict]:
    [job] = _workflow()["jobs"].values()
    return job["steps"]


def _postmortem_lines() -> list[str]:
    """Return every line of the workflow's `run:` scripts that runs postmortem."""
    lines = []
    for step in _steps():
        script = step.get("run", "").replace("\\\n", " ")
        lines += [line.strip() for line in script.splitlines()
                  if line.strip().startswith("postmortem ") or line.strip() == "postmortem"]
    return lines


def _run_args(subcommand: str):
    """Return the parsed arguments and the stdout file of the workflow's one SUBCOMMAND line."""
    found = [_command(line) for line in _postmortem_lines()
             if shlex.split(line)[1:2] == [subcommand]]
    assert len(found) == 1, f"the workflow should run 'postmortem {subcommand}' once"
    [(words, stdout)] = found
    return _parse(words[1:]), stdout


def _step(uses: str) -> dict:
    [step] = [step for step in _steps() if step.get("uses", "").startswith(uses + "@")]
    return step


def _manifest() -> list[dict]:
    return yaml.safe_load(HOOKS.read_text(encoding="utf-8"))


def _code_blocks(language: str) -> list[str]:
    """Return the fenced code blocks of the integrations page in LANGUAGE."""
    text = PAGE.read_text(encoding="utf-8")
    return re.findall(rf"^```{language}\n(.*?)^```$", text, flags=re.MULTILINE | re.DOTALL)


# ---- The hooks: what the manifest offers --------------------------------------------------


def test_the_hooks_are_the_two_the_page_tells_users_to_write():
    from pre_commit.clientlib import load_manifest

    load_manifest(str(HOOKS))  # pre-commit's own check: no misspelt or missing key
    [config] = [yaml.safe_load(block) for block in _code_blocks("yaml") if "repos:" in block]
    [repo] = config["repos"]
    assert repo["repo"] == PROJECT_URL
    assert repo["rev"]
    assert [hook["id"] for hook in repo["hooks"]] == ["postmortem-validate", "postmortem-lint"]
    assert [hook["id"] for hook in _manifest()] == ["postmortem-validate", "postmortem-lint"]


@pytest.mark.parametrize("hook", _manifest(), ids=lambda hook: hook["id"])
def test_each_hook_runs_its_command_on_the_records_of_a_commit(hook):
    words = shlex.split(hook["entry"])
    assert words[0] == "postmortem"
    # pre-commit appends the names of the files committed.
    args = _parse([*words[1:], "incidents/a.yaml", "incidents/b.yml"])
    assert f"postmortem-{args.command}" == hook["id"]
    assert args.paths == ["incidents/a.yaml", "incidents/b.yml"]
    assert hook["language"] == "python" and hook["pass_filenames"] is True
    files = re.compile(hook["files"])
    assert files.search("incidents/2025-03-02-db.yaml") and files.search("incidents/old/x.yml")
    assert not files.search("docs/integrations.yaml")
    assert not files.search("incidents/notes.md")


def test_the_lint_hook_shows_warnings_that_do_not_fail_it():
    # pre-commit prints a hook's output only when it fails, unless it is verbose.
    [lint] = [hook for hook in _manifest() if hook["id"] == "postmortem-lint"]
    assert lint.get("verbose") is True
    assert "warnings" in lint["description"]


# ---- The workflow: what a copy of it runs -------------------------------------------------


def test_the_workflow_is_one_github_accepts():
    # check-jsonschema ships the schema of GitHub workflows (SchemaStore's), so this runs offline.
    result = subprocess.run(
        [sys.executable, "-m", "check_jsonschema", "--builtin-schema", "vendor.github-workflows",
         str(WORKFLOW)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_postmortem_command_of_the_workflow_parses():
    lines = _postmortem_lines()
    commands = [_parse(_command(line)[0][1:]).command for line in lines]
    assert commands == ["validate", "lint", "build"]


def test_the_sarif_that_lint_writes_is_the_file_uploaded():
    lint, written = _run_args("lint")
    assert lint.format == "sarif"
    assert written == _step("github/codeql-action/upload-sarif")["with"]["sarif_file"]
    [job] = _workflow()["jobs"].values()
    assert job["permissions"]["security-events"] == "write"


def test_a_lint_error_skips_neither_the_upload_nor_the_build_and_still_fails_the_job():
    steps = _steps()
    [lint] = [step for step in steps if step.get("run", "").startswith("postmortem lint")]
    assert lint["continue-on-error"] is True
    # With it, the steps after lint run as long as none failed outright.
    upload = _step("github/codeql-action/upload-sarif")
    [build] = [step for step in steps if step.get("run", "").startswith("postmortem build")]
    assert "if" not in upload and "if" not in build
    assert steps.index(lint) < steps.index(upload) and steps.index(lint) < steps.index(build)
    [fail] = [step for step in steps
              if re.search(rf"steps\.{lint['id']}\.outcome == 'failure'", step.get("if", ""))]
    assert "exit 1" in fail["run"]
    assert steps.index(fail) == len(steps) - 1


def test_the_artifact_is_the_folder_the_build_writes():
    build, _ = _run_args("build")
    output = BuildSettings().options(output=build.output).output
    artifact = _step("actions/upload-artifact")
    assert [Path(path) for path in artifact["with"]["path"].split()] == [output]


def test_the_workflow_runs_on_record_changes_with_the_whole_history():
    workflow = _workflow()
    triggers = workflow.get("on", workflow.get(True))  # YAML 1.1 reads a bare `on` as true
    for event in ("push", "pull_request"):
        assert "incidents/**" in triggers[event]["paths"]
    # The reviews list the commits of each record: a shallow clone would show one.
    assert _step("actions/checkout")["with"]["fetch-depth"] == 0


# ---- The page ---------------------------------------------------------------------------


def test_the_page_shows_the_workflow_as_it_is_in_examples():
    # The one-machine workflow; the sharded one (a matrix, then --merge) is tested in
    # tests/test_shard.py.
    [shown] = [block for block in _code_blocks("yaml")
               if "jobs:" in block and "--merge" not in block]
    assert shown == WORKFLOW.read_text(encoding="utf-8")


def test_the_schema_address_on_the_page_is_the_one_records_are_written_with():
    addresses = re.findall(r"https://raw\.githubusercontent\.com/\S+?\.json",
                           PAGE.read_text(encoding="utf-8"))
    assert addresses and set(addresses) == {SCHEMA_URL}


# ---- The hooks run by pre-commit --------------------------------------------------------


@pytest.fixture(scope="module")
def hook_repo(tmp_path_factory) -> Path:
    """Return a git repository holding the working tree's hooks and package, committed."""
    # `pre-commit try-repo` clones a repository at a commit. On a working tree with
    # uncommitted changes it commits only the files git already tracks, so that a new hook
    # file, or a new module, would not be the one tested: copy the working tree instead.
    repo = new_repo(tmp_path_factory.mktemp("hooks") / "postmortem")
    for name in (HOOKS.name, "pyproject.toml", "README.md"):  # what `pip install .` reads
        shutil.copyfile(ROOT / name, repo / name)
    shutil.copytree(ROOT / "postmortem", repo / "postmortem",
                    ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    commit(repo, "The working tree", "2025-01-01T00:00:00+00:00")
    return repo


@pytest.fixture
def workspace(tmp_path) -> Path:
    """Return a git repository with an empty incidents/ folder."""
    repo = new_repo(tmp_path / "workspace")
    (repo / "incidents").mkdir()
    return repo


def _record(workspace: Path, name: str, *edits: tuple[str, str]) -> tuple[str, list[str]]:
    """Write the AWS record with EDITS (old, new) as incidents/NAME; return its path and lines."""
    text = AWS.read_text(encoding="utf-8")
    for old, new in edits:
        assert old in text, f"the AWS record no longer holds {old!r}"
        text = text.replace(old, new, 1)
    (workspace / "incidents" / name).write_text(text, encoding="utf-8")
    commit(workspace, f"Add {name}", "2025-01-02T00:00:00+00:00")
    return f"incidents/{name}", text.splitlines()


def _position(lines: list[str], text: str) -> str:
    """Return `line:col` of the first occurrence of TEXT."""
    for number, line in enumerate(lines, 1):
        if text in line:
            return f"{number}:{line.index(text) + 1}"
    raise AssertionError(f"{text!r} is in no line")


def _try_repo(hook_repo: Path, workspace: Path, *files: str) -> subprocess.CompletedProcess:
    """Run every hook of HOOK_REPO through `pre-commit try-repo` on FILES of WORKSPACE."""
    # Both hooks share one environment, which try-repo builds (pip install) at each call:
    # running them together halves what the test costs.
    environment = {**os.environ, "PRE_COMMIT_HOME": str(workspace.parent / "pre-commit-home")}
    return subprocess.run(
        [sys.executable, "-m", "pre_commit", "try-repo", str(hook_repo),
         "--color", "never", "--files", *files],
        cwd=workspace, env=environment, capture_output=True, text=True, timeout=600)


def _hook_name(hook_id: str) -> str:
    [hook] = [hook for hook in _manifest() if hook["id"] == hook_id]
    return re.escape(hook["name"])


@pytest.mark.slow  # pre-commit installs the package with pip at each run: about 15 s each
def test_the_hooks_block_a_broken_record_and_pass_a_good_one_showing_its_warnings(
        hook_repo, workspace):
    broken, lines = _record(workspace, "broken.yaml", ("\ntitle:", "\ntitel:"),
                            ('at: "2021-12-07T07:30-08:00"', 'at: "2021-12-07T07:30"'))
    result = _try_repo(hook_repo, workspace, broken)
    assert result.returncode == 1, result.stdout + result.stderr
    assert re.search(_hook_name("postmortem-validate") + r"\.+Failed", result.stdout)
    assert re.search(_hook_name("postmortem-lint") + r"\.+Failed", result.stdout)
    assert (f"{broken}:{_position(lines, 'titel:')}: error: titel: unknown field 'titel'; "
            "did you mean 'title'?") in result.stdout
    zoneless = _position(lines, '"2021-12-07T07:30"')
    assert (f"{broken}:{zoneless}: error: key_instants.started.at: 2021-12-07T07:30 has no "
            "time zone") in result.stdout

    (workspace / broken).unlink()
    warned, lines = _record(workspace, "blame.yaml",
                            ("were swamped,", "were swamped by a human error,"))
    result = _try_repo(hook_repo, workspace, warned)
    assert result.returncode == 0, result.stdout + result.stderr
    assert re.search(_hook_name("postmortem-validate") + r"\.+Passed", result.stdout)
    assert re.search(_hook_name("postmortem-lint") + r"\.+Passed", result.stdout)
    # A warning does not block, but the lint hook shows it.
    assert (f"{warned}:{_position(lines, 'human error')}: warning: [blame-language] "
            '"human error"') in result.stdout
