"""Documents for outsiders leave out what the record marks internal, and no internal name.

The unit tests redact a small record with one entry of every kind that can be marked;
the end-to-end test builds a record from the model in which a distinctive name is in
every text, renders the public statement, the NIS2 report and the declaration, and reads
every output back (Markdown, HTML, PDF text, metadata, attachments) looking for it.
"""

from __future__ import annotations

import copy
import html
import json
import re
import types
import typing
import unicodedata
from datetime import datetime, timedelta
from io import BytesIO

import pytest
import yaml
from pydantic import BaseModel

from postmortem.record.instants import When
from postmortem.record.load import load_bytes
from postmortem.record.model import Incident, Shareable, SharedAssessed
from postmortem.record.redact import WITHHELD, internal_names, redacted
from postmortem.record.validate import validate_document
from postmortem.record.walk import walk_model

#: The name that must never reach a document for outsiders.
NAME = "Zéphyrin Quaglio-Bertrand"

#: A record with one entry of every kind that can be marked, each with a text of its own.
RECORD: dict = {
    "schema_version": 2, "id": "2025-03-02-checkout-latency", "lang": "en",
    "title": "Checkout latency", "timezone": "Europe/London", "organisation": "Example Shop",
    "summary": "Checkout slowed down.",
    "review": {"authors": [{"name": "author-person"}],
               "approvals": [{"name": "approval-person", "date": "2025-03-03"}]},
    "key_instants": {"started": {"at": "2025-03-02T10:00Z"},
                     "detected": {"at": "2025-03-02T10:05Z"}},
    "cause": {"trigger": {"summary": "trigger-factor", "category": "capacity"},
              "contributing_factors": [{"summary": "contributing-factor", "category": "software",
                                        "third_party": "cdn", "sources": ["log"]}],
              "ruled_out": [{"hypothesis": "ruled-out-hypothesis"}]},
    "third_parties": [{"id": "cdn", "name": "third-party-name"}],
    "impacts": [
        {"service": "first-impact", "started": "2025-03-02T10:00Z",
         "ended": "2025-03-02T10:40Z", "sources": ["blog", "log"],
         "quantities": [{"value": 3, "unit": "impact-quantity"}],
         "progress": [{"at": "2025-03-02T10:20Z", "note": "progress-entry"}],
         "data_loss": {"what": "data-loss"}},
        {"id": "search", "service": "second-impact", "started": "2025-03-02T10:00Z",
         "ended": "2025-03-02T10:30Z", "third_party": "cdn"},
    ],
    "not_affected": [{"service": "not-affected-service"}],
    "quantities": [{"value": 5, "unit": "incident-quantity"}],
    "communications": [{"at": "2025-03-02T10:10Z", "channel": "mail", "audience": ["public"],
                        "said": "communication-said", "promised": {
                            "restoration": "2025-03-02T10:30Z", "impact": "search"}}],
    "timeline": [{"at": "2025-03-02T10:00Z", "kind": "trigger", "text": "first-event"},
                 {"at": "2025-03-02T10:05Z", "kind": "detection", "text": "timeline-entry",
                  "sources": ["log"]}],
    "response": {"went_well": [{"text": "observation-text"}]},
    "lessons": [{"id": "caching", "title": "lesson-title"}],
    "actions": [
        {"id": "alert", "action": "action-item", "owner": "Site reliability", "type": "detect",
         "lessons": ["caching"], "note": "Waiting for budget", "due": "2025-04-01",
         "sources": ["blog"]},
        {"id": "page", "action": "Page on latency", "owner": "On-call", "type": "detect",
         "superseded_by": "alert"},
    ],
    "decisions": [{"question": "decision-question", "options": ["buy", "build"]}],
    "notifications": [{"authority": "notification-authority", "kind": "early_warning",
                       "at": "2025-03-02T12:00Z"}],
    "sources": [{"id": "blog", "title": "Status blog"}, {"id": "log", "title": "source-title"}],
    "discrepancies": [{"about": "discrepancy-about", "resolution": "Kept the blog.",
                       "claims": [{"says": "first-claim", "sources": ["blog"]},
                                  {"says": "claim-says", "sources": ["log"]}]}],
}

