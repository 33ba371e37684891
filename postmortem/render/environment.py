"""The Jinja2 environment: user template folders before the bundled ones, filters, errors."""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup, escape
from pydantic import BaseModel

from postmortem import __version__
from postmortem.errors import Problem, TemplateError
from postmortem.record.model import Assessed, Incident
from postmortem.render import BUNDLED_TEMPLATES
from postmortem.render.i18n import LABELS, Language


def environment(language: Language, template_dirs: Sequence[Path] = ()) -> jinja2.Environment:
    """Return the Jinja2 environment: user template folders first, bundled defaults last.

    One environment per language, zone and folders, so that a process rendering many
    records (a build worker) compiles each template once; Jinja2 still reloads a
    template whose file changed.
    """
    return _environment(language.code, language.zone_name,
                        tuple(str(path) for path in template_dirs))


@lru_cache(maxsize=32)
def _environment(lang: str, zone: str, template_dirs: tuple[str, ...]) -> jinja2.Environment:
    language = Language(lang, zone)
    search_path = [*template_dirs, str(BUNDLED_TEMPLATES)]
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(search_path),
        undefined=jinja2.StrictUndefined,
        # HTML templates escape every value; Markdown is escaped when HTML is made from it.
        autoescape=jinja2.select_autoescape(enabled_extensions=("html.j2", "svg.j2"),
                                            default_for_string=False),
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        extensions=["jinja2.ext.i18n"],
    )
    # jinja2.ext.i18n adds this method to the environment, which the stubs cannot know.
    env.install_gettext_callables(  # type: ignore[attr-defined]
        language.gettext, language.ngettext, newstyle=True)
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
    )
    env.globals.update(label=language.label, version=__version__,
                       confidences_used=confidences_used)
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
    found: set[str] = set()

    def visit(value: object) -> None:
        if isinstance(value, Assessed) and value.confidence:
            found.add(value.confidence)
        if isinstance(value, BaseModel):
            for name in type(value).model_fields:
                visit(getattr(value, name))
        elif isinstance(value, list | tuple):
            for item in value:
                visit(item)

    visit(incident)
    return [level for level in LABELS["confidence"] if level in found]


def table_cell(value: object) -> str:
    """Make a value safe inside a Markdown table cell: one line, pipes escaped."""
    text = inline(value)
    return text.replace("|", r"\|") if text else "—"


def inline(value: object) -> str:
    """Fold a multi-line text into one line, for list items and table cells."""
    return " ".join(str(value or "").split())


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
    """Return footnote references to the given sources."""
    return "".join(f"[^{source_id}]" for source_id in source_ids)


def render_template(env: jinja2.Environment, name: str, **values: Any) -> str:
    """Render a template; raise TemplateError naming the template's file and line."""
    try:
        return env.get_template(name).render(**values)
    except jinja2.TemplateError as exc:
        raise TemplateError([template_problem(exc)]) from None


def template_problem(exc: jinja2.TemplateError) -> Problem:
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
