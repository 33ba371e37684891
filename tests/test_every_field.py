"""Nothing in the record is silently lost: every field reaches the Markdown, HTML and PDF.

The record is built from the model itself: every field of every part gets a value that
appears nowhere else ("QX117", a time of day of its own, a date of its own), so that finding
the value in a document proves that the field reached it. A field added to the model gets
such a value too, and this test fails until a template shows it, or until it is listed in
NOT_SHOWN with the reason a reader does not need it as text.
"""

from __future__ import annotations

import re
import types
import typing
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from html.parser import HTMLParser
from zoneinfo import ZoneInfo

import pytest
import yaml
from babel.dates import format_date, format_skeleton
from pydantic import BaseModel
from pydantic.fields import FieldInfo
from pypdf import PdfReader

from postmortem.record.instants import When
from postmortem.record.languages import LANGUAGES
from postmortem.record.model import TAXONOMIES, ActionItem, Incident, Lesson, Promise, Quantity
from postmortem.render.i18n import LABELS, Language

#: The display zone of the record: every time is shown converted from UTC, by 4 h 30 min.
ZONE = "Asia/Kabul"
#: The regional style each language's record asks for.
LOCALE_OF = {"en": "en_GB", "fr": "fr_FR"}
#: The first instant of the record, and the first day of the dates that are days.
FIRST_INSTANT = datetime(2021, 5, 14, 1, 3, tzinfo=ZoneInfo("UTC"))
FIRST_DAY = date(2021, 7, 11)

#: Fields a reader does not need as text, with the reason.
NOT_SHOWN: dict[tuple[str, str], str] = {
    ("Incident", "schema_version"): "the format version is for programs (the HTML and the PDF "
                                    "carry it in their metadata)",
    ("Incident", "lang"): "the language the whole review is written in",
    ("Incident", "locale"): "the regional style every date and number of the review is written in",
    ("Incident", "taxonomy"): "the category set: each factor shows its category's name",
    ("Source", "lang"): "the language of a title marks it for hyphenation and spacing, not as "
                        "text (test_markdown checks the span)",
    ("Source", "id"): "the id that facts cite: shown as their footnote references",
    ("ThirdParty", "id"): "the id that factors and impacts refer to: shown as its name there",
    ("Impact", "id"): "the id that promises refer to: shown as its service there",
    ("Lesson", "id"): "the id that action items refer to: the lesson lists them",
    ("TimelineEntry", "id"): "the id that relative instants refer to: shown as their bounds",
    ("*", "visibility"): "who outside the organisation may read an entry: the full review "
                         "shows every entry (test_redaction checks the other documents)",
    ("*", "internal_fields"): "which fields outside documents leave out: the full review "
                              "shows them all",
    ("Incident", "internal_names"): "names replaced in outside documents: they are in the "
                                    "texts the full review shows",
}

#: Fields that refer to another part of the record: (the list it is in, the field that
#: names that part to a reader, and how close to the referring fact the name must appear:
#: on its line, or in its section).
REFERENCES: dict[tuple[str, str], tuple[str, str, str]] = {
    ("Factor", "third_party"): ("third_parties", "name", "section"),
    ("Impact", "third_party"): ("third_parties", "name", "section"),
    ("Promise", "impact"): ("impacts", "service", "section"),
    ("ActionItem", "superseded_by"): ("actions", "id", "line"),
    ("ActionItem", "merged_into"): ("actions", "id", "line"),
    ("ActionItem", "lessons"): ("lessons", "title", "section"),
}

#: Fields of one part that cannot all be given at once: each group goes in a part of its
#: own, with every field that is in no group.
EXCLUSIVE: dict[type[BaseModel], list[tuple[str, ...]]] = {
    # A promise is of a restoration (of a key instant or of one impact) or of a deliverable.
    Promise: [("restoration", "target"), ("restoration", "impact"),
              ("deliverable", "by", "delivered")],
    # A replaced or merged item shows what replaced it, not its former status.
    ActionItem: [("status",), ("superseded_by",), ("merged_into",)],
    # A lesson that action items follow from has no reason for having none.
    Lesson: [(), ("no_action_because",)],
}

#: Lists that need more than one item: sources (one cited, one that no fact cites).
COPIES: dict[tuple[str, str], int] = {("Incident", "sources"): 2}

#: Values of enumerated fields that a reader can see (the first value is often implied).
CHOICES: dict[tuple[str, str], object] = {
    ("Impact", "outcome"): "never_restored",
    ("TimelineEntry", "kind"): "milestone",
    ("Communication", "audience"): "authority",
    ("Incident", "taxonomy"): "alarm",
    ("Approval", "decision"): "changes_requested",
    ("*", "confidence"): "reported",
}
#: Fields that hold an address: a value that reads as one.
ADDRESSES = {("Source", "url"), ("Source", "archive"), ("ActionItem", "link")}