#: Where an entry of each kind that can be marked is, and the text only it holds.
ENTRIES: dict[str, tuple[tuple, str]] = {
    "Person": (("review", "authors", 0), "author-person"),
    "Approval": (("review", "approvals", 0), "approval-person"),
    "ThirdParty": (("third_parties", 0), "third-party-name"),
    "Factor": (("cause", "contributing_factors", 0), "contributing-factor"),
    "RuledOut": (("cause", "ruled_out", 0), "ruled-out-hypothesis"),
    "Impact": (("impacts", 1), "second-impact"),
    "NotAffected": (("not_affected", 0), "not-affected-service"),
    "Quantity": (("impacts", 0, "quantities", 0), "impact-quantity"),
    "Progress": (("impacts", 0, "progress", 0), "progress-entry"),
    "DataLoss": (("impacts", 0, "data_loss"), "data-loss"),
    "Communication": (("communications", 0), "communication-said"),
    "TimelineEntry": (("timeline", 1), "timeline-entry"),
    "Observation": (("response", "went_well", 0), "observation-text"),
    "Lesson": (("lessons", 0), "lesson-title"),
    "ActionItem": (("actions", 0), "action-item"),
    "Source": (("sources", 1), "source-title"),
    "Claim": (("discrepancies", 0, "claims", 1), "claim-says"),
    "Discrepancy": (("discrepancies", 0), "discrepancy-about"),
    "Notification": (("notifications", 0), "notification-authority"),
    "Decision": (("decisions", 0), "decision-question"),
}


def _record(marks: dict[tuple, dict] | None = None, **fields: object) -> Incident:
    """Return the record validated, with fields merged into the entries at given places."""
    data = copy.deepcopy(RECORD)
    data.update(fields)
    for loc, values in (marks or {}).items():
        _at(data, loc).update(values)
    return validate_document(load_bytes(json.dumps(data).encode(), "r.yaml"))


def _at(data: object, loc: tuple) -> dict:
    for part in loc:
        data = data[part]  # type: ignore[index]
    return data  # type: ignore[return-value]


def _texts(incident: Incident) -> list[str]:
    """Return every str anywhere in the record."""
    return [value for _, value in walk_model(incident) if isinstance(value, str)]


def _shareable_kinds() -> set[str]:
    kinds, waiting = set(), [Shareable]
    while waiting:
        for model in waiting.pop().__subclasses__():
            waiting.append(model)
            if model is not SharedAssessed:
                kinds.add(model.__name__)
    return kinds


def test_every_kind_of_entry_that_can_be_marked_is_tried():
    assert set(ENTRIES) == _shareable_kinds()


@pytest.mark.parametrize("audience", ["public", "authority"])
@pytest.mark.parametrize("kind", sorted(ENTRIES))
def test_an_entry_marked_internal_is_left_out_for_every_audience(kind, audience):
    loc, text = ENTRIES[kind]
    incident = _record({loc: {"visibility": "internal"}})
    assert text in _texts(incident)
    shown = redacted(incident, audience)
    assert [value for value in _texts(shown) if text in value] == []
    if isinstance(loc[-1], str):
        assert _at(shown.model_dump(), loc) is None


@pytest.mark.parametrize("kind", sorted(ENTRIES))
def test_an_entry_for_authorities_is_left_out_of_the_public_statement_only(kind):
    loc, text = ENTRIES[kind]
    incident = _record({loc: {"visibility": "authority"}})
    assert text in _texts(redacted(incident, "authority"))
    assert text not in _texts(redacted(incident, "public"))


def test_an_entry_marked_public_is_shown_to_everyone():
    incident = _record({("actions", 0): {"visibility": "public"}})
    assert redacted(incident, "public").actions[0].action == "action-item"


def test_fields_listed_as_internal_are_blanked_by_their_kind():
    incident = _record({("actions", 0): {"internal_fields": ["owner", "note", "due", "sources"]}})
    action = redacted(incident, "public").actions[0]
    assert (action.owner, action.note, action.due, action.sources) == ("[withheld]", "", None, [])
    assert action.action == "action-item"
    assert redacted(incident, "authority").actions[0].owner == "[withheld]"


def test_the_withheld_mark_is_in_the_record_language_or_the_one_asked_for():
    incident = _record({("actions", 0): {"internal_fields": ["owner"]}}, lang="fr")
    owner = redacted(incident, "public").actions[0].owner
    assert owner == WITHHELD["fr"] == "[information retirée]"
    assert redacted(incident, "public", lang="en").actions[0].owner == "[withheld]"


