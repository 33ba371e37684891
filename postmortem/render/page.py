"""Turn the Markdown review into an HTML page: safe by construction, with a contents list.

The page is also what the PDF is printed from: its summary box is chosen to end on the
first printed page, and its words are set so that print never hyphenates an address,
a code or an acronym, and hyphenates each text in its own language.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from itertools import pairwise

from markdown_it import MarkdownIt
from markdown_it.token import Token
from markupsafe import Markup
from mdit_py_plugins.anchors import anchors_plugin
from mdit_py_plugins.attrs import attrs_plugin
from mdit_py_plugins.footnote import footnote_plugin

from postmortem.analysis.derive import Report
from postmortem.record.languages import LANGUAGE_TAG_PATTERN
from postmortem.render.document_date import document_datetime
from postmortem.render.environment import environment, render_template
from postmortem.render.i18n import Language
from postmortem.render.markdown import render_markdown
from postmortem.render.safety import RENDER_NESTING, SAFE_LINK, SIBLING_REPORT, refused_image
from postmortem.render.settings import RenderSettings
from postmortem.render.summary import SummaryBox, fullest_fitting, summary_boxes

#: A web address in prose, without the punctuation that ends the sentence around it.
URL_IN_TEXT = re.compile(r"\bhttps?://[^\s<>\"«»]*[^\s<>\"«».,;:!?')\]]")
#: Where a web address may break: after a slash (not inside "//"), before ? # &; and in
#: a long piece, before a hyphen, a dot or an underscore, so that a line never ends with
#: a hyphen that would read as one added (as style manuals break addresses).
_URL_BREAK = re.compile(r"(?<=/)(?=[^/])|(?=[?#&])")
_URL_PIECE_BREAK = re.compile(r"(?<=[^\W_])(?=[-._][^\W_])")
#: A word with the hyphens, dots and underscores inside it ("AP-HP", "us-east-1").
_WORD = re.compile(r"\w(?:[\w.\-]*\w)?")
#: Words joined by no-break spaces: a stamp when one of them holds a digit.
_STAMP = re.compile(r"\S+(?:[\u00a0\u202f]\S+)+")
#: A dot between two letters or digits ("GitLab.com", "v2.3").
_INNER_DOT = re.compile(r"\w\.\w")
#: Longer pieces of an address break again at their hyphens and dots; longer identifiers
#: may break anywhere (never with a hyphen added): kept whole, either would push a column
#: off the page.
LONGEST_UNBROKEN = 30
_LANGUAGE_TAG = re.compile(LANGUAGE_TAG_PATTERN)


@dataclass(frozen=True)
class Heading:
    """A section of the review, for the table of contents."""

    level: int
    anchor: str
    text: str


def markdown_parser() -> MarkdownIt:
    """Return the parser: CommonMark with tables, footnotes, heading anchors, language spans.

    No raw HTML. `[text]{lang="en"}` marks a text in another language (a source's title):
    print hyphenates it in that language, and French spacing leaves it alone.
    """
    parser = MarkdownIt("commonmark", {"html": False, "typographer": False, "linkify": False,
                                       "maxNesting": RENDER_NESTING})
    parser.enable("table")
    parser.use(footnote_plugin)
    parser.use(anchors_plugin, min_level=2, max_level=3, permalink=False)
    # Only a language, on a span or a link: any other attribute is dropped.
    parser.use(attrs_plugin, spans=True, after=("link_close",), allowed=("lang",))
    # A wide table scrolls in its own box on a narrow screen, never the whole page.
    parser.add_render_rule("table_open", _open_table)
    parser.add_render_rule(
        "table_close", lambda self, tokens, idx, options, env:
        self.renderToken(tokens, idx, options, env) + "</div>\n")
    # One number per source, however often it is cited: "[2]", not "[2:1]".
    parser.add_render_rule(
        "footnote_caption",
        lambda self, tokens, idx, options, env: f"[{tokens[idx].meta['id'] + 1}]")
    return parser


#: From this many columns a table is set smaller, so that it fits the printed page.
WIDE_TABLE_COLUMNS = 6


def _open_table(renderer, tokens: list[Token], idx: int, options, env) -> str:
    """Open a table in its scrolling box, marked `wide` when it has many columns."""
    columns = 0
    for token in tokens[idx + 1:]:
        if token.type == "th_open":
            columns += 1
        elif token.type == "tr_close":
            break
    if columns >= WIDE_TABLE_COLUMNS:
        tokens[idx].attrSet("class", "wide")
    return '<div class="table-scroll">' + renderer.renderToken(tokens, idx, options, env)


@cache
def _parser() -> MarkdownIt:
    return markdown_parser()


def markdown_to_html(markdown: str, sibling_links: bool = False,
                     spacing: Callable[[str], str] = str,
                     lang: str | None = None) -> tuple[Markup, list[Heading]]:
    """Convert Markdown to an HTML fragment and list its headings.

    `sibling_links` keeps links to other reports of the same folder (`<id>.html`);
    `spacing` adjusts the spaces of prose in `lang`, the page's language (never of code,
    addresses, or a text marked as another language).
    """
    parser = _parser()
    tokens = parser.parse(markdown)
    headings = []
    for index, token in enumerate(tokens):
        if token.type == "heading_open":
            headings.append(Heading(int(token.tag[1]), str(token.attrs.get("id", "")),
                                    tokens[index + 1].content))
        if token.type == "inline" and token.children:
            _neutralise(token.children, sibling_links)
            token.children = typeset(_flattened(token.children, token.level), spacing, lang)
    return Markup(parser.renderer.render(tokens, parser.options, {})), headings


def markdown_inline_to_html(markdown: str, spacing: Callable[[str], str] = str,
                            lang: str | None = None) -> Markup:
    """Convert one line of Markdown (an action item, a name) to HTML without a paragraph."""
    parser = _parser()
    tokens = parser.parseInline(" ".join(markdown.split()))
    for token in tokens:
        if token.children:
            _neutralise(token.children, sibling_links=False)
            token.children = typeset(_flattened(token.children, token.level), spacing, lang)
    return Markup(parser.renderer.render(tokens, parser.options, {}))


def _flattened(children: list[Token], level: int) -> list[Token]:
    """Write as text the emphasis and links nested deeper than RENDER_NESTING, in all.

    markdown-it bounds the nesting of blocks (maxNesting), but not that of emphasis,
    which it pairs after parsing: `**` written 250 times around a word nests 250 elements
    that laying out the page would recurse through. Beyond the bound, the markers (the
    `**`, the brackets) are shown as written.
    """
    flattened: list[Token] = []
    depth = level
    kept: list[bool] = []  # for each open element: kept as an element, or made text
    for child in children:
        if child.nesting == 1:
            keep = depth < RENDER_NESTING
            kept.append(keep)
            if keep:
                depth += 1
                flattened.append(child)
            else:
                flattened.append(_text(child.markup if child.type != "link_open" else "["))
        elif child.nesting == -1 and kept:
            if kept.pop():
                depth -= 1
                flattened.append(child)
            else:
                flattened.append(_text(child.markup if child.type != "link_close" else "]"))
        else:
            flattened.append(child)
    return flattened


def _neutralise(children: list[Token], sibling_links: bool) -> None:
    """Replace unsafe images by their text and unsafe links by plain text, in place.

    An image is embedded only when its bytes are the raster they are declared to be:
    an SVG or an HTML page sent as `data:image/png` is shown as its alt text.
    """
    for position, child in enumerate(children):
        href = str(child.attrs.get("href", ""))
        if child.type == "image" and refused_image(str(child.attrs.get("src", ""))):
            text = Token("text", "", 0, content=f"[{child.content}]" if child.content else "")
            children[position] = text
        elif child.type == "link_open" and not (
                SAFE_LINK.match(href) or (sibling_links and SIBLING_REPORT.match(href))):
            closing = next(i for i in range(position + 1, len(children))
                           if children[i].type == "link_close")
            children[position] = Token("text", "", 0, content="")
            children[closing] = Token("text", "", 0, content="")


def typeset(children: list[Token], spacing: Callable[[str], str] = str,
            lang: str | None = None) -> list[Token]:
    """Return inline tokens with addresses, acronyms and identifiers set apart, spaced.

    Addresses break only between their pieces (after a slash, before a hyphen), acronyms
    and identifiers never, and none of them is hyphenated (report.css); `spacing` applies
    to the prose in `lang` only.
    """
    languages: list[str | None] = []  # the language each open span or link sets, if any
    typeset_children: list[Token] = []
    for child in children:
        if child.type in ("span_open", "link_open"):
            tag = str(child.attrs.get("lang", ""))
            if tag and not _LANGUAGE_TAG.match(tag):
                del child.attrs["lang"]  # not a language: hyphenation would not know it
                tag = ""
            languages.append(tag or None)
        elif child.type in ("span_close", "link_close") and languages:
            languages.pop()
        if child.type != "text" or not child.content:
            typeset_children.append(child)
            continue
        inner = next((tag for tag in reversed(languages) if tag), None)
        own_language = inner is None or (lang is not None and _primary(inner) == _primary(lang))
        typeset_children += _typeset_text(child.content, spacing if own_language else str)
    return typeset_children


def _primary(tag: str) -> str:
    return tag.split("-")[0].lower()


def _typeset_text(text: str, spacing: Callable[[str], str]) -> list[Token]:
    """Split a text into prose, addresses and terms, each as the tokens it renders as."""
    tokens: list[Token] = []
    position = 0
    for match in URL_IN_TEXT.finditer(text):
        tokens += _typeset_prose(spacing(text[position:match.start()]))
        tokens += _address(match[0])
        position = match.end()
    tokens += _typeset_prose(spacing(text[position:]))
    return tokens


def _typeset_prose(text: str) -> list[Token]:
    """Set apart the stamps, acronyms and identifiers of a prose text.

    A date, time or duration written with no-break spaces ("10 December 2021", "3 h 30")
    is one unit: it is not hyphenated either.
    """
    tokens: list[Token] = []
    position = 0
    for match in _STAMP.finditer(text):
        if any(char.isdigit() for char in match[0]):
            tokens += _typeset_words(text[position:match.start()])
            tokens += _span("unhyphenated", [_text(match[0])])
            position = match.end()
    return tokens + _typeset_words(text[position:])


def _typeset_words(text: str) -> list[Token]:
    """Wrap the acronyms and identifiers of a text in a span that keeps them whole."""
    tokens: list[Token] = []
    position = 0
    for match in _WORD.finditer(text):
        if is_term(match[0]):
            if match.start() > position:
                tokens.append(_text(text[position:match.start()]))
            kind = "term" if len(match[0]) <= LONGEST_UNBROKEN else "long-term"
            tokens += _span(kind, [_text(match[0])])
            position = match.end()
    if position < len(text):
        tokens.append(_text(text[position:]))
    return tokens


def is_term(word: str) -> bool:
    """Return whether a word is an acronym or an identifier rather than a word of prose.

    "HTTPS", "AP-HP", "EC2", "us-east-1", "pg_dump", "GitLab", "GitLab.com": words that
    hyphenation would cut into what looks like two other words.
    """
    letters = [char for char in word if char.isalpha()]
    if not letters:
        return False  # a number or a date: nothing to hyphenate
    if sum(char.isupper() for char in letters) >= 2 and not any(
            char.islower() for char in letters):
        return True
    inner_capital = any(before.islower() and after.isupper()  # "GitLab", "iPhone"
                        for before, after in pairwise(word))
    return ("_" in word or any(char.isdigit() for char in word) or inner_capital
            or bool(_INNER_DOT.search(word)))


def _address(url: str) -> list[Token]:
    """Return a web address as pieces kept whole, with a break allowed between them."""
    pieces: list[Token] = []
    for piece in _cut(url, _URL_BREAK):
        for part in _cut(piece, _URL_PIECE_BREAK) if len(piece) > LONGEST_UNBROKEN else [piece]:
            if pieces:
                pieces.append(Token("wbr", "wbr", 0))
            # A piece with no place to break at all may still break anywhere (CSS), rather
            # than run off the page.
            kind = "unbroken" if len(part) <= LONGEST_UNBROKEN else "long-term"
            pieces += _span(kind, [_text(part)])
    return _span("url", pieces)


def _cut(text: str, where: re.Pattern[str]) -> list[str]:
    cuts = [0, *(match.start() for match in where.finditer(text) if match.start()), len(text)]
    return [text[start:end] for start, end in pairwise(cuts)]


def _span(kind: str, inside: list[Token]) -> list[Token]:
    opening = Token("span_open", "span", 1, attrs={"class": kind})
    return [opening, *inside, Token("span_close", "span", -1)]


def _text(content: str) -> Token:
    return Token("text", "", 0, content=content)


def render_html(report: Report, settings: RenderSettings | None = None,
                screen_fonts: bool = True) -> str:
    """Return the review as a standalone HTML page (the PDF is printed from the same page).

    The summary box is the fullest that ends on the first printed page, as WeasyPrint
    lays the page out (see summary.py for what gives way, in which order). Without
    `screen_fonts`, the page lacks only the fonts a browser needs (`with_screen_fonts`),
    which printing never uses: that is the page to print.
    """
    from postmortem.render.chart import timeline_svg  # only the HTML and PDF outputs draw the chart

    incident = report.incident
    settings = settings or RenderSettings()
    language = settings.report_language(report)
    env = environment(language, settings.template_dirs)
    markdown = render_markdown(report, settings, embedded=True)
    body, headings = markdown_to_html(markdown, spacing=language.spacing, lang=incident.lang)
    sections = {heading.text: heading.anchor for heading in headings}
    contents = [heading for heading in headings if heading.level == 2]

    def page(box: SummaryBox, body: Markup, chart: Markup, contents: list[Heading],
             full_summary: Markup) -> str:
        return render_template(
            env, "report.html.j2",
            report=report,
            incident=incident,
            box=box,
            body=body,
            summary_html=_summary_html(box.summary, language),
            full_summary_html=full_summary,
            inline_html=lambda text: markdown_inline_to_html(
                str(text or ""), spacing=language.spacing, lang=incident.lang),
            sections=sections,
            contents=contents,
            chart=chart,
            document_date=document_datetime(report.incident, report.history).strftime(
                "%Y-%m-%dT%H:%M:%SZ"),
        )

    # Only what comes before the summary box and the box itself decide where it ends: the
    # body is left out, but for the anchors that the box's page references point to.
    anchors = Markup("").join(Markup('<span id="{}"></span>').format(anchor)
                              for anchor in sections.values())

    def first_page_holds(box: SummaryBox) -> bool:
        return _ends_on_first_page(page(box, anchors, Markup(""), [], Markup("")),
                                   "summary-box")

    box = fullest_fitting(summary_boxes(report), first_page_holds)
    html = page(box, body, Markup(timeline_svg(report, language)), contents,
                _summary_html(incident.summary, language))
    return with_screen_fonts(html) if screen_fonts else html


def with_screen_fonts(html: str) -> str:
    """Give a browser the bundled fonts, so the page looks as printed and the chart fits.

    They go in a screen-only style element: the PDF has its own copy of the fonts.
    """
    from postmortem.render.fonts import screen_font_faces

    visible = frozenset(html) | frozenset("0123456789 ")
    faces = screen_font_faces(visible)
    return html.replace("</head>", f'<style media="screen">\n{faces}\n</style>\n</head>', 1)


def _summary_html(markdown: str, language: Language) -> Markup:
    return markdown_to_html(markdown, spacing=language.spacing, lang=language.code)[0]


def _ends_on_first_page(html: str, element_class: str) -> bool:
    """Measure the printed page; without WeasyPrint's system libraries, keep the fullest box."""
    if not can_print():
        return True  # no PDF can be printed here either, and a screen has no first page
    from postmortem.render.pdf import ends_on_first_page

    return ends_on_first_page(html, element_class)


@cache
def can_print() -> bool:
    """Return whether WeasyPrint and its system libraries can be loaded here."""
    try:
        import weasyprint  # noqa: F401  (it loads Pango, which may be missing)
    except (ImportError, OSError):
        return False
    return True