#: How the label of an enumerated or yes/no field reads: field -> group of LABELS, or words.
LABEL_GROUPS: dict[tuple[str, str], str] = {
    ("Incident", "severity"): "severity", ("Review", "status"): "status",
    ("TimelineEntry", "kind"): "kind", ("Communication", "audience"): "audience",
    ("ActionItem", "status"): "action_status", ("ActionItem", "type"): "action_type",
    ("ActionItem", "priority"): "priority", ("Impact", "outcome"): "outcome",
    ("Promise", "target"): "target", ("Factor", "category"): "category",
    ("*", "confidence"): "confidence",
    ("Notification", "kind"): "notification_kind", ("Impact", "consequences"): "consequence",
}
WORDS: dict[tuple[str, str], dict[object, str]] = {
    ("Approval", "decision"): {"approved": "approved", "changes_requested": "changes requested"},
    ("DataLoss", "permanent"): {True: "permanent", False: "not permanent"},
    ("ThirdParty", "expectation_met"): {True: "yes", False: "no"},
}
#: Links whose address is the target of a link, not text: checked as link targets.
LINKS = {("ActionItem", "link")}


@dataclass
class Shown:
    """A value of the record, and the texts any of which shows it."""

    path: str
    texts: tuple[str, ...]
    link: bool = False


@dataclass
class Reference:
    """A field that names another part of the record, and what must appear near it."""

    path: str
    owner: str
    collection: str
    display: str
    scope: str
    target: str = ""


@dataclass
class Built:
    """The record, and what each of its values should look like in a document."""

    data: dict
    shown: list[Shown] = field(default_factory=list)
    references: list[Reference] = field(default_factory=list)
    owned: dict[str, list[str]] = field(default_factory=dict)
    """Texts of each part's own values, by the part's path."""
    filled: set[tuple[str, str]] = field(default_factory=set)
    """The (part, field) pairs given a value somewhere in the record."""


def _plain_type(annotation: object) -> object:
    """Return a field's type without Annotated metadata and without None."""
    while typing.get_origin(annotation) is typing.Annotated:
        annotation = typing.get_args(annotation)[0]
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        kept = tuple(arg for arg in typing.get_args(annotation) if arg is not type(None))
        if set(kept) == {int, float}:
            return float
        if len(kept) == 1:
            return _plain_type(kept[0])
    return annotation


