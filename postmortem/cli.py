"""The command line: argparse → call → print. The library raises, this prints and exits."""

from __future__ import annotations

import argparse
import functools
import json
import math
import os
import sys
from collections.abc import Sequence
from datetime import date
from pathlib import Path

from postmortem import __version__
from postmortem.errors import PostmortemError, Problem, RecordError
from postmortem.i18n import MESSAGE_LANGUAGES, _, message_language, messages_in
from postmortem.record.languages import LANGUAGES
from postmortem.render import DOCUMENT_NAMES, FORMATS

EXIT_OK, EXIT_INVALID, EXIT_USAGE = 0, 1, 2
DEFAULT_INCIDENTS = "incidents"


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line with `argv` (default: sys.argv[1:]); return the exit status."""
    parser = build_parser()
    if "_ARGCOMPLETE" in os.environ:  # a shell asks for completions: answer, then exit
        from postmortem.completion import complete

        complete(parser)
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse exits 2 on usage errors, 0 on --help
        return int(exc.code or 0)
    if not args.command:
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    # Messages in the language asked for with --lang, else the user's locale.
    with messages_in(getattr(args, "messages", None)):
        return _run(args)


def _run(args: argparse.Namespace) -> int:
    try:
        return args.run(args)
    except PostmortemError as exc:
        _print_problems(exc.problems, args)
        return EXIT_INVALID
    except OSError as exc:  # a folder that vanished, a full disk: the OS says what and where
        where = f"{exc.filename}: " if exc.filename else ""
        print(f"postmortem {args.command}: error: {where}{(exc.strerror or str(exc)).lower()}: "
              + _("check that the path exists and that you may read and write it"),
              file=sys.stderr)
        return EXIT_INVALID
    except KeyboardInterrupt:
        print("postmortem: interrupted", file=sys.stderr)
        return 130


def _validate(args: argparse.Namespace) -> int:
    from postmortem.record.validate import file_problems
    from postmortem.workspace.discover import find_records, refused_records
    from postmortem.workspace.parallel import check_all

    files = find_records(args.paths or [DEFAULT_INCIDENTS])
    refused = refused_records(args.paths or [DEFAULT_INCIDENTS])
    # Every file is checked, so that one run reports every problem.
    checked = iter(check_all(file_problems, [path for path in files if path not in refused],
                             _jobs(args)))
    results = [(path, [refused[path]] if path in refused else next(checked)) for path in files]
    problems = [problem for _path, found in results for problem in found]
    invalid = sum(1 for _path, found in results if found)
    if args.format == "json":
        print(json.dumps({
            "valid": not problems and bool(files),
            "lang": message_language(),
            "files": [{"path": str(path), "valid": not found,
                       "problems": [p.as_dict() for p in found]} for path, found in results],
        }, indent=2, ensure_ascii=False))
    elif files:
        _print_summary(problems, _("{records} record(s) checked, {invalid} invalid, "
                                   "{problems} problem(s)", records=len(files),
                                   invalid=invalid, problems=len(problems)))
    if not files:
        return _no_records(args.paths)
    return EXIT_INVALID if problems else EXIT_OK


def _render(args: argparse.Namespace) -> int:
    from postmortem.render.libraries import require_pdf_libraries
    from postmortem.workspace.workers import start_worker

    formats = _formats("render", args.format)
    documents = _documents("render", args.document or ["full"])
    if formats is None or documents is None:
        return EXIT_USAGE
    _require_file(args.file)
    if "pdf" in formats:
        _note(args, require_pdf_libraries())
    # The worker loads the renderers while this process reads the settings and the record.
    worker = start_worker(formats)
    try:
        from postmortem.record.load import read_source
        from postmortem.workspace.config import load_config, unused_templates
        from postmortem.workspace.workers import Job, render_jobs
        from postmortem.workspace.write import make_folder, write_together

        output = Path(args.output)
        if output.exists() and not output.is_dir():
            make_folder(output)  # says that a file is in the way, before any rendering
        config = load_config()
        settings = config.render_settings(args.templates)
        _note(args, unused_templates(args.templates, config))
        source = read_source(args.file)
        # One worker, under the same bounds as a build's; this process writes. The worker
        # validates the record first: a record that does not validate comes back with its
        # problems, and nothing is written.
        job = Job(args.file, source, formats, settings, documents=documents)
        [rendered] = render_jobs([job], 1,
                                 config.build.bounds(args.time_limit, args.memory_limit),
                                 formats, [worker])
    finally:
        worker.stop()
    if rendered.problems:
        raise RecordError(rendered.problems)
    make_folder(output)
    for path in write_together(output, dict(rendered.files)):
        print(path)
    return EXIT_OK


def _build(args: argparse.Namespace) -> int:
    from postmortem.errors import WorkspaceError
    from postmortem.render.libraries import require_pdf_libraries
    from postmortem.workspace.build import build
    from postmortem.workspace.config import load_config, unused_templates
    from postmortem.workspace.progress import progress_printer

    formats = _formats("build", args.format) if args.format else None
    documents = _documents("build", args.document) if args.document else None
    if (args.format and formats is None) or (args.document and documents is None):
        return EXIT_USAGE
    config = load_config()
    options = config.build_options(
        formats=formats, documents=documents, period=args.period, jobs=args.jobs,
        incidents=args.incidents, output=args.output, templates=args.templates,
        language=args.language, force=args.force, today=args.today,
        time_limit=args.time_limit, memory_limit=args.memory_limit)
    _note(args, unused_templates(args.templates, config))
    progress = progress_printer(mode="quiet" if args.quiet else None)
    if args.merge:
        from postmortem.workspace.build import Outcome
        from postmortem.workspace.shard import merge

        merged = merge(options, [Path(folder) for folder in args.merge])
        for source, problems in merged.failed:  # as the shard that took the record said
            progress("outcome", Outcome(source, "failed", problems=problems))
        progress("index", None)
        if not args.quiet:
            print(_("merged {shards} shard(s) into {output}/: {records} record(s), {failed} "
                    "failed, in {seconds:.1f} s", shards=merged.shards, output=options.output,
                    records=merged.records, failed=len(merged.failed),
                    seconds=merged.seconds), file=sys.stderr)
        return EXIT_INVALID if merged.failed else EXIT_OK
    if not options.incidents.is_dir():
        raise WorkspaceError(f"no folder {options.incidents}/ of incident records")
    if "pdf" in options.formats:
        _note(args, require_pdf_libraries())
    result = build(options, progress, shard=args.shard)
    if not args.quiet and args.shard:
        print(_("shard {shard}: {records} of {total} record(s): {rendered} rendered, {current} "
                "up to date, {removed} removed, {failed} failed, in {seconds:.1f} s; the index "
                "is left to 'postmortem build --merge'",
                shard=str(args.shard), records=len(result.outcomes) - result.count("removed"),
                total=result.records, rendered=result.count("rendered"),
                current=result.count("up to date"), removed=result.count("removed"),
                failed=result.count("failed"), seconds=result.seconds),
              file=sys.stderr)
    elif not args.quiet:
        print(f"{len(result.outcomes)} record(s): {result.count('rendered')} rendered, "
              f"{result.count('up to date')} up to date, {result.count('removed')} removed, "
              f"{result.count('failed')} failed, in {result.seconds:.1f} s", file=sys.stderr)
    return EXIT_INVALID if result.failed else EXIT_OK


def _new(args: argparse.Namespace) -> int:
    from postmortem.workspace.config import load_config, template_folders
    from postmortem.workspace.scaffold import write_new_record

    templates = args.templates or load_config().build.templates
    print(write_new_record(args.id, Path(args.dir), lang=args.lang,
                           template_dirs=template_folders(templates)))
    return EXIT_OK


def _init(args: argparse.Namespace) -> int:
    from postmortem.workspace.scaffold import write_workspace

    folder = Path(args.dir)
    for line in write_workspace(folder, lang=args.lang, templates=args.templates):
        print(line)
    where = "" if folder == Path(".") else f"cd {folder}, then "
    print(f"next: {where}describe an incident in incidents/ (edit the example, or start a "
          "record with 'postmortem new ID' and delete the example), check it with "
          "'postmortem validate' and 'postmortem lint', and write the reports into output/ "
          "with 'postmortem build'", file=sys.stderr)
    return EXIT_OK


def _completion(args: argparse.Namespace) -> int:
    from postmortem.completion import shell_script

    print(shell_script(args.shell), end="")
    return EXIT_OK


def _schema(args: argparse.Namespace) -> int:
    from postmortem.record.model import json_schema

    print(json.dumps(json_schema(), indent=2, ensure_ascii=False))
    return EXIT_OK


def _lint(args: argparse.Namespace) -> int:
    from postmortem.lint.engine import FileResult, lint_file, to_json
    from postmortem.lint.sarif import to_sarif
    from postmortem.workspace.config import load_config
    from postmortem.workspace.discover import find_records, refused_records
    from postmortem.workspace.parallel import check_all

    settings = load_config().lint
    files = find_records(args.paths or [DEFAULT_INCIDENTS])
    refused = refused_records(args.paths or [DEFAULT_INCIDENTS])
    linted = iter(check_all(functools.partial(lint_file, config=settings, today=args.today),
                            [path for path in files if path not in refused], _jobs(args)))
    results = [FileResult(str(path), [refused[path]], []) if path in refused else next(linted)
               for path in files]
    if args.format == "json":
        print(json.dumps(to_json(results), indent=2, ensure_ascii=False))
    elif args.format == "sarif":
        print(json.dumps(to_sarif(results, settings), indent=2, ensure_ascii=False))
    elif results:
        _print_summary(
            [problem for result in results
             for problem in [*result.problems, *(finding.problem for finding in result.findings)]],
            _("{records} record(s) linted: {errors} error(s), {warnings} warning(s)",
              records=len(results), errors=sum(r.errors for r in results),
              warnings=sum(r.warnings for r in results)))
    if not results:
        return _no_records(args.paths)
    return EXIT_INVALID if any(result.errors for result in results) else EXIT_OK


def _diff(args: argparse.Namespace) -> int:
    from postmortem.analysis.diff import compare, read_versions
    from postmortem.render.changes import format_changes, revision_label
    from postmortem.render.i18n import Language

    if len(args.files) > 2 or (len(args.files) == 2 and args.rev):
        return _usage("diff", "give two files, or one file with --rev")
    sides: list[tuple[str, str | None]]
    if len(args.files) == 2:
        sides = [(args.files[0], None), (args.files[1], None)]
    else:
        # "A..B", "A.." or "A": a missing end means the working copy.
        old, _dots, new = (args.rev or "HEAD").partition("..")
        if not old:
            return _usage("diff", "--rev needs a first revision, e.g. HEAD~2..HEAD")
        sides = [(args.files[0], old), (args.files[0], new or None)]
    for path, revision in sides:
        if revision is None:
            _require_file(path)
    before, after = read_versions(*sides[0], *sides[1])
    language = Language(after.lang, after.timezone, after.locale)
    code = args.format == "md"
    labels = [revision_label(path, revision, language, code) if len(args.files) == 1
              else (f"`{path}`" if code else str(path)) for path, revision in sides]
    print(format_changes(compare(before, after), labels[0], labels[1], fmt=args.format), end="")
    return EXIT_OK


def _upgrade(args: argparse.Namespace) -> int:
    from postmortem.record.model import SCHEMA_VERSION
    from postmortem.workspace.upgrade import upgrade_file

    _require_file(args.file)
    old_version = upgrade_file(args.file)
    if old_version is None:
        print(f"{args.file}: already at version {SCHEMA_VERSION}")
    else:
        print(f"{args.file}: upgraded from version {old_version} to {SCHEMA_VERSION}")
    return EXIT_OK


def _serve(args: argparse.Namespace) -> int:
    from postmortem.serve.server import serve

    serve(Path(args.path or DEFAULT_INCIDENTS), host=args.host, port=args.port,
          templates=args.templates)
    return EXIT_OK


def _import(args: argparse.Namespace) -> int:
    from postmortem.importers.run import ImportRequest, import_draft

    request = ImportRequest(
        kind=args.kind, source=Path(args.source), into=Path(args.into) if args.into else None,
        folder=Path(args.dir), lang=args.record_lang, zone=args.timezone,
        incident=getattr(args, "incident", None), channel=getattr(args, "channel", None),
        reaction=getattr(args, "reaction", None), bots=getattr(args, "bots", False),
        names=getattr(args, "names", False))
    if request.into is not None:
        _require_file(str(request.into))
    result = import_draft(request)
    print(result.path)
    for line in result.report:
        print(line, file=sys.stderr)
    return EXIT_OK


def _print_problems(problems: Sequence[Problem], args: argparse.Namespace) -> None:
    """Print problems: JSON on stdout for `--format json`, else one line each on stderr."""
    if getattr(args, "format", "text") == "json":
        print(json.dumps({"problems": [p.as_dict() for p in problems]}, indent=2,
                         ensure_ascii=False))
        return
    for problem in problems:
        # A problem in a file names it; any other is the command's own.
        print(problem if problem.path else f"postmortem {args.command}: {problem}",
              file=sys.stderr)


def _print_summary(problems: Sequence[Problem], summary: str) -> None:
    """Print problems as path:line:col lines, then a summary, for people."""
    for problem in problems:
        print(problem, file=sys.stderr)
    print(summary, file=sys.stderr)


def _require_file(path: str) -> None:
    """Refuse a record that is not there, or that is not a regular file (never opened)."""
    from postmortem.workspace.discover import refusal

    if not os.path.lexists(path) or (Path(path).is_symlink() and not Path(path).exists()):
        raise RecordError([Problem(str(path), 1, 1, "no such file")])
    problem = refusal(Path(path))
    if problem:
        raise RecordError([problem])


def _note(args: argparse.Namespace, note: str | None) -> None:
    """Print a note that changes nothing but that the user should know, once."""
    if note:
        print(f"postmortem {args.command}: {note}", file=sys.stderr)


def _formats(command: str, text: str) -> tuple[str, ...] | None:
    """Read a comma-separated list of formats; say which are unknown and return None."""
    formats = tuple(fmt.strip() for fmt in text.split(",") if fmt.strip())
    unknown = [fmt for fmt in formats if fmt not in FORMATS]
    if unknown or not formats:
        _usage(command, f"unknown format {', '.join(unknown) or '(none)'}; "
                        f"available: {', '.join(FORMATS)}")
        return None
    return formats


def _documents(command: str, given: Sequence[str]) -> tuple[str, ...] | None:
    """Read the documents asked for (repeated, or comma-separated); say which are unknown."""
    names = tuple(dict.fromkeys(name.strip() for text in given for name in text.split(",")
                                if name.strip()))
    unknown = [name for name in names if name not in DOCUMENT_NAMES]
    if unknown or not names:
        _usage(command, f"unknown document {', '.join(unknown) or '(none)'}; "
                        f"available: {', '.join(DOCUMENT_NAMES)}")
        return None
    return names


def _period(text: str) -> str:
    from postmortem.analysis.period import parse_period

    try:
        parse_period(text, date.today())
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None
    return text


def _usage(command: str, message: str) -> int:
    print(f"postmortem {command}: error: {message}", file=sys.stderr)
    return EXIT_USAGE


def _no_records(paths: Sequence[str]) -> int:
    print("postmortem: error: " + _("no incident records (*.yaml) in {paths}",
                                    paths=", ".join(paths or [DEFAULT_INCIDENTS])),
          file=sys.stderr)
    return EXIT_INVALID


def _seconds(text: str) -> float:
    try:
        seconds = float(text)
    except ValueError:
        seconds = math.nan
    if not seconds > 0 or math.isinf(seconds):
        raise argparse.ArgumentTypeError(f"not a number of seconds above 0: {text!r}")
    return seconds


def _at_least_one(text: str, what: str) -> int:
    try:
        number = int(text)
    except ValueError:
        number = 0
    if number < 1:
        raise argparse.ArgumentTypeError(f"not {what} of at least 1: {text!r}")
    return number


def _port(text: str) -> int:
    number = _at_least_one(text, "a port number")
    if number > 65535:
        raise argparse.ArgumentTypeError(f"not a port number (1 to 65535): {text!r}")
    return number


def _mebibytes(text: str) -> int:
    return _at_least_one(text, "a whole number of MiB")


def _bounds_arguments(parser: argparse.ArgumentParser) -> None:
    from postmortem.workspace.bounds import MEMORY_LIMIT, TIME_LIMIT

    parser.add_argument("--time-limit", type=_seconds, metavar="SECONDS",
                        help="longest time one record may take to render; past it, the record "
                             f"is reported failed (default: [build] time_limit, else {TIME_LIMIT})")
    parser.add_argument("--memory-limit", type=_mebibytes, metavar="MIB",
                        help="memory (MiB of address space) the process rendering one record "
                             "may map; past it, the record is reported failed (default: "
                             f"[build] memory_limit, else {MEMORY_LIMIT})")


def _job_count(text: str) -> int:
    return _at_least_one(text, "a whole number")


def _jobs_option(command: argparse.ArgumentParser) -> None:
    command.add_argument("--jobs", type=_job_count, metavar="N",
                         help="files checked at once, in as many processes (default: one per "
                              "core; a few files are checked in one)")


def _jobs(args: argparse.Namespace) -> int:
    return args.jobs or os.cpu_count() or 1


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date: {text!r} (use YYYY-MM-DD)") from None


def _messages_option(command: argparse.ArgumentParser) -> None:
    command.add_argument("--lang", dest="messages", choices=MESSAGE_LANGUAGES,
                         help="language of the messages (default: the locale's, from LANGUAGE, "
                              "LC_ALL, LC_MESSAGES or LANG; English if it is neither)")


def build_parser() -> argparse.ArgumentParser:
    """Return the parser of the command line, with one subcommand per command."""
    parser = argparse.ArgumentParser(
        prog="postmortem",
        description="Turn structured incident records into blameless post-incident reviews.",
        epilog="Run 'postmortem COMMAND --help' for the options and an example of each command.",
    )
    parser.add_argument("--version", action="version", version=f"postmortem {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    def command(name: str, summary: str, example: str) -> argparse.ArgumentParser:
        return commands.add_parser(
            name, help=summary, description=summary,
            epilog=f"example:\n  {example}", formatter_class=argparse.RawDescriptionHelpFormatter,
        )

    validate = command("validate", "Check incident records; report every problem as "
                       "path:line:col.", "postmortem validate incidents/")
    validate.add_argument("paths", nargs="*", metavar="PATH",
                          help=f"record files or folders (default: {DEFAULT_INCIDENTS}/)")
    validate.add_argument("--format", choices=("text", "json"), default="text",
                          help="text for people (default), json for machines")
    _jobs_option(validate)
    _messages_option(validate)
    validate.set_defaults(run=_validate)

    render = command("render", "Render one incident record into reports.",
                     "postmortem render incidents/2024-08-03-aphp-datacenter-power-outage.yaml "
                     "--format md -o output")
    render.add_argument("file", metavar="FILE", help="the incident record (YAML)")
    render.add_argument("--format", default="md", help="comma-separated formats (default: md)")
    render.add_argument("--document", action="append", metavar="NAME",
                        help="document to render, repeated or comma-separated: "
                             f"{', '.join(DOCUMENT_NAMES)} (default: full, the review; "
                             "the others are written <id>.<document>.<format>)")
    render.add_argument("-o", "--output", default="output", metavar="DIR",
                        help="output folder (default: output)")
    render.add_argument("--templates", metavar="DIR",
                        help="template folder searched before the bundled templates (default: "
                             "[build] templates of postmortem.toml, else none: ./templates is "
                             "used only when named)")
    _bounds_arguments(render)
    render.set_defaults(run=_render)

    build = command("build", "Render every record of the workspace into the output folder, "
                    "with an index and a review across incidents; only what changed is redone.",
                    "postmortem build --jobs 2 --format md,html,pdf")
    build.add_argument("-o", "--output", metavar="DIR",
                       help="output folder (default: output)")
    build.add_argument("--incidents", metavar="DIR",
                       help=f"folder of incident records (default: {DEFAULT_INCIDENTS})")
    build.add_argument("--format",
                       help="comma-separated formats of each review (default: md,html,pdf; "
                            "a JSON export is always written)")
    build.add_argument("--document", action="append", metavar="NAME",
                       help="documents of each record, repeated or comma-separated: "
                            f"{', '.join(DOCUMENT_NAMES)} (default: [build] documents, else full)")
    build.add_argument("--period", type=_period, metavar="PERIOD",
                       help="period of the review for management: 2024-Q3, 2024-H1, 2024, "
                            "2024-08 or 2024-01-01..2024-06-30 (default: [build] period, else "
                            "the 12 months up to --today)")
    build.add_argument("--jobs", type=int, metavar="N",
                       help="records rendered at once (default: one per core)")
    build.add_argument("--force", action="store_true", help="render everything again")

    def shard(text: str) -> object:  # imported when given: --help stays light
        from postmortem.workspace.shard import Shard

        try:
            return Shard.parse(text)
        except ValueError as error:
            raise argparse.ArgumentTypeError(str(error)) from None

    machines = build.add_mutually_exclusive_group()
    machines.add_argument("--shard", type=shard, metavar="K/N",
                          help="render only the K-th of N shares of the records (dealt by "
                               "size: every machine deals the same shares), with a manifest "
                               "of them and no index, on each of N machines (a CI matrix); "
                               "then --merge their folders")
    machines.add_argument("--merge", nargs="+", metavar="DIR",
                          help="write into the output folder the index, the reviews and "
                               "actions.csv from the JSON exports in the output folders of "
                               "every shard of one split, and copy their records' outputs "
                               "there, rendering no record again")
    build.add_argument("--quiet", action="store_true", help="print nothing but problems")
    build.add_argument("--templates", metavar="DIR",
                       help="template folder searched before the bundled templates (default: "
                            "[build] templates of postmortem.toml, else none: ./templates is "
                            "used only when named)")
    _bounds_arguments(build)
    build.add_argument("--language", choices=LANGUAGES,
                       help="language of the index and of the review across incidents "
                            "(default: en)")
    build.add_argument("--today", type=_date, metavar="YYYY-MM-DD",
                       help="date against which action items are overdue, unless a record's "
                            "earlier as_of says when its knowledge stops (default: today)")
    build.set_defaults(run=_build)

    new = command("new", "Write a new incident record that validates, with comments.",
                  "postmortem new 2025-01-15-database-failover --lang en")
    new.add_argument("id", metavar="ID",
                     help="the incident id, a slug such as 2025-01-15-db-outage")
    new.add_argument("--lang", choices=LANGUAGES, default="en",
                     help="language of the record (default: en)")
    new.add_argument("--dir", default=DEFAULT_INCIDENTS, metavar="DIR",
                     help=f"folder to write it in (default: {DEFAULT_INCIDENTS})")
    new.add_argument("--templates", metavar="DIR", help=argparse.SUPPRESS)
    new.set_defaults(run=_new)

    init = command("init", "Create a workspace: incidents/ with a first record, a commented "
                   "postmortem.toml, a .gitignore for output/.", "postmortem init my-reviews")
    init.add_argument("dir", nargs="?", default=".", metavar="DIR",
                      help="folder of the workspace, created if missing (default: .)")
    init.add_argument("--lang", choices=LANGUAGES, default="en",
                      help="language of the first record (default: en)")
    init.add_argument("--templates", action="store_true",
                      help="also copy the bundled templates into DIR/templates/ to customise "
                           "them, and use that folder")
    init.set_defaults(run=_init)

    schema = command("schema", "Print the JSON Schema (draft 2020-12) of an incident record.",
                     "postmortem schema > incident.schema.json")
    schema.set_defaults(run=_schema)

    lint = command("lint", "Check review quality: blameless wording, action items, completeness "
                   "and coherence (records must validate first).",
                   "postmortem lint incidents/ --format sarif > lint.sarif")
    lint.add_argument("paths", nargs="*", metavar="PATH",
                      help=f"record files or folders (default: {DEFAULT_INCIDENTS}/)")
    lint.add_argument("--format", choices=("text", "json", "sarif"), default="text",
                      help="text for people (default), json for machines, sarif for code scanning")
    lint.add_argument("--today", type=_date, metavar="YYYY-MM-DD",
                      help="date that overdue action items are judged against, unless the "
                           "record's earlier as_of says when its knowledge stops (default: today)")
    _jobs_option(lint)
    _messages_option(lint)
    lint.set_defaults(run=_lint)
    diff = command("diff", "Show what changed between two versions of a record, in its language: "
                   "fields, timeline entries, action items, key figures.",
                   "postmortem diff incidents/2024-08-03-aphp-datacenter-power-outage.yaml "
                   "--rev HEAD~2..HEAD")
    diff.add_argument("files", nargs="+", metavar="FILE",
                      help="one record (compared across git revisions) or two record files")
    diff.add_argument("--rev", metavar="A..B",
                      help="git revisions of the one FILE to compare; 'A' or 'A..' compares A "
                           "with the working copy (default: HEAD against the working copy)")
    diff.add_argument("--format", choices=("md", "text"), default="md",
                      help="md for a pull request comment (default), text for a terminal")
    diff.set_defaults(run=_diff)

    upgrade = command("upgrade", "Rewrite a record of an older schema_version in the current "
                      "one, keeping its comments and layout.",
                      "postmortem upgrade incidents/2023-11-02-queue-backlog.yaml")
    upgrade.add_argument("file", metavar="FILE", help="the incident record (YAML) to rewrite")
    upgrade.set_defaults(run=_upgrade)

    serve = command("serve", "Preview the reports of records while editing them: a local web "
                    "server that re-renders on save and reloads the page, showing problems "
                    "by line.", "postmortem serve incidents/2024-08-03-aphp-datacenter-power-"
                    "outage.yaml")
    serve.add_argument("path", nargs="?", metavar="PATH",
                       help=f"a record, or a folder of records (default: {DEFAULT_INCIDENTS}/)")
    serve.add_argument("--port", type=_port, default=8000,
                       help="port to listen on (default: 8000)")
    serve.add_argument("--host", default="127.0.0.1",
                       help="address to listen on (default: 127.0.0.1, this machine only; "
                            "another address shows the preview to the network)")
    serve.add_argument("--templates", metavar="DIR",
                       help="template folder searched before the bundled templates (default: "
                            "[build] templates of postmortem.toml); watched too")
    serve.set_defaults(run=_serve)

    importing = command("import", "Draft a record from what already holds the facts: a status "
                        "page's incident or a chat channel's export.",
                        "postmortem import statuspage incident.json")
    sources = importing.add_subparsers(dest="kind", metavar="SOURCE", required=True)

    def importer(name: str, summary: str, example: str) -> argparse.ArgumentParser:
        parser = sources.add_parser(
            name, help=summary, description=summary, epilog=f"example:\n  {example}",
            formatter_class=argparse.RawDescriptionHelpFormatter)
        parser.add_argument("--into", metavar="FILE",
                            help="merge into this record, adding only what it lacks and "
                                 "keeping its comments and layout (default: write a new "
                                 "draft)")
        parser.add_argument("--dir", default=DEFAULT_INCIDENTS, metavar="DIR",
                            help=f"folder of the new draft (default: {DEFAULT_INCIDENTS})")
        parser.add_argument("--lang", dest="record_lang", choices=LANGUAGES,
                            help="language of the draft's text (default: the record's with "
                                 "--into, else en)")
        parser.add_argument("--timezone", metavar="ZONE",
                            help="IANA zone of the draft's times (default: the record's with "
                                 "--into, else the source's, else UTC)")
        parser.set_defaults(run=_import)
        return parser

    statuspage = importer(
        "statuspage", "Draft a record from a status page incident (Atlassian Statuspage "
        "JSON): its updates become communications, its statuses the timeline and key "
        "instants, its components the impacts.",
        "curl -s https://status.example.com/api/v2/incidents.json > incidents.json\n  "
        "postmortem import statuspage incidents.json --incident p31zjtct2jer")
    statuspage.add_argument("source", metavar="FILE", help="the JSON of the incident(s)")
    statuspage.add_argument("--incident", metavar="ID",
                            help="the incident to import when the file holds several")
    slack = importer(
        "slack", "Draft a timeline from a Slack export: the channel's pinned messages, or "
        "those with a chosen reaction, with authors as roles and no names.",
        "postmortem import slack export.zip --channel inc-checkout --into "
        "incidents/2024-08-03-checkout-errors.yaml")
    slack.add_argument("source", metavar="EXPORT",
                       help="the workspace export: its .zip, or the folder it unzips to")
    slack.add_argument("--channel", required=True, metavar="NAME",
                       help="the incident channel, by name (#inc-checkout) or id")
    slack.add_argument("--reaction", metavar="NAME",
                       help="messages carrying this reaction are imported, besides pinned "
                            "ones (default: [import.slack] reaction, else pushpin)")
    slack.add_argument("--bots", action="store_true", default=None,
                       help="also import bots' messages (default: [import.slack] bots, "
                            "else no)")
    slack.add_argument("--names", action="store_true", default=None,
                       help="write people's names where they have no role in [import.slack] "
                            "roles (default: a neutral word: the review stays blameless)")

    completion = command("completion", "Print the shell completion script for commands, "
                         "options, record paths and document names.",
                         'eval "$(postmortem completion bash)"   # in ~/.bashrc')
    completion.add_argument("shell", choices=("bash", "zsh", "fish"), help="the shell")
    completion.set_defaults(run=_completion)
    return parser
