"""The measures of the suite, one function a section of the document, in the order run.

Each takes the suite's state (`harness.Bench`), runs its commands and returns a `Result`:
its part of the document and the targets it checks.
"""

from __future__ import annotations

import json
import re
import shlex
import shutil
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from figures import Figure, duration, factor, memory, ratios, spread, table
from harness import Bench, Command
from measure import Run, run
from pages import page_count
from workloads import RECORD, copies, with_pages, with_timeline

PROFILE_COMMAND = (".venv/bin/python benchmarks/profile_pdf.py "
                   "incidents/2024-08-03-aphp-datacenter-power-outage.yaml")


@dataclass(frozen=True)
class Target:
    """A figure set against its target."""

    measure: str
    figure: str
    target: str
    met: bool


@dataclass(frozen=True)
class Result:
    """A section of the document, and the targets it checked."""

    title: str
    text: str
    targets: list[Target] = field(default_factory=list)


def times(count: int, what: str) -> str:
    """Write a count of things: `one run`, `5 runs`."""
    return f"one {what}" if count == 1 else f"{count} {what}s"


def seconds(runs: Sequence[Run]) -> Figure:
    """Return the figure of the runs' wall times."""
    return Figure.of([item.seconds for item in runs])


def _peak(runs: Sequence[Run], what: Callable[[Run], int]) -> str:
    kib = Figure.of([what(item) for item in runs]).median
    return memory(kib) if kib else "–"


def timing_table(runs: dict[str, list[Run]], children: bool = False) -> str:
    """Write one row a command: its time, runs, and peak memory (per child, if asked)."""
    headers = ["command", "time: median (min–max)", "runs", "peak memory"]
    if children:
        headers += ["parent", "largest child"]
    rows = []
    for name, measured in runs.items():
        row = [name, spread(seconds(measured)), len(measured),
               _peak(measured, lambda item: item.tree_peak_kib)]
        if children:
            row += [_peak(measured, lambda item: item.parent_peak_kib),
                    _peak(measured, lambda item: item.child_peak_kib)]
        rows.append(row)
    return table(headers, rows)


def _record_folder(bench: Bench, name: str, text: str | None = None) -> Path:
    """Return a new folder holding the AP-HP record, or `text` under its name."""
    folder = bench.place(name)
    if text is None:
        shutil.copy(RECORD, folder)
    else:
        (folder / RECORD.name).write_text(text, encoding="utf-8")
    return folder


def _many(bench: Bench) -> Path:
    """Return the workspace of copies of the AP-HP record, written on first use."""
    if "many" not in bench.shared:
        workspace = bench.folder / "workspace-many"
        copies(workspace, bench.plan.records)
        bench.shared["many"] = workspace
    return bench.shared["many"]


def command_start(bench: Bench) -> Result:
    """Command start: `--help`, and `validate` and `lint` of one record."""
    folder = _record_folder(bench, "start")
    runs = bench.measure({
        "`postmortem --help`": Command(bench.postmortem("--help"), folder),
        "`postmortem validate RECORD`": Command(bench.postmortem("validate", RECORD.name),
                                                folder),
        "`postmortem lint RECORD`": Command(bench.postmortem("lint", RECORD.name), folder),
    }, bench.plan.start_runs)
    help_time, validate_time = (seconds(runs[name]).median for name in list(runs)[:2])
    return Result("Command start", (
        "A whole process, from its start to its exit, on the AP-HP record: what a person "
        "waits for at the prompt, and what an editor or a pre-commit hook pays on each "
        "call.\n\n" + timing_table(runs)), [
        Target("`--help`", duration(help_time), "≈ 50 ms, kept (≤ 60 ms)", help_time <= 0.060),
        Target("`validate` of one record, whole process", duration(validate_time), "< 200 ms",
               validate_time < 0.200)])