class RecordBuilder:
    """Fill every field of the model with a value that appears nowhere else."""

    def __init__(self, lang: str):
        self.lang = lang
        self.language = Language(lang, ZONE)
        self.built = Built({})
        self.count = 0
        self.instant = FIRST_INSTANT
        self.day = FIRST_DAY
        self.categories = iter(TAXONOMIES[str(CHOICES[("Incident", "taxonomy")])])

    def build(self) -> Built:
        """Return the record with every field filled, its references resolved."""
        self.built.data = self.part(Incident, "", 0)
        self.resolve()
        return self.built

    def variants(self, model: type[BaseModel]) -> int:
        """Return how many parts it takes to give every field of a model once."""
        count = len(EXCLUSIVE.get(model, [()]))
        for info in model.model_fields.values():
            kind = _plain_type(info.annotation)
            if isinstance(kind, type) and issubclass(kind, BaseModel):
                count = max(count, self.variants(kind))
        return count

    def part(self, model: type[BaseModel], path: str, variant: int) -> dict:
        """Fill one part of the record; `variant` picks its group of exclusive fields."""
        groups = EXCLUSIVE.get(model)
        excluded: set[str] = set()
        if groups:
            chosen = set(groups[variant % len(groups)])
            excluded = {name for group in groups for name in group} - chosen
        data: dict = {}
        self.built.owned[path] = []
        for name, info in model.model_fields.items():
            if name in excluded:
                continue
            data[name] = self.value(model, name, info, f"{path}.{name}".lstrip("."), variant)
            self.built.filled.add((model.__name__, name))
        if model is Quantity:
            # A qualifier reads with its value: "about 601".
            pattern = self.language.gettext(LABELS["qualifier"][data["qualifier"]])
            self.built.shown.append(Shown(f"{path}.qualifier", (
                pattern % {"value": self.language.count(data["value"])},)))
        return data

    def value(self, model: type[BaseModel], name: str, info: FieldInfo, path: str,
              variant: int) -> object:
        """Fill one field, and note how a reader would see it."""
        key = (model.__name__, name)
        owner = path.rsplit(".", 1)[0] if "." in path else ""
        if key in REFERENCES or (name == "sources" and model is not Incident):
            collection, display, scope = REFERENCES.get(key, ("sources", "", "line"))
            self.built.references.append(Reference(path, owner, collection, display, scope))
            many = typing.get_origin(_plain_type(info.annotation)) is list
            return [f"@{path}"] if many else f"@{path}"
        if name == "visibility":
            # Every entry is marked, and the full review still shows it; the trigger
            # cannot be marked (it is in every document).
            return None if path == "cause.trigger.visibility" else "internal"
        if name == "internal_fields":
            return [other for other, other_info in model.model_fields.items()
                    if other_info.default == ""][:1]
        kind = _plain_type(info.annotation)
        if typing.get_origin(kind) is list:
            (item,) = typing.get_args(kind)
            item = _plain_type(item)
            if isinstance(item, type) and issubclass(item, BaseModel):
                count = max(COPIES.get(key, 1), self.variants(item))
                return [self.part(item, f"{path}[{index}]", index) for index in range(count)]
            return [self.scalar(model, name, item, f"{path}[0]", owner, info)]
        if isinstance(kind, type) and issubclass(kind, BaseModel):
            return self.part(kind, path, variant)
        return self.scalar(model, name, kind, path, owner, info)

    def scalar(self, model: type[BaseModel], name: str, kind: object, path: str, owner: str,
               info: FieldInfo) -> object:
        """Fill a field that holds one value: text, number, date, instant, choice."""
        key = (model.__name__, name)
        language = self.language
        value: object
        if key == ("Incident", "lang"):
            value, texts = self.lang, ()
        elif key == ("Incident", "locale"):
            value, texts = LOCALE_OF[self.lang], ()
        elif key == ("Incident", "timezone"):
            value, texts = ZONE, (ZONE,)
        elif key == ("Source", "lang"):
            value, texts = "de", ()
        elif key == ("Factor", "category"):
            value = next(self.categories)
            texts = (language.label("category", value),)
        elif key in ADDRESSES:
            value = f"https://example.org/{self.token()}"
            texts = (value,)
        elif typing.get_origin(kind) is typing.Literal:
            choices = typing.get_args(kind)
            value = CHOICES.get(key, CHOICES.get(("*", name), next(
                (choice for choice in choices if choice != info.default), choices[0])))
            texts = self.label_of(key, value)
        elif kind is bool:
            value, texts = True, (language.gettext(self.words(key)[True]),)
        elif kind is str:
            value = self.token(lowercase=name == "id")
            texts = (str(value),)
        elif kind in (int, float):
            value, texts = self.number(name)
        elif kind is date:
            value, texts = self.next_day()
        elif kind is When:
            value, texts = self.next_instant()
        else:
            raise TypeError(f"{path}: no value for a field of type {kind!r}: teach this test "
                            "how to fill it and how a reader sees it")
        if _not_shown(key):
            texts = ()
        if texts:
            self.built.shown.append(Shown(path, tuple(texts), link=key in LINKS))
            self.built.owned.setdefault(owner, []).extend(texts)
        return value

    def label_of(self, key: tuple[str, str], value: object) -> tuple[str, ...]:
        """Return how an enumerated value reads."""
        group = LABEL_GROUPS.get(key) or LABEL_GROUPS.get(("*", key[1]))
        if _not_shown(key):
            return ()
        if group:
            return (self.language.label(group, str(value)),)
        if key in WORDS:
            return (self.language.gettext(self.words(key)[value]),)
        if key == ("Quantity", "qualifier"):
            return ()  # shown with the value, once the part is filled
        raise KeyError(f"{key}: say how this choice reads (LABEL_GROUPS or WORDS)")

    @staticmethod
    def words(key: tuple[str, str]) -> dict[object, str]:
        if key not in WORDS:
            raise KeyError(f"{key}: say how this yes/no field reads (WORDS)")
        return WORDS[key]

    def token(self, lowercase: bool = False) -> str:
        """Return a word found nowhere else, that no line break can split."""
        self.count += 1
        word = f"QX{100 + self.count}"
        return word.lower() if lowercase else word

    def number(self, name: str) -> tuple[float | int, tuple[str, ...]]:
        """Return a number found nowhere else, with how the language writes it."""
        self.count += 1
        if name == "percent":
            value: float | int = 40 + self.count % 50 + 0.5
            return value, (self.language.percent(value),)
        value = 600 + self.count
        return value, (self.language.number(value), self.language.count(value))

    def next_day(self) -> tuple[str, tuple[str, ...]]:
        """Return a day of its own (no two share a day of the month), and how it reads."""
        day = self.day
        self.day = day + timedelta(days=1)
        while not 10 <= self.day.day <= 28:
            self.day += timedelta(days=1)
        texts = {format_date(day, style, locale=locale)
                 for locale in {self.lang, LOCALE_OF[self.lang]}
                 for style in ("full", "long", "medium")}
        texts |= {format_skeleton(skeleton, day, locale=locale)
                  for locale in {self.lang, LOCALE_OF[self.lang]}
                  for skeleton in ("yMMMd", "MMMd", "MMMEd", "yMMMEd")}
        return day.isoformat(), tuple(sorted(texts))

    def next_instant(self) -> tuple[str, tuple[str, ...]]:
        """Return an instant of its own time of day (never a round one), and how it reads."""
        instant = self.instant
        self.instant += timedelta(minutes=7)
        while self.instant.minute % 5 == 0:
            self.instant += timedelta(minutes=1)
        local = instant.astimezone(ZoneInfo(ZONE))
        return instant.strftime("%Y-%m-%dT%H:%MZ"), (local.strftime("%H:%M"),)

    def resolve(self) -> None:
        """Point every reference at a part of the record, and note how the target reads."""
        data = self.built.data
        for reference in self.built.references:
            targets = data[reference.collection]
            own_id = _at(data, reference.owner).get("id")
            target = next(item for item in targets if item.get("id") != own_id)
            value = target["id"]
            reference.target = (f"[^{value}]" if reference.collection == "sources"
                                else str(target[reference.display]))
            _replace(data, f"@{reference.path}", value)


