"""Turn the Markdown review into an HTML page: safe by construction, with a contents list."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from markdown_it import MarkdownIt
from markdown_it.token import Token
from markupsafe import Markup
from mdit_py_plugins.anchors import anchors_plugin
from mdit_py_plugins.footnote import footnote_plugin

from postmortem.analysis.derive import Report
from postmortem.render.document_date import document_datetime
from postmortem.render.environment import environment, render_template
from postmortem.render.i18n import Language
from postmortem.render.markdown import render_markdown
from postmortem.render.safety import DATA_IMAGE, SAFE_LINK, SIBLING_REPORT


@dataclass(frozen=True)
class Heading:
    """A section of the review, for the table of contents."""

    level: int
    anchor: str
    text: str


def markdown_parser() -> MarkdownIt:
    """Return the parser: CommonMark with tables, footnotes and heading anchors; no raw HTML."""
    parser = MarkdownIt("commonmark", {"html": False, "typographer": False, "linkify": False})
    parser.enable("table")
    parser.use(footnote_plugin)
    parser.use(anchors_plugin, min_level=2, max_level=3, permalink=False)
    # One number per source, however often it is cited: "[2]", not "[2:1]".
    parser.add_render_rule(
        "footnote_caption",
        lambda self, tokens, idx, options, env: f"[{tokens[idx].meta['id'] + 1}]")
    return parser


def markdown_to_html(markdown: str, sibling_links: bool = False,
                     spacing: Callable[[str], str] = str) -> tuple[Markup, list[Heading]]:
    """Convert Markdown to an HTML fragment and list its headings.

    `sibling_links` keeps links to other reports of the same folder (`<id>.html`);
    `spacing` adjusts the spaces of prose (never of code) to the language's typography.
    """
    parser = markdown_parser()
    tokens = parser.parse(markdown)
    headings = []
    for index, token in enumerate(tokens):
        if token.type == "heading_open":
            headings.append(Heading(int(token.tag[1]), str(token.attrs.get("id", "")),
                                    tokens[index + 1].content))
        if token.type == "inline" and token.children:
            _neutralise(token.children, sibling_links)
            for child in token.children:
                if child.type == "text":
                    child.content = spacing(child.content)
    return Markup(parser.renderer.render(tokens, parser.options, {})), headings


def _neutralise(children: list[Token], sibling_links: bool) -> None:
    """Replace unsafe images by their text and unsafe links by plain text, in place."""
    for position, child in enumerate(children):
        href = str(child.attrs.get("href", ""))
        if child.type == "image" and not DATA_IMAGE.match(str(child.attrs.get("src", ""))):
            text = Token("text", "", 0, content=f"[{child.content}]" if child.content else "")
            children[position] = text
        elif child.type == "link_open" and not (
                SAFE_LINK.match(href) or (sibling_links and SIBLING_REPORT.match(href))):
            closing = next(i for i in range(position + 1, len(children))
                           if children[i].type == "link_close")
            children[position] = Token("text", "", 0, content="")
            children[closing] = Token("text", "", 0, content="")


def render_html(report: Report, template_dirs: Sequence[Path] = ()) -> str:
    """Return the review as a standalone HTML page (the PDF is printed from the same page)."""
    from postmortem.render.chart import timeline_svg  # only the HTML and PDF outputs draw the chart

    incident = report.incident
    language = Language(incident.lang, incident.timezone)
    markdown = render_markdown(report, template_dirs, embedded=True)
    body, headings = markdown_to_html(markdown, spacing=language.spacing)
    summary, _ = markdown_to_html(incident.summary, spacing=language.spacing)
    return render_template(
        environment(language, template_dirs), "report.html.j2",
        report=report,
        incident=incident,
        body=body,
        summary_html=summary,
        contents=[heading for heading in headings if heading.level == 2],
        chart=Markup(timeline_svg(report, language)),
        document_date=document_datetime(report.incident, report.history).strftime(
            "%Y-%m-%dT%H:%M:%SZ"),
    )
