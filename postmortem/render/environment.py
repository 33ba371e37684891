"""The Jinja2 environment: user template folders before the bundled ones, filters, errors."""

from __future__ import annotations

import contextvars
import re
from collections.abc import Callable, Iterable, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2
import jinja2.sandbox
from markupsafe import Markup, escape

from postmortem import __version__
from postmortem.errors import Problem, TemplateError
from postmortem.record.model import Assessed, Incident
from postmortem.record.walk import walk_model
from postmortem.render import BUNDLED_TEMPLATES
from postmortem.render.i18n import LABELS, Language
from postmortem.render.neutral import escaped_text, neutral_markdown, offences
from postmortem.render.safety import SAFE_LINK


class InertMarkdown(str):
    """Markdown written from record text already made inert: a table, citations, an address.

    The Markdown templates output it as it is.
    """


#: Set while a review is written again with every record text escaped (see render_inert).
_ESCAPE_ALL = contextvars.ContextVar("escape_all", default=False)


@jinja2.pass_context
def _finalize(context: jinja2.runtime.Context, value: object) -> object:
    """Make inert each record text a Markdown template outputs; leave other outputs alone.

    HTML templates escape every value (autoescape) and the YAML template of a new record
    writes no record text: neither is touched.
    """
    if (not isinstance(value, str) or isinstance(value, InertMarkdown)
            or context.eval_ctx.autoescape or str(context.name).endswith(".yaml.j2")):
        return value
    return escaped_text(value) if _ESCAPE_ALL.get() else neutral_markdown(value)


class _Loader(jinja2.FileSystemLoader):
    """Read templates from folders, refusing a file that is not UTF-8 text at its first line."""

    def get_source(self, environment: jinja2.Environment,
                   template: str) -> tuple[str, str, Callable[[], bool]]:
        try:
            return super().get_source(environment, template)
        except UnicodeDecodeError as exc:
            path = next((str(Path(folder) / template) for folder in self.searchpath
                         if (Path(folder) / template).is_file()), template)
            line = exc.object[:exc.start].count(b"\n") + 1
            raise TemplateError([Problem(
                path, 1, 1, f"template is not UTF-8 text: byte 0x{exc.object[exc.start]:02X} "
                f"on line {line} cannot be read; save the file as UTF-8")]) from None


def environment(language: Language, template_dirs: Sequence[Path] = ()) -> jinja2.Environment:
    """Return the Jinja2 environment: user template folders first, bundled defaults last.

    One environment per language, zone and folders, so that a process rendering many
    records (a build worker) compiles each template once; Jinja2 still reloads a
    template whose file changed.
    """
    return _environment(language, tuple(str(path) for path in template_dirs))


class _CompiledTemplates(jinja2.BytecodeCache):
    """Keep each compiled template in memory, for every environment of the process.

    The environments differ only in their language's filters and words, which a
    template reads when it runs, not when it is compiled: a template compiled for one
    language serves all. A template is known by its file, and compiled again when its
    text changes (Jinja2 compares the text's checksum).
    """

    def __init__(self) -> None:
        self.compiled: dict[str, bytes] = {}

    def load_bytecode(self, bucket) -> None:
        code = self.compiled.get(bucket.key)
        if code is not None:
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket) -> None:
        self.compiled[bucket.key] = bucket.bytecode_to_string()


_COMPILED = _CompiledTemplates()


def precompile(names: Iterable[str], template_dirs: Sequence[Path] = ()) -> None:
    """Compile templates ahead of their first use (a worker does it before any record)."""
    env = environment(Language("en", "UTC"), template_dirs)
    for name in names:
        env.get_template(name)


