"""The order in which build workers take records, and how `render` starts its worker."""

from __future__ import annotations

from pathlib import Path

from postmortem.workspace.bounds import Bounds
from postmortem.workspace.workers import Job, render_jobs, start_worker

from support import RECORDS


def _job(name: str, size: int) -> Job:
    # Not a record: each comes back at once, refused, in the order it was taken.
    return Job(f"{name}.yaml", b"{" * size, ("md",))


def test_one_worker_takes_the_longest_records_first():
    jobs = [_job("short", 10), _job("longest", 3000), _job("middle", 200),
            _job("also-middle", 200), _job("long", 1000)]
    order = [rendered.source for rendered in render_jobs(jobs, 1, Bounds(), ("md",))]
    # Records of one size keep the order they were given in.
    assert order == ["longest.yaml", "long.yaml", "middle.yaml", "also-middle.yaml",
                     "short.yaml"]


def test_every_job_comes_back_once_with_two_workers():
    jobs = [_job(f"record-{number}", number * 10) for number in range(1, 8)]
    returned = [rendered.source for rendered in render_jobs(jobs, 2, Bounds(), ("md",))]
    assert sorted(returned) == sorted(job.source for job in jobs)
    assert all(returned)


def test_a_worker_started_early_renders_the_record():
    record = RECORDS / "minimal.yaml"
    worker = start_worker(("md",))
    try:
        [rendered] = render_jobs([Job(str(record), record.read_bytes(), ("md",))], 1,
                                 Bounds(), ("md",), [worker])
    finally:
        worker.stop()
    assert not rendered.problems
    assert [name for name, _ in rendered.files] == [f"{rendered.incident_id}.md"]
    assert not worker.process.is_alive()


def test_a_worker_started_early_and_never_used_is_ended():
    worker = start_worker(("md",))
    worker.stop()
    assert not worker.process.is_alive()


def test_render_refuses_an_invalid_record_from_its_worker_and_writes_nothing(run, tmp_path):
    output = tmp_path / "out"
    status, out, err = run("render", RECORDS / "invalid" / "no-offset.yaml", "--format",
                           "md,pdf", "-o", output)
    assert status == 1
    assert out == ""
    assert f"{RECORDS / 'invalid' / 'no-offset.yaml'}:25:9: error: timeline[0].at:" in err
    assert "Traceback" not in err
    assert not Path(output).exists()
