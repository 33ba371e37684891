"""The documents one record is told in: the full review, and one for each audience.

The board reads an executive page, the public a statement, the regulator a final report
and the health authority a declaration. Each has its own templates (`<name>.md.j2`,
`<name>.html.j2`, overridable like the others); the facts it shows are gathered in
`postmortem.analysis`. A document that leaves the organisation is rendered from a
redacted copy of the record (`postmortem.record.redact`), so that what is marked
internal never reaches its templates, and its outputs are checked for the record's
internal names before they are given back.
"""

from __future__ import annotations

import html as html_module
import importlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from markupsafe import Markup

from postmortem.analysis.derive import Report, derive
from postmortem.analysis.history import History
from postmortem.errors import Problem, RenderError
from postmortem.i18n import N_
from postmortem.record.redact import Audience
from postmortem.render import DOCUMENT_NAMES
from postmortem.render.document_date import document_datetime
from postmortem.render.environment import environment, render_inert, render_template
from postmortem.render.i18n import Language
from postmortem.render.markdown import tidy
from postmortem.render.page import (
    can_print,
    markdown_inline_to_html,
    markdown_to_html,
    with_screen_fonts,
)
from postmortem.render.settings import RenderSettings


@dataclass(frozen=True)
class DocumentKind:
    """One of the documents a record can be rendered as, and how it is rendered."""

    name: str
    title: str
    """Its name for a reader, translated when shown ("Public statement")."""
    audience: Audience | None = None
    """Who it is redacted for: 'public', 'authority'; None: internal, nothing is left out."""
    regulatory: bool = False
    """A draft for an authority: always marked as a draft to check, not legal advice."""
    lang: str | None = None
    """The language it is always written in; None: the record's."""
    one_page: bool = False
    """Printed on one page: rendered at rising `detail` until it fits."""
    facts: str = ""
    """The function that gathers what it shows, as "module:function" (given the Report)."""
    attaches_record: bool = False
    """Whether its PDF carries the record it was made from (never a redacted document's)."""
    short_title: str = ""
    """Its name in a list of documents (the index), when shorter than its title."""

    @property
    def listed_as(self) -> str:
        """Return its name in a list of documents, untranslated."""
        return self.short_title or self.title


DOCUMENTS: dict[str, DocumentKind] = {
    kind.name: kind for kind in (
        DocumentKind("full", N_("Post-incident review"), attaches_record=True),
        DocumentKind("executive", N_("Executive summary"), one_page=True,
                     facts="postmortem.analysis.audiences:executive_facts",
                     attaches_record=True),
        DocumentKind("public", N_("Public statement"), audience="public",
                     facts="postmortem.analysis.audiences:public_facts"),
        DocumentKind("nis2", N_("NIS2 final report"), audience="authority", regulatory=True,
                     facts="postmortem.analysis.regulatory:nis2_facts"),
        DocumentKind("declaration", N_("Declaration of a serious information-system incident"),
                     audience="authority", regulatory=True, lang="fr",
                     facts="postmortem.analysis.regulatory:declaration_facts",
                     short_title=N_("Declaration (health sector)")),
    )
}
assert tuple(DOCUMENTS) == DOCUMENT_NAMES, "every document name has its kind"

#: The formats a document other than the full review is written in (no JSON export).
DOCUMENT_FORMATS = ("md", "html", "pdf")


def document_report(report: Report, kind: DocumentKind) -> Report:
    """Return the report a document is rendered from: redacted for its audience, if any.

    The redacted record is derived again, on the same knowledge day, so that every
    figure is computed from what the audience may read; its history keeps the commits
    (a version stamp) but not who made them or what they wrote about them.
    """
    if kind.audience is None:
        return report
    from postmortem.record.redact import redacted

    incident = redacted(report.incident, kind.audience, kind.lang)
    history = report.history
    if history is not None:
        history = History(history.state, [replace(revision, author="", subject="")
                                           for revision in history.revisions])
    return derive(incident, history=history, today=report.knowledge_day,
                  silenced_overdue=report.silenced_overdue)


def document_language(report: Report, kind: DocumentKind,
                      settings: RenderSettings) -> Language:
    """Return the language a document is written in: its own, else the record's."""
    language = settings.report_language(report)
    incident = report.incident
    if kind.lang is None or kind.lang == language.code:
        return language
    return settings.language(kind.lang, incident.timezone, None, with_year=language.with_year)