def many_records(bench: Bench) -> Result:
    """Many records: `validate` and `lint` of 1,000, and each record in-process."""
    workspace, count = _many(bench), bench.plan.records
    one = "incidents/incident-0000.yaml"
    runs = bench.measure({
        f"`validate` of {count:,} records": Command(bench.postmortem("validate", "incidents"),
                                                     workspace),
        "`validate` of one record": Command(bench.postmortem("validate", one), workspace),
        f"`lint` of {count:,} records": Command(bench.postmortem("lint", "incidents"),
                                                 workspace),
        "`lint` of one record": Command(bench.postmortem("lint", one), workspace),
    }, bench.plan.runs)
    bench.shared["validate many"] = runs[f"`validate` of {count:,} records"]
    names = list(runs)
    per_record = [[f"{step}, whole process: (time of {count:,} − time of one) ÷ {count - 1:,}",
                   spread(seconds(runs[many]).less(seconds(runs[single]).median)
                          .scaled(1 / (count - 1)))]
                  for step, many, single in (("validate", names[0], names[1]),
                                             ("lint", names[2], names[3]))]
    times_file = bench.folder / "in-process.json"
    run(bench.script("inprocess.py", str(workspace / "incidents"), "--json", str(times_file)),
        env=bench.env)
    in_process = json.loads(times_file.read_text(encoding="utf-8"))
    for step, label in (("validate", "validate (load and validate)"),
                        ("markdown", "Markdown review (load, validate, derive, write)")):
        later = Figure.of(in_process[step][1:])
        per_record.append([f"{label}, in-process, records 2 to {count:,}",
                           f"{duration(later.median)} ({duration(later.low)}–"
                           f"{duration(later.high)}); first record: "
                           f"{duration(in_process[step][0])}"])
    total = seconds(runs[names[0]]).median
    lines = len(RECORD.read_text(encoding="utf-8").splitlines())
    return Result(f"{count:,} records", (
        f"Copies of the AP-HP record ({lines} lines of YAML, in French) with distinct ids, in one "
        f"workspace. Whole-process runs of each command, interleaved with the same command "
        f"on one record, which gives its start-up:\n\n{timing_table(runs, children=True)}\n\n"
        f"Per record. The whole-process figure takes the start-up away; the in-process one "
        f"is timed record by record in one process (`benchmarks/inprocess.py`: median and "
        f"range over the records; the first record pays for the imports and the templates' "
        f"compilation):\n\n" + table(["per record", "time"], per_record, [False, False])), [
        Target(f"`validate` of {count:,} records, whole process", duration(total), "< 2 s",
               total < 2.0)])


