"""Measure `postmortem build` on a workspace of copies of the AP-HP record.

    python benchmarks/build_workspace.py --records 200 --formats md,html,pdf --jobs 2

Prints the time of a cold build, a no-op rebuild and a rebuild after touching one
record, and their ratios, all measured in the same run (absolute times depend on the
machine; the ratios are what to compare). With --kill it also kills a cold build midway
and checks that every PDF left on disk is complete and that the next build finishes.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RECORD = ROOT / "incidents" / "2024-08-03-aphp-datacenter-power-outage.yaml"


def make_workspace(folder: Path, records: int) -> None:
    """Write `records` copies of the AP-HP record, each with its own id."""
    incidents = folder / "incidents"
    incidents.mkdir(parents=True)
    text = RECORD.read_text(encoding="utf-8")
    for number in range(records):
        incident_id = f"incident-{number:04d}"
        (incidents / f"{incident_id}.yaml").write_text(
            text.replace(f"id: {RECORD.stem}", f"id: {incident_id}"), encoding="utf-8")


def snapshot_code(folder: Path) -> None:
    """Copy the package (templates included), so that edits made meanwhile do not count."""
    shutil.copytree(ROOT / "postmortem", folder / "code" / "postmortem",
                    ignore=shutil.ignore_patterns("__pycache__"))


def timed_build(folder: Path, formats: str, jobs: int) -> float:
    """Run one build in a subprocess and return its wall-clock time in seconds."""
    started = time.perf_counter()
    subprocess.run(_command(formats, jobs), cwd=folder, check=True, env=_env(folder))
    return time.perf_counter() - started


def kill_midway(folder: Path, formats: str, jobs: int, after: int) -> None:
    """Kill a cold build once `after` PDFs exist; check what it left; build again."""
    from pypdf import PdfReader

    build = subprocess.Popen(_command(formats, jobs), cwd=folder, env=_env(folder))
    output = folder / "output"
    while build.poll() is None and len(list(output.glob("*.pdf"))) < after:
        time.sleep(0.05)
    build.send_signal(signal.SIGKILL)
    build.wait()
    pdfs = list(output.glob("*.pdf"))
    broken = [pdf.name for pdf in pdfs if not len(PdfReader(pdf).pages)]
    print(f"killed midway: {len(pdfs)} PDFs on disk, {len(broken)} unreadable")
    seconds = timed_build(folder, formats, jobs)
    print(f"build after the kill: {seconds:.1f} s, "
          f"{len(list(output.glob('*.pdf')))} PDFs, leftovers: "
          f"{len([p for p in output.iterdir() if p.name.endswith('.tmp')])}")


def _command(formats: str, jobs: int) -> list[str]:
    return [sys.executable, "-m", "postmortem", "build", "--format", formats,
            "--jobs", str(jobs), "--quiet"]


def _env(folder: Path) -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(folder / "code")}


def main() -> None:
    """Run the measurements and print them."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=200)
    parser.add_argument("--formats", default="md,html,pdf")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--kill", action="store_true", help="also kill a cold build midway")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="postmortem-bench-"))
    try:
        make_workspace(folder, args.records)
        snapshot_code(folder)
        cold = timed_build(folder, args.formats, args.jobs)
        noop = timed_build(folder, args.formats, args.jobs)
        touched = folder / "incidents" / "incident-0000.yaml"
        touched.write_text(touched.read_text().replace("severity: critical", "severity: major"))
        one = timed_build(folder, args.formats, args.jobs)
        print(f"{args.records} records, formats {args.formats}, {args.jobs} jobs")
        print(f"cold build:          {cold:8.2f} s")
        print(f"no-op rebuild:       {noop:8.2f} s  ({noop / cold:.1%} of cold)")
        print(f"one record touched:  {one:8.2f} s  ({one / cold:.1%} of cold)")
        if args.kill:
            shutil.rmtree(folder / "output")
            kill_midway(folder, args.formats, args.jobs, after=max(2, args.records // 4))
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
