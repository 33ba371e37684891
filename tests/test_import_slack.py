"""Drafts from a Slack export: the marked messages of a channel, as a blameless timeline.

The export in tests/imports/slack/export is written by hand from Slack's description of
its exports (invented workspace and people); the zips are built here from that folder.
"""

from __future__ import annotations

import json
import shutil
import zipfile
from pathlib import Path

import pytest

from postmortem.errors import InputError
from postmortem.importers import archive
from postmortem.importers.slack import read_slack
from postmortem.importers.slack_text import References, to_markdown, to_plain

EXPORT = Path(__file__).parent / "imports" / "slack" / "export"
CHANNEL = "inc-checkout-errors"

#: Every name the export gives its people: none may reach a draft unless asked.
PEOPLE_NAMES = ["Ada Example", "Ada", "ada", "Bob Sample", "Bob", "bob.sample", "bobby",
                "Chiyo Placeholder", "Chiyo P", "Chiyo", "chiyo", "@example.com"]

ROLES = {"U0ADA0001": "incident commander", "Chiyo P": "communications lead",
         "@bob.sample": "payments engineer"}


def zipped(folder: Path, target: Path, top: str = "") -> Path:
    """Zip a folder's files (under `top/` when given), as Slack's export or a re-zip does."""
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as export:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                export.write(path, top + path.relative_to(folder).as_posix())
    return target


def copied(tmp_path: Path) -> Path:
    """Return a copy of the export to spoil."""
    return Path(shutil.copytree(EXPORT, tmp_path / "export"))


def problem_of(error: pytest.ExceptionInfo[InputError]) -> str:
    [problem] = error.value.problems
    return str(problem)


def texts(draft) -> list[str]:
    return [entry["text"] for entry in draft.timeline]


def test_the_marked_messages_make_the_timeline_in_time_order():
    draft = read_slack(EXPORT, channel=CHANNEL)
    assert texts(draft) == [
        "Checkout errors are up since about 23:30 @here please join, a responder and a "
        "responder too",
        "Confirmed: the provider's API times out for *all* card payments "
        "(in reply to: a responder, payment provider latency is very high…)",
        "Switching checkout to the backup provider, ETA ~~5 min~~ 10 min",
        "Rolled back the 23:15 deploy of `checkout-api` to v2.3.1",
        "Customers can pay again; a responder keeps watching the provider, see #general "
        "for the announcement",
        "**Review** owner: a responder; notes in <https://wiki.example.com/inc/42>; "
        "questions to an e-mail address",
        '```\nerror_rate{service="checkout"} 0.4\n```\nback to normal, \\<1 % since '
        "Aug 4, 2024 00:20 UTC",
    ]
    assert {entry["kind"] for entry in draft.timeline} == {"action"}
    assert all(entry["sources"] == ["slack-inc-checkout-errors"] for entry in draft.timeline)


def test_times_are_written_in_the_zone_of_most_authors():
    draft = read_slack(EXPORT, channel=CHANNEL)
    # ts 1722721092 is 2024-08-03 21:38:12 UTC, 23:38 in Paris (UTC+2 in summer); the
    # last entries cross midnight in UTC as in Paris.
    assert [entry["at"] for entry in draft.timeline] == [
        "2024-08-03T23:38[Europe/Paris]", "2024-08-03T23:44[Europe/Paris]",
        "2024-08-03T23:50[Europe/Paris]", "2024-08-03T23:51[Europe/Paris]",
        "2024-08-04T00:10[Europe/Paris]", "2024-08-04T02:10[Europe/Paris]",
        "2024-08-04T02:20[Europe/Paris]"]
    assert draft.timezone == "Europe/Paris"
    [zone_todo] = [todo for todo in draft.todos if todo.at == ("timezone",)]
    assert "Europe/Paris" in zone_todo.text and "most authors" in zone_todo.text
    assert draft.id == "2024-08-03-inc-checkout-errors"


def test_a_given_zone_is_used_and_names_the_first_day():
    draft = read_slack(EXPORT, channel=CHANNEL, zone="Asia/Tokyo")
    assert draft.timeline[0]["at"] == "2024-08-04T06:38[Asia/Tokyo]"
    assert draft.id == "2024-08-04-inc-checkout-errors"
    assert ("timezone",) not in [todo.at for todo in draft.todos]
    new_york = read_slack(EXPORT, channel=CHANNEL, zone="America/New_York")
    assert new_york.timeline[-1]["at"] == "2024-08-03T20:20[America/New_York]"