def gather_facts(kind: DocumentKind, report: Report) -> object:
    """Return what a document shows beyond the report, from its `facts` function."""
    if not kind.facts:
        return None
    module, function = kind.facts.split(":")
    gather: Callable[[Report], object] = getattr(importlib.import_module(module), function)
    return gather(report)


def levels_of(kind: DocumentKind) -> int:
    """Return how many levels of detail a one-page document can be rendered at."""
    if not kind.one_page:
        return 1
    from postmortem.analysis.audiences import EXECUTIVE_LEVELS

    return EXECUTIVE_LEVELS


def render_document(report: Report, name: str, settings: RenderSettings | None = None,
                    formats: Sequence[str] = DOCUMENT_FORMATS, source: bytes = b"",
                    source_path: str = "") -> dict[str, str | bytes]:
    """Render one document of a record other than the full review; return it by format.

    `report` is the full record's; `source` its bytes, attached to the PDF of an internal
    document. A one-page document is rendered at detail 0, 1, … until its PDF has one
    page; the last level is built to fit any record.
    """
    kind = DOCUMENTS[name]
    settings = settings or RenderSettings()
    shown = document_report(report, kind)
    language = document_language(shown, kind, settings)
    env = environment(language, settings.template_dirs)
    facts = gather_facts(kind, shown)
    stamp = document_datetime(shown.incident, shown.history)

    def values(detail: int, embedded: bool) -> dict[str, object]:
        return {"report": shown, "incident": shown.incident, "document": kind, "facts": facts,
                "detail": detail, "embedded": embedded, "lang": language.code}

    def markdown(detail: int, embedded: bool) -> str:
        return tidy(render_inert(env, f"{name}.md.j2", **values(detail, embedded)))

    def page(detail: int) -> str:
        body, _ = markdown_to_html(markdown(detail, embedded=True), spacing=language.spacing,
                                   lang=language.code)
        # Without the screen fonts, which printing never uses: the HTML output adds them.
        return render_template(
            env, f"{name}.html.j2", **values(detail, embedded=False), body=body,
            document_date=stamp.strftime("%Y-%m-%dT%H:%M:%SZ"),
            inline_html=lambda text: Markup(markdown_inline_to_html(
                str(text or ""), spacing=language.spacing, lang=language.code)))

    detail = 0
    outputs: dict[str, str | bytes] = {}
    html = page(0)
    if kind.one_page and can_print():
        from postmortem.render.pdf import page_count

        last = levels_of(kind) - 1
        while detail < last and page_count(html) > 1:
            detail += 1
            html = page(detail)
    if "md" in formats:
        outputs["md"] = markdown(detail, embedded=False)
    if "html" in formats:
        outputs["html"] = with_screen_fonts(html)
    if "pdf" in formats:
        from postmortem.render.pdf import print_pdf, record_xmp

        attachments = ([(source, _attachment_name(source_path),
                         "Incident record (YAML) this document was produced from")]
                       if kind.attaches_record and source else [])
        outputs["pdf"] = print_pdf(html, stamp, xmp=record_xmp(shown, document=name),
                                   attachments=attachments, where=source_path)
    if kind.audience is not None:
        markdown_text = outputs.get("md", "")
        _check_withheld(report, kind, {"md": str(markdown_text), "html": html}, source_path)
    return outputs


def _attachment_name(source_path: str) -> str:
    return Path(source_path).name or "record.yaml"


def _check_withheld(report: Report, kind: DocumentKind, texts: dict[str, str],
                    where: str) -> None:
    """Refuse a redacted document in which an internal name of the record still shows.

    Redaction removes them from the record; a workspace template that prints something
    redaction cannot reach (a value it computes) would still be caught here. The PDF is
    printed from the HTML page checked here, its metadata from the same redacted record.
    """
    from postmortem.record.redact import internal_names, name_pattern

    pattern = name_pattern(internal_names(report.incident))
    if pattern is None:
        return
    for fmt, text in texts.items():
        if fmt == "html":
            text = html_module.unescape(text)
        found = pattern.search(text)
        if found:
            raise RenderError([Problem(where, 1, 1, (
                f"the {kind.name} document ({fmt}) shows {found[0]!r}, which the record "
                f"lists in internal_names: a template prints it; nothing was written"))])