@lru_cache(maxsize=32)
def _environment(language: Language, template_dirs: tuple[str, ...]) -> jinja2.Environment:
    search_path = [*template_dirs, str(BUNDLED_TEMPLATES)]
    # A template is code that a workspace supplies: it runs in a sandbox, which refuses
    # the attributes (`__globals__`, `__class__`…) that lead out of it, and changes to
    # the values it is given.
    env = jinja2.sandbox.ImmutableSandboxedEnvironment(
        loader=_Loader(search_path),
        undefined=jinja2.StrictUndefined,
        # HTML templates escape every value; Markdown is escaped when HTML is made from it.
        autoescape=jinja2.select_autoescape(enabled_extensions=("html.j2", "svg.j2"),
                                            default_for_string=False),
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        extensions=["jinja2.ext.i18n"],
        finalize=_finalize,
        bytecode_cache=_COMPILED,
    )
    # jinja2.ext.i18n adds this method to the environment, which the stubs cannot know.
    env.install_gettext_callables(  # type: ignore[attr-defined]
        language.translate, language.translate_plural, newstyle=True)
    env.filters.update(
        cell=table_cell,
        inline=inline,
        heading=heading,
        cite=cite,
        when=language.when,
        when_compact=lambda when: language.when(when, compact=True),
        duration=language.duration,
        span=language.span,
        slip=lambda duration: language.duration(duration, signed=True),
        day=language.day,
        instant=language.instant,
        number=language.number,
        count=language.count,
        percent=language.percent,
        quantity=language.quantity,
        quantity_value=language.quantity_value,
        as_of=language.as_of,
        mark=lambda fact: confidence_mark(fact, language),
        mark_html=lambda fact: confidence_mark_html(fact, language),
        css_string=css_string,
        spacing=language.spacing,
        text_after_label=lambda text, indent=2, after="": text_after_label(
            text, indent, after, colon=language.gettext(":")),
        item_text=item_text,
        url_text=url_text,
        code=code_span,
        lang_span=lang_span,
    )
    env.globals.update(label=language.label, version=__version__,
                       confidences_used=confidences_used, sources_cited=sources_cited,
                       table=markdown_table)
    env.tests.update(markdown_block=is_block)
    return env


def confidence_mark(fact: object, language: Language) -> str:
    """Return the Markdown mark of a fact's confidence (' *reported* (why)'), or nothing."""
    level = getattr(fact, "confidence", None)
    if level not in LABELS["confidence"]:
        return ""
    note = inline(getattr(fact, "confidence_note", ""))
    text = f" *{language.label('confidence', level)}*"
    return f"{text} ({note})" if note else text


def confidence_mark_html(fact: object, language: Language) -> Markup:
    """Return the HTML mark of a fact's confidence, its note as a title, or nothing."""
    level = getattr(fact, "confidence", None)
    if level not in LABELS["confidence"]:
        return Markup("")
    note = inline(getattr(fact, "confidence_note", ""))
    title = Markup(' title="{}"').format(note) if note else Markup("")
    return Markup(' <em class="mark"{}>{}</em>').format(
        title, escape(language.label("confidence", level)))


def confidences_used(incident: Incident) -> list[str]:
    """Return the confidence levels that get a mark somewhere in the record, in key order."""
    found = {value.confidence for _, value in walk_model(incident)
             if isinstance(value, Assessed) and value.confidence}
    return [level for level in LABELS["confidence"] if level in found]


def sources_cited(incident: Incident) -> set[str]:
    """Return the ids of the sources that some fact of the record cites."""
    # The record's own `sources` (at the top) lists them; a fact's `sources` cites them.
    return {source_id for loc, value in walk_model(incident)
            if len(loc) > 1 and loc[-1] == "sources" and isinstance(value, list)
            for source_id in value}


#: The start of a Markdown list item: a bullet, or a number and its delimiter.
_LIST_ITEM = re.compile(r"^\s*(?:[-*+]|\d{1,9}[.)])(?:\s+|$)")
#: Lines that open a block of their own: a fence, a quote, a heading or a table row.
_BLOCK_LINE = re.compile(r"^\s{0,3}(?:```|~~~|>|#{1,6}\s|\|)")


def is_block(value: object) -> bool:
    """Tell whether a Markdown text needs a block of its own: paragraphs, a list, a fence."""
    lines = str(value or "").strip().splitlines()
    return any(not line.strip() or _LIST_ITEM.match(line) or _BLOCK_LINE.match(line)
               for line in lines)


# Only the spaces a line may break at: a date's or a duration's no-break spaces stay.
_BREAKING_SPACE = re.compile(r"[ \t\r\n\f\v]+")


def _words(line: str) -> list[str]:
    return [word for word in _BREAKING_SPACE.split(line) if word]