def _not_shown(key: tuple[str, str]) -> bool:
    """Tell whether a field is left out of the review on purpose, in its part or in every part."""
    return key in NOT_SHOWN or ("*", key[1]) in NOT_SHOWN


def _at(data: dict, path: str) -> dict:
    """Return the part of the record at a path such as 'cause.contributing_factors[0]'."""
    value: object = data
    for name, index in re.findall(r"(\w+)(?:\[(\d+)\])?", path):
        value = value[name]  # type: ignore[index]
        if index:
            value = value[int(index)]  # type: ignore[index]
    return value  # type: ignore[return-value]


def _replace(value: object, placeholder: str, target: str) -> None:
    """Replace a reference's placeholder by the id it stands for, wherever it is."""
    if isinstance(value, dict):
        for key, item in value.items():
            if item == placeholder:
                value[key] = target
            elif isinstance(item, list) and placeholder in item:
                value[key] = [target if ref == placeholder else ref for ref in item]
            else:
                _replace(item, placeholder, target)
    elif isinstance(value, list):
        for item in value:
            _replace(item, placeholder, target)


class _BodyText(HTMLParser):
    """Collect the text of an HTML page's body and the targets of its links."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.links: list[str] = []
        self.skipping = 0
        self.in_body = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "body":
            self.in_body = True
        if tag in ("style", "script"):
            self.skipping += 1
        if tag == "a":
            self.links += [value or "" for name, value in attrs if name == "href"]

    def handle_endtag(self, tag: str) -> None:
        if tag in ("style", "script"):
            self.skipping -= 1

    def handle_data(self, data: str) -> None:
        if self.in_body and not self.skipping:
            self.parts.append(data)


def _spaced(text: str) -> str:
    """Read a text as a reader does: across line breaks and hyphenation, one space apart."""
    return re.sub(r"\s+", " ", re.sub(r"[-\u2010\u00ad]\n", "", text))


def _shows(document: str, expected: str) -> bool:
    """Tell whether a document shows a value as a word of its own (an address, anywhere)."""
    if "/" in expected:
        # An address may break after any "/": compare without the breaks.
        return re.sub(r"\s", "", expected) in re.sub(r"\s", "", _spaced(document))
    pattern = r"(?<!\w)" + re.escape(_spaced(expected)) + r"(?!\w)"
    return re.search(pattern, _spaced(document), re.IGNORECASE) is not None


@dataclass
class Documents:
    """The record as built, and its three renderings as a reader sees them."""

    built: Built
    markdown: str
    html: str
    html_links: list[str]
    pdf: str
    pdf_links: list[str]


@pytest.fixture(scope="module", params=LANGUAGES)
def documents(request, tmp_path_factory) -> Documents:
    """Build the record in one language, render it in every format, read each back."""
    from postmortem.workspace.pipeline import render_file

    built = RecordBuilder(request.param).build()
    folder = tmp_path_factory.mktemp(f"every-field-{request.param}")
    record = folder / "record.yaml"
    record.write_text(yaml.safe_dump(built.data, allow_unicode=True, sort_keys=False),
                      encoding="utf-8")
    paths = {path.suffix: path for path in render_file(record, folder, ["md", "html", "pdf"])}
    page = _BodyText()
    page.feed(paths[".html"].read_text(encoding="utf-8"))
    reader = PdfReader(paths[".pdf"])
    pdf_links = [str(annotation.get_object()["/A"]["/URI"])
                 for pdf_page in reader.pages for annotation in pdf_page.get("/Annots", [])
                 if "/URI" in annotation.get_object().get("/A", {})]
    return Documents(
        built=built,
        markdown=paths[".md"].read_text(encoding="utf-8"),
        html=" ".join(page.parts),
        html_links=page.links,
        pdf="\n".join(pdf_page.extract_text() for pdf_page in reader.pages),
        pdf_links=pdf_links,
    )


def _missing(shown: list[Shown], text: str, links: list[str] | None = None) -> list[str]:
    """Return the paths of the values that a document does not show."""
    missing = []
    for value in shown:
        if value.link and links is not None:
            found = any(target in links for target in value.texts)
        else:
            found = any(_shows(text, option) for option in value.texts)
        if not found:
            missing.append(f"{value.path} ({value.texts[0]})")
    return missing


def test_the_record_fills_every_field_of_every_part():
    builder = RecordBuilder("en")
    built = builder.build()
    Incident.model_validate(built.data, context=_validation_context(built.data))
    every = set()

    def visit(model: type[BaseModel]) -> None:
        for name, info in model.model_fields.items():
            if (model.__name__, name) in every:
                continue
            every.add((model.__name__, name))
            kind = _plain_type(info.annotation)
            if typing.get_origin(kind) is list:
                kind = _plain_type(typing.get_args(kind)[0])
            if isinstance(kind, type) and issubclass(kind, BaseModel):
                visit(kind)

    visit(Incident)
    assert sorted(every - built.filled) == []


def _validation_context(data: dict) -> dict:
    from postmortem.record.anchors import validation_context

    return validation_context(data)


def test_every_field_left_out_on_purpose_is_a_field_of_the_model():
    fields = {(model.__name__, name) for model in _models(Incident)
              for name in model.model_fields}
    listed = {key for table in (NOT_SHOWN, REFERENCES, LINKS, ADDRESSES, CHOICES, WORDS,
                                LABEL_GROUPS, COPIES) for key in table if key[0] != "*"}
    assert sorted(listed - fields) == []


def _models(model: type[BaseModel], seen: set | None = None) -> set[type[BaseModel]]:
    seen = set() if seen is None else seen
    seen.add(model)
    for info in model.model_fields.values():
        kind = _plain_type(info.annotation)
        if typing.get_origin(kind) is list:
            kind = _plain_type(typing.get_args(kind)[0])
        if isinstance(kind, type) and issubclass(kind, BaseModel) and kind not in seen:
            _models(kind, seen)
    return seen


def test_every_value_reaches_the_markdown(documents):
    assert _missing(documents.built.shown, documents.markdown, links=None) == []


def test_every_value_reaches_the_html_page(documents):
    assert _missing(documents.built.shown, documents.html, documents.html_links) == []


def test_every_value_reaches_the_pdf(documents):
    assert _missing(documents.built.shown, documents.pdf, documents.pdf_links) == []


def test_a_link_keeps_its_address_in_every_format(documents):
    links = [value for value in documents.built.shown if value.link]
    assert links
    for value in links:
        assert value.texts[0] in documents.markdown
        assert value.texts[0] in documents.html_links
        assert value.texts[0] in documents.pdf_links


def test_every_reference_is_shown_next_to_the_fact_that_makes_it(documents):
    markdown = documents.markdown
    lines = markdown.splitlines()
    sections = re.split(r"^(?=#{1,6} )", markdown, flags=re.M)
    missing = []
    for reference in documents.built.references:
        own = documents.built.owned.get(reference.owner, [])
        places = lines if reference.scope == "line" else sections
        if not any(reference.target in place and any(text in place for text in own)
                   for place in places):
            missing.append(f"{reference.path} -> {reference.target}")
    assert missing == []


def test_a_source_that_no_fact_cites_is_listed_in_every_format(documents):
    data = documents.built.data
    cited = {reference.target for reference in documents.built.references
             if reference.collection == "sources"}
    uncited = [source for source in data["sources"] if f"[^{source['id']}]" not in cited]
    assert uncited
    for source in uncited:
        for text in (documents.markdown, documents.html, documents.pdf):
            assert _shows(text, source["title"]) and _shows(text, source["url"])