def pdf_path(bench: Bench) -> Result:
    """The PDF path: postmortem against WeasyPrint alone and against pandoc."""
    folder = _record_folder(bench, "pdf")
    run(bench.postmortem("render", RECORD.name, "--format", "md", "-o", "md"), folder, bench.env)
    run(bench.script("capture.py", RECORD.name, "job"), folder, bench.env)
    job = json.loads((folder / "job" / "job.json").read_text(encoding="utf-8"))
    commands = {
        "postmortem": Command(bench.postmortem("render", RECORD.name, "--format", "pdf",
                                               "-o", "out"), folder),
        "floor": Command(bench.script("floor.py", "job/job.json", "floor.pdf"), folder),
    }
    pandoc = bench.pandoc()
    if pandoc:
        commands["pandoc"] = Command([pandoc, f"md/{RECORD.stem}.md", "-o", "pandoc.pdf",
                                      "--pdf-engine=weasyprint"], folder)
    runs = bench.measure(commands, bench.plan.pdf_rounds)
    files = {"postmortem": f"out/{RECORD.stem}.pdf", "floor": "floor.pdf",
             "pandoc": "pandoc.pdf"}
    labels = {
        "postmortem": "`postmortem render RECORD --format pdf`",
        "floor": "WeasyPrint alone on postmortem's page (`benchmarks/floor.py`)",
        "pandoc": "`pandoc RECORD.md -o x.pdf --pdf-engine=weasyprint`",
    }
    rows = [[labels[name], spread(seconds(measured)), len(measured),
             page_count(folder / files[name]),
             _peak(measured, lambda item: item.tree_peak_kib),
             _peak(measured, lambda item: item.child_peak_kib)]
            for name, measured in runs.items()]
    floor = [item.seconds for item in runs["floor"]]
    ours = ratios([item.seconds for item in runs["postmortem"]], floor)
    ratio_rows = [["postmortem ÷ floor", spread(ours, factor)]]
    if pandoc:
        ratio_rows.append(["pandoc ÷ floor",
                           spread(ratios([item.seconds for item in runs["pandoc"]], floor),
                                  factor)])
    gap = seconds(runs["postmortem"]).median - seconds(runs["floor"]).median
    left_out = ", ".join(job["left_out"]) or "nothing"
    text = (
        "The AP-HP record printed to PDF, three ways, each a whole process, interleaved "
        f"({times(bench.plan.pdf_rounds, 'round')}, the order rotated each round):\n\n"
        "- **postmortem**: what a person types; it loads, validates and derives the record, "
        "writes the page and prints it in a worker process, as `build` does.\n"
        "- **floor**: WeasyPrint alone, in a fresh Python process that imports nothing "
        "else, printing the very page postmortem printed: its HTML, stylesheets (the "
        "bundled fonts), attachment, XMP metadata and PDF/A options, captured from "
        "postmortem's own call (`benchmarks/capture.py`; its bundled assets are read from "
        f"files instead of postmortem's fetcher; left out: {left_out}).\n"
        "- **pandoc**: the usual route, on postmortem's Markdown review: pandoc's own HTML, "
        "printed by WeasyPrint's command.\n\n"
        + table(["route", "time: median (min–max)", "runs", "pages", "peak memory",
                 "largest child"], rows)
        + "\n\nRatios, each taken within a round:\n\n"
        + table(["ratio", "median (min–max)"], ratio_rows)
        + "\n\nThe floor's child is the short-lived `ldconfig` and `gcc` that WeasyPrint's "
        "import runs to find its libraries (`ctypes.util.find_library`); pandoc's is "
        f"WeasyPrint's command. postmortem takes {duration(gap)} more than the floor. Before "
        f"printing the page, it laid it out {times(job['layouts_before'], 'more time')} to "
        "choose what the first page holds; the floor lays it out once. The profile below "
        "shows where the rest goes.")
    if not pandoc:
        text += "\n\npandoc is not installed here: its route was not measured."
    return Result("The PDF path", text, [
        Target("`render --format pdf` ÷ WeasyPrint alone", factor(ours.median), "≤ 1.10×",
               ours.median <= 1.10)])


