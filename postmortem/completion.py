"""Shell completion (bash, zsh, fish): commands, options, record paths, documents, formats."""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import date

import argcomplete

from postmortem.render import DOCUMENT_NAMES, FORMATS
from postmortem.workspace.discover import RECORD_SUFFIXES

#: The shells a completion script is printed for.
SHELLS = ("bash", "zsh", "fish")
#: Positional arguments naming incident records, files or folders (validate, lint, render,
#: diff, upgrade): matched by name so that a new command's record argument is completed too.
RECORD_DESTS = frozenset({"paths", "file", "files"})
#: Arguments whose value is a folder (-o/--output, --incidents, --templates, --dir, init's DIR,
#: the shard folders of build --merge).
FOLDER_DESTS = frozenset({"output", "incidents", "templates", "dir", "merge"})

#: What argcomplete calls with the word under the cursor (`prefix`) and the arguments parsed
#: before it (`parsed_args`); a mapping gives each completion a description (zsh and fish).
Completer = Callable[..., Iterable[str] | Mapping[str, str]]


def complete(parser: argparse.ArgumentParser) -> None:
    """Answer the shell's completion request on `parser`, then exit the process."""
    for each in _parsers(parser):
        for action in each._actions:
            completer = _completer(action)
            if completer is not None:
                # argcomplete reads the completer from this attribute of the action.
                action.completer = completer  # type: ignore[attr-defined]
    # Options are offered once a "-" is typed, so that a tab after `render` lists records
    # rather than every option. A value nothing here completes (an id, a number, a git
    # revision) gets no suggestion rather than every file (bash still offers its own files).
    argcomplete.autocomplete(parser, always_complete_options=False,
                             default_completer=argcomplete.SuppressCompleter())


def shell_script(shell: str) -> str:
    """Return the script that makes `shell` complete the `postmortem` command."""
    if shell not in SHELLS:
        raise ValueError(f"no completion script for {shell!r}; available: {', '.join(SHELLS)}")
    return argcomplete.shellcode(["postmortem"], shell=shell)


def _parsers(parser: argparse.ArgumentParser) -> Iterator[argparse.ArgumentParser]:
    """Yield `parser` and the parsers of its commands, at any depth."""
    yield parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for command in dict.fromkeys(action.choices.values()):  # an alias shares its parser
                yield from _parsers(command)


def _completer(action: argparse.Action) -> Completer | None:
    """Return what completes the value of `action`, or None to leave it to argcomplete."""
    if action.nargs == 0 or isinstance(action, argparse._SubParsersAction):
        return None  # a flag takes no value; commands are completed by argcomplete itself
    options = set(action.option_strings)
    if not options and action.dest in RECORD_DESTS:
        return _records
    if "--document" in options:
        return _comma_list(DOCUMENT_NAMES, action.dest)
    if "--format" in options and action.choices is None:  # with choices, argcomplete has them
        return _comma_list(FORMATS, action.dest)
    if "--period" in options:
        return _periods
    if action.dest in FOLDER_DESTS:
        return _folders
    return None


def _records(prefix: str, **_: object) -> list[str]:
    """Complete a record path: folders, and files named like a record (*.yaml, *.yml)."""
    return _paths(prefix, lambda name: os.path.splitext(name)[1] in RECORD_SUFFIXES)


def _folders(prefix: str, **_: object) -> list[str]:
    """Complete a folder path."""
    return _paths(prefix, lambda name: False)


def _paths(prefix: str, keep: Callable[[str], bool]) -> list[str]:
    """List the folders (ending in /) and the kept files whose path begins with `prefix`."""
    # The folder stays as typed (a leading ~ included), since the shell replaces the word.
    typed, _, start = prefix.rpartition("/")
    typed = typed + "/" if "/" in prefix else ""
    try:
        with os.scandir(os.path.expanduser(typed) or ".") as listing:
            entries = [entry for entry in listing if entry.name.startswith(start)]
    except OSError:  # a folder that is not there or may not be read has nothing to offer
        return []
    found = []
    for entry in entries:
        if entry.name.startswith(".") and not start.startswith("."):
            continue  # hidden, as the shell's own completion hides it
        try:
            folder = entry.is_dir()  # follows a link, so a link to a folder is one
        except OSError:
            continue
        if folder:
            found.append(f"{typed}{entry.name}/")
        elif keep(entry.name):
            found.append(typed + entry.name)
    return sorted(found)


def _comma_list(names: Sequence[str], dest: str) -> Completer:
    """Return a completer of comma-separated `names` (`md,` → `md,html`), each named once."""

    def complete(prefix: str, parsed_args: argparse.Namespace | None = None,
                 **_: object) -> list[str]:
        done, comma, current = prefix.rpartition(",")
        given = getattr(parsed_args, dest, None)
        # A repeated option (--document full --document public) has its earlier values here.
        earlier = given if isinstance(given, list) else []
        chosen = {name.strip() for text in [*earlier, done] for name in text.split(",")}
        return [f"{done}{comma}{name}" for name in names
                if name.startswith(current) and name not in chosen]

    return complete


def _periods(prefix: str, parsed_args: argparse.Namespace | None = None,
             **_: object) -> dict[str, str]:
    """Offer this year, its quarters so far, the last quarter and last year, as of --today."""
    given = getattr(parsed_args, "today", None)
    today = given if isinstance(given, date) else date.today()
    year, quarter = today.year, (today.month - 1) // 3 + 1
    periods = {str(year): "this year"}
    for earlier in range(1, quarter):
        periods[f"{year}-Q{earlier}"] = f"quarter {earlier} of this year"
    periods[f"{year}-Q{quarter}"] = "this quarter"
    if quarter == 1:  # in January the quarter to review is the year before's last
        periods[f"{year - 1}-Q4"] = "last quarter"
    periods[str(year - 1)] = "last year"
    return periods
