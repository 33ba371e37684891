"""The workspace index and the review across incidents, as Markdown and as an HTML page."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from postmortem.analysis.across import CrossReview
from postmortem.render.documents import DOCUMENTS
from postmortem.render.environment import environment, render_inert, render_template
from postmortem.render.i18n import Language
from postmortem.render.page import markdown_to_html


def render_index_markdown(index: CrossReview, language: Language,
                          template_dirs: Sequence[Path] = (), link_suffix: str = ".md",
                          documents: Sequence[str] = (), period_name: str = "") -> str:
    """Return the index and review as Markdown, linking each review with `link_suffix`.

    `documents` are the documents of each incident besides the full review, linked from
    its row; `period_name` names the period review the index links to, if one is written.
    """
    env = environment(language, template_dirs)
    links = [(name, language.gettext(DOCUMENTS[name].listed_as)) for name in documents
             if name != "full"]
    return render_inert(env, "index.md.j2", index=index, link_suffix=link_suffix,
                        documents=links, period_name=period_name).strip() + "\n"


def render_index_html(index: CrossReview, language: Language,
                      template_dirs: Sequence[Path] = (), documents: Sequence[str] = (),
                      period_name: str = "") -> str:
    """Return the index and review as an HTML page (the PDF is printed from it)."""
    markdown = render_index_markdown(index, language, template_dirs, link_suffix=".html",
                                     documents=documents, period_name=period_name)
    body, _ = markdown_to_html(markdown, sibling_links=True, spacing=language.spacing)
    return render_template(environment(language, template_dirs), "index.html.j2",
                           index=index, body=body, lang=language.code)