def test_without_known_zones_times_are_in_utc(tmp_path):
    export = copied(tmp_path)
    (export / "users.json").unlink()
    draft = read_slack(export, channel=CHANNEL)
    assert draft.timezone == "UTC"
    assert draft.timeline[0]["at"] == "2024-08-03T21:38[UTC]"
    assert any(todo.at == ("timezone",) and "UTC" in todo.text for todo in draft.todos)


def test_the_draft_names_its_source_title_and_start():
    draft = read_slack(EXPORT, channel=CHANNEL)
    assert draft.source == {
        "id": "slack-inc-checkout-errors", "title": "#inc-checkout-errors (Slack channel)",
        "note": "export of the channel, 2024-08-03 to 2024-08-04; 7 pinned or :pushpin: "
                "messages"}
    assert draft.title == "Checkout errors & failed card payments"
    started = draft.key_instants["started"]
    assert started["at"] == "before 2024-08-03T23:38[Europe/Paris]"
    assert started["confidence"] == "unverified"
    todo_paths = [todo.at for todo in draft.todos]
    assert ("timeline",) in todo_paths and ("key_instants", "started") in todo_paths
    assert ("title",) in todo_paths
    assert draft.communications == [] and draft.impacts == []
    assert draft.lang == "en"


def test_a_channel_without_purpose_is_titled_after_itself(tmp_path):
    export = copied(tmp_path)
    channels = json.loads((export / "channels.json").read_text())
    channels[1]["purpose"] = {"value": "", "creator": "", "last_set": 0}
    (export / "channels.json").write_text(json.dumps(channels))
    draft = read_slack(export, channel=CHANNEL)
    assert draft.title == "Incident in #inc-checkout-errors"
    assert any(todo.at == ("title",) and "title" in todo.text for todo in draft.todos)


def test_no_name_reaches_the_draft_by_default():
    draft = read_slack(EXPORT, channel=CHANNEL, bots=True)
    written = repr(draft)
    for name in PEOPLE_NAMES:
        assert name not in written, name


def test_roles_name_authors_and_mentions():
    draft = read_slack(EXPORT, channel=CHANNEL, roles=ROLES)
    # Written out, not as mentions: "Chiyo P and @bob.sample".
    assert texts(draft)[0] == ("incident commander: Checkout errors are up since about 23:30 "
                               "@here please join, communications lead and payments engineer "
                               "too")
    assert texts(draft)[1].endswith("(in reply to: incident commander, payment provider "
                                    "latency is very high…)")
    assert texts(draft)[1].startswith("communications lead: Confirmed:")
    assert texts(draft)[3].startswith("payments engineer: Rolled back")
    assert texts(draft)[4] == (
        "incident commander: Customers can pay again; communications lead keeps watching the "
        "provider, see #general for the announcement")
    assert texts(draft)[5].startswith("payments engineer: **Review** owner: incident "
                                      "commander;")
    written = repr(draft)
    for name in PEOPLE_NAMES:
        assert name not in written, name


def test_names_are_copied_only_when_asked():
    draft = read_slack(EXPORT, channel=CHANNEL, names=True)
    assert texts(draft)[0] == ("Ada: Checkout errors are up since about 23:30 @here please "
                               "join, Chiyo P and @bob.sample too")
    assert texts(draft)[4] == ("Ada: Customers can pay again; Chiyo P keeps watching the "
                               "provider, see #general for the announcement")
    assert texts(draft)[5] == ("bobby: **Review** owner: Ada; notes in "
                               "<https://wiki.example.com/inc/42>; questions to "
                               "bob.sample@example.com")
    # A role still wins over the name.
    with_roles = read_slack(EXPORT, channel=CHANNEL, names=True, roles=ROLES)
    assert texts(with_roles)[0].startswith("incident commander: ")


def test_bot_messages_only_when_asked():
    without = read_slack(EXPORT, channel=CHANNEL)
    assert not any("Error rate" in text for text in texts(without))
    draft = read_slack(EXPORT, channel=CHANNEL, bots=True)
    assert len(draft.timeline) == 8
    assert draft.timeline[4] == {"at": "2024-08-04T00:05[Europe/Paris]", "kind": "action",
                                 "text": "Status Bot: Error rate on checkout back under 1 %",
                                 "sources": ["slack-inc-checkout-errors"]}
    assert "8 pinned or :pushpin: messages" in draft.source["note"]
    # The bot's time zone does not count among the authors'.
    assert draft.timezone == "Europe/Paris"


