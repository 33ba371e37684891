"""Record text made inert in the Markdown review, as the HTML page makes it inert.

A forge (GitHub, GitLab) renders a `.md` file with raw HTML, remote images and any link
scheme; a record's text reaching it verbatim would make every reader's browser fetch
what the record names. The Markdown review applies to record text the rules of the HTML
page (page.py `_neutralise`, safety.py): raw HTML is shown as text, an image that is not
an inline raster becomes a plain link to its address when that is a web address (else
its alt text), a link to an unsafe scheme becomes its text, and a reference definition
is shown as text (so that no reference resolves to an address the check did not see).
Ordinary Markdown (emphasis, code, safe links, inline raster images, tables) is left
byte for byte as written.
"""

from __future__ import annotations

import re
from functools import cache

from markdown_it import MarkdownIt
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token

from postmortem.render.safety import (
    RENDER_NESTING,
    SAFE_LINK,
    SIBLING_REPORT,
    WEB_ADDRESS,
    refused_image,
)

#: What a text needs before it may hold raw HTML, an image, a link or a definition.
_SUSPECT = re.compile(r"<|\][(:\[]|!\[")
#: An autolink the review keeps: a web or mail address between angle brackets.
_SAFE_AUTOLINK = re.compile(
    r"<(?:(?:https?://|mailto:)[^\s<>]*"
    r"|[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*)>", re.IGNORECASE)
_PUNCTUATION = frozenset("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~")
#: What the last resort escapes: every character that may open a Markdown construct,
#: unless a backslash already escapes it (so that escaping twice changes nothing).
_OPENERS = re.compile(r"\\[!-/:-@\[-`{-~]|([\\`<>\[\]!&*_])")


@cache
def forge_parser() -> MarkdownIt:
    """Return a parser that sees what a permissive forge sees: raw HTML, any link scheme."""
    # Deeper than the renderers go, so that nothing they render escapes the check (what
    # is nested deeper still is not parsed, here or by them); within Python's stack.
    parser = MarkdownIt("commonmark", {"html": True, "maxNesting": 4 * RENDER_NESTING})
    parser.enable("table")
    # markdown-it drops javascript: links itself; a forge may not, so nothing is dropped
    # here and every link is judged by the review's own rule.
    parser.validateLink = lambda url: True  # type: ignore[method-assign]
    return parser


def safe_link(href: str) -> bool:
    """Tell whether the review may keep a link: a web or mail address, an anchor, a report."""
    return bool(SAFE_LINK.match(href) or SIBLING_REPORT.match(href))


def offences(markdown: str, review: bool = False) -> list[str]:
    """Return what in a Markdown text a forge would render as HTML, fetch or follow unsafely.

    A record's text may only link to what the HTML page links to (`safe_link`). A whole
    `review` also holds the links that postmortem writes (footnotes, which a forge without
    footnotes reads as reference definitions and links to them): there, only a link to
    an unsafe scheme, an image or raw HTML is an offence.
    """
    return _offences(markdown, review, depth=False)


def _offences(markdown: str, review: bool, depth: bool,
              tokens: list[Token] | None = None) -> list[str]:
    """Return the offences; with `depth`, a text too deep to be checked whole is one."""
    env: dict = {}
    if tokens is None:
        tokens = forge_parser().parse(markdown, env)
    found = [f"reference definition [{label}]" for label, ref in env.get("references", {}).items()
             if not (review and label.startswith("^") and not _has_unsafe_scheme(ref["href"]))]
    for token in tokens:
        if token.type == "html_block":
            found.append(f"raw HTML {token.content.strip()[:40]!r}")
        for child in token.children or ():
            found += _child_offence(child, review)
    if depth and any(token.level >= forge_parser().options.maxNesting - 2 for token in tokens):
        # The parser stops there: what is deeper is not seen, so it cannot be vouched for.
        found.append("Markdown nested too deep to be checked")
    return found


def _child_offence(child: Token, review: bool) -> list[str]:
    href = str(child.attrs.get("href", ""))
    if child.type == "html_inline":
        return [f"raw HTML {child.content[:40]!r}"]
    if child.type == "image" and refused_image(str(child.attrs.get("src", ""))):
        return [f"image {str(child.attrs.get('src', ''))[:40]!r}"]
    if child.type == "link_open" and (_has_unsafe_scheme(href) if review else not safe_link(href)):
        return [f"link {href[:40]!r}"]
    return []


_SCHEME = re.compile(r"^\s*[A-Za-z][A-Za-z0-9+.-]*:")


def _has_unsafe_scheme(href: str) -> bool:
    return bool(_SCHEME.match(href)) and not SAFE_LINK.match(href)


def neutral_markdown(text: str) -> str:
    """Return a record's Markdown text with nothing a forge would fetch, run or follow.

    Every "<" outside code is escaped, even one that opens nothing here: with the text
    that follows it in the review (another record text), it could open an HTML tag. A
    text without any of the characters a construct needs is returned as it is, without
    being parsed: the common case stays cheap.
    """
    text = closed_fences(text)
    if not _SUSPECT.search(text):
        return text
    env: dict = {}
    tokens = forge_parser().parse(text, env)
    if "<" not in text and not env.get("references") and not _offences(text, False, True, tokens):
        return text
    rewritten = _rewrite_outside_code(text, tokens)
    if not _offences(rewritten, False, True):
        return rewritten
    # The rewriting misread the text (a construct the scanner does not follow): every
    # character that could open a construct is escaped, which leaves plain text.
    return escaped_text(text)