def test_references_to_what_was_left_out_are_cut():
    incident = _record({("sources", 1): {"visibility": "internal"},
                        ("third_parties", 0): {"visibility": "internal"},
                        ("lessons", 0): {"visibility": "internal"},
                        ("actions", 0): {"visibility": "internal"},
                        ("impacts", 1): {"visibility": "internal"}})
    shown = redacted(incident, "public")
    cited = [ref for loc, value in walk_model(shown) if "sources" in loc[1:] and
             isinstance(value, str) for ref in [value]]
    assert "log" not in cited and "blog" in cited
    assert shown.impacts[0].sources == ["blog"]
    assert shown.cause.contributing_factors[0].third_party is None
    assert [action.id for action in shown.actions] == ["page"]
    assert shown.actions[0].superseded_by is None
    assert shown.communications[0].promised is None


def test_a_promise_about_an_impact_whose_id_is_withheld_is_cut():
    incident = _record({("impacts", 1): {"internal_fields": ["id"]}})
    assert redacted(incident, "public").communications[0].promised is None


def test_a_lesson_left_out_is_cut_from_its_action_items():
    incident = _record({("lessons", 0): {"visibility": "authority"}})
    assert redacted(incident, "public").actions[0].lessons == []
    assert redacted(incident, "authority").actions[0].lessons == ["caching"]


def test_a_discrepancy_without_any_claim_left_is_left_out():
    incident = _record({("discrepancies", 0, "claims", 0): {"visibility": "internal"},
                        ("discrepancies", 0, "claims", 1): {"visibility": "internal"}})
    assert redacted(incident, "public").discrepancies == []


def test_internal_names_are_replaced_in_every_text_whatever_their_case_or_accents():
    written = [NAME, NAME.upper(), "zephyrin quaglio-bertrand", "Zéphyrin\nQuaglio Bertrand"]
    marks = {("actions", 0): {"owner": f"{written[0]} (lead)", "note": f"Ask {written[1]}."},
             ("impacts", 0): {"sites": [written[2], "Paris"], "affected": [written[3]]},
             ("decisions", 0): {"options": [f"keep {written[0]}", "hire"]},
             ("sources", 0): {"url": "https://example.org/zephyrin-quaglio-bertrand/post"}}
    incident = _record(marks, internal_names=[NAME, "cache-node-7"],
                       summary="Checkout slowed down when CACHE-NODE-7 failed.")
    shown = redacted(incident, "public")
    pattern = re.compile("zephyrin|quaglio|cache-node-7", re.IGNORECASE)
    assert [text for text in _texts(shown) if pattern.search(_folded(text))] == []
    assert shown.actions[0].owner == "[withheld] (lead)"
    assert shown.impacts[0].sites == ["[withheld]", "Paris"]
    assert shown.decisions[0].options == ["keep [withheld]", "hire"]
    assert shown.summary == "Checkout slowed down when [withheld] failed."
    assert shown.sources[0].url == "https://example.org/[withheld]/post"


def test_a_name_inside_another_word_is_left_alone():
    incident = _record(internal_names=["Ana"], summary="Analysis by Ana.")
    assert redacted(incident, "public").summary == "Analysis by [withheld]."


def test_an_id_holding_a_name_is_replaced_alike_in_the_references_to_it():
    incident = _record({("lessons", 0): {"id": "zephyrin-quaglio-bertrand-notes"},
                        ("actions", 0): {"lessons": ["zephyrin-quaglio-bertrand-notes"]}},
                       internal_names=[NAME])
    shown = redacted(incident, "authority")
    assert shown.lessons[0].id == "withheld-notes"
    assert shown.actions[0].lessons == ["withheld-notes"]


def test_the_marks_themselves_are_emptied_and_instants_kept():
    incident = _record({("actions", 0): {"visibility": "authority", "internal_fields": ["note"]}},
                       internal_names=[NAME])
    shown = redacted(incident, "authority")
    assert shown.internal_names == []
    assert all(value.visibility is None and value.internal_fields == []
               for _, value in walk_model(shown) if isinstance(value, Shareable))
    assert shown.key_instants == incident.key_instants
    assert [entry.at for entry in shown.timeline] == [entry.at for entry in incident.timeline]
    assert all(isinstance(entry.at, When) for entry in shown.timeline)
    assert internal_names(incident) == [NAME]


def test_the_trigger_stays_with_its_internal_fields_blanked():
    incident = _record({("cause", "trigger"): {"detail": "Node cache-7 ran out of memory.",
                                               "internal_fields": ["detail"]}})
    trigger = redacted(incident, "public").cause.trigger
    assert (trigger.summary, trigger.detail) == ("trigger-factor", "")


def test_a_record_without_marks_is_unchanged():
    incident = _record()
    for audience in ("public", "authority"):
        assert redacted(incident, audience) == incident