def test_edits_deletions_and_channel_events():
    written = "\n".join(texts(read_slack(EXPORT, channel=CHANNEL, bots=True)))
    assert "Rolled back the 23:15 deploy" in written
    assert "Rolled back the deploy" not in written  # the text before the edit
    assert "DNS" not in written  # deleted
    assert "joined" not in written and "left" not in written and "pinned a" not in written
    assert "Thanks all" not in written  # not marked


def test_another_reaction_marks_other_messages(tmp_path):
    export = copied(tmp_path)
    day = export / CHANNEL / "2024-08-04.json"
    messages = json.loads(day.read_text())
    messages[2]["reactions"] = [{"name": "white_check_mark::skin-tone-2", "users": [],
                                 "count": 1}]
    day.write_text(json.dumps(messages))
    draft = read_slack(export, channel=CHANNEL, reaction=":white_check_mark:")
    # The pinned messages, and the one with the reaction.
    assert texts(draft) == [
        "Switching checkout to the backup provider, ETA ~~5 min~~ 10 min",
        "Customers can pay again; a responder keeps watching the provider, see #general "
        "for the announcement",
        "Thanks all, standing down @oncall"]
    assert ":white_check_mark:" in draft.source["note"]


def test_no_marked_message_says_how_to_mark_them(tmp_path):
    export = copied(tmp_path)
    channels = json.loads((export / "channels.json").read_text())
    del channels[1]["pins"]
    (export / "channels.json").write_text(json.dumps(channels))
    day = export / CHANNEL / "2024-08-03.json"
    messages = json.loads(day.read_text())
    for message in messages:
        message.pop("pinned_to", None)
    day.write_text(json.dumps(messages))
    with pytest.raises(InputError) as error:
        read_slack(export, channel=CHANNEL, reaction="eyes")
    assert problem_of(error) == (
        f"{export}:1:1: error: no message of #inc-checkout-errors is pinned or carries :eyes:: "
        "pin the messages of the timeline or choose another reaction with --reaction")


def test_a_channel_is_found_by_name_or_id():
    expected = read_slack(EXPORT, channel=CHANNEL)
    assert read_slack(EXPORT, channel="#inc-checkout-errors") == expected
    assert read_slack(EXPORT, channel="C0INC0001") == expected


def test_a_missing_channel_lists_those_there_are():
    with pytest.raises(InputError) as error:
        read_slack(EXPORT, channel="#inc-payments")
    assert problem_of(error) == (
        f"{EXPORT / 'channels.json'}:1:1: error: no channel #inc-payments in the export; it "
        "holds #general, #inc-checkout-errors, #security-review: give one of them to "
        "--channel")


def test_a_zip_gives_the_same_draft_as_the_folder(tmp_path):
    expected = read_slack(EXPORT, channel=CHANNEL, bots=True, roles=ROLES)
    export = zipped(EXPORT, tmp_path / "export.zip")
    assert read_slack(export, channel=CHANNEL, bots=True, roles=ROLES) == expected
    # The folder zipped again, under its own name.
    again = zipped(EXPORT, tmp_path / "again.zip", top="export/")
    with zipfile.ZipFile(again, "a") as export:
        export.writestr("__MACOSX/export/._channels.json", b"\0\5\26\7")
    assert read_slack(again, channel=CHANNEL, bots=True, roles=ROLES) == expected


def test_a_french_draft():
    draft = read_slack(EXPORT, channel=CHANNEL, lang="fr")
    assert draft.lang == "fr"
    assert texts(draft)[1].endswith(
        "(en réponse à : une personne de l’équipe, payment provider latency is…)")
    assert "une personne de l’équipe garde" not in texts(draft)[4]
    assert "; une personne de l’équipe keeps watching" in texts(draft)[4]
    assert draft.source["title"] == "#inc-checkout-errors (canal Slack)"
    assert draft.source["note"] == ("export du canal, du 2024-08-03 au 2024-08-04 ; "
                                    "7 messages épinglés ou marqués :pushpin:")


def test_the_draft_validates_as_a_record():
    from postmortem.importers.emit import draft_yaml
    from postmortem.record.load import load_bytes
    from postmortem.record.validate import validate_upgraded

    for options in ({}, {"bots": True, "roles": ROLES}, {"lang": "fr", "names": True}):
        draft = read_slack(EXPORT, channel=CHANNEL, **options)
        document = load_bytes(draft_yaml(draft).encode(), "draft.yaml")
        assert list(document.problems) == []
        _, incident = validate_upgraded(document)
        assert incident.id == draft.id
        assert len(incident.timeline) == len(draft.timeline)