def closed_fences(text: str) -> str:
    """Close a code fence that a text opens and leaves open.

    Left open, it would run on past the text and turn the rest of the review into code.
    """
    if "```" not in text and "~~~" not in text:
        return text
    fences = [token for token in forge_parser().parse(text) if token.type == "fence"]
    if not fences or not fences[-1].map:
        return text
    (first, end), markup = fences[-1].map, fences[-1].markup
    lines = text.splitlines()
    closing = lines[-1].strip() if lines else ""
    if end < len(lines) or (end - first > 1 and closing.startswith(markup)
                            and not closing.strip(markup[0])):
        return text
    return text + ("" if text.endswith("\n") else "\n") + markup + "\n"


def escaped_text(text: str) -> str:
    """Return a text with every Markdown opener escaped: it renders as the text itself."""
    return _OPENERS.sub(lambda match: "\\" + match[1] if match[1] else match[0], text)


def _rewrite_outside_code(text: str, tokens: list[Token]) -> str:
    """Rewrite the prose of a text, copying its code blocks and code spans as they are."""
    lines = text.splitlines(keepends=True)
    code: set[int] = set()
    for token in tokens:
        if token.type in ("fence", "code_block") and token.map:
            code.update(range(*token.map))
    pieces: list[str] = []
    prose: list[str] = []
    for number, line in enumerate(lines):
        if number in code:
            if prose:
                pieces.append(_rewrite("".join(prose)))
                prose = []
            pieces.append(line)
        else:
            prose.append(line)
    if prose:
        pieces.append(_rewrite("".join(prose)))
    return "".join(pieces)


def _rewrite(text: str) -> str:
    """Rewrite raw HTML, images, unsafe links and definitions of a prose text."""
    state = StateInline(text, forge_parser(), {}, [])
    out: list[str] = []
    position, end = 0, len(text)
    last_bracket = text.rfind("]")  # a "[" after it opens nothing: no need to parse it
    while position < end:
        char = text[position]
        if char == "\\" and position + 1 < end and text[position + 1] in _PUNCTUATION:
            out.append(text[position:position + 2])
            position += 2
        elif char == "`":
            closing = _code_span_end(text, position)
            out.append(text[position:closing])
            position = closing
        elif char == "<":
            autolink = _SAFE_AUTOLINK.match(text, position)
            if autolink:
                out.append(autolink[0])
                position = autolink.end()
            else:
                out.append("\\<")
                position += 1
        elif position < last_bracket and (
                char == "[" or (char == "!" and text.startswith("[", position + 1))):
            written, position = _bracket(state, text, position)
            out.append(written)
        else:
            out.append(char)
            position += 1
    return "".join(out)


def _code_span_end(text: str, start: int) -> int:
    """Return where the code span opening at `start` ends, or the end of its backticks."""
    run = len(text[start:]) - len(text[start:].lstrip("`"))
    closing = re.compile(rf"(?<!`)`{{{run}}}(?!`)").search(text, start + run)
    return closing.end() if closing else start + run


def _bracket(state: StateInline, text: str, start: int) -> tuple[str, int]:
    """Rewrite the link, image or definition opening at `start`; return it and where it ends."""
    image = text[start] == "!"
    opening = start + 1 if image else start
    label_end = state.md.helpers.parseLinkLabel(state, opening, not image)
    if label_end < 0:
        return text[start:opening + 1], opening + 1
    label = text[opening + 1:label_end]
    after = label_end + 1
    if not image and text.startswith(":", after):
        return "\\[", opening + 1  # a reference definition, shown as text
    link = _inline_destination(state, text, after)
    if link is None:
        return text[start:opening + 1], opening + 1
    href, link_end = link
    rest = text[label_end:link_end]  # "](address "title")"
    if image:
        if not refused_image(href):
            return text[start:link_end], link_end
        if WEB_ADDRESS.match(href):
            return "[" + _rewrite(label) + rest, link_end
        return _rewrite(label), link_end
    if safe_link(href):
        return "[" + _rewrite(label) + rest, link_end
    return _rewrite(label), link_end


def _inline_destination(state: StateInline, text: str, start: int) -> tuple[str, int] | None:
    """Parse `(address "title")` at `start` as markdown-it does; return the address and end."""
    helpers, end = state.md.helpers, len(text)
    if not text.startswith("(", start):
        return None
    position = _skip_spaces(text, start + 1)
    if position >= end:
        return None
    destination = helpers.parseLinkDestination(text, position, end)
    href = ""
    if destination.ok:
        href = state.md.normalizeLink(destination.str)
        gap = destination.pos
        position = _skip_spaces(text, gap)
        title = helpers.parseLinkTitle(text, position, end)
        if position < end and gap != position and title.ok:
            position = _skip_spaces(text, title.pos)
    if position >= end or text[position] != ")":
        return None
    return href, position + 1


def _skip_spaces(text: str, position: int) -> int:
    while position < len(text) and text[position] in " \t\n":
        position += 1
    return position
