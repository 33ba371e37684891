"""The served copy of a page: the preview's bar and problems on top, a reload script below.

Only the copy sent to the browser changes; a report as a build writes it is never
touched. Every text put in is escaped here. A page whose template declares a
Content-Security-Policy gets, in its served copy, a nonce that lets the reload script
(and the bar's style) run, and leave to connect to the server for its events.
"""

from __future__ import annotations

import html
import json
import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from postmortem.errors import Problem
from postmortem.i18n import _
from postmortem.lint.engine import Finding

#: Where a page listens for the saves that should reload it (Server-Sent Events).
EVENTS_PATH = "/_preview/events"

_BODY_OPEN = re.compile(r"<body\b[^>]*>", re.IGNORECASE)
_BODY_CLOSE = re.compile(r"</body\s*>", re.IGNORECASE)
_HEAD_CLOSE = re.compile(r"</head\s*>", re.IGNORECASE)
_POLICY_META = re.compile(
    r"<meta\b(?=[^>]*\bhttp-equiv\s*=\s*[\"']?content-security-policy[\"'\s>])[^>]*>",
    re.IGNORECASE)
_CONTENT = re.compile(r"""\bcontent\s*=\s*(?:"([^"]*)"|'([^']*)')""", re.IGNORECASE)

# The bar and its panels are set apart from the report, and never printed.
_STYLE = """
#postmortem-preview { font: 14px/1.45 system-ui, sans-serif; color: #1a1a1a;
  margin: 0 0 1.5em; }
#postmortem-preview nav { display: flex; flex-wrap: wrap; gap: .3em 1em; align-items: baseline;
  padding: .5em 1em; background: #eef1f4; border-bottom: 1px solid #c9d1d9; }
#postmortem-preview nav a[aria-current] { font-weight: 600; text-decoration: none;
  color: inherit; }
#postmortem-preview .postmortem-preview-note { color: #555; margin-left: auto; }
#postmortem-preview aside { margin: 1em; padding: .6em 1em; border-radius: 4px; }
#postmortem-problems { border: 2px solid #b3261e; background: #fdf1f0; }
#postmortem-lint { border: 1px solid #b26a00; background: #fff8ec; }
#postmortem-records { border: 1px solid #c9d1d9; background: #f6f8fa; }
#postmortem-preview h2 { font-size: 1.05em; margin: .2em 0 .4em; }
#postmortem-preview ul { margin: .3em 0; padding-left: 1.2em; }
#postmortem-preview code { font: .95em ui-monospace, monospace; }
@media print { #postmortem-preview { display: none; } }
"""

# Reloads the page once a file it depends on is saved: the server sends its state on
# connecting and after each save; a state other than the page's own means it is stale.
_SCRIPT = """(function () {
  var shown = %s;
  var events = new EventSource(%s);
  events.onmessage = function (event) {
    if (event.data !== shown) { events.close(); window.location.reload(); }
  };
})();"""


@dataclass(frozen=True)
class Link:
    """An entry of the preview's bar: its text, where it leads, whether it is this page."""

    text: str
    href: str
    current: bool = False


def served_page(page: str | None, *, title: str, lang: str, links: Sequence[Link],
                panels: Sequence[str], token: str) -> bytes:
    """Return the served copy of a page (None: a page of the preview's own) with its panels.

    `token` is the state of the workspace the page was made from: the script reloads the
    page when the server says that the state changed.
    """
    nonce = secrets.token_urlsafe(16)
    if page is None:
        page = (f'<!DOCTYPE html>\n<html lang="{html.escape(lang)}">\n<head>\n'
                '<meta charset="utf-8">\n'
                '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
                f"<title>{html.escape(title)}</title>\n</head>\n<body>\n</body>\n</html>\n")
    page = _POLICY_META.sub(lambda match: _with_nonce(match[0], nonce), page)
    style = f'<style nonce="{nonce}">{_STYLE}</style>\n'
    top = f'<div id="postmortem-preview">\n{_bar(links)}{"".join(panels)}</div>\n'
    script = (f'<script nonce="{nonce}">'
              + _SCRIPT % (_script_string(token), _script_string(EVENTS_PATH))
              + "</script>\n")
    page = _insert(page, _HEAD_CLOSE, style, before=True)
    page = _insert(page, _BODY_OPEN, top, before=False)
    page = _insert(page, _BODY_CLOSE, script, before=True, last=True)
    return page.encode("utf-8")


def problems_panel(problems: Sequence[Problem], record: Path | None, *,
                   report_below: bool, what: str = "") -> str:
    """Return the panel of the problems that keep a page from being up to date, or ""."""
    if not problems:
        return ""
    if what:
        note = what
    elif report_below:
        note = _("Below is the last report rendered without problems: it is brought up to "
                 "date once they are fixed.")
    else:
        note = _("No report yet: it is shown once these problems are fixed.")
    items = "".join(f"<li>{_where(problem, record)}{html.escape(_said(problem))}</li>\n"
                    for problem in problems)
    heading = _("Problems: {count}", count=len(problems))
    return (f'<aside id="postmortem-problems" role="alert">\n'
            f"<h2>{html.escape(heading)}</h2>\n"
            f"<p>{html.escape(note)}</p>\n<ul>\n{items}</ul>\n</aside>\n")


