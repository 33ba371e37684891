"""Time what postmortem does with records built to exhaust it, and with one at the limits.

    python benchmarks/hostile_payloads.py

Each payload once took minutes or gigabytes, or crashed: an SVG `<use>` bomb sent as a
PNG, a 2,000×200 Markdown table in one field, 5,000 timeline entries, 3,000
communications, emphasis nested 250 deep in the title. Each is now refused at its line;
the script prints how long `validate` and `render --format md,html,pdf` take to say so,
and checks that nothing was written. Then it renders the largest record the limits let
through (1,000 timeline entries and 500 communications of a few lines each, about 450 KB)
to every format, with the time and the processor time of the render. Times are of this
machine, with its load printed beside them.
"""

from __future__ import annotations

import base64
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BASE = (ROOT / "tests" / "records" / "minimal.yaml").read_text(encoding="utf-8")
SUMMARY = "summary: Checkout slowed down for 40 minutes after a cache node failed."
TITLE = "title: Checkout latency after a cache node failure"


def _svg_bomb() -> str:
    """An SVG whose every group uses the previous one four times: 4**13 copies of a text."""
    groups = ['<g id="g0"><text>LEAK</text></g>'] + [
        f'<g id="g{level}">' + f'<use xlink:href="#g{level - 1}"/>' * 4 + "</g>"
        for level in range(1, 14)]
    svg = ('<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink">'
           + "".join(groups) + '<use xlink:href="#g13"/></svg>')
    return base64.b64encode(svg.encode()).decode()


def _table(rows: int, columns: int) -> str:
    lines = ["|" + "|".join(f"c{i}" for i in range(columns)) + "|", "|" + "---|" * columns]
    lines += ["|" + "x|" * columns for _ in range(rows)]
    return "summary: |\n" + "".join(f"  {line}\n" for line in lines)


def _timeline(entries: int, text: str = "Step") -> str:
    return "".join(f"  - at: 2025-03-02T{10 + i // 600:02d}:{(i // 10) % 60:02d}Z\n"
                   f"    kind: action\n    text: {text} {i}.\n" for i in range(1, entries))


def _communications(entries: int, said: str = "Update") -> str:
    return "communications:\n" + "".join(
        f"  - at: 2025-03-02T{10 + i // 300:02d}:{(i // 5) % 60:02d}Z\n"
        f"    channel: status page\n    audience: [public]\n    said: {said} {i}.\n"
        for i in range(entries))


PAYLOADS = {
    "SVG <use> bomb sent as image/png": BASE.replace(
        SUMMARY, f'summary: "![chart](data:image/png;base64,{_svg_bomb()})"'),
    "2,000x200 table in one field": BASE.replace(SUMMARY, _table(2000, 200)),
    "5,000 timeline entries": BASE + _timeline(5001),
    "3,000 communications": BASE + _communications(3000),
    "emphasis 250 deep in the title": BASE.replace(
        TITLE, 'title: "' + "**" * 250 + "x" + "**" * 250 + '"'),
}
_PROSE = ("The operator restarts the cache node and checks that checkout answers again "
          "within the usual time, then tells the support desk what customers may see. ") * 2
AT_THE_LIMITS = BASE + _timeline(1000, _PROSE) + _communications(500, _PROSE[:150])


def run(arguments: list[str]) -> tuple[int, float, float, str]:
    """Run postmortem; return its status, wall and processor seconds, first stderr line."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.monotonic()
    result = subprocess.run([sys.executable, "-m", "postmortem", *arguments],
                            capture_output=True, text=True, check=False)
    wall = time.monotonic() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    first = next(iter(result.stderr.splitlines()), "")
    return result.returncode, wall, cpu, first


def main() -> int:
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())} "
          f"on {os.cpu_count()} cores\n")
    print("| payload | bytes | validate | render md,html,pdf | message |")
    print("| --- | ---: | ---: | ---: | --- |")
    failures = 0
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        for name, text in PAYLOADS.items():
            record, output = work / "record.yaml", work / "output"
            record.write_text(text, encoding="utf-8")
            status_v, wall_v, _, message = run(["validate", str(record)])
            status_r, wall_r, _, _ = run(["render", str(record), "-o", str(output),
                                          "--format", "md,html,pdf"])
            written = list(output.iterdir()) if output.exists() else []
            failures += status_v != 1 or status_r != 1 or bool(written)
            print(f"| {name} | {len(text.encode()):,} | {wall_v:.2f} s | {wall_r:.2f} s | "
                  f"`{message.removeprefix(str(record))[:90]}` |")
        record, output = work / "limits.yaml", work / "limits-output"
        record.write_text(AT_THE_LIMITS, encoding="utf-8")
        status, wall, cpu, message = run(["render", str(record), "-o", str(output),
                                          "--format", "md,html,pdf"])
        failures += status != 0
        print(f"\nat the limits ({len(AT_THE_LIMITS.encode()):,} bytes, 1,000 timeline entries, "
              f"500 communications): render md,html,pdf exit {status} in {wall:.1f} s "
              f"({cpu:.1f} s of processor time){'' if status == 0 else ': ' + message}")
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