def inline(value: object) -> str:
    """Fold a Markdown text into one line: paragraphs run on, list items join with '; '."""
    pieces: list[tuple[bool, list[str]]] = []  # (is a list item, words)
    new_piece = True
    for line in str(value or "").splitlines():
        if not line.strip():
            new_piece = True
            continue
        item = _LIST_ITEM.match(line)
        if item:
            pieces.append((True, _words(line[item.end():])))
        elif new_piece or not pieces:
            pieces.append((False, _words(line)))
        else:
            pieces[-1][1].extend(_words(line))
        new_piece = False
    text = ""
    previous_item = False
    for is_item, words in pieces:
        piece = " ".join(words)
        if not piece:
            continue
        if not text:
            text = piece
        elif (is_item or previous_item) and not text.endswith(":"):
            # "a; b" reads as a list in a table cell; its items' own stops would double it.
            text = text.rstrip(" .;,") + "; " + piece
        else:
            text += " " + piece
        previous_item = is_item
    return text


#: What opens a code fence: up to three spaces, then three backticks or tildes.
_FENCE_OPENING = re.compile(r"^( {0,3})([`~])(?=\2\2)")
#: A pipe and the backslashes right before it.
_PIPE = re.compile(r"(\\*)\|")


def table_cell(value: object) -> str:
    """Make a value safe inside a Markdown table cell: one line, inert, pipes escaped.

    A pipe already escaped (after an odd number of backslashes) stays as it is; any other
    gets a backslash of its own, so that no renderer, whichever way it reads `\\|`,
    starts a cell inside the value. An empty value is written "—".
    """
    # A cell is one line of inline text: what opens a code fence at the start of a text
    # is text there, and must not be read (and closed) as a fence.
    text = neutral_markdown(_FENCE_OPENING.sub(r"\1\\\2", inline(value)))
    if not text:
        return "—"
    return _PIPE.sub(lambda pipe: pipe[0] if len(pipe[1]) % 2 else pipe[1] + "\\|", text)


def markdown_table(header: Sequence[object], rows: Iterable[Sequence[object]]) -> str:
    """Write a Markdown table; leave out the columns that are empty on every row.

    Every cell is folded to one line, made inert, with its pipes escaped; an empty cell
    ("" or "—") of a column that some row fills is written "—". No rows, no table.
    """
    cells = [[table_cell(value) for value in row] for row in rows]
    if not cells:
        return ""
    width = len(header)
    if any(len(row) != width for row in cells):
        raise ValueError(f"every row of a table has {width} cells, like its header")
    kept = [column for column in range(width) if any(row[column] != "—" for row in cells)]
    if not kept:
        return ""
    lines = [[table_cell(header[column]) for column in kept], ["---"] * len(kept),
             *([row[column] for column in kept] for row in cells)]
    return InertMarkdown("".join("| " + " | ".join(line) + " |\n" for line in lines))


def _indented(text: str, indent: int, first: bool) -> str:
    """Indent every line of a text (but the first unless `first`), leaving blank lines empty."""
    pad = " " * indent
    lines = text.splitlines()
    return "\n".join(
        (pad + line if line.strip() and (first or index) else line)
        for index, line in enumerate(lines))


def text_after_label(value: object, indent: int = 2, after: str = "", colon: str = ":") -> str:
    """Write a text that follows a bold label, "**Label**": on its line, or as a block under it.

    A text of one paragraph runs on after the colon; paragraphs or a list start on their
    own lines under the label, indented by `indent` (the list item's content column), so
    that they render as Markdown. `after` (citations, a confidence mark) follows the text
    on its line, or the label when the text is a block.
    """
    text = str(value or "").strip()
    if not text:
        return after
    if not is_block(text):
        return f"{colon} {inline(text)}{after}"
    return f"{after}{colon}\n\n{_indented(text, indent, first=True)}\n"


def item_text(value: object, indent: int = 2, after: str = "") -> str:
    """Write a text that is a list item's whole content: on the item's line, or as blocks.

    `after` (citations, a confidence mark) ends the text, in a paragraph of its own after
    a fenced block, which would otherwise swallow it.
    """
    text = str(value or "").strip()
    if not is_block(text):
        return inline(text) + after
    body = _indented(text, indent, first=False)
    if after and re.match(r"\s*(?:```|~~~)", text.splitlines()[-1]):
        return f"{body}\n\n{' ' * indent}{after.strip()}"
    return body + after


#: What a Markdown autolink takes: an absolute URI without spaces or angle brackets.
_AUTOLINK = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]{1,31}:[^\s<>]*$")


