"""The workspace index and the review across incidents, as Markdown and as an HTML page."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from postmortem.analysis.across import CrossReview
from postmortem.render.environment import environment, render_inert, render_template
from postmortem.render.i18n import Language
from postmortem.render.page import markdown_to_html


def render_index_markdown(index: CrossReview, language: Language,
                          template_dirs: Sequence[Path] = (), link_suffix: str = ".md") -> str:
    """Return the index and review as Markdown, linking each review with `link_suffix`."""
    env = environment(language, template_dirs)
    return render_inert(env, "index.md.j2", index=index, link_suffix=link_suffix).strip() + "\n"


def render_index_html(index: CrossReview, language: Language,
                      template_dirs: Sequence[Path] = ()) -> str:
    """Return the index and review as an HTML page (the PDF is printed from it)."""
    markdown = render_index_markdown(index, language, template_dirs, link_suffix=".html")
    body, _ = markdown_to_html(markdown, sibling_links=True, spacing=language.spacing)
    return render_template(environment(language, template_dirs), "index.html.j2",
                           index=index, body=body, lang=language.code)