@pytest.mark.parametrize(("loc", "value", "line", "message"), [
    (("actions", 0), {"internal_fields": ["ownr"]}, "internal_fields:\n  - ownr",
     "actions[0].internal_fields[0]: 'ownr' is not a field of this entry (fields: id, action, "
     "owner, due, status, status_as_of, type, priority, completed, superseded_by, "
     "merged_into, lessons, link, note, sources); did you mean 'owner'?"),
    (("actions", 0), {"internal_fields": ["id"]}, "internal_fields:\n  - id",
     "actions[0].internal_fields[0]: 'id' cannot be left out of an entry that is shown: it "
     "is required and not free text; mark the whole entry with 'visibility' instead"),
    (("cause", "trigger"), {"visibility": "internal"}, "visibility: internal",
     "cause.trigger.visibility: the trigger appears in every document: mark its fields "
     "internal (internal_fields) instead"),
])
def test_a_wrong_mark_is_reported_at_its_line(run, tmp_path, loc, value, line, message):
    data = copy.deepcopy(RECORD)
    _at(data, loc).update(value)
    path = tmp_path / "r.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True))
    status, _, err = run("validate", path)
    text = path.read_text()
    line_number = text[:text.index(line)].count("\n") + 1 + line.count("\n")
    assert status == 1
    assert f"{path}:{line_number}:" in err and f"error: {message}" in err, err


def test_the_schema_lists_what_each_visibility_means(run):
    status, out, _ = run("schema")
    visibility = json.loads(out)["$defs"]["Person"]["properties"]["visibility"]
    assert status == 0
    assert "- authority: also the NIS2 report" in visibility["description"]


# End to end: a record with the name in every place that can hold text.

#: Forms of the name that a document could show: as written, shouted, without accents.
FORMS = [NAME, NAME.upper(), "Zephyrin Quaglio-Bertrand", "zephyrin quaglio bertrand"]

#: Documents for outsiders.
OUTSIDE = ("public", "nis2", "declaration")


def _folded(text: str) -> str:
    """Return a text as the search for a name reads it: no accents, one space between words."""
    text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    return re.sub(r"[\s\-‐‑_.]+", " ", text).lower()


def _plain(annotation: object) -> object:
    """Return a field's type without Annotated metadata and without None."""
    while typing.get_origin(annotation) is typing.Annotated:
        annotation = typing.get_args(annotation)[0]
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        kept = [arg for arg in typing.get_args(annotation) if arg is not type(None)]
        return float if set(kept) == {int, float} else _plain(kept[0])
    return annotation


class NamedEverywhere:
    """Build a record from the model with the name in every field that holds text.

    Each list holds two entries: the first shown, the name in its texts (replaced by
    redaction), the second marked internal (left out); single entries are shown.
    """

    def __init__(self, lang: str) -> None:
        self.lang = lang
        self.count = 0
        self.instant = datetime(2026, 1, 5, 8, 0)
        self.day = datetime(2026, 1, 6)

    def record(self) -> dict:
        data = self.part(Incident, internal=False)
        data.update(id="2026-01-05-redaction", schema_version=2, lang=self.lang, locale=None,
                    timezone="Europe/Paris", taxonomy="generic", internal_names=[NAME])
        ids = {collection: [item["id"] for item in data[collection]]
               for collection in ("sources", "third_parties", "lessons", "impacts")}

        def resolve(value: object) -> None:
            if isinstance(value, list):
                for item in value:
                    resolve(item)
            if not isinstance(value, dict):
                return
            for key, item in value.items():
                if key == "sources" and value is not data:
                    value[key] = ids["sources"][:1]
                elif key == "third_party":
                    value[key] = ids["third_parties"][0]
                elif key == "lessons" and value is not data:
                    value[key] = ids["lessons"][:1]
                elif key in ("superseded_by", "merged_into", "target", "deliverable", "by",
                             "delivered", "withdrawn", "no_action_because", "category"):
                    value[key] = None
                elif key == "impact":
                    value[key] = ids["impacts"][0]
                else:
                    resolve(item)
            if "category" in value:
                value["category"] = "infrastructure"
        resolve(data)
        return _without_none(data)

    def part(self, model: type[BaseModel], internal: bool) -> dict:
        data: dict = {}
        for name, info in model.model_fields.items():
            if name == "visibility":
                data[name] = "internal" if internal else None
            elif name == "internal_fields":
                data[name] = []
            else:
                data[name] = self.value(name, info)
        return data

    def value(self, name: str, info) -> object:
        kind = _plain(info.annotation)
        if typing.get_origin(kind) is list:
            (item,) = typing.get_args(kind)
            item = _plain(item)
            if isinstance(item, type) and issubclass(item, BaseModel):
                return [self.part(item, internal=index == 1) for index in range(2)]
            if typing.get_origin(item) is typing.Literal:
                return [typing.get_args(item)[0]]
            return [self.text()]
        if isinstance(kind, type) and issubclass(kind, BaseModel):
            return self.part(kind, internal=False)
        if typing.get_origin(kind) is typing.Literal:
            return typing.get_args(kind)[0]
        if kind is str:
            if name == "lang":
                return None  # a language code holds no text
            return self.slug() if _is_id(info.annotation, info.metadata) else self.text()
        if kind in (int, float):
            return 50
        if kind is bool:
            return True
        if kind is When:
            self.instant += timedelta(minutes=7)
            return self.instant.strftime("%Y-%m-%dT%H:%MZ")
        self.day += timedelta(days=1)
        return self.day.strftime("%Y-%m-%d")

    def text(self) -> str:
        self.count += 1
        return f"{FORMS[self.count % len(FORMS)]} {self.count}"

    def slug(self) -> str:
        self.count += 1
        return f"zephyrin-quaglio-bertrand-{self.count}"


def _is_id(annotation: object, metadata: list) -> bool:
    """Tell whether a text field takes an id (a pattern constrains it)."""
    if any(getattr(constraint, "pattern", None)
           or _is_id(None, getattr(constraint, "metadata", [])) for constraint in metadata):
        return True
    if typing.get_origin(annotation) is typing.Annotated:
        return _is_id(typing.get_args(annotation)[0], list(annotation.__metadata__))
    return any(_is_id(arg, []) for arg in typing.get_args(annotation))


def _without_none(value: object) -> object:
    if isinstance(value, dict):
        return {key: _without_none(item) for key, item in value.items() if item is not None}
    if isinstance(value, list):
        return [_without_none(item) for item in value]
    return value


def test_the_record_with_the_name_everywhere_is_valid_and_full_of_it():
    data = NamedEverywhere("en").record()
    incident = validate_document(load_bytes(json.dumps(data).encode(), "r.yaml"))
    texts = [text for text in _texts(incident) if "quaglio" in _folded(text)]
    assert len(texts) > 150


@pytest.fixture(scope="module", params=["en", "fr"])
def outputs(request, tmp_path_factory) -> dict[str, bytes]:
    """Render the documents for outsiders of the record with the name everywhere."""
    from postmortem.workspace.pipeline import render_outputs

    data = NamedEverywhere(request.param).record()
    path = tmp_path_factory.mktemp(f"named-{request.param}") / "record.yaml"
    source = yaml.safe_dump(data, allow_unicode=True, sort_keys=False).encode()
    path.write_bytes(source)
    ident, rendered = render_outputs(path, source, ("md", "html", "pdf"), documents=OUTSIDE)
    assert sorted(rendered) == sorted(f"{ident}.{name}.{fmt}" for name in OUTSIDE
                                      for fmt in ("md", "html", "pdf"))
    return rendered


def _leaks(text: str) -> list[str]:
    """Return the places of a text that show the name or a part of it, in any form."""
    folded = _folded(text)
    return [folded[max(0, found.start() - 30):found.end() + 30]
            for found in re.finditer("zephyrin|quaglio|bertrand", folded)]


@pytest.mark.parametrize("document", OUTSIDE)
def test_no_form_of_the_name_is_in_the_markdown_or_the_html(outputs, document):
    for fmt in ("md", "html"):
        (text,) = [content.decode() for name, content in outputs.items()
                   if name.endswith(f".{document}.{fmt}")]
        assert _leaks(html.unescape(text)) == [], fmt
        assert all(form not in text for form in FORMS)


@pytest.mark.parametrize("document", OUTSIDE)
def test_no_form_of_the_name_is_in_the_pdf_text_metadata_or_attachments(outputs, document):
    from pypdf import PdfReader

    (content,) = [content for name, content in outputs.items()
                  if name.endswith(f".{document}.pdf")]
    reader = PdfReader(BytesIO(content))
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert "[withheld]" in text or "[information retirée]" in text
    assert _leaks(text) == []
    assert _leaks(" ".join(str(value) for value in (reader.metadata or {}).values())) == []
    xmp = reader.trailer["/Root"]["/Metadata"].get_object().get_data().decode()
    assert _leaks(html.unescape(xmp)) == []
    assert reader.attachments == {}
    assert _leaks(content.decode("latin-1")) == []
