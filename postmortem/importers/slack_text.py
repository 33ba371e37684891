"""Turn the text of a Slack message (mrkdwn with `<…>` references) into a record's Markdown.

Slack writes references between angle brackets (`<@U123>`, `<#C123|general>`, `<!here>`,
`<https://…|label>`) and escapes only `&`, `<` and `>` around them; its emphasis is
`*bold*`, `_italic_` and `~strike~`. A record's text is CommonMark: the references become
words or links, the emphasis becomes Markdown's, and the characters that would mean
something else in Markdown are escaped. People are never named here: the caller says
what a mention of a person becomes (a role, a neutral word, or a name when asked).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from postmortem.importers.draft import utc_from_timestamp
from postmortem.record.instants import zone_named

#: Neutral words for what the text refers to without naming it, per record language.
WORDS: dict[str, dict[str, str]] = {
    "en": {"person": "a responder", "address": "an e-mail address", "group": "a group",
           "channel": "a channel"},
    "fr": {"person": "une personne de l’équipe", "address": "une adresse électronique",
           "group": "un groupe", "channel": "un canal"},
}

_SPECIAL = {"here": "@here", "channel": "@channel", "everyone": "@everyone"}

#: A reference: what Slack writes between angle brackets (its `<` and `>` are escaped).
_REFERENCE = re.compile(r"<([^<>\n]*)>")
#: A code block (```…```) or an inline code span (`…`).
_CODE = re.compile(r"```(.*?)```|`([^`\n]+)`", re.DOTALL)
#: Slack's emphasis: a marker at the start of a word, text, the same marker at its end.
_EMPHASIS = re.compile(r"(?<![\w\\*_~])(?P<mark>[*_~])(?!\s)(?!(?P=mark))"
                       r"(?P<inner>[^\n]*?[^\s\\])(?P=mark)(?!\w)")
_MARKDOWN_MARK = {"*": "**", "_": "*", "~": "~~"}
_ENTITY = re.compile(r"&(amp|lt|gt);")
_ENTITIES = {"amp": "&", "lt": "<", "gt": ">"}
#: Characters of the private use area stand for references while the prose is converted.
_PRIVATE = re.compile("[\ue000\ue001]")
_PLACEHOLDER = re.compile("\ue000(\\d+)\ue001")
#: Characters that open or close Markdown inline structure wherever they are.
_ALWAYS_ESCAPED = frozenset("\\*`[]<~")
_NAMED_ENTITY = re.compile(r"&#?\w+;")
#: A '#' that opens a heading: at the start of a line, followed by a blank.
_HEADING = re.compile(r"^([ \t]{0,3})(?=#{1,6}(?:[ \t]|$))", re.MULTILINE)


@dataclass(frozen=True)
class References:
    """What the references of a text stand for: people, channels, the zone of dates."""

    person: Callable[[str, str], str]
    """The words for a person from the user id and the label Slack gave (maybe empty)."""
    channels: Mapping[str, str] = field(default_factory=dict)
    """Channel id -> name."""
    zone: str = "UTC"
    lang: str = "en"
    names: bool = False
    """Whether e-mail addresses may be copied (they name people)."""
    scrub: Callable[[str], str] = field(default=lambda text: text)
    """What replaces the names of people that a text writes out (not as a mention)."""

    def word(self, key: str) -> str:
        """Return a neutral word in the record's language."""
        return WORDS.get(self.lang, WORDS["en"])[key]


def to_markdown(text: str, references: References) -> str:
    """Return a message's text as Markdown, its references resolved."""
    text = _PRIVATE.sub("", text)
    parts: list[str] = []
    last = 0
    for code in _CODE.finditer(text):
        parts.append(_prose(text[last:code.start()], references))
        if code.group(1) is not None:
            body = _code_text(code.group(1), references).strip("\n")
            parts.append(f"\n```\n{body}\n```\n")
        else:
            parts.append(f"`{_code_text(code.group(2), references)}`")
        last = code.end()
    parts.append(_prose(text[last:], references))
    written = "".join(parts)
    written = re.sub(r"[ \t]*\n```\n", "\n```\n", written)
    written = re.sub(r"\n```\n[ \t]*", "\n```\n", written)
    return re.sub(r"\n{3,}", "\n\n", written).strip()