def url_text(value: object) -> str:
    """Write an address as visible text: an autolink to a web or mail address, else code."""
    url = str(value or "").strip()
    if _AUTOLINK.match(url) and SAFE_LINK.match(url):
        return InertMarkdown(f"<{url}>")
    return InertMarkdown(code_span(url))


def code_span(value: object) -> str:
    """Write a text as a Markdown code span, whatever backticks it holds."""
    text = inline(value)
    ticks = "`" * (max((len(run) for run in re.findall(r"`+", text)), default=0) + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{ticks}{pad}{text}{pad}{ticks}"


def lang_span(value: object, lang: str) -> str:
    """Mark a text as written in another language: `[text]{lang="en"}` (a bracketed span)."""
    text = re.sub(r"([\\\[\]])", r"\\\1", inline(value))
    return f'[{text}]{{lang="{lang}"}}'


def heading(value: object) -> str:
    """Fold a text into one line without trailing punctuation, for a Markdown heading."""
    return inline(value).rstrip(".:;,!?")


def css_string(value: object) -> Markup:
    """Escape a text for a double-quoted CSS string inside an HTML <style> element."""
    safe = []
    for char in inline(value):
        if char.isalnum() or char in " .,;:!?'()-_/·":
            safe.append(char)
        else:
            safe.append(f"\\{ord(char):x} ")
    return Markup("".join(safe))


def cite(source_ids: Sequence[str]) -> str:
    """Return footnote references to the given sources (their ids are slugs)."""
    return InertMarkdown("".join(f"[^{source_id}]" for source_id in source_ids))


def render_template(env: jinja2.Environment, name: str, **values: Any) -> str:
    """Render a template; raise TemplateError naming the template's file and line."""
    try:
        return env.get_template(name).render(**values)
    except jinja2.TemplateError as exc:
        raise TemplateError([template_problem(exc, env)]) from None


def render_inert(env: jinja2.Environment, name: str, **values: Any) -> str:
    """Render a Markdown template; check that no record text made anything a forge runs.

    Each record text is made inert where the template outputs it; two texts side by side
    could still make a construct that neither holds alone (an author named `[click`
    followed by one named `](javascript:…)`). The whole review is checked as a forge
    parses it, and such a review is written again with every record text escaped to
    plain text. What a workspace's own template writes (raw HTML in its text, say) is
    its own: it is found in both writings, and does not change the review.
    """
    text = render_template(env, name, **values)
    found = offences(text, review=True)
    if not found:
        return text
    token = _ESCAPE_ALL.set(True)
    try:
        escaped = render_template(env, name, **values)
    finally:
        _ESCAPE_ALL.reset(token)
    return text if sorted(offences(escaped, review=True)) == sorted(found) else escaped


def template_problem(exc: jinja2.TemplateError, env: jinja2.Environment | None = None) -> Problem:
    """Turn a template error into a problem that names the template file and line."""
    filename = getattr(exc, "filename", None)
    line = getattr(exc, "lineno", None)
    if filename is None or line is None:
        trace = exc.__traceback__
        while trace is not None:
            code = trace.tb_frame.f_code
            if code.co_filename.endswith(".j2"):
                filename, line = code.co_filename, trace.tb_lineno
            trace = trace.tb_next
    if isinstance(exc, jinja2.TemplateNotFound):
        message = _not_found(exc, env, filename)
    elif isinstance(exc, jinja2.sandbox.SecurityError):
        message = f"unsafe access refused (templates run in a sandbox): {exc.message or exc}"
    else:
        message = str(exc.message or exc)
    if filename is None and isinstance(exc, jinja2.TemplateNotFound) and env is not None:
        filename = exc.name
    return Problem(str(filename or "<template>"), line or 1, 1, f"template: {message}")


def _not_found(exc: jinja2.TemplateNotFound, env: jinja2.Environment | None,
               including: str | None) -> str:
    """Say which template is missing, who wanted it and where it was looked for."""
    names = getattr(exc, "templates", None) or [exc.name]
    missing = " or ".join(f"{str(name)!r}" for name in names)
    folders = list(getattr(env.loader, "searchpath", [])) if env is not None else []
    where = ", ".join(folders) if folders else "the template folders"
    if including is None:
        return f"no template {missing} in {where}"
    return (f"{Path(including).name} includes {missing}, which is in none of the template "
            f"folders ({where}): add it to one of them or remove the include")

