"""Rendering is isolated: bounded in time and memory, written by the lock holder, all or nothing.

Records render in worker processes under a time and a memory limit; a record past one is
reported with the limit named and the others go on; workers die with the build; the
outputs of a record are replaced together; the build refuses files it must not follow.
"""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from support import RECORDS, ROOT

MINIMAL = (RECORDS / "minimal.yaml").read_text()
# A template that never finishes for the record whose id is `slow`, and is quick for others.
SLOW = ('{% if incident.id == "slow" %}{% for a in range(100000) %}{% for b in range(100000) %}'
        "{% endfor %}{% endfor %}{% endif %}# {{ incident.title }}\n")
# A template that asks for 3 GB of text for the record whose id is `big`.
BIG = ('{% if incident.id == "big" %}{{ "x" | center(3000000000) | length }}{% endif %}'
       "# {{ incident.title }}\n")
TIME_ADVICE = ("shorten the record, or raise the limit with --time-limit, or time_limit in "
               "[build] of postmortem.toml")
MEMORY_ADVICE = ("shorten the record, or raise the limit with --memory-limit, or memory_limit "
                 "in [build] of postmortem.toml")
ENV = {**os.environ, "PYTHONPATH": str(ROOT)}


def _record(incident_id: str) -> str:
    return MINIMAL.replace("id: 2025-03-02-checkout-latency", f"id: {incident_id}")


@pytest.fixture
def workspace(tmp_path, monkeypatch) -> Path:
    """Three small records, `a.yaml` (id `slow` or `big` once named so), `b.yaml`, `c.yaml`."""
    incidents = tmp_path / "incidents"
    incidents.mkdir()
    for name in ("a", "b", "c"):
        (incidents / f"{name}.yaml").write_text(_record(f"{name}-1"))
    (tmp_path / "templates").mkdir()
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _template(workspace: Path, text: str) -> None:
    (workspace / "templates" / "report.md.j2").write_text(text)


