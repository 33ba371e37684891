"""The command line: a thin shell that parses arguments and turns errors into messages."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

import jinja2

from . import __version__
from .errors import Problem, RecordError, RenderError

EXIT_OK, EXIT_INVALID, EXIT_USAGE = 0, 1, 2
DEFAULT_INCIDENTS = "incidents"


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line with `argv` (default: sys.argv[1:]); return the exit status."""
    parser = _parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse exits 2 on usage errors, 0 on --help
        return int(exc.code or 0)
    if not args.command:
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    try:
        return args.run(args)
    except RecordError as exc:
        _report(exc.problems, getattr(args, "format", "text"))
        return EXIT_INVALID
    except KeyboardInterrupt:
        print("postmortem: interrupted", file=sys.stderr)
        return 130


def _validate(args: argparse.Namespace) -> int:
    from .pipeline import find_records
    from .validate import read_incident

    files = find_records(args.paths or [DEFAULT_INCIDENTS])
    results = []
    for path in files:
        try:
            read_incident(path)
            results.append((path, []))
        except RecordError as exc:
            results.append((path, exc.problems))
        except OSError as exc:
            results.append((path, [Problem(str(path), 1, 1, f"cannot read: {exc.strerror}")]))
    problems = [problem for _, file_problems in results for problem in file_problems]
    invalid = sum(1 for _, file_problems in results if file_problems)
    if args.format == "json":
        print(json.dumps({
            "valid": not problems and bool(files),
            "files": [{"path": str(path), "valid": not found,
                       "problems": [p.as_dict() for p in found]} for path, found in results],
        }, indent=2, ensure_ascii=False))
    else:
        for problem in problems:
            print(problem, file=sys.stderr)
        if files:
            print(f"{len(files)} record(s) checked, {invalid} invalid, "
                  f"{len(problems)} problem(s)", file=sys.stderr)
    if not files:
        print(f"postmortem: error: no incident records (*.yaml) in "
              f"{', '.join(args.paths or [DEFAULT_INCIDENTS])}", file=sys.stderr)
        return EXIT_INVALID
    return EXIT_INVALID if problems else EXIT_OK


def _render(args: argparse.Namespace) -> int:
    from .pipeline import FORMATS, render_file

    formats = [fmt.strip() for fmt in args.format.split(",") if fmt.strip()]
    unknown = [fmt for fmt in formats if fmt not in FORMATS]
    if unknown or not formats:
        print(f"postmortem render: error: unknown format {', '.join(unknown) or '(none)'}; "
              f"available: {', '.join(FORMATS)}", file=sys.stderr)
        return EXIT_USAGE
    if not Path(args.file).is_file():
        print(f"{args.file}:1:1: error: no such file", file=sys.stderr)
        return EXIT_INVALID
    try:
        written = render_file(args.file, Path(args.output), formats, _template_dirs(args))
    except jinja2.TemplateError as exc:
        print(_template_problem(exc), file=sys.stderr)
        return EXIT_INVALID
    except OSError as exc:
        print(f"postmortem render: error: {exc.filename or args.file}: {exc.strerror}",
              file=sys.stderr)
        return EXIT_INVALID
    except RenderError as exc:
        print(f"{args.file}:1:1: error: {exc}", file=sys.stderr)
        return EXIT_INVALID
    for path in written:
        print(path)
    return EXIT_OK


def _new(args: argparse.Namespace) -> int:
    from .scaffold import ScaffoldError, write_new_record

    try:
        path = write_new_record(args.id, Path(args.dir), lang=args.lang,
                                template_dirs=_template_dirs(args))
    except ScaffoldError as exc:
        print(f"postmortem new: error: {exc}", file=sys.stderr)
        return EXIT_INVALID
    print(path)
    return EXIT_OK


def _schema(args: argparse.Namespace) -> int:
    from .model import json_schema

    print(json.dumps(json_schema(), indent=2, ensure_ascii=False))
    return EXIT_OK


def _report(problems: list[Problem], fmt: str) -> None:
    if fmt == "json":
        print(json.dumps({"problems": [p.as_dict() for p in problems]}, indent=2,
                         ensure_ascii=False))
    else:
        for problem in problems:
            print(problem, file=sys.stderr)


def _template_dirs(args: argparse.Namespace) -> list[Path]:
    """Return the user's template folders: --templates, else ./templates if present."""
    if args.templates:
        return [Path(args.templates)]
    workspace = Path("templates")
    return [workspace] if workspace.is_dir() else []


def _template_problem(exc: jinja2.TemplateError) -> Problem:
    """Turn a template error into a problem that names the template file and line."""
    filename = getattr(exc, "filename", None) or getattr(exc, "name", None)
    line = getattr(exc, "lineno", None)
    if filename is None or line is None:
        trace = exc.__traceback__
        while trace is not None:
            code = trace.tb_frame.f_code
            if code.co_filename.endswith(".j2"):
                filename, line = code.co_filename, trace.tb_lineno
            trace = trace.tb_next
    return Problem(str(filename or "<template>"), line or 1, 1, f"template: {exc.message or exc}")


def _parser() -> argparse.ArgumentParser:
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
    validate.set_defaults(run=_validate)

    render = command("render", "Render one incident record into reports.",
                     "postmortem render incidents/2024-08-03-aphp-datacenter-power-outage.yaml "
                     "--format md -o output")
    render.add_argument("file", metavar="FILE", help="the incident record (YAML)")
    render.add_argument("--format", default="md", help="comma-separated formats (default: md)")
    render.add_argument("-o", "--output", default="output", metavar="DIR",
                        help="output folder (default: output)")
    render.add_argument("--templates", metavar="DIR",
                        help="template folder searched before the bundled templates "
                             "(default: ./templates when it exists)")
    render.set_defaults(run=_render)

    new = command("new", "Write a new incident record that validates, with comments.",
                  "postmortem new 2025-01-15-database-failover --lang en")
    new.add_argument("id", metavar="ID", help="the incident id, a slug such as 2025-01-15-db-outage")
    new.add_argument("--lang", choices=("fr", "en"), default="en",
                     help="language of the record (default: en)")
    new.add_argument("--dir", default=DEFAULT_INCIDENTS, metavar="DIR",
                     help=f"folder to write it in (default: {DEFAULT_INCIDENTS})")
    new.add_argument("--templates", metavar="DIR", help=argparse.SUPPRESS)
    new.set_defaults(run=_new)

    schema = command("schema", "Print the JSON Schema (draft 2020-12) of an incident record.",
                     "postmortem schema > incident.schema.json")
    schema.set_defaults(run=_schema)
    return parser