# Slack's markup, one rule at a time.

REFERENCES = References(person=lambda user, label: "a responder",
                        channels={"C0GEN0001": "general"}, zone="Europe/Paris")


@pytest.mark.parametrize(("slack", "markdown"), [
    ("<@U0ADA0001> restarted it", "a responder restarted it"),
    ("<@U0ADA0001|ada> restarted it", "a responder restarted it"),
    ("see <#C0GEN0001|general> and <#C0GEN0001>", "see #general and #general"),
    ("<!here> <!channel> <!everyone>", "@here @channel @everyone"),
    ("<!subteam^S0ONCALL1|@oncall> paged", "@oncall paged"),
    ("<!subteam^S0ONCALL1> paged", "a group paged"),
    ("since <!date^1722730800^{time}|00:20 UTC>", "since 00:20 UTC"),
    ("since <!date^1722730800^{time}>", "since 2024-08-04 02:20"),
    ("<https://example.com/a?b=1&amp;c=2|the graph>",
     "[the graph](https://example.com/a?b=1&c=2)"),
    ("<https://example.com/x>", "<https://example.com/x>"),
    ("<https://example.com/x|https://example.com/x>", "<https://example.com/x>"),
    ("<https://example.com/(x)|a [bracket]>", "[a \\[bracket\\]](https://example.com/%28x%29)"),
    ("<mailto:ada@example.com|ada@example.com>", "an e-mail address"),
    ("errors &amp; timeouts &lt;1 % &gt; 0", "errors & timeouts \\<1 % > 0"),
    ("&amp;lt; stays", "\\&lt; stays"),
    ("*bold* _italic_ ~struck~", "**bold** *italic* ~~struck~~"),
    ("*bold _and italic_*", "**bold *and italic***"),
    ("snake_case_name and 2*3*4", "snake_case_name and 2\\*3\\*4"),
    ("a [link](x) is not one", "a \\[link\\](x) is not one"),
    ("# not a heading\n#general", "\\# not a heading\n#general"),
    ("`a *b* <@U1>`", "`a *b* a responder`"),
    ("before ```x = *1*\ny``` after", "before\n```\nx = *1*\ny\n```\nafter"),
    ("back\\slash", "back\\\\slash"),
])
def test_slack_markup_becomes_markdown(slack, markdown):
    assert to_markdown(slack, REFERENCES) == markdown


def test_a_plain_excerpt_drops_the_markup():
    assert to_plain("*Very* high &amp; <https://x.example|rising> `now`", REFERENCES) == (
        "Very high & rising now")


def test_addresses_are_copied_only_with_names():
    named = References(person=lambda user, label: label, names=True)
    assert to_markdown("<mailto:ada@example.com|ada@example.com>", named) == "ada@example.com"
    french = References(person=lambda user, label: "une personne de l’équipe", lang="fr")
    assert to_markdown("<mailto:ada@example.com|Ada>", french) == "une adresse électronique"


# What is not an export, or is a broken or hostile one.

def test_a_missing_path(tmp_path):
    with pytest.raises(InputError) as error:
        read_slack(tmp_path / "nowhere.zip", channel=CHANNEL)
    assert problem_of(error) == f"{tmp_path / 'nowhere.zip'}:1:1: error: no such file or folder"


def test_neither_a_folder_nor_a_zip(tmp_path):
    path = tmp_path / "channels.json"
    path.write_text("[]")
    with pytest.raises(InputError) as error:
        read_slack(path, channel=CHANNEL)
    assert "neither a folder nor a zip file" in problem_of(error)


def test_a_corrupt_zip(tmp_path):
    path = zipped(EXPORT, tmp_path / "export.zip")
    raw = bytearray(path.read_bytes())
    directory = raw.rfind(b"PK\x01\x02")
    raw[directory:directory + 4] = b"XXXX"  # the central directory no longer reads
    path.write_bytes(bytes(raw))
    with pytest.raises(InputError) as error:
        read_slack(path, channel=CHANNEL)
    assert problem_of(error).startswith(f"{path}:1:1: error: a corrupt zip file (")


def test_an_export_without_channels_json(tmp_path):
    export = copied(tmp_path)
    (export / "channels.json").unlink()
    with pytest.raises(InputError) as error:
        read_slack(export, channel=CHANNEL)
    assert problem_of(error) == (
        f"{export}:1:1: error: no channels.json: not a Slack export (give the folder or the "
        "zip that Slack's export gives)")