def to_plain(text: str, references: References) -> str:
    """Return a message's text without markup, its references resolved: for an excerpt."""
    text = _PRIVATE.sub("", text)
    text = _CODE.sub(lambda code: code.group(1) or code.group(2) or "", text)
    pieces: list[str] = []

    def hold(reference: re.Match[str]) -> str:
        pieces.append(_resolve(reference.group(1), references)[0])
        return f"\ue000{len(pieces) - 1}\ue001"

    text = references.scrub(_unescape(_REFERENCE.sub(hold, text)))
    previous = None
    while previous != text:  # emphasis inside emphasis
        previous = text
        text = _EMPHASIS.sub(lambda emphasis: emphasis["inner"], text)
    text = _PLACEHOLDER.sub(lambda place: pieces[int(place.group(1))], text)
    return " ".join(text.split())


def escape(text: str) -> str:
    """Escape the characters of plain text that Markdown would read as markup."""
    written: list[str] = []
    for index, character in enumerate(text):
        if character in _ALWAYS_ESCAPED:
            written.append("\\" + character)
        elif character == "_":
            before = text[index - 1] if index else " "
            after = text[index + 1] if index + 1 < len(text) else " "
            # Inside a word (snake_case) an underscore opens no emphasis.
            written.append("_" if before.isalnum() and after.isalnum() else "\\_")
        elif character == "&" and _NAMED_ENTITY.match(text, index):
            written.append("\\&")
        else:
            written.append(character)
    return _HEADING.sub(lambda heading: heading.group(1) + "\\", "".join(written))


def _prose(text: str, references: References) -> str:
    pieces: list[str] = []

    def hold(reference: re.Match[str]) -> str:
        pieces.append(_resolve(reference.group(1), references)[1])
        return f"\ue000{len(pieces) - 1}\ue001"

    held = references.scrub(_unescape(_REFERENCE.sub(hold, text)))
    return _PLACEHOLDER.sub(lambda place: pieces[int(place.group(1))], _inline(held))


def _inline(text: str) -> str:
    written: list[str] = []
    position = 0
    for emphasis in _EMPHASIS.finditer(text):
        written.append(escape(text[position:emphasis.start()]))
        mark = _MARKDOWN_MARK[emphasis["mark"]]
        written.append(mark + _inline(emphasis["inner"]) + mark)
        position = emphasis.end()
    written.append(escape(text[position:]))
    return "".join(written)


def _code_text(text: str, references: References) -> str:
    pieces: list[str] = []

    def hold(reference: re.Match[str]) -> str:
        pieces.append(_resolve(reference.group(1), references)[0])
        return f"\ue000{len(pieces) - 1}\ue001"

    held = references.scrub(_unescape(_REFERENCE.sub(hold, text)))
    return _PLACEHOLDER.sub(lambda place: pieces[int(place.group(1))], held)


def _unescape(text: str) -> str:
    return _ENTITY.sub(lambda entity: _ENTITIES[entity.group(1)], text)


def _resolve(content: str, references: References) -> tuple[str, str]:
    """Return a reference as plain text and as Markdown."""
    target, _bar, label = content.partition("|")
    label = _unescape(label)
    if not target.startswith("@"):
        label = references.scrub(label)
    if target.startswith("@"):
        words = references.person(target[1:], label)
        return words, escape(words)
    if target.startswith("#"):
        name = label or references.channels.get(target[1:], "")
        words = f"#{name}" if name else references.word("channel")
        return words, escape(words)
    if target.startswith("!"):
        words = _special(target[1:], label, references)
        return words, escape(words)
    address = _unescape(target)
    if address.lower().startswith("mailto:"):
        words = (label or address[len("mailto:"):]) if references.names else (
            references.word("address"))
        return words, escape(words)
    if not re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:", address):
        words = label or address
        return words, escape(words)
    destination = address.replace(" ", "%20").replace("(", "%28").replace(")", "%29")
    if not label or label == address:
        return address, f"<{destination}>"
    return label, f"[{escape(label)}]({destination})"