def builds(bench: Bench) -> Result:
    """Builds: a cold build with one and two jobs, and a no-op rebuild."""
    count = bench.plan.build_records
    workspace = bench.folder / "workspace-build"
    copies(workspace, count)

    def cold() -> None:
        for name in ("output", "shard-1", "shard-2"):
            shutil.rmtree(workspace / name, ignore_errors=True)

    name_one, name_two = (f"`build --jobs {jobs}`, {count} records, cold" for jobs in (1, 2))
    name_shards = f"2 × `build --shard K/2 --jobs 1` at once, then `--merge`, {count} records"
    commands = {
        name: Command(bench.postmortem("build", "--jobs", str(jobs), "--quiet"), workspace,
                      before=cold)
        for name, jobs in ((name_one, 1), (name_two, 2))}
    commands[name_shards] = Command(["sh", "-c", _shards_then_merge(bench)], workspace,
                                    before=cold)
    runs = bench.measure(commands, bench.plan.build_rounds)
    one, two, shards = ([item.seconds for item in runs[name]]
                        for name in (name_one, name_two, name_shards))
    speed_up = ratios(one, two)
    many, records = _many(bench), bench.plan.records
    first = run(bench.postmortem("build", "--format", "md", "--quiet"), many, bench.env)
    noop_name = f"`build --format md`, {records:,} records, nothing changed"
    noop = bench.measure({noop_name: Command(bench.postmortem("build", "--format", "md",
                                                              "--quiet"), many)},
                         bench.plan.noop_runs)
    noop_time = seconds(noop[noop_name]).median
    return Result("Builds", (
        f"A cold build (the output folder removed before each run) of {count} copies of the "
        "AP-HP record in the default formats (Markdown, HTML, PDF, with the index), with one "
        "worker and with two, interleaved. The parent is the `postmortem build` process; "
        "the children are its render workers.\n\n"
        + timing_table(runs, children=True)
        + f"\n\nSpeed-up of two jobs over one, each taken within a round: "
        f"**{spread(speed_up, factor)}**. Two shards of one job each, run at once on this "
        f"machine and merged (what a CI matrix of two machines does, here sharing two "
        f"cores), against one build of two jobs: **{spread(ratios(two, shards), factor)}** "
        "(above 1×, the shards were faster); on two machines each shard has a machine "
        "to itself.\n\n"
        f"A no-op rebuild: {records:,} copies built once in Markdown ({duration(first.seconds)}"
        f", cold, one worker per core), then built again with nothing changed. The "
        f"workspace is built in Markdown only, as {records:,} records in every format would "
        f"take about {records * seconds(runs[name_one]).median / count / 60:.0f} minutes here "
        "with one job; what a no-op rebuild does (find the records, compare their fingerprints "
        "with the state, write nothing) is the same for every format.\n\n"
        + timing_table(noop)), [
        Target(f"`build --jobs 2` ÷ `--jobs 1`, {count} records, cold",
               factor(speed_up.median), "≥ 1.8× faster", speed_up.median >= 1.8),
        Target(f"no-op rebuild of {records:,} records", duration(noop_time), "≤ 0.5 s",
               noop_time <= 0.5)])


def _shards_then_merge(bench: Bench) -> str:
    """Return a shell command: both shards built at once, then merged into output/."""
    shard = [shlex.join(bench.postmortem("build", "--shard", f"{number}/2", "--jobs", "1",
                                         "--quiet", "--output", f"shard-{number}"))
             for number in (1, 2)]
    merge = shlex.join(bench.postmortem("build", "--merge", "shard-1", "shard-2", "--quiet"))
    return f"{shard[0]} & {shard[1]} & wait && {merge}"


def growth(bench: Bench) -> Result:
    """Growth: records 10 → 1,000, timeline entries 10 → 5,000, pages 2 → 50."""
    return Result("How cost grows", "\n\n".join((
        _growth_records(bench), _growth_entries(bench), _growth_pages(bench))))


def _growth_records(bench: Bench) -> str:
    many = sorted((_many(bench) / "incidents").glob("*.yaml"))
    commands = {}
    for count in bench.plan.record_steps:
        if count != bench.plan.records:  # the whole workspace was measured above
            folder = bench.place(f"records-{count}")
            for path in many[:count]:
                shutil.copy(path, folder)
            commands[f"{count:,}"] = Command(bench.postmortem("validate", "."), folder)
    runs = bench.measure(commands, bench.plan.runs)
    if bench.plan.records in bench.plan.record_steps:
        runs[f"{bench.plan.records:,}"] = bench.shared["validate many"]
    first = bench.plan.record_steps[0]
    base = seconds(runs[f"{first:,}"]).median
    rows = [[f"{count:,}", spread(seconds(runs[f"{count:,}"])), len(runs[f"{count:,}"]),
             duration((seconds(runs[f"{count:,}"]).median - base) / (count - first))
             if count != first else "–"]
            for count in bench.plan.record_steps]
    return ("**Records** — `validate` of a folder of copies of the AP-HP record, whole "
            f"process (the {bench.plan.records:,} are the runs above):\n\n"
            + table(["records", "time: median (min–max)", "runs",
                     f"each record beyond {first}"], rows))