def test_a_member_that_is_not_json_names_its_line_in_the_zip(tmp_path):
    export = copied(tmp_path)
    (export / CHANNEL / "2024-08-04.json").write_text('[\n  {"ts": "1722730200.000100",\n'
                                                      '   "text": oops}\n]\n')
    path = zipped(export, tmp_path / "export.zip")
    with pytest.raises(InputError) as error:
        read_slack(path, channel=CHANNEL)
    assert problem_of(error) == (f"{path}:inc-checkout-errors/2024-08-04.json:3:12: error: "
                                 "not valid JSON: Expecting value")


def test_a_message_without_ts_names_where_it_is(tmp_path):
    export = copied(tmp_path)
    (export / CHANNEL / "2024-08-04.json").write_text(
        '[\n  {"type": "message", "ts": "1722730200.000100", "text": "a"},\n'
        '  {"type": "message", "text": "no time"}\n]\n')
    with pytest.raises(InputError) as error:
        read_slack(export, channel=CHANNEL)
    assert problem_of(error) == (f"{export / CHANNEL / '2024-08-04.json'}:3:3: error: a "
                                 "message without ts (its time)")


@pytest.mark.parametrize(("member", "content", "message"), [
    ("channels.json", '{"channels": []}', "a JSON list was expected"),
    ("channels.json", '[{"name": "general"}]', "a channel without an id or a name"),
    ("users.json", '[{"name": "ada"}]', "a user without an id"),
    (f"{CHANNEL}/2024-08-04.json", '["hello"]', "a message that is not a JSON object"),
    (f"{CHANNEL}/2024-08-04.json", '[{"ts": "yesterday"}]',
     'a message whose ts is not a Slack time such as "1722681000.000200"'),
    (f"{CHANNEL}/2024-08-04.json", "[" * 100_000, "JSON nested too deeply to be read"),
    (f"{CHANNEL}/2024-08-04.json", "[] []", "not valid JSON: extra data after the list"),
])
def test_wrong_shapes_are_refused(tmp_path, member, content, message):
    export = copied(tmp_path)
    (export / member).write_text(content)
    with pytest.raises(InputError) as error:
        read_slack(export, channel=CHANNEL)
    assert problem_of(error).startswith(str(export / member) + ":")
    assert problem_of(error).endswith(f"error: {message}")


def test_a_zip_bomb_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(archive, "RATIO_FLOOR", 64 * 1024)
    export = copied(tmp_path)
    (export / CHANNEL / "2024-08-04.json").write_text("[" + " " * 4_000_000 + "]")
    path = zipped(export, tmp_path / "bomb.zip")
    with pytest.raises(InputError) as error:
        read_slack(path, channel=CHANNEL)
    assert problem_of(error).startswith(
        f"{path}:inc-checkout-errors/2024-08-04.json:1:1: error: a zip bomb: 4,000,002 bytes "
        "inflated from ")


def test_a_member_larger_than_its_header_says_is_refused(tmp_path):
    path = zipped(EXPORT, tmp_path / "export.zip")
    raw = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as export:
        info = export.getinfo("users.json")
    # Understate the member's size in its local header and in the central directory.
    name = b"users.json"
    central = raw.rfind(b"PK\x01\x02", 0, raw.rfind(name))
    raw[central + 24:central + 28] = (100).to_bytes(4, "little")
    raw[info.header_offset + 22:info.header_offset + 26] = (100).to_bytes(4, "little")
    path.write_bytes(bytes(raw))
    with pytest.raises(InputError) as error:
        read_slack(path, channel=CHANNEL)
    assert problem_of(error) == (
        f"{path}:users.json:1:1: error: a zip bomb or a corrupt member: it holds more bytes "
        "than its header declares (100), or other bytes")


@pytest.mark.parametrize(("limit", "value", "message"), [
    ("MAX_MEMBER_BYTES", 2000, "a member larger than 2,000 bytes, the limit for one file of "
                               "an export"),
    ("MAX_TOTAL_BYTES", 6000, "the export is too large to import: it would take more than "
                              "6,000 bytes, the limit for the files read"),
    ("MAX_MESSAGES", 10, "the channel holds more than 10 messages, the limit of an import"),
])
def test_a_huge_export_is_refused_with_its_limit(monkeypatch, tmp_path, limit, value, message):
    monkeypatch.setattr(archive, limit, value)
    for export in (EXPORT, zipped(EXPORT, tmp_path / "export.zip")):
        with pytest.raises(InputError) as error:
            read_slack(export, channel=CHANNEL)
        assert problem_of(error).endswith(f"error: {message}")