def _children(pid: int) -> list[int]:
    """Return the processes whose parent is `pid` (Linux)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                status = (entry / "stat").read_text()
            except OSError:
                continue
            if int(status.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def _workers(pid: int) -> list[int]:
    """Return the worker processes of a build (its spawned children, not the resource tracker)."""
    workers = []
    for child in _children(pid):
        try:
            command = Path(f"/proc/{child}/cmdline").read_bytes()
        except OSError:
            continue
        if b"spawn_main" in command:
            workers.append(child)
    return workers


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


linux = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")


def test_a_record_past_the_time_limit_fails_and_a_fresh_worker_renders_the_next(workspace, run):
    (workspace / "incidents" / "a.yaml").write_text(_record("slow"))
    _template(workspace, SLOW)
    started = time.monotonic()
    status, _, err = run("build", "--format", "md", "--jobs", "1", "--templates", "templates",
                         "--time-limit", "2")
    assert time.monotonic() - started < 60
    assert status == 1
    assert (f"incidents/a.yaml:1:1: error: rendering took longer than 2 s, the limit per record: "
            f"{TIME_ADVICE}") in err
    assert "3 record(s): 2 rendered, 0 up to date, 0 removed, 1 failed" in err
    output = workspace / "output"
    assert (output / "b-1.md").read_text() == "# Checkout latency after a cache node failure\n"
    assert (output / "c-1.md").is_file() and not (output / "slow.md").exists()
    assert "`incidents/a.yaml`" in (output / "index.md").read_text()  # listed as not included


def test_a_record_past_the_memory_limit_fails_and_the_others_render(workspace, run):
    (workspace / "incidents" / "a.yaml").write_text(_record("big"))
    _template(workspace, BIG)
    status, _, err = run("build", "--format", "md", "--jobs", "2", "--templates", "templates",
                         "--memory-limit", "1024")
    assert status == 1
    assert (f"incidents/a.yaml:1:1: error: rendering needed more than 1,024 MiB of memory, the "
            f"limit per record: {MEMORY_ADVICE}") in err
    assert "3 record(s): 2 rendered, 0 up to date, 0 removed, 1 failed" in err
    assert sorted(path.name for path in (workspace / "output").glob("*.md")) == [
        "b-1.md", "c-1.md", "index.md", "period-review.md"]


def test_the_limits_come_from_the_workspace_file_and_flags_override_them(workspace, run):
    (workspace / "incidents" / "a.yaml").write_text(_record("slow"))
    _template(workspace, SLOW)
    (workspace / "postmortem.toml").write_text(
        '[build]\ntemplates = "templates"\nformats = ["md"]\njobs = 1\ntime_limit = 1.5\n')
    status, _, err = run("build")
    assert status == 1 and "rendering took longer than 1.5 s, the limit per record" in err
    status, _, err = run("render", "incidents/a.yaml", "--time-limit", "0.75")
    assert status == 1
    assert err == (f"incidents/a.yaml:1:1: error: rendering took longer than 0.75 s, the limit "
                   f"per record: {TIME_ADVICE}\n")


def test_render_is_bounded_in_time_too_and_then_writes_nothing(tmp_path, run):
    output = tmp_path / "out"
    status, out, err = run("render", RECORDS / "minimal.yaml", "--format", "md,pdf",
                           "--time-limit", "0.5", "-o", output)
    assert (status, out) == (1, "")
    assert err == (f"{RECORDS / 'minimal.yaml'}:1:1: error: rendering took longer than 0.5 s, "
                   f"the limit per record: {TIME_ADVICE}\n")
    assert not output.exists()


def test_render_is_bounded_in_memory_too(workspace, run):
    (workspace / "incidents" / "a.yaml").write_text(_record("big"))
    _template(workspace, BIG)
    status, _, err = run("render", "incidents/a.yaml", "--templates", "templates",
                         "--memory-limit", "1024")
    assert status == 1
    assert err == (f"incidents/a.yaml:1:1: error: rendering needed more than 1,024 MiB of "
                   f"memory, the limit per record: {MEMORY_ADVICE}\n")
    assert not (workspace / "output").exists()


@linux
def test_a_worker_killed_midway_fails_its_record_and_the_build_goes_on(workspace):
    (workspace / "incidents" / "c.yaml").write_text(_record("slow"))
    _template(workspace, SLOW)
    command = [sys.executable, "-m", "postmortem", "build", "--format", "md", "--jobs", "1",
               "--templates", "templates"]
    with subprocess.Popen(command, cwd=workspace, env=ENV, stderr=subprocess.PIPE,
                          text=True) as build:
        try:
            output = workspace / "output"
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline and not (
                    (output / "a-1.md").is_file() and (output / "b-1.md").is_file()):
                time.sleep(0.05)
            time.sleep(0.5)  # the worker is now in the slow record
            [worker] = _workers(build.pid)
            os.kill(worker, signal.SIGKILL)  # as the kernel kills a process out of memory
            _, err = build.communicate(timeout=60)
        finally:
            build.kill()
    assert build.returncode == 1
    assert ("incidents/c.yaml:1:1: error: the process rendering it was killed (SIGKILL), most "
            "likely for lack of memory: the limit per record is 2,048 MiB; shorten the record, "
            "run fewer jobs at once (--jobs), or change the limit with --memory-limit, or "
            "memory_limit in [build] of postmortem.toml") in err
    assert "3 record(s): 2 rendered, 0 up to date, 0 removed, 1 failed" in err
    assert "Traceback" not in err


@linux
def test_workers_die_with_a_killed_build_and_write_nothing_after_it(workspace):
    for name in ("a", "c"):  # slow ones around a quick one
        (workspace / "incidents" / f"{name}.yaml").write_text(_record(f"slow-{name}"))
    _template(workspace, SLOW.replace('incident.id == "slow"', 'incident.id != "b-1"'))
    command = [sys.executable, "-m", "postmortem", "build", "--format", "md", "--jobs", "2",
               "--templates", "templates", "--quiet"]
    build = subprocess.Popen(command, cwd=workspace, env=ENV, stderr=subprocess.DEVNULL)
    try:
        # Once the quick record is written, both workers have taken a record: both started.
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and not (workspace / "output" / "b-1.md").is_file():
            time.sleep(0.05)
        time.sleep(0.5)
        workers = _workers(build.pid)
        assert len(workers) == 2
        build.send_signal(signal.SIGKILL)
        build.wait()
        written = sorted(path.name for path in (workspace / "output").iterdir())
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and any(_alive(pid) for pid in workers):
            time.sleep(0.05)
        assert not [pid for pid in workers if _alive(pid)]
        time.sleep(1)
        assert sorted(path.name for path in (workspace / "output").iterdir()) == written
    finally:
        build.kill()
        for pid in _workers(build.pid):
            os.kill(pid, signal.SIGKILL)


@pytest.mark.slow
def test_the_default_limits_let_every_record_of_the_repository_render(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "postmortem", "build", "-o", str(tmp_path / "out"), "--force",
         "--format", "md,html,pdf"], cwd=ROOT, env=ENV, capture_output=True, text=True,
        timeout=600)
    assert result.returncode == 0, result.stderr
    count = len(list((ROOT / "incidents").glob("*.yaml")))
    assert f"{count} record(s): {count} rendered" in result.stderr


# A record's outputs are replaced together.

# The disk is full once the record is rendered: files are capped at 4 KiB from then on.
_FULL_DISK = """
import resource, sys
import postmortem.workspace.workers as workers
from postmortem.cli import main

rendered = workers.render_jobs

def then_full(*args):
    for result in rendered(*args):
        resource.setrlimit(resource.RLIMIT_FSIZE, (4096, resource.RLIM_INFINITY))
        yield result

workers.render_jobs = then_full
sys.exit(main(sys.argv[1:]))
"""


def test_a_full_disk_keeps_every_old_output_and_names_the_output_folder(tmp_path, run):
    record, output = tmp_path / "record.yaml", tmp_path / "out"
    record.write_text(MINIMAL)
    assert run("render", record, "--format", "md,html", "-o", output)[0] == 0
    old = {path.name: path.read_bytes() for path in output.iterdir()}
    record.write_text(MINIMAL.replace("Checkout slowed down", "The checkout slowed down"))
    # The Markdown fits in 4 KiB, the HTML page does not (EFBIG, as on a full disk: Python
    # ignores SIGXFSZ).
    result = subprocess.run(
        [sys.executable, "-c", _FULL_DISK, "render", str(record), "--format", "md,html",
         "-o", str(output)], env=ENV, capture_output=True, text=True, timeout=120)
    assert result.returncode == 1
    assert result.stderr == (f"postmortem render: error: cannot write into {output}/: file too "
                             "large: free some space, or choose another folder with -o; the "
                             "files already there are unchanged\n")
    assert {path.name: path.read_bytes() for path in output.iterdir()} == old


def test_a_rename_that_fails_puts_back_every_old_output(tmp_path, monkeypatch):
    from postmortem.errors import WorkspaceError
    from postmortem.workspace import write

    (tmp_path / "x.md").write_text("old md")
    (tmp_path / "x.html").write_text("old html")
    replace = os.replace
    renames = []

    def failing_replace(source, target):
        renames.append(target)
        if len(renames) == 2:  # the second output's rename
            raise OSError(28, "No space left on device")
        return replace(source, target)

    monkeypatch.setattr(write.os, "replace", failing_replace)
    with pytest.raises(WorkspaceError) as refused:
        write.write_together(tmp_path, {"x.md": b"new md", "x.html": b"new html",
                                        "x.json": b"{}"})
    monkeypatch.undo()
    assert refused.value.message == (f"cannot write into {tmp_path}/: no space left on device: "
                                     "free some space, or choose another folder with -o; the "
                                     "files already there are unchanged")
    assert {path.name: path.read_text() for path in tmp_path.iterdir()} == {
        "x.md": "old md", "x.html": "old html"}


def test_a_build_on_a_full_disk_stops_and_keeps_the_old_outputs(workspace, run, monkeypatch):
    from postmortem.workspace import write

    assert run("build", "--format", "md", "--jobs", "1")[0] == 0
    output = workspace / "output"
    old = {path.name: path.read_bytes() for path in output.iterdir() if path.suffix != ".lock"}
    fsync = os.fsync

    def full(handle):
        status = os.fstat(handle)
        if stat.S_ISREG(status.st_mode) and status.st_size > 0:
            raise OSError(28, "No space left on device")
        return fsync(handle)

    monkeypatch.setattr(write.os, "fsync", full)
    status, _, err = run("build", "--format", "md", "--jobs", "1", "--force")
    assert status == 1
    assert err.endswith("postmortem build: error: cannot write into output/: no space left on "
                        "device: free some space, or choose another folder with -o; the files "
                        "already there are unchanged\n")
    assert {path.name: path.read_bytes() for path in output.iterdir()
            if path.suffix != ".lock"} == old


# What a build must not follow or open.

def test_a_lock_file_that_is_a_link_is_refused_and_its_target_left_alone(workspace, run):
    victim = workspace / "precious.txt"
    victim.write_text("keep me")
    (workspace / "output").mkdir()
    (workspace / "output" / ".postmortem-build.lock").symlink_to(victim)
    status, _, err = run("build", "--format", "md", "--jobs", "1")
    assert status == 1
    assert ("postmortem build: error: output/.postmortem-build.lock is a symbolic link; a build "
            "locks its output folder with a file of its own: remove it, then build again\n") in err
    assert victim.read_text() == "keep me"


def test_a_lock_file_that_is_another_files_second_name_is_refused(workspace, run):
    victim = workspace / "precious.txt"
    victim.write_text("keep me")
    (workspace / "output").mkdir()
    os.link(victim, workspace / "output" / ".postmortem-build.lock")
    status, _, err = run("build", "--format", "md", "--jobs", "1")
    assert status == 1
    assert "is a second name of another file (a hard link)" in err
    assert victim.read_text() == "keep me"


def test_a_record_linked_from_outside_the_incidents_folder_is_refused(workspace, run):
    elsewhere = workspace / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "secret.yaml").write_text(_record("secret"))
    (workspace / "incidents" / "link.yaml").symlink_to(elsewhere / "secret.yaml")
    (workspace / "incidents" / ".kept.yaml").write_text(_record("inside"))
    (workspace / "incidents" / "alias.yaml").symlink_to(".kept.yaml")  # inside: fine
    status, _, err = run("build", "--format", "md", "--jobs", "1")
    assert status == 1
    assert (f"incidents/link.yaml:1:1: error: a symbolic link to {elsewhere / 'secret.yaml'}, "
            "outside incidents/: a record must be a file in incidents/; copy the file there, or "
            "remove the link") in err
    assert not (workspace / "output" / "secret.md").exists()
    assert (workspace / "output" / "inside.md").is_file()
    status, _, err = run("validate")
    assert status == 1 and "incidents/link.yaml:1:1: error: a symbolic link to " in err


def test_a_fifo_named_like_a_record_is_refused_without_being_opened(workspace):
    os.mkfifo(workspace / "incidents" / "pipe.yaml")
    message = "incidents/pipe.yaml:1:1: error: not a regular file (a FIFO): a record is a YAML file"
    for command in (["build", "--format", "md", "--jobs", "1"], ["validate"],
                    ["validate", "incidents/pipe.yaml"], ["lint"],
                    ["render", "incidents/pipe.yaml"]):
        result = subprocess.run([sys.executable, "-m", "postmortem", *command], cwd=workspace,
                                env=ENV, capture_output=True, text=True, timeout=60)
        assert result.returncode == 1, command
        assert message in result.stderr, command
