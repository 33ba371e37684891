"""Draft a record's timeline from a Slack export: the messages of a channel marked as facts.

Responders mark the messages that belong in the timeline as they go, by pinning them or
adding a reaction (:pushpin: by default). The export (a folder or its zip:
`channels.json`, `users.json`, `<channel>/<YYYY-MM-DD>.json`) gives each message's final
text, its thread and its time; each marked message becomes a timeline entry in the
record's zone, its markup cleaned. The review is blameless: a person is a role when the
configuration maps them to one, a neutral word otherwise, and a name only when asked.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from types import MappingProxyType
from typing import Any

from postmortem.errors import InputError, Problem
from postmortem.i18n import _
from postmortem.importers import archive
from postmortem.importers.archive import Export, Item, open_export
from postmortem.importers.draft import Draft, Todo, format_instant, utc_from_timestamp
from postmortem.importers.slack_text import (
    WORDS,
    References,
    escape,
    from_blocks,
    to_markdown,
    to_plain,
)
from postmortem.record.instants import InstantError, zone_named
from postmortem.record.limits import MAX_TEXT, MAX_TIMELINE, figure

#: What the draft says, in the record's language.
TEXTS: dict[str, dict[str, str]] = {
    "en": {
        "title": "Incident in #{channel}",
        "source_title": "#{channel} (Slack channel)",
        "source_note": "export of the channel, {first} to {last}; {count} pinned or "
                       ":{reaction}: messages",
        "source_note_one": "export of the channel, {first} to {last}; 1 pinned or "
                           ":{reaction}: message",
        "reply": "(in reply to: {excerpt})",
        "reply_missing": "(in reply to a message that is not in the export)",
        "reply_deleted": "(in reply to a deleted message)",
        "file": "(file: {title})",
        "empty": "(a message without text)",
        "started_note": "the impact had begun by the first pinned or :{reaction}: message "
                        "of #{channel}",
        "todo_started": "say when the impact started: the channel only shows that it had "
                        "begun by its first marked message",
        "todo_timeline": "every entry is drafted as an action: check each entry's kind "
                         "(trigger, impact, detection, action, communication, milestone, "
                         "decision, recovery) and write it as a fact",
        "todo_title_default": "the channel has no purpose nor topic: give the review a title",
        "todo_title_purpose": "taken from the channel's purpose or topic: make it the "
                              "review's title",
        "todo_zone": "{zone} is the time zone of most authors of the marked messages "
                     "(users.json): check that the review should show its times in it",
        "todo_zone_utc": "no author of the marked messages has a known time zone, so times "
                         "are in UTC: choose the zone the review should show them in",
    },
    "fr": {
        "title": "Incident dans #{channel}",
        "source_title": "#{channel} (canal Slack)",
        "source_note": "export du canal, du {first} au {last} ; {count} messages "
                       "épinglés ou marqués :{reaction}:",
        "source_note_one": "export du canal, du {first} au {last} ; 1 message épinglé "
                           "ou marqué :{reaction}:",
        "reply": "(en réponse à : {excerpt})",
        "reply_missing": "(en réponse à un message absent de l’export)",
        "reply_deleted": "(en réponse à un message supprimé)",
        "file": "(fichier : {title})",
        "empty": "(un message sans texte)",
        "started_note": "l’impact avait commencé au premier message épinglé ou marqué "
                        ":{reaction}: de #{channel}",
        "todo_started": "dire quand l’impact a commencé : le canal montre seulement "
                        "qu’il avait commencé à son premier message marqué",
        "todo_timeline": "chaque entrée est écrite comme une action : vérifier le type "
                         "de chacune (trigger, impact, detection, action, communication, "
                         "milestone, decision, recovery) et l’écrire comme un fait",
        "todo_title_default": "le canal n’a ni objet ni sujet : donner un titre à la "
                              "revue",
        "todo_title_purpose": "repris de l’objet ou du sujet du canal : en faire le "
                              "titre de la revue",
        "todo_zone": "{zone} est le fuseau horaire de la plupart des auteurs des messages "
                     "marqués (users.json) : vérifier que la revue doit montrer ses "
                     "heures dans ce fuseau",
        "todo_zone_utc": "aucun auteur des messages marqués n’a de fuseau horaire connu, les "
                         "heures sont donc en UTC : choisir le fuseau dans lequel la "
                         "revue les montre",
    },
}

#: Subtypes of messages people write; the others (joins, leaves, topic, pins…) are events
#: of the channel itself.
_WRITTEN = frozenset({"", "thread_broadcast", "reply_broadcast", "me_message", "file_share",
                      "bot_message"})
#: Seconds of ten digits at most: up to the year 2286, within what datetime can hold.
_TIMESTAMP = re.compile(r"^\d{1,10}(\.\d{1,9})?$")
#: A word as a name starts with it ("Bob", "bob.sample", "Jean-Pierre"), maybe after an
#: '@'; an apostrophe ends it, so that "Bob's" holds the name "Bob".
_WORD = re.compile(r"(?<![\w.@'’-])@?(\w+(?:[.-]\w+)*)")
_WORD_CHARACTER = re.compile(r"\w")
_NO_ROLES: Mapping[str, str] = MappingProxyType({})
#: Words of a thread's first message quoted in a reply.
_EXCERPT_WORDS = 8


@dataclass(frozen=True)
class Channel:
    """A channel the export lists: in channels.json (public) or groups.json (private)."""

    id: str
    name: str
    purpose: str
    topic: str
    pins: frozenset[str]


@dataclass(frozen=True)
class User:
    """A member of the workspace, as users.json (or a message's profile) gives them."""

    id: str
    shown: str
    """The name Slack shows: the display name, else the real name, else the user name."""
    names: tuple[str, ...]
    zone: str
    bot: bool


@dataclass
class Message:
    """A message of the channel, in its last version."""

    ts: str
    value: dict[str, Any]
    deleted: bool = False

    @property
    def moment(self) -> Decimal:
        """Return the time of the message as an exact number, to order messages."""
        return Decimal(self.ts)


@dataclass
class _Reading:
    """What one import needs while it turns messages into entries."""

    channel: Channel
    channels: dict[str, str]
    users: dict[str, User]
    roles: dict[str, str]
    lang: str
    names: bool
    zone: str = "UTC"
    texts: dict[str, str] = field(default_factory=dict)
    scrub: Callable[[str], str] = field(default=lambda text: text)


def read_slack(path: Path, *, channel: str, zone: str | None = None, lang: str = "en",
               reaction: str = "pushpin", bots: bool = False, names: bool = False,
               roles: Mapping[str, str] = _NO_ROLES) -> Draft:
    """Draft a record from the pinned or marked messages of one channel of a Slack export."""
    lang = lang if lang in TEXTS else "en"
    texts = TEXTS[lang]
    reaction = reaction.strip().strip(":") or "pushpin"
    with open_export(path) as export:
        channels = _channels(export)
        chosen = _choose(export, channels, channel)
        users = _users(export)
        days, messages = _messages(export, chosen)
    role_keys = _role_keys(roles)
    reading = _Reading(chosen, {c.id: c.name for c in channels}, users, role_keys, lang, names,
                       texts=texts, scrub=_scrubber(users, role_keys, lang, names))
    selected = [message for message in messages.values()
                if _written(message, users, bots) and _marked(message, chosen, reaction)]
    selected.sort(key=lambda message: message.moment)
    if not selected:
        raise InputError([Problem(str(path), 1, 1, _(
            "no message of #{channel} is pinned or carries :{reaction}:: pin the messages of "
            "the timeline or choose another reaction with --reaction",
            channel=chosen.name, reaction=reaction))])
    if len(selected) > MAX_TIMELINE:
        raise InputError([Problem(str(path), 1, 1, _(
            "{count} messages of #{channel} are pinned or carry :{reaction}:; the limit of a "
            "timeline is {limit} entries: choose a reaction that marks fewer with --reaction",
            count=figure(len(selected)), channel=chosen.name, reaction=reaction,
            limit=figure(MAX_TIMELINE)))])
    todos: list[Todo] = []
    reading.zone = _zone(zone, selected, users, texts, todos)
    moments = [utc_from_timestamp(float(message.ts)) for message in selected]
    timeline = []
    slug = _slug(chosen.name)
    source_id = f"slack-{slug}"[:120].rstrip("-")
    for message, moment in zip(selected, moments, strict=True):
        timeline.append({"at": format_instant(moment, reading.zone), "kind": "action",
                         "text": _entry_text(message, messages, reading),
                         "sources": [source_id]})
    first_day = moments[0].astimezone(zone_named(reading.zone)).date().isoformat()
    references = _references(reading)
    described = to_plain(chosen.purpose or chosen.topic, references).strip()
    if described:
        title = described
        todos.append(Todo(("title",), texts["todo_title_purpose"]))
    else:
        title = texts["title"].format(channel=chosen.name)
        todos.append(Todo(("title",), texts["todo_title_default"]))
    note_key = "source_note_one" if len(selected) == 1 else "source_note"
    source = {
        "id": source_id,
        "title": texts["source_title"].format(channel=chosen.name),
        "note": texts[note_key].format(first=_day(days[0]), last=_day(days[-1]),
                                       count=len(selected), reaction=reaction),
    }
    key_instants = {"started": {
        "at": f"before {timeline[0]['at']}",
        "note": texts["started_note"].format(reaction=reaction, channel=chosen.name),
        "confidence": "unverified",
    }}
    todos.append(Todo(("key_instants", "started"), texts["todo_started"]))
    todos.append(Todo(("timeline",), texts["todo_timeline"]))
    return Draft(id=f"{first_day}-{slug}"[:120].rstrip("-"), title=title, lang=lang,
                 timezone=reading.zone, source=source, key_instants=key_instants,
                 timeline=timeline, todos=todos)


def _channels(export: Export) -> list[Channel]:
    if not export.has("channels.json"):
        raise InputError([Problem(export.label, 1, 1, _(
            "no channels.json: not a Slack export (give the folder or the zip that Slack's "
            "export gives)"))])
    channels = _channel_list(export, "channels.json")
    if export.has("groups.json"):
        channels += _channel_list(export, "groups.json")
    return channels


def _channel_list(export: Export, name: str) -> list[Channel]:
    channels = []
    for item in export.read_list(name):
        value = item.value
        if not isinstance(value, dict) or not _text(value.get("id")) or not _text(
                value.get("name")):
            raise _shape(export, name, item, _("a channel without an id or a name"))
        pins = value.get("pins")
        pinned = frozenset(_text(pin.get("id")) for pin in pins if isinstance(pin, dict)
                           ) if isinstance(pins, list) else frozenset()
        channels.append(Channel(id=value["id"], name=value["name"],
                                purpose=_field_value(value.get("purpose")),
                                topic=_field_value(value.get("topic")), pins=pinned))
    return channels


def _choose(export: Export, channels: list[Channel], wanted: str) -> Channel:
    name = wanted.strip().removeprefix("#")
    for channel in channels:
        if name in (channel.name, channel.id):
            return channel
    for channel in channels:
        if name.casefold() == channel.name.casefold():
            return channel
    shown = ", ".join(f"#{channel.name}" for channel in channels[:20])
    if len(channels) > 20:
        shown += ", …"
    raise InputError([Problem(export.where("channels.json"), 1, 1, _(
        "no channel #{channel} in the export; it holds {channels}: give one of them to "
        "--channel", channel=name, channels=shown or _("no channel")))])


def _users(export: Export) -> dict[str, User]:
    name = next((candidate for candidate in ("users.json", "org_users.json")
                 if export.has(candidate)), None)
    if name is None:
        return {}
    users = {}
    for item in export.read_list(name):
        value = item.value
        if not isinstance(value, dict) or not _text(value.get("id")):
            raise _shape(export, name, item, _("a user without an id"))
        users[value["id"]] = _user(value["id"], value, value.get("profile"))
    return users


def _user(user_id: str, value: Mapping[str, Any], profile: object) -> User:
    profile = profile if isinstance(profile, dict) else {}
    names = tuple(dict.fromkeys(filter(None, (
        _text(value.get("name")), _text(value.get("real_name")),
        _text(profile.get("real_name")), _text(profile.get("display_name")),
        _text(profile.get("real_name_normalized")),
        _text(profile.get("display_name_normalized")), _text(profile.get("name"))))))
    shown = (_text(profile.get("display_name")) or _text(profile.get("real_name"))
             or _text(value.get("real_name")) or _text(value.get("name"))
             or _text(profile.get("name")))
    return User(id=user_id, shown=shown, names=names, zone=_text(value.get("tz")),
                bot=value.get("is_bot") is True)


def _messages(export: Export, channel: Channel) -> tuple[list[str], dict[str, Message]]:
    """Return the channel's day files and its messages by ts, in their last version."""
    days = export.days(channel.name) or export.days(channel.id)
    if not days:
        folder = channel.name + "/"
        raise InputError([Problem(export.label, 1, 1, _(
            "the export holds no messages of #{channel} (no folder {folder} of days "
            "YYYY-MM-DD.json)", channel=channel.name, folder=folder))])
    messages: dict[str, Message] = {}
    changes: list[tuple[str, Message]] = []
    deleted: set[str] = set()
    count = 0
    for day in days:
        items = export.read_list(day)
        count += len(items)
        if count > archive.MAX_MESSAGES:
            raise InputError([Problem(export.where(day), 1, 1, _(
                "the channel holds more than {limit} messages, the limit of an import",
                limit=figure(archive.MAX_MESSAGES)))])
        for item in items:
            message = _message(export, day, item)
            subtype = _text(message.value.get("subtype"))
            if subtype == "message_changed":
                changed = message.value.get("message")
                if isinstance(changed, dict) and _TIMESTAMP.match(_text(changed.get("ts"))):
                    changes.append((changed["ts"], Message(changed["ts"], changed)))
            elif subtype == "message_deleted":
                deleted.add(_text(message.value.get("deleted_ts")))
            else:
                messages[message.ts] = message
    for ts, change in changes:
        original = messages.get(ts)
        if original is None:
            messages[ts] = change
        else:
            # The change carries the new message; fields it leaves out stay as they were.
            original.value = {**original.value, **change.value}
    for ts in deleted:
        if ts in messages:
            messages[ts].deleted = True
    for message in messages.values():
        if _text(message.value.get("subtype")) == "tombstone":
            message.deleted = True
    return days, messages


def _message(export: Export, day: str, item: Item) -> Message:
    value = item.value
    if not isinstance(value, dict):
        raise _shape(export, day, item, _("a message that is not a JSON object"))
    ts = value.get("ts")
    if ts is None:
        raise _shape(export, day, item, _("a message without ts (its time)"))
    if not isinstance(ts, str) or not _TIMESTAMP.match(ts):
        raise _shape(export, day, item, _(
            "a message whose ts is not a Slack time such as \"1722681000.000200\""))
    return Message(ts, value)


def _written(message: Message, users: Mapping[str, User], bots: bool) -> bool:
    """Say whether a message is one someone wrote (not an event), and a bot's only if asked."""
    value = message.value
    if message.deleted or value.get("hidden") is True:
        return False
    subtype = _text(value.get("subtype"))
    if subtype not in _WRITTEN:
        return False
    return bots or not _is_bot(value, users)


def _is_bot(value: Mapping[str, Any], users: Mapping[str, User]) -> bool:
    user = users.get(_text(value.get("user")))
    return (_text(value.get("subtype")) == "bot_message" or bool(value.get("bot_id"))
            or (user is not None and user.bot))


def _marked(message: Message, channel: Channel, reaction: str) -> bool:
    value = message.value
    if message.ts in channel.pins:
        return True
    pinned_to = value.get("pinned_to")
    if isinstance(pinned_to, list) and pinned_to:
        return True
    reactions = value.get("reactions")
    if not isinstance(reactions, list):
        return False
    for mark in reactions:
        name = _text(mark.get("name")) if isinstance(mark, dict) else ""
        # A skin tone is written after the name: "pushpin::skin-tone-3".
        if name == reaction or name.startswith(f"{reaction}::"):
            return True
    return False


def _zone(zone: str | None, selected: list[Message], users: Mapping[str, User],
          texts: Mapping[str, str], todos: list[Todo]) -> str:
    if zone is not None:
        try:
            zone_named(zone)
        except InstantError as error:
            raise InputError([Problem("", 0, 0, str(error))]) from None
        return zone
    authors: dict[str, int] = {}
    for message in selected:
        user = users.get(_text(message.value.get("user")))
        if user is None or user.bot or _is_bot(message.value, users) or not _known(user.zone):
            continue
        authors[user.id] = authors.get(user.id, 0) + 1
    if not authors:
        todos.append(Todo(("timezone",), texts["todo_zone_utc"]))
        return "UTC"
    # Most authors decide; among zones with as many, the one with more messages.
    people = Counter(users[author].zone for author in authors)
    written = Counter({users[author].zone: 0 for author in authors})
    for author, count in authors.items():
        written[users[author].zone] += count
    chosen = max(people, key=lambda name: (people[name], written[name]))
    todos.append(Todo(("timezone",), texts["todo_zone"].format(zone=chosen)))
    return chosen


def _known(zone: str) -> bool:
    if not zone:
        return False
    try:
        zone_named(zone)
    except InstantError:
        return False
    return True


def _entry_text(message: Message, messages: Mapping[str, Message], reading: _Reading) -> str:
    value = message.value
    texts = reading.texts
    references = _references(reading)
    text = to_markdown(_text(value.get("text")) or from_blocks(value.get("blocks")), references)
    if not text:
        fallbacks = [to_markdown(_text(attachment.get("fallback") or attachment.get("text")
                                       or attachment.get("title")), references)
                     for attachment in _objects(value.get("attachments"))]
        text = "\n\n".join(filter(None, fallbacks))
    files = [texts["file"].format(title=escape(_text(file.get("title") or file.get("name"))))
             for file in _objects(value.get("files")) if file.get("title") or file.get("name")]
    text = _joined(text, " ".join(files))
    if len(text) > MAX_TEXT - 1000:
        plain = to_plain(_text(value.get("text")), references)
        text = escape(plain[:MAX_TEXT // 2]) + "…"
    text = _joined(text, _thread_note(message, messages, references, texts)) or texts["empty"]
    author = _author(value, reading)
    if not author:
        return text
    separator = "\n\n" if text.startswith("```") else " "
    return f"{escape(author)}:{separator}{text}"


def _thread_note(message: Message, messages: Mapping[str, Message], references: References,
                 texts: Mapping[str, str]) -> str:
    thread = _text(message.value.get("thread_ts"))
    if not thread or thread == message.ts:
        return ""
    parent = messages.get(thread)
    if parent is None:
        return texts["reply_missing"]
    if parent.deleted:
        return texts["reply_deleted"]
    words = to_plain(_text(parent.value.get("text")), references).split()
    if not words:
        return texts["reply_missing"]
    excerpt = " ".join(words[:_EXCERPT_WORDS]) + ("…" if len(words) > _EXCERPT_WORDS else "")
    return texts["reply"].format(excerpt=escape(excerpt))


def _joined(text: str, more: str) -> str:
    if not more:
        return text
    if not text:
        return more
    # A code block closes only on a line of its own.
    return f"{text}\n\n{more}" if text.endswith("```") else f"{text} {more}"


def _author(value: Mapping[str, Any], reading: _Reading) -> str:
    """Return who wrote a message as the entry shows it: a role, a name if asked, or none."""
    user_id = _text(value.get("user"))
    user = reading.users.get(user_id) or _user(user_id, {}, value.get("user_profile"))
    role = _role(reading, user)
    if role:
        return role
    if _text(value.get("subtype")) == "bot_message" or value.get("bot_id"):
        profile = value.get("bot_profile")
        bot_name = _text(profile.get("name")) if isinstance(profile, dict) else ""
        bot_name = bot_name or _text(value.get("username"))
        # A bot is not a person: its name says which tool spoke.
        return reading.roles.get(_key(bot_name), bot_name) if bot_name else user.shown
    if reading.names or user.bot:
        return user.shown
    return ""


def _references(reading: _Reading) -> References:
    def person(user_id: str, label: str) -> str:
        user = reading.users.get(user_id) or User(user_id, label, (label,) if label else (),
                                                  "", False)
        role = _role(reading, user)
        if role:
            return role
        if (reading.names or user.bot) and user.shown:
            return user.shown
        return WORDS.get(reading.lang, WORDS["en"])["person"]

    return References(person=person, channels=reading.channels, zone=reading.zone,
                      lang=reading.lang, names=reading.names, scrub=reading.scrub)


def _scrubber(users: Mapping[str, User], roles: Mapping[str, str], lang: str,
              names: bool) -> Callable[[str], str]:
    """Return what replaces the people's names a text writes out: a role, or a neutral word."""
    if names:
        return _unchanged
    neutral = WORDS.get(lang, WORDS["en"])["person"]
    replacements: dict[str, str] = {}
    for user in users.values():
        if user.bot:
            continue
        replacement = next((roles[_key(key)] for key in (user.id, *user.names)
                            if roles.get(_key(key))), neutral)
        first_names = [_WORD.match(name) for name in user.names if " " in name]
        for name in (*user.names, *(match.group(1) for match in first_names if match)):
            if len(name) > 1 and any(character.isalpha() for character in name):
                replacements.setdefault(name, replacement)
    by_first_word: dict[str, list[str]] = {}
    for name in sorted(replacements, key=len, reverse=True):
        first = _WORD.match(name)
        if first is not None:
            by_first_word.setdefault(first.group(1), []).append(name)

    def scrub(text: str) -> str:
        written: list[str] = []
        position = 0
        for word in _WORD.finditer(text):
            if word.start() < position:
                continue
            start = word.start(1)
            for name in by_first_word.get(word.group(1), ()):
                end = start + len(name)
                if text.startswith(name, start) and not _WORD_CHARACTER.match(text, end):
                    written += [text[position:word.start()], replacements[name]]
                    position = end
                    break
        written.append(text[position:])
        return "".join(written)

    return scrub


def _unchanged(text: str) -> str:
    return text


def _role(reading: _Reading, user: User) -> str:
    for key in (user.id, *user.names):
        role = reading.roles.get(_key(key))
        if role:
            return role
    return ""


def _role_keys(roles: Mapping[str, str]) -> dict[str, str]:
    return {_key(person): role.strip() for person, role in roles.items() if role.strip()}


def _key(name: str) -> str:
    return name.strip().removeprefix("@").casefold()


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.casefold()).strip("-") or "slack"


def _day(member: str) -> str:
    return member.rsplit("/", 1)[-1].removesuffix(".json")


def _shape(export: Export, name: str, item: Item, message: str) -> InputError:
    return export.problem(name, message, item.line, item.column)


def _field_value(value: object) -> str:
    """Return the text of a channel's purpose or topic ({"value": …}, or a string)."""
    if isinstance(value, dict):
        return _text(value.get("value"))
    return _text(value)


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""


def _objects(value: object) -> list[dict[str, Any]]:
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []
