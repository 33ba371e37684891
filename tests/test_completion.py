"""Shell completion as shells ask for it: argcomplete's protocol, then bash, zsh and fish."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from datetime import date
from pathlib import Path

import pytest

from postmortem.analysis.period import parse_period

#: The console script a shell runs: the one installed next to this Python.
BIN = Path(sys.executable).parent
POSTMORTEM = shutil.which("postmortem", path=str(BIN)) or str(BIN / "postmortem")
AS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0
RECORDS = ["incidents/2023-11-02-queue-backlog.yml", "incidents/2024-08-03-power-outage.yaml"]


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    """Return a workspace: two records beside a note and a hidden draft, a subfolder, output/."""
    (tmp_path / "incidents" / "archive").mkdir(parents=True)
    for name in [*RECORDS, "incidents/notes.txt", "incidents/.draft.yaml", "postmortem.toml"]:
        (tmp_path / name).write_text("", encoding="utf-8")
    (tmp_path / "output").mkdir()
    return tmp_path


def completions(line: str, cwd: Path | None = None, home: Path | None = None) -> list[str]:
    """Return what the console script offers for `line`, the cursor at its end, as bash asks."""
    env = {name: value for name, value in os.environ.items()
           if not name.startswith(("_ARC", "COMP_"))}
    if home is not None:
        env["HOME"] = str(home)
    with tempfile.TemporaryDirectory() as scratch:
        answer = Path(scratch) / "answer"
        # argcomplete's protocol: the line and cursor, then the answer written to this file
        # (a shell passes file descriptor 8 instead), one completion a line.
        env |= {"_ARGCOMPLETE": "1", "COMP_LINE": line, "COMP_POINT": str(len(line)),
                "_ARGCOMPLETE_IFS": "\n", "_ARGCOMPLETE_SUPPRESS_SPACE": "1",
                "_ARGCOMPLETE_STDOUT_FILENAME": str(answer)}
        result = subprocess.run([POSTMORTEM], env=env, cwd=cwd, capture_output=True, text=True,
                                stdin=subprocess.DEVNULL, timeout=30)
        assert result.returncode == 0, result.stderr
        assert result.stdout == ""  # nothing reaches the terminal: the command did not run
        text = answer.read_text(encoding="utf-8")
    return text.split("\n") if text else []


def test_a_command_completes_from_its_first_letters():
    assert completions("postmortem ren") == ["render"]
    assert completions("postmortem up") == ["upgrade"]


def test_a_tab_after_postmortem_lists_the_commands_and_options_wait_for_a_dash():
    offered = completions("postmortem ")
    assert {"validate", "render", "build", "new", "init", "lint", "diff", "completion"} <= set(
        offered)
    assert not [word for word in offered if word.startswith("-")]
    assert "--version" in completions("postmortem --")


def test_an_option_completes_from_its_first_letters():
    assert completions("postmortem render --doc") == ["--document"]
    assert completions("postmortem build --inc") == ["--incidents"]


def test_document_names_complete_also_after_a_comma_and_each_is_offered_once():
    assert completions("postmortem render x.yaml --document ex") == ["executive"]
    assert completions("postmortem build --document full,") == [
        "full,executive", "full,public", "full,nis2", "full,declaration"]
    assert completions("postmortem render x.yaml --document full --document p") == ["public"]
    assert "full" not in completions("postmortem render x.yaml --document full --document ")


def test_formats_of_render_and_build_complete_as_a_comma_list():
    assert completions("postmortem render --format md,") == ["md,html", "md,pdf", "md,json"]
    assert completions("postmortem build --format md,html,p") == ["md,html,pdf"]
    assert completions("postmortem build --format=h") == ["--format=html"]


def test_formats_of_validate_lint_and_diff_are_their_own():
    assert completions("postmortem validate --format ") == ["text", "json"]
    assert completions("postmortem lint --format ") == ["text", "json", "sarif"]
    assert completions("postmortem diff a.yaml --format ") == ["md", "text"]


def test_record_paths_are_folders_and_yaml_files_only(workspace: Path):
    assert completions("postmortem validate inc", workspace) == ["incidents/"]
    # A note and a hidden draft are left out, as the shell leaves out hidden files.
    assert completions("postmortem validate incidents/", workspace) == [
        "incidents/2023-11-02-queue-backlog.yml", "incidents/2024-08-03-power-outage.yaml",
        "incidents/archive/"]
    assert completions("postmortem validate incidents/.", workspace) == [
        "incidents/.draft.yaml"]


@pytest.mark.parametrize("command", ["validate", "lint", "render", "upgrade", "diff",
                                     "diff incidents/2024-08-03-power-outage.yaml"])
def test_every_command_reading_records_completes_them(workspace: Path, command: str):
    assert completions(f"postmortem {command} incidents/20", workspace) == RECORDS


def test_a_path_from_the_home_folder_keeps_its_tilde(workspace: Path):
    assert completions("postmortem render ~/incidents/2024", workspace, home=workspace) == [
        "~/incidents/2024-08-03-power-outage.yaml"]


@pytest.mark.parametrize("line", ["postmortem render x.yaml -o ", "postmortem build --output ",
                                  "postmortem build --incidents ", "postmortem build --templates ",
                                  "postmortem new x --dir ", "postmortem init "])
def test_folder_arguments_complete_folders_only(workspace: Path, line: str):
    assert completions(line, workspace) == ["incidents/", "output/"]


def test_periods_are_this_year_its_quarters_so_far_and_last_year():
    assert completions("postmortem build --today 2025-08-20 --period ") == [
        "2025", "2025-Q1", "2025-Q2", "2025-Q3", "2024"]
    # In January the quarter just ended is the year before's last.
    offered = completions("postmortem build --today 2025-01-10 --period ")
    assert offered == ["2025", "2025-Q1", "2024-Q4", "2024"]
    assert all(parse_period(period, date(2025, 1, 10)) for period in offered)
    assert str(date.today().year) in completions("postmortem build --period ")


def test_other_commands_never_import_the_completion_module():
    code = ("import sys; from postmortem.cli import main; main(['--version']); "
            "print(sorted(m for m in sys.modules if 'completion' in m or 'argcomplete' in m))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=30, check=True)
    assert result.stdout.splitlines()[-1] == "[]"


def shell(name: str) -> str:
    """Return the path of shell `name`; skip when missing, but fail as root (CI installs it)."""
    found = shutil.which(name)
    if found is None:
        message = (f"{name} is not installed: scripts/install-system-packages --tests installs "
                   f"it, or `apt-get install {name}`")
        if AS_ROOT:
            pytest.fail(message)
        pytest.skip(message)
    return found


def run_shell(command: list[str], script: str, workspace: Path) -> list[str]:
    """Run `script` in a shell at `workspace`, with postmortem on the PATH; return its lines."""
    env = {name: value for name, value in os.environ.items()
           if not name.startswith(("_ARC", "COMP_", "XDG_"))}
    # The shell finds postmortem by name, as in a terminal; its files go to the workspace.
    env |= {"PATH": f"{BIN}{os.pathsep}{env.get('PATH', '')}", "HOME": str(workspace)}
    result = subprocess.run([*command, script], env=env, cwd=workspace, capture_output=True,
                            text=True, stdin=subprocess.DEVNULL, timeout=30)
    assert result.returncode == 0, result.stderr
    return result.stdout.splitlines()


BASH_COMPLETE = """
eval "$(postmortem completion bash)"
complete -p postmortem
# What bash sets before calling the function on a tab (argcomplete reads the line and cursor).
ask() {{ COMP_LINE="$1"; COMP_POINT=${{#1}}; read -ra COMP_WORDS <<< "$1"
        COMP_CWORD=$(( ${{#COMP_WORDS[@]}} - 1 ))
        _python_argcomplete postmortem; printf '%s|' "${{COMPREPLY[@]}}"; echo; }}
{asks}
"""


def test_bash_completes_after_the_documented_eval(workspace: Path):
    bash = shell("bash")
    asks = "\n".join(f"ask {line!r}" for line in
                     ["postmortem ren", "postmortem validate incidents/",
                      "postmortem render --format=md,"])
    registered, command, records, formats = run_shell(
        [bash, "-c"], BASH_COMPLETE.format(asks=asks), workspace)
    assert registered.endswith("-F _python_argcomplete postmortem")
    assert command == "render |"  # the one completion, with the space that ends the word
    assert records.split("|")[:-1] == [*RECORDS, "incidents/archive/"]
    # bash splits words at "=": the completion replaces what follows it.
    assert formats.split("|")[:-1] == ["md,html", "md,pdf", "md,json"]


def test_fish_completes_after_the_documented_source(workspace: Path):
    fish = shell("fish")
    lines = run_shell([fish, "--no-config", "-c"], "postmortem completion fish | source\n"
                      "complete -C 'postmortem ren'\n"
                      "complete -C 'postmortem render --document full,'\n"
                      "complete -C 'postmortem validate incidents/'", workspace)
    words = [line.split("\t")[0] for line in lines]
    # fish sorts what it offers, and shows each command's summary beside it.
    assert lines[0] == "render\tRender one incident record into reports."
    assert words[1:] == ["full,declaration", "full,executive", "full,nis2", "full,public",
                         *RECORDS, "incidents/archive/"]


ZSH_COMPLETE = """
autoload -U compinit && compinit
eval "$(postmortem completion zsh)"
print -r -- "registered: $_comps[postmortem]"
# What the completion function hands zsh to show, rather than a terminal's menu.
_describe() { print -rl -- "${(@P)2}" }
BUFFER='postmortem ren'; CURSOR=${#BUFFER}; words=(postmortem ren); _python_argcomplete
BUFFER='postmortem render --document e'; CURSOR=${#BUFFER}
words=(postmortem render --document e); _python_argcomplete
"""


def test_zsh_registers_the_completion_after_compinit(workspace: Path):
    zsh = shell("zsh")
    lines = run_shell([zsh, "-f", "-c"], ZSH_COMPLETE, workspace)
    assert lines[0] == "registered: _python_argcomplete"
    # zsh shows each completion with its description, after a colon.
    assert lines[1] == "render:Render one incident record into reports."
    assert lines[2] == "executive:"
    assert len(lines) == 3