def _growth_entries(bench: Bench) -> str:
    commands = {}
    for entries in bench.plan.entry_steps:
        folder = _record_folder(bench, f"entries-{entries}", with_timeline(entries))
        commands[f"validate {entries}"] = Command(
            bench.postmortem("validate", RECORD.name), folder, expect=None)
        commands[f"md {entries}"] = Command(
            bench.postmortem("render", RECORD.name, "--format", "md", "-o", "out"), folder,
            expect=None)
    runs = bench.measure(commands, bench.plan.runs)
    rows = []
    for entries in bench.plan.entry_steps:
        validate, markdown = runs[f"validate {entries}"], runs[f"md {entries}"]
        refused = validate[0].status != 0
        rows.append([f"{entries:,}", spread(seconds(validate)), spread(seconds(markdown)),
                     _peak(markdown, lambda item: item.tree_peak_kib),
                     f"refused: {refusal(validate[0])}" if refused else "rendered"])
    return (f"**Timeline entries** — the AP-HP record with its timeline replaced by "
            f"generated entries, `validate` and `render --format md`, whole process "
            f"({times(bench.plan.runs, 'run')} each). A record is refused past its limits "
            "(`postmortem/record/limits.py`: 1,000 timeline entries, 512 KiB a file); the "
            "time shown then is the time to say so:\n\n"
            + table(["entries", "validate", "render md", "peak memory (md)", "outcome"],
                    rows, [False, True, True, True, False]))


def refusal(refused: Run) -> str:
    """Return the first problem of a refused record, without its position and its advice."""
    first = next((line for line in refused.stderr.splitlines() if "error:" in line), "")
    problem = first.split("error:", 1)[-1].strip()
    limit = re.match(r".*?the limit is [\d,]+ [^:;]+", problem)
    return limit[0] if limit else problem


def _growth_pages(bench: Bench) -> str:
    commands = {}
    for pages in bench.plan.page_steps:
        folder = bench.place(f"pages-{pages}")
        (folder / "record.yaml").write_text(with_pages(pages), encoding="utf-8")
        commands[pages] = Command(
            bench.postmortem("render", "record.yaml", "--format", "pdf", "-o", "out"), folder)
    runs = bench.measure({str(pages): command for pages, command in commands.items()},
                         bench.plan.page_runs)
    counted = {pages: page_count(commands[pages].cwd / "out" / "2025-03-02-checkout-latency.pdf")
               for pages in commands}
    first = bench.plan.page_steps[0]
    base = seconds(runs[str(first)]).median
    rows = []
    for pages in bench.plan.page_steps:
        measured, more = runs[str(pages)], counted[pages] - counted[first]
        rows.append([counted[pages], spread(seconds(measured)), len(measured),
                     duration((seconds(measured).median - base) / more) if more else "–",
                     _peak(measured, lambda item: item.child_peak_kib)])
    return ("**Pages** — `render --format pdf`, whole process, of the small test record "
            "(`tests/records/minimal.yaml`) lengthened by timeline entries of two lines each; "
            "the pages are counted in each PDF:\n\n"
            + table(["pages", "time: median (min–max)", "runs",
                     f"each page beyond {counted[first]}", "peak memory of the worker"], rows))


def profile(bench: Bench) -> Result:
    """The profile of the PDF path, by package and by postmortem function."""
    from profile_pdf import as_text

    folder = _record_folder(bench, "profile")
    run(bench.script("profile_pdf.py", RECORD.name, "--json", "profile.json"), folder,
        bench.env)
    figures = json.loads((folder / "profile.json").read_text(encoding="utf-8"))
    return Result("Where the PDF path spends its time", (
        "cProfile over one process that imports postmortem and renders the AP-HP record's "
        "PDF as a build worker does (`render_outputs(..., (\"pdf\",))`), "
        f"{duration(figures['total'])} in all under the profiler, which slows Python code "
        "more than C. *Self time* counts each function once, so the packages add up to the "
        "whole; *inside calls into it* is the time from each call into the package from "
        "outside it until it returns, callees included. It reproduces with:\n\n"
        f"```sh\n{PROFILE_COMMAND}\n{PROFILE_COMMAND} --save pdf.prof && "
        ".venv/bin/python -m pstats pdf.prof\n```\n\n" + as_text(figures)))


SECTIONS = (command_start, many_records, pdf_path, builds, growth, profile)