def lint_panel(findings: Sequence[Finding], record: Path | None) -> str:
    """Return the panel of what lint finds in a valid record, or "" when it finds nothing."""
    if not findings:
        return ""
    items = "".join(
        f"<li>{_where(finding.problem, record)}{html.escape(finding.severity)}: "
        f"[{html.escape(finding.rule)}] {html.escape(finding.text)}</li>\n"
        for finding in findings)
    heading = _("Lint findings: {count}", count=len(findings))
    return (f'<aside id="postmortem-lint">\n'
            f"<h2>{html.escape(heading)}</h2>\n"
            f"<ul>\n{items}</ul>\n</aside>\n")


def records_panel(rows: Sequence[tuple[str, str, int, int]]) -> str:
    """Return the panel listing each record (its path, page, problems and findings)."""
    items = []
    for path, href, problems, findings in rows:
        counts = _("problems: {problems}, lint findings: {findings}", problems=problems,
                   findings=findings)
        items.append(f'<li><a href="{html.escape(href)}"><code>{html.escape(path)}</code></a>'
                     f" — {html.escape(counts)}</li>\n")
    if not items:
        empty = _("No record yet.")
        items.append(f"<li>{html.escape(empty)}</li>\n")
    heading = _("Records in the preview")
    return (f'<aside id="postmortem-records">\n'
            f"<h2>{html.escape(heading)}</h2>\n"
            f"<ul>\n{''.join(items)}</ul>\n</aside>\n")


def message_panel(text: str) -> str:
    """Return a panel that says one thing (a page that does not exist)."""
    return f'<aside id="postmortem-problems" role="alert">\n<p>{html.escape(text)}</p>\n</aside>\n'


def _bar(links: Sequence[Link]) -> str:
    current = ' aria-current="page"'
    entries = "".join(
        f'<a href="{html.escape(link.href)}"{current if link.current else ""}>'
        f"{html.escape(link.text)}</a>\n" for link in links)
    note = html.escape(_("Preview: the page reloads by itself when a file is saved."))
    label = html.escape(_("Preview"))
    return (f'<nav aria-label="{label}">\n{entries}'
            f'<span class="postmortem-preview-note">{note}</span>\n</nav>\n')


def _where(problem: Problem, record: Path | None) -> str:
    """Return a problem's place: `line:col` in the record, `path:line:col` elsewhere."""
    if not problem.path or problem.line <= 0:
        return f"<code>{html.escape(problem.path)}</code> " if problem.path else ""
    place = f"{problem.line}:{problem.column}"
    if record is None or not _same_file(problem.path, record):
        place = f"{problem.path}:{place}"
    return f"<code>{html.escape(place)}</code> "


def _said(problem: Problem) -> str:
    where = f"{problem.field}: " if problem.field else ""
    return f"{where}{problem.message}"


def _same_file(path: str, record: Path) -> bool:
    return Path(path) == record or Path(path).resolve() == record.resolve()


def _insert(page: str, where: re.Pattern[str], text: str, *, before: bool,
            last: bool = False) -> str:
    """Insert `text` before or after the first (or last) match of `where`; else at an end."""
    matches = list(where.finditer(page)) if last else [where.search(page)]
    match = matches[-1] if matches else None
    if match is None:
        return text + page if where is _BODY_OPEN else page + text
    at = match.start() if before else match.end()
    return page[:at] + text + page[at:]


def _script_string(text: str) -> str:
    """Return a JavaScript string literal that cannot close the script element."""
    return json.dumps(text).replace("<", "\\u003c")


def _with_nonce(meta: str, nonce: str) -> str:
    """Return a policy's meta element that lets the preview's script and style run."""
    found = _CONTENT.search(meta)
    if found is None:
        return meta
    policy = html.unescape(found[1] if found[1] is not None else found[2])
    content = f'content="{html.escape(allow_preview(policy, nonce))}"'
    return meta[:found.start()] + content + meta[found.end():]


def allow_preview(policy: str, nonce: str) -> str:
    """Return a Content-Security-Policy that also lets the preview's script, style and events.

    A directive that already lets any inline element run is left as it is: a nonce added
    to it would turn its 'unsafe-inline' off, and the report's own styles with it.
    """
    directives: dict[str, list[str]] = {}
    for directive in policy.split(";"):
        words = directive.split()
        if words and words[0].lower() not in directives:
            directives[words[0].lower()] = words[1:]
    for kind in ("script", "style"):
        name = next((name for name in (f"{kind}-src-elem", f"{kind}-src", "default-src")
                     if name in directives), None)
        if name is None or _runs_inline(directives[name]):
            continue
        sources = [s for s in directives[name] if s.lower() != "'none'"] + [f"'nonce-{nonce}'"]
        directives[f"{kind}-src" if name == "default-src" else name] = sources
    name = next((name for name in ("connect-src", "default-src") if name in directives), None)
    if name is not None and not {"'self'", "*"} & {s.lower() for s in directives[name]}:
        sources = [s for s in directives[name] if s.lower() != "'none'"] + ["'self'"]
        directives["connect-src"] = sources
    return "; ".join(" ".join([name, *sources]) for name, sources in directives.items())


def _runs_inline(sources: list[str]) -> bool:
    """Return whether sources let every inline element run: 'unsafe-inline', no nonce or hash."""
    lowered = [source.lower() for source in sources]
    keyed = any(source.startswith(("'nonce-", "'sha256-", "'sha384-", "'sha512-"))
                for source in lowered)
    return "'unsafe-inline'" in lowered and not keyed and "'strict-dynamic'" not in lowered