def test_a_zip_of_too_many_members_is_refused(monkeypatch, tmp_path):
    monkeypatch.setattr(archive, "MAX_MEMBERS", 5)
    path = zipped(EXPORT, tmp_path / "export.zip")
    with pytest.raises(InputError) as error:
        read_slack(path, channel=CHANNEL)
    assert problem_of(error) == (f"{path}:1:1: error: the export holds 6 files; the limit is "
                                 "5 files")


def test_an_unknown_zone_is_refused():
    with pytest.raises(InputError) as error:
        read_slack(EXPORT, channel=CHANNEL, zone="Mars/Olympus")
    assert "unknown time zone" in problem_of(error)


def test_a_channel_without_days_in_the_export():
    with pytest.raises(InputError) as error:
        read_slack(EXPORT, channel="security-review")
    assert problem_of(error) == (
        f"{EXPORT}:1:1: error: the export holds no messages of #security-review (no folder "
        "security-review/ of days YYYY-MM-DD.json)")


def test_messages_are_in_the_language_asked(monkeypatch):
    from postmortem.i18n import messages_in

    with messages_in("fr"), pytest.raises(InputError) as error:
        read_slack(EXPORT, channel="#inc-payments")
    assert "pas de canal #inc-payments dans l’export" in problem_of(error)


def pinned(export: Path, text: str, ts: str = "1722730500.000900") -> None:
    """Add a pinned message to the second day of the channel."""
    day = export / CHANNEL / "2024-08-04.json"
    messages = json.loads(day.read_text())
    messages.append({"type": "message", "user": "U0CHI0003", "text": text, "ts": ts,
                     "pinned_to": ["C0INC0001"]})
    day.write_text(json.dumps(messages))


def test_names_written_out_are_replaced(tmp_path):
    export = copied(tmp_path)
    pinned(export, "Ada's laptop, <https://wiki.example.com/x|Bob Sample's notes>, ask "
                   "Chiyo. Adam and adamant stay")
    draft = read_slack(export, channel=CHANNEL, roles=ROLES)
    assert texts(draft)[-2] == (
        "communications lead: incident commander's laptop, [payments engineer's notes]"
        "(https://wiki.example.com/x), ask communications lead. Adam and adamant stay")


def test_a_long_message_is_cut_to_what_a_record_holds(tmp_path):
    from postmortem.record.limits import MAX_TEXT

    export = copied(tmp_path)
    pinned(export, "word " * 8000)
    text = texts(read_slack(export, channel=CHANNEL))[-2]
    assert len(text) <= MAX_TEXT and text.endswith("…")


def test_a_time_beyond_the_calendar_is_refused(tmp_path):
    export = copied(tmp_path)
    pinned(export, "late", ts="99999999999.000100")
    with pytest.raises(InputError) as error:
        read_slack(export, channel=CHANNEL)
    assert problem_of(error).endswith(
        'error: a message whose ts is not a Slack time such as "1722681000.000200"')


def test_a_message_without_text_is_read_from_its_blocks(tmp_path):
    export = copied(tmp_path)
    day = export / CHANNEL / "2024-08-04.json"
    messages = json.loads(day.read_text())
    messages.append({"type": "message", "user": "U0CHI0003", "text": "",
                     "ts": "1722730500.000900", "pinned_to": ["C0INC0001"], "blocks": [
                         {"type": "rich_text", "block_id": "b1", "elements": [
                             {"type": "rich_text_section", "elements": [
                                 {"type": "text", "text": "Failover "},
                                 {"type": "text", "text": "done ", "style": {"bold": True}},
                                 {"type": "text", "text": "by "},
                                 {"type": "user", "user_id": "U0BOB0002"},
                                 {"type": "text", "text": ", see "},
                                 {"type": "link", "url": "https://example.com/run",
                                  "text": "the run & log"},
                                 {"type": "emoji", "name": "tada"}]},
                             {"type": "rich_text_preformatted", "elements": [
                                 {"type": "text", "text": "status=ok <2 s"}]}]}]})
    day.write_text(json.dumps(messages))
    assert texts(read_slack(export, channel=CHANNEL))[-2] == (
        "Failover **done** by a responder, see [the run & log](https://example.com/run):tada:"
        "\n\n```\nstatus=ok <2 s\n```")