def _special(command: str, label: str, references: References) -> str:
    """Return a `<!…>` reference (a channel-wide mention, a group, a date) as words."""
    name, _caret, argument = command.partition("^")
    if name in _SPECIAL:
        return _SPECIAL[name]
    if name == "subteam":
        if label:
            return label if label.startswith("@") else f"@{label}"
        return references.word("group")
    if name == "date":
        if label:
            return label
        seconds = argument.partition("^")[0]
        try:
            moment = utc_from_timestamp(float(seconds))
        except (ValueError, OverflowError, OSError):
            return ""
        return moment.astimezone(zone_named(references.zone)).strftime("%Y-%m-%d %H:%M")
    return label


def from_blocks(blocks: object) -> str:
    """Return what a message's rich-text blocks say, in Slack's markup (for an empty text)."""
    lines = []
    for block in _objects(blocks):
        if block.get("type") == "rich_text":
            lines.append(_rich_text(block.get("elements"), 0))
        elif block.get("type") == "section":
            text = block.get("text")
            lines.append(_string(text.get("text")) if isinstance(text, dict) else "")
    return "\n".join(line for line in lines if line)


#: How deep rich-text elements are followed: a list in a quote is three levels.
_RICH_DEPTH = 8
_STYLE_MARKS = (("code", "`"), ("strike", "~"), ("italic", "_"), ("bold", "*"))


def _rich_text(elements: object, depth: int) -> str:
    if depth > _RICH_DEPTH:
        return ""
    blocks: list[str] = []
    inline: list[str] = []
    for element in _objects(elements):
        kind = element.get("type")
        if kind == "rich_text_section":
            inline.append(_rich_text(element.get("elements"), depth + 1))
            continue
        if kind in ("rich_text_list", "rich_text_quote", "rich_text_preformatted"):
            blocks.append("".join(inline))
            inline = []
            inner = _rich_text(element.get("elements"), depth + 1)
            if kind == "rich_text_preformatted":
                blocks.append(f"```{inner}```")
            elif kind == "rich_text_quote":
                blocks.append("\n".join(f"&gt; {line}" for line in inner.split("\n")))
            else:
                items = [_rich_text([item], depth + 1)
                         for item in _objects(element.get("elements"))]
                blocks.append("\n".join(f"• {item}" for item in items))
            continue
        inline.append(_rich_element(element))
    blocks.append("".join(inline))
    return "\n".join(block for block in blocks if block)


def _rich_element(element: Mapping[str, object]) -> str:
    """Return one inline element of rich text (text, link, mention, emoji) as Slack markup."""
    kind = element.get("type")
    if kind == "text":
        text = _slack_escaped(_string(element.get("text")))
        style = element.get("style")
        if isinstance(style, dict) and text.strip():
            core = text.strip()
            for name, mark in _STYLE_MARKS:
                if style.get(name) is True:
                    core = f"{mark}{core}{mark}"
            lead = text[:len(text) - len(text.lstrip())]
            trail = text[len(text.rstrip()):]
            text = f"{lead}{core}{trail}"
        return text
    if kind == "link":
        url, label = _string(element.get("url")), _string(element.get("text"))
        return f"<{url}|{_slack_escaped(label)}>" if label else f"<{url}>"
    if kind == "user":
        return f"<@{_string(element.get('user_id'))}>"
    if kind == "channel":
        return f"<#{_string(element.get('channel_id'))}>"
    if kind == "usergroup":
        return f"<!subteam^{_string(element.get('usergroup_id'))}>"
    if kind == "broadcast":
        return f"<!{_string(element.get('range'))}>"
    if kind == "emoji":
        return f":{_string(element.get('name'))}:"
    if kind == "date":
        fallback = _slack_escaped(_string(element.get("fallback")))
        return f"<!date^{element.get('timestamp')}^{{date}}|{fallback}>"
    return ""


def _slack_escaped(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _string(value: object) -> str:
    return value if isinstance(value, str) else ""


def _objects(value: object) -> list[dict[str, object]]:
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []
