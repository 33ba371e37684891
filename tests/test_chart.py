"""The timeline chart: a valid, accessible, self-contained SVG that tells the incident's story."""

from __future__ import annotations

import io
import itertools
import json
import re
import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from fontTools.ttLib import TTFont

from postmortem.analysis.derive import derive
from postmortem.record.validate import read_incident
from postmortem.render.chart import timeline_svg
from postmortem.render.chart.flags import Flag, groups, place_flags
from postmortem.render.chart.layout import lay_out
from postmortem.render.chart.parts import (
    LABEL_WIDTH,
    MAX_HEIGHT,
    MIN_BAR,
    PLOT_LEFT,
    PLOT_RIGHT,
)
from postmortem.render.chart.text import shorten_middle, wrap
from postmortem.render.chart.timescale import choose_scale, day_text, known_instants, tick_text
from postmortem.render.fonts import FONT_DIR, font_faces, text_width
from postmortem.render.i18n import Language

from support import APHP, RECORDS, ROOT

SVG = "{http://www.w3.org/2000/svg}"
HOSTILE = "<script>alert(1)</script> & ]]>"


def _report(path):
    return derive(read_incident(path))


def _language(report) -> Language:
    return Language(report.incident.lang, report.incident.timezone)


def _chart(report) -> str:
    return timeline_svg(report, _language(report))


def _layout(path):
    report = _report(path)
    return lay_out(report, _language(report))


def _plain(text: str) -> str:
    return re.sub(r"[\u00a0\u202f]", " ", text)


def _classes(element: ET.Element) -> list[str]:
    return element.get("class", "").split()


def _with_class(root: ET.Element, *names: str) -> list[ET.Element]:
    return [el for el in root.iter() if all(name in _classes(el) for name in names)]


def _text(element: ET.Element) -> str:
    # Babel separates numbers from units with no-break spaces: compare with plain ones.
    return re.sub(r"[\u00a0\u202f]", " ", "".join(element.itertext()))


@pytest.fixture(scope="module")
def aphp():
    report = _report(APHP)
    svg = _chart(report)
    return report, svg, ET.fromstring(svg)


@pytest.fixture(scope="module")
def minimal():
    report = _report(RECORDS / "minimal.yaml")
    svg = _chart(report)
    return report, svg, ET.fromstring(svg)


def test_the_chart_is_one_svg_element_labelled_by_its_title_and_description(aphp):
    _, svg, root = aphp
    assert svg.startswith("<svg ") and svg.endswith("</svg>")  # no XML declaration
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    assert root.get("width") == "100%"
    assert re.fullmatch(r"0 0 1000 \d+", root.get("viewBox"))
    ids = {el.get("id"): el for el in root.iter() if el.get("id")}
    labelled_by = [ids[ref] for ref in root.get("aria-labelledby").split()]
    assert [el.tag for el in labelled_by] == [f"{SVG}title", f"{SVG}desc"]
    assert all(_text(el).strip() for el in labelled_by)


def test_the_chart_refers_to_nothing_outside_itself(aphp):
    _, _, root = aphp
    tags = {el.tag.removeprefix(SVG) for el in root.iter()}
    assert not tags & {"script", "image", "foreignObject", "use", "a", "style"}
    for element in root.iter():
        for name, value in element.attrib.items():
            assert not name.startswith("on"), name
            assert "href" not in name or value.startswith("#"), (name, value)
            for reference in re.findall(r"url\(([^)]*)\)", value):
                assert reference.startswith("#"), value
            if name == "font-family":  # named fonts only: the bundled ones, then screen fonts
                assert "url(" not in value and "/" not in value, value


def test_every_id_is_unique_and_every_reference_resolves(aphp):
    _, svg, root = aphp
    ids = [el.get("id") for el in root.iter() if el.get("id")]
    assert len(ids) == len(set(ids))
    assert set(re.findall(r"url\(#([^)]*)\)", svg)) <= set(ids)


def test_each_impact_has_one_lane_labelled_with_its_service(aphp):
    report, _, root = aphp
    labels = _with_class(root, "lane-label", "impact")
    services = [span.impact.service for span in report.impacts]
    assert len(labels) == len(services) == 6
    # The full name is in the tooltip, whatever the label had to leave out.
    assert [_text(label.find(f"{SVG}title")) for label in labels] == services
    shown = [_text(label.find(f"{SVG}text")) for label in labels]
    assert "Messagerie" in shown and "Téléphonie" in shown
    long_name = next(text for text in shown if text.startswith("Principales"))
    assert long_name.endswith("…")


def test_the_trigger_has_its_own_lane_above_the_impacts(aphp):
    _, _, root = aphp
    lanes = _with_class(root, "lane-label")
    assert "trigger" in _classes(lanes[0])
    assert _text(lanes[0].find(f"{SVG}text")) == "Déclencheur"
    notes = [_text(el) for el in _with_class(root, "note")]
    assert "Coupure électrique au centre de données (environ 3 h)" in notes


def test_the_description_tells_each_lane_with_its_start_end_and_duration(aphp):
    report, _, root = aphp
    language = _language(report)
    desc = _text(root.find(f"{SVG}desc"))
    for span in report.impacts:
        assert span.impact.service in desc
    mail = next(span for span in report.impacts if span.impact.service == "Messagerie")
    # The words are the chart's; how an instant or a duration is written is the Language's.
    assert _plain(f"Messagerie : début {language.when(mail.impact.started, compact=True)}, "
                  f"fin {language.when(mail.impact.ended, compact=True)}, "
                  f"durée {language.duration(mail.duration)}.") in desc
    assert "vers sam. 3 août" in desc and "durée entre 11 h et 20 h." in desc
    assert "en cours, durée plus de 3 j 7 h" in desc
    restored = report.incident.key_instants.restored.at
    assert _plain(f"Service rétabli : {language.when(restored, compact=True)}.") in desc
    assert "glissement entre +1 j 6 h et +1 j 12 h" in desc


def test_there_is_one_promise_marker_per_announced_restoration_time(aphp):
    report, _, root = aphp
    assert len(report.slippages) == 3
    assert len(_with_class(root, "promise-marker")) == len(report.slippages)
    connectors = [el for group in _with_class(root, "promise")
                  for el in group.iter(f"{SVG}line") if el.get("stroke-dasharray")]
    assert len(connectors) == len(report.slippages)


def test_the_axis_has_a_label_for_each_day_of_the_outage(aphp):
    _, _, root = aphp
    days = [_text(el) for el in _with_class(root, "day")]
    assert days == ["sam. 3 août", "dim. 4 août", "lun. 5 août", "mar. 6 août", "mer. 7 août"]
    hours = [_text(el) for el in _with_class(root, "hour")]
    # Midnight is a time like the others: every tick says when it is.
    assert {"00:00", "06:00", "12:00", "18:00"} <= set(hours)
    assert hours.count("00:00") == 4


def test_key_instants_are_lines_or_bands_with_labels(aphp):
    _, _, root = aphp
    labels = {_text(el) for el in _with_class(root, "instant-label")}
    # The start and its detection half an hour later are one line at this scale: one label.
    assert labels == {"Début et Détection", "Service rétabli", "Retour complet"}
    # Detection, restoration (ranges) and full restoration (only "after") are bands.
    assert len(_with_class(root, "instant-band")) == 3


def test_uncertain_and_open_ends_are_told_by_pattern_not_colour(aphp):
    _, svg, root = aphp
    bars = _with_class(root, "bar", "impact")
    hatched = [bar for bar in bars
               if any(el.get("fill", "").startswith("url(#") for el in bar.iter(f"{SVG}rect"))]
    assert len(hatched) == len(bars)  # every start is "about 11:00"
    open_ends = [el for el in root.iter(f"{SVG}rect") if "open" in _classes(el)]
    assert len(open_ends) == 1 and open_ends[0].get("stroke-dasharray")
    assert ">en cours<" in svg


def test_the_legend_explains_the_marks_in_use(aphp, minimal):
    _, _, root = aphp
    legend = _text(_with_class(root, "legend")[0])
    for entry in ("Déclencheur", "Impact", "Heure incertaine ou approximative", "Fin non connue",
                  "Heure de rétablissement annoncée"):
        assert entry in legend
    _, _, small = minimal
    legend = _text(_with_class(small, "legend")[0])
    assert "Fin non connue" not in legend and "Trigger" not in legend and "Announced" not in legend


def test_a_short_english_incident_gets_an_axis_in_minutes(minimal):
    _report, _, root = minimal
    assert [_text(el) for el in _with_class(root, "day")] == ["Sun, Mar 2"]
    assert {"10:00", "10:20", "10:40"} <= {_text(el) for el in _with_class(root, "hour")}
    assert not _with_class(root, "promise")
    assert len(_with_class(root, "lane-label")) == 1  # no trigger span, no promises
    assert "Checkout: start Mar 2" in _text(root.find(f"{SVG}desc")).replace("Sun, ", "")


def test_hostile_text_is_escaped(tmp_path):
    record = (RECORDS / "minimal.yaml").read_text(encoding="utf-8")
    record = record.replace("  - service: Checkout", f"  - service: {json.dumps(HOSTILE)}")
    path = tmp_path / "hostile.yaml"
    path.write_text(record, encoding="utf-8")
    svg = _chart(_report(path))
    assert "<script" not in svg
    root = ET.fromstring(svg)
    assert not [el for el in root.iter() if el.tag.removeprefix(SVG) == "script"]
    label = _with_class(root, "lane-label", "impact")[0]
    assert _text(label.find(f"{SVG}title")) == HOSTILE
    assert _text(label.find(f"{SVG}text")) == HOSTILE
    assert HOSTILE in _text(root.find(f"{SVG}desc"))


def test_the_same_report_gives_the_same_chart(aphp):
    report, svg, _ = aphp
    assert _chart(report) == svg
    assert _chart(_report(APHP)) == svg


# -- the layout, measured in the fonts the PDF prints it in ----------------------------------

#: Key instants bunched at the right edge, an ongoing impact, names too long for their room,
#: a promise with a window: every fallback of the placement at once.
CROWDED = """\
schema_version: 1
id: 2025-03-02-crowded-chart
title: Un graphique encombré
lang: fr
timezone: Europe/Paris
organisation: Example Shop
severity: moderate
summary: Tout arrive en même temps à la fin.
key_instants:
  started:
    at: 2025-03-02T10:00Z
  detected:
    at: 2025-03-02T10:36Z
  mitigated:
    at: about 2025-03-02T10:37Z
  restored:
    at: 2025-03-02T10:38Z
  resolved:
    at: after 2025-03-02T10:39Z
cause:
  trigger:
    title: Une très longue description du déclencheur qui ne tient pas après la barre
    summary: Un nœud de cache manque de mémoire.
    category: capacity
    started: about 2025-03-02T09:58Z
    ended: 2025-03-02T10:39Z
impacts:
  - service: Paiement par carte bancaire et virement instantané des commandes passées en ligne
    started: 2025-03-02T10:00Z
    ended: about 2025-03-02T10:38Z
  - service: WWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWW
    started: before 2025-03-02T10:05Z
    ongoing: true
communications:
  - at: 2025-03-02T10:10Z
    channel: Page d'état
    audience: [customers]
    said: Retour prévu à 10 h 20.
    promised:
      restoration: 2025-03-02T10:20Z
  - at: 2025-03-02T10:12Z
    channel: Page d'état
    audience: [customers]
    said: Retour prévu avant 10 h 40.
    promised:
      restoration: between 2025-03-02T10:25Z and 10:39Z
      target: resolved
timeline:
  - at: 2025-03-02T10:00Z
    kind: trigger
    text: Le nœud de cache ne répond plus.
"""

RECORD_PATHS = [*sorted((ROOT / "incidents").glob("*.yaml")), *sorted(RECORDS.glob("*.yaml")),
                *sorted((RECORDS / "format2").glob("*.yaml"))]


def _extreme(ident: str, lang: str, zone: str, instants: dict[str, str],
             trigger: dict[str, str], impacts: list[dict[str, str]]) -> str:
    """Return a record (JSON is YAML) with these key instants, trigger and impacts."""
    return json.dumps({
        "schema_version": 1, "id": ident, "title": f"Chart at an extreme: {ident}",
        "lang": lang, "timezone": zone, "organisation": "Example", "severity": "major",
        "summary": "A record that takes the chart to an extreme.",
        "key_instants": {name: {"at": at} for name, at in instants.items()},
        "cause": {"trigger": {"summary": "What set it off.", "category": "change", **trigger}},
        "impacts": impacts,
        "timeline": [{"at": instants["started"], "kind": "trigger", "text": "It starts."}],
    }, ensure_ascii=False, indent=1)


#: Services named with 40 characters: an identifier without spaces, words, wide letters.
FORTY_CHARACTERS = [
    (f"payments-gateway-eu-west-1-primary-{index:05d}",
     f"Customer identity and single sign-on {index:03d}",
     f"{'W' * 37}{index:03d}")[index % 3] for index in range(40)]

#: Records that take the chart to an extreme, each named for what it tries.
EXTREMES = {
    "trigger-of-78-minutes-in-two-weeks": _extreme(
        "2024-07-19-extreme-a", "en", "UTC",
        {"started": "2024-07-19T04:09Z", "detected": "2024-07-19T04:15Z",
         "mitigated": "2024-07-19T05:27Z", "restored": "2024-07-31T12:00Z",
         "resolved": "after 2024-08-02T00:00Z"},
        {"title": "Faulty content update", "started": "2024-07-19T04:09Z",
         "ended": "2024-07-19T05:27Z"},
        [{"service": "Customers' Windows machines", "started": "2024-07-19T04:09Z",
          "ended": "2024-07-31T12:00Z"},
         {"service": "Airline check-in and boarding of customers",
          "started": "2024-07-19T04:30Z", "ended": "about 2024-08-02T00:00Z"}]),
    "a-night-in-seven-weeks": _extreme(
        "2021-03-10-extreme-b", "fr", "Europe/Paris",
        {"started": "2021-03-10T00:45+01:00", "detected": "2021-03-10T00:50+01:00",
         "mitigated": "2021-03-10T05:30+01:00", "restored": "2021-04-20T10:00+02:00"},
        {"title": "Incendie dans un local électrique", "started": "2021-03-10T00:45+01:00",
         "ended": "2021-03-10T05:30+01:00"},
        [{"service": "Hébergement du bâtiment 2", "started": "2021-03-10T00:45+01:00",
          "ended": "2021-04-28T12:00+02:00"},
         {"service": "Nuit de l'incendie : évacuation et coupure",
          "started": "2021-03-10T01:00+01:00", "ended": "2021-03-10T05:30+01:00"}]),
    "forty-services-of-forty-characters": _extreme(
        "2025-03-02-extreme-c", "en", "Europe/London",
        {"started": "2025-03-02T10:00Z", "detected": "2025-03-02T10:04Z",
         "restored": "2025-03-02T13:00Z"},
        {"title": "A configuration push whose title is long enough to need two lines and more",
         "started": "2025-03-02T10:00Z", "ended": "2025-03-02T13:00Z"},
        [{"service": name, "started": f"2025-03-02T{10 + index // 20}:{index * 3 % 60:02d}Z",
          "ended": f"2025-03-02T{12 + index // 30}:{index * 7 % 60:02d}Z"}
         for index, name in enumerate(FORTY_CHARACTERS)]),
    "years-before-detection": _extreme(
        "2019-05-01-extreme-d", "en", "America/New_York",
        {"started": "about 2019-05-01T00:00Z", "detected": "2021-11-15T14:00Z",
         "mitigated": "2021-11-16T09:00Z", "restored": "2022-01-10T17:00Z"},
        {"title": "Stolen credentials used for years", "started": "about 2019-05-01T00:00Z",
         "ended": "2021-11-16T09:00Z"},
        [{"service": "Customer records", "started": "about 2019-05-01T00:00Z",
          "ended": "2021-11-16T09:00Z"},
         {"service": "Partner API", "started": "2021-11-15T14:00Z",
          "ended": "2022-01-10T17:00Z"}]),
    "instants-at-midnight": _extreme(
        "2024-03-03-extreme-e", "en", "Europe/London",
        {"started": "2024-03-03T22:10Z", "detected": "2024-03-04T00:00Z",
         "restored": "2024-03-05T00:00Z"},
        {"title": "Disk full", "started": "2024-03-03T22:10Z", "ended": "2024-03-04T23:00Z"},
        [{"service": "Search", "started": "2024-03-03T22:10Z",
          "ended": "2024-03-05T00:00Z"}]),
    "ends-just-before-midnight": _extreme(
        "2024-03-03-extreme-g", "en", "UTC",
        {"started": "2024-03-04T08:00Z", "restored": "2024-03-04T23:50Z"},
        {"title": "Queue backlog", "started": "2024-03-04T08:00Z",
         "ended": "2024-03-04T23:50Z"},
        [{"service": "Notifications", "started": "2024-03-04T08:00Z",
          "ended": "2024-03-04T23:50Z"}]),
    "four-instants-in-two-minutes-of-two-months": _extreme(
        "2024-01-02-extreme-f", "fr", "Europe/Paris",
        {"started": "2024-01-02T10:00+01:00", "detected": "2024-01-02T10:00+01:00",
         "mitigated": "2024-01-02T10:01+01:00", "restored": "2024-01-02T10:02+01:00",
         "resolved": "2024-03-01T10:02+01:00"},
        {"title": "Coupure", "started": "2024-01-02T10:00+01:00",
         "ended": "2024-01-02T10:02+01:00"},
        [{"service": "Messagerie", "started": "2024-01-02T10:00+01:00",
          "ended": "2024-03-01T10:02+01:00"}]),
}


@pytest.fixture(scope="module")
def crowded(tmp_path_factory):
    path = tmp_path_factory.mktemp("crowded") / "crowded.yaml"
    path.write_text(CROWDED, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def extremes(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("extremes")
    for name, text in EXTREMES.items():
        (folder / f"{name}.yaml").write_text(text, encoding="utf-8")
    return {name: folder / f"{name}.yaml" for name in EXTREMES}


@pytest.fixture(scope="module", params=[*RECORD_PATHS, "crowded", *EXTREMES],
                ids=[*(path.stem for path in RECORD_PATHS), "crowded", *EXTREMES])
def any_record(request, crowded, extremes):
    if request.param == "crowded":
        return crowded
    return extremes.get(request.param, request.param)


def _font(name: str) -> TTFont:
    return TTFont(FONT_DIR / name)


def _advance(font: TTFont, char: str) -> float:
    """Return a character's advance in em, read straight from the font file."""
    glyph = font.getBestCmap()[ord(char)]
    return font["hmtx"][glyph][0] / font["head"].unitsPerEm


def test_a_wide_string_measures_wider_than_a_narrow_one_by_the_fonts_own_advances():
    liberation = _font("LiberationSans-Regular.ttf")
    wide, narrow = text_width("WWWW", 14), text_width("iiii", 14)
    assert wide == pytest.approx(4 * 14 * _advance(liberation, "W"))
    assert narrow == pytest.approx(4 * 14 * _advance(liberation, "i"))
    # Liberation Sans: W is 1933 units, i is 455, of 2048.
    assert wide / narrow == pytest.approx(1933 / 455)
    assert text_width("WWWW", 28) == pytest.approx(2 * wide)  # proportional to the size
    assert text_width("", 14) == 0
    bold = _font("LiberationSans-Bold.ttf")
    assert text_width("Déclencheur", 14, weight="bold") > text_width("Déclencheur", 14)
    assert text_width("m", 10, weight="bold") == pytest.approx(10 * _advance(bold, "m"))


def test_a_character_liberation_lacks_is_measured_in_the_symbol_font():
    liberation, dejavu = _font("LiberationSans-Regular.ttf"), _font("DejaVuSans.ttf")
    assert ord("✓") not in liberation.getBestCmap() and ord("✓") in dejavu.getBestCmap()
    assert text_width("✓", 14) == pytest.approx(14 * _advance(dejavu, "✓"))
    # The letters around it stay in Liberation.
    assert text_width("a✓", 14) == pytest.approx(14 * (_advance(liberation, "a")
                                                        + _advance(dejavu, "✓")))


def test_kerning_pairs_bring_letters_closer_as_the_pdf_sets_them():
    assert text_width("AV", 14) < text_width("A", 14) + text_width("V", 14)
    assert text_width("AV", 14) == pytest.approx(text_width("VA", 14))
    assert text_width("ab", 14) == pytest.approx(text_width("a", 14) + text_width("b", 14))


def test_measured_widths_are_the_widths_weasyprint_sets(crowded, extremes):
    weasyprint = pytest.importorskip("weasyprint")
    paths = (APHP, crowded, extremes["forty-services-of-forty-characters"],
             extremes["a-night-in-seven-weeks"])
    texts = [text for path in paths for text in _layout(path).texts()]
    samples = [(text.content, text.size, text.bold) for text in texts]
    samples += [("WWWW", 14, False), ("iiii", 14, False), ("AVAVA Tokyo", 14, False),
                ("✓ ☐ ⚠ fin", 12.5, False), ("Déclencheur", 14, True)]
    lines = "".join(
        f'<p><span style="font-size: {size}px; font-weight: {"bold" if bold else "normal"}">'
        f"{content.replace('&', '&amp;').replace('<', '&lt;')}</span></p>"
        for content, size, bold in samples)
    html = ("<style>@page { size: 3000px 9000px; margin: 0 } p { margin: 0 }</style>"
            "<body style=\"font-family: 'Report Sans', 'Report Symbols'; white-space: pre\">"
            f"{lines}</body>")
    font_config = weasyprint.text.fonts.FontConfiguration()
    fonts = weasyprint.CSS(string=font_faces(FONT_DIR.as_uri() + "/"), font_config=font_config)
    document = weasyprint.HTML(string=html).render(stylesheets=[fonts], font_config=font_config)

    def boxes(box):
        yield box
        for child in getattr(box, "children", ()):
            yield from boxes(child)

    # WeasyPrint has no public box tree; the page box is where its layout is read back.
    spans = [box for box in boxes(document.pages[0]._page_box)
             if type(box).__name__ == "InlineBox"]
    assert len(spans) == len(samples)
    for (content, size, bold), span in zip(samples, spans, strict=True):
        measured = text_width(content, size, weight="bold" if bold else "normal")
        assert measured == pytest.approx(span.width, abs=0.05), content


def test_each_impact_has_one_lane_named_after_its_service(any_record):
    report = _report(any_record)
    layout = lay_out(report, _language(report))
    impacts = [lane for lane in layout.lanes if lane.kind == "impact"]
    assert [lane.name for lane in impacts] == [
        " ".join(span.impact.service.split()) for span in report.impacts]
    for lane in layout.lanes:
        # A name has two lines at most; a trigger's kind takes a line above its name.
        assert 1 <= len(lane.label) <= (3 if lane.kind == "trigger" else 2)
        for line in lane.label:
            assert line.width <= LABEL_WIDTH and line.box.right < PLOT_LEFT, line
        if lane.kind == "impact":
            assert _reading([line.content for line in lane.label], lane.name), lane.label


def _reading(lines: list[str], name: str) -> str | None:
    """Return how label lines show a name: "whole", or shortened at its "end" or "middle".

    Each line is the next part of the name (lines break at spaces or inside a word); a
    shortened last line is a start of the rest, '…', then nothing or the name's end.
    """
    position = 0
    for index, line in enumerate(lines):
        if "…" in line and index == len(lines) - 1:
            head, tail = line.split("…", 1)
            rest = name[position:]
            if not rest.startswith(head) or not rest.endswith(tail):
                return None
            return "middle" if tail and len(head) + len(tail) < len(rest) else (
                "end" if not tail and len(head) < len(rest) else None)
        if not name.startswith(line, position):
            return None
        position += len(line)
        position += name.startswith(" ", position)
    return "whole" if position == len(name) else None


def test_no_two_texts_overlap_and_every_text_stays_inside_the_chart(any_record):
    layout = _layout(any_record)
    texts = layout.texts()
    assert len(texts) > 10
    for first, second in itertools.combinations(texts, 2):
        assert not first.box.overlaps(second.box), (first, second)
    for text in texts:
        box = text.box
        assert box.left >= 0 and box.right <= layout.width, text
        assert box.top >= 0 and box.bottom <= layout.height, text


def test_bar_notes_stay_in_their_lane_and_slip_notes_clear_their_promise(any_record):
    layout = _layout(any_record)
    for lane in layout.lanes:
        if lane.note:
            box = lane.note.box
            assert lane.top < box.top and box.bottom < lane.bottom, lane.note
            assert box.left >= PLOT_LEFT and box.right <= PLOT_RIGHT, lane.note
    for promise in layout.promises:
        box = promise.note.box
        drawn = [promise.deadline, promise.actual or PLOT_RIGHT]
        drawn += [promise.window_start] if promise.window_start is not None else []
        if box.top < promise.y < box.bottom:  # on the promise's own row: beside its marks
            assert box.right < min(drawn) or box.left > max(drawn), promise


def test_key_instant_labels_go_in_rows_above_the_lanes(crowded):
    layout = _layout(crowded)
    labels = [marker.label for marker in layout.markers]
    assert [label.content for label in labels] == [
        "Début", "Détection", "Atténuation", "Service rétabli", "Retour complet"]
    assert all(label.box.bottom < layout.lanes_top for label in labels)
    # Four instants crowd the right edge, 14 units apart: three rows, each label on top of
    # its own line, to its left where the edge leaves no room on its right.
    assert len({label.y for label in labels}) == 3
    for marker in layout.markers:
        assert marker.leader is None
        assert marker.label.box.left - 5 == pytest.approx(marker.left) or (
            marker.label.box.right + 5 == pytest.approx(marker.left))
        assert marker.top == pytest.approx(marker.label.y + 4)
    late = next(label for label in labels if label.content == "Retour complet")
    assert late.box.right <= layout.width


def test_a_french_label_that_fits_is_whole_and_a_long_one_is_cut_at_a_word(aphp):
    report, _, _ = aphp
    layout = lay_out(report, _language(report))
    lanes = {lane.name: [line.content for line in lane.label] for lane in layout.lanes}
    assert lanes["Applications administratives et reste du système d'information"] == [
        "Applications administratives et reste", "du système d'information"]
    assert lanes["Téléphonie"] == ["Téléphonie"]
    assert [line.content for line in layout.promises_label] == [
        "Heures de rétablissement annoncées"]
    name = next(name for name in lanes if name.startswith("Principales"))
    shown = " ".join(lanes[name]).removesuffix("…")
    assert name.startswith(shown) and name[len(shown)] == " "
    # The cut line uses its room: one more word would not have fitted.
    last = lanes[name][-1].removesuffix("…")
    following = name[len(shown):].split()[0]
    assert text_width(f"{last} {following}…", 14) > LABEL_WIDTH


def test_the_svg_writes_every_text_where_the_layout_puts_it(aphp):
    report, _, root = aphp
    layout = lay_out(report, _language(report))
    written = sorted((_text(el), float(el.get("x")), float(el.get("y")))
                     for el in root.iter() if el.tag in (f"{SVG}tspan", f"{SVG}text")
                     and el.get("x") is not None)
    placed = sorted((_plain(text.content), round(text.x, 1), round(text.y, 1))
                    for text in layout.texts())
    assert [entry[0] for entry in written] == [entry[0] for entry in placed]
    for (_, x, y), (content, at_x, at_y) in zip(written, placed, strict=True):
        assert (x, y) == pytest.approx((at_x, at_y), abs=0.051), content


def test_labels_over_lines_sit_on_a_backing_as_wide_as_their_measured_text(aphp):
    report, _, root = aphp
    widths = {(text.content, round(text.y, 1)): text.width
              for text in lay_out(report, _language(report)).texts()}
    backed = 0
    for parent in root.iter():
        children = list(parent)
        for backing, text in itertools.pairwise(children):
            if text.tag == f"{SVG}text" and {"note", "instant-label"} & set(_classes(text)):
                assert backing.tag == f"{SVG}rect" and backing.get("fill") == "#fff"
                width = widths["".join(text.itertext()), float(text.get("y"))]
                assert float(backing.get("width")) == pytest.approx(width + 4, abs=0.051)
                backed += 1
    assert backed == 3 + 7 + 3  # key-instant labels, bar notes, slip notes


def test_the_svg_carries_the_layouts_text_alternative(aphp):
    report, _svg, root = aphp
    layout = lay_out(report, _language(report))
    desc = root.find(f"{SVG}desc")
    assert desc.get("id") in root.get("aria-labelledby").split()
    assert "".join(desc.itertext()).split("\n") == list(layout.description)
    assert len(layout.description) == 1 + len(layout.lanes) + len(layout.markers) + 3
    assert root.find(f"{SVG}title").text == "Chronologie de l'incident par service"


def test_a_printed_chart_shows_every_label_in_the_bundled_fonts():
    pytest.importorskip("weasyprint")
    from pypdf import PdfReader

    from postmortem.render.pdf import print_pdf

    report = _report(APHP)
    layout = lay_out(report, _language(report))
    html = f'<html lang="fr"><body>{_chart(report)}</body></html>'
    pdf = print_pdf(html, datetime(2024, 8, 7, tzinfo=UTC))
    page = PdfReader(io.BytesIO(pdf)).pages[0]
    runs: list[str] = []
    page.extract_text(visitor_text=lambda text, *_: runs.append(_plain(text)))
    # What a reader sees: each lane, instant, note, hour, day and legend entry, whole.
    for text in layout.texts():
        assert _plain(text.content) in runs, text.content
    for seen in ("Messagerie", "Téléphonie", "Service rétabli", "en cours", "sam. 3 août",
                 "Glissement : entre +1 j 6 h et +1 j 12 h", "Impact"):
        assert seen in runs, seen
    fonts = {font["/BaseFont"] for font in page["/Resources"]["/Font"].values()}
    assert fonts and all(re.fullmatch(r"/[A-Z]{6}\+Report-[\w-]+", str(name)) for name in fonts)


# -- record format 2: end states, days, promises of other kinds -------------------------------

FORMAT2 = RECORDS / "render-format2-en.yaml"


@pytest.fixture(scope="module")
def format2():
    return _layout(FORMAT2)


def test_an_impact_that_is_over_or_lost_is_never_drawn_as_ongoing(format2):
    notes = {lane.name: lane.note.content for lane in format2.lanes if lane.note}
    assert notes["Servers in building 2"] == "Never restored"
    assert notes["Telephone support"] == "Ended (time unknown)"
    assert notes["Servers in building 1"] == "ongoing"
    told = {line.split(":", 1)[0]: line for line in format2.description}
    assert "never restored" in told["Servers in building 2"]
    assert "ongoing" not in told["Servers in building 2"]
    assert "ongoing" not in told["Telephone support"]


def test_a_key_instant_known_to_the_day_is_a_band_over_the_day_labelled_with_it(format2):
    marker = next(marker for marker in format2.markers if marker.name == "mitigated")
    assert marker.band and marker.right - marker.left > 20
    language = _language(_report(FORMAT2))
    assert f"Mitigation: {language.when(marker.when, compact=True)}." in format2.description
    assert not any("00:00" in line for line in format2.description)


def test_a_missed_promise_says_so_and_a_deliverable_is_left_to_the_table(format2):
    # The record promises one restoration (missed) and a deliverable (withdrawn): the chart
    # draws the restoration only, the report's promise table lists both.
    assert [promise.note.content for promise in format2.promises] == ["missed"]
    assert not any("Deliverable" in line or "withdrawn" in line
                   for line in format2.description)


def test_a_deliverable_promised_months_later_does_not_stretch_the_axis():
    # AWS promised a new status dashboard "early next year": the axis keeps to the incident.
    record = ROOT / "incidents" / "2021-12-07-aws-us-east-1-network-congestion.yaml"
    layout = _layout(record)
    assert not layout.promises
    assert max(known_instants(_report(record))) < datetime(2021, 12, 11, tzinfo=UTC)


def test_an_ongoing_impact_runs_to_the_day_the_records_knowledge_stops():
    # Ongoing as of 22 March: the chart's known instants reach the end of that day.
    end_of_as_of = datetime(2021, 3, 23, tzinfo=ZoneInfo("Europe/Paris"))
    assert max(known_instants(_report(FORMAT2))) == end_of_as_of


# -- labels never cut, never on each other; days under their own day ------------------------


def test_every_lane_names_its_service_in_full_in_its_title_and_in_the_description(any_record):
    report = _report(any_record)
    svg = _chart(report)
    root = ET.fromstring(svg)
    layout = lay_out(report, _language(report))
    titles = [_text(group.find(f"{SVG}title")) for group in _with_class(root, "lane-label")
              if "promises" not in _classes(group)]
    assert titles == [_plain(lane.name) for lane in layout.lanes]
    description = _text(root.find(f"{SVG}desc"))
    assert all(_plain(lane.name) in description for lane in layout.lanes)


def test_every_key_instant_is_named_above_the_lanes_on_its_own_line(any_record):
    report = _report(any_record)
    layout = lay_out(report, _language(report))
    labelled = [marker for marker in layout.markers if marker.label]
    for marker in layout.markers:
        # Named in a label: its own, or that of an instant it cannot be told apart from.
        assert any(marker.title in other.label.content for other in labelled), marker.name
        assert f"{marker.title}{_language(report).gettext(':')} " in "\n".join(
            layout.description)
    for marker in labelled:
        box = marker.label.box
        assert box.bottom < layout.lanes_top and box.left >= 0 and box.right <= layout.width
        if marker.leader is None:  # on top of its line, to its right or to its left
            assert min(abs(box.left - 5 - marker.left), abs(box.right + 5 - marker.left)) < 0.01
            assert marker.top == pytest.approx(marker.label.y + 4)
        else:  # moved aside: a leader runs from under the label to the top of its line
            leader_x, leader_y = marker.leader
            assert box.left <= leader_x <= box.right and leader_y > box.bottom
            assert leader_y < marker.top < layout.lanes_top


def test_every_tick_that_starts_a_day_is_labelled_and_days_are_named_under_themselves(
        any_record):
    report = _report(any_record)
    language = _language(report)
    layout = lay_out(report, language)
    scale = choose_scale(report, language, PLOT_LEFT, PLOT_RIGHT, layout.width)

    def at(x: float) -> datetime:
        share = (x - PLOT_LEFT) / (PLOT_RIGHT - PLOT_LEFT)
        start, end = scale.start.astimezone(UTC), scale.end.astimezone(UTC)  # across clock changes
        return start + (end - start) * share

    marked = [tick for tick in layout.ticks if tick.marked]
    assert len(marked) >= 2
    assert all(tick.label for tick in marked)  # a tick on the axis always says what it is
    for first, second in itertools.pairwise(sorted(tick.label.box.left for tick in marked)):
        assert first < second
    if scale.step.unit == "minute":
        midnights = [instant for instant in scale.midnights()
                     if scale.start <= instant <= scale.end]
        at_midnight = {round(tick.x, 3) for tick in marked if tick.midnight}
        assert {round(scale.x(instant), 3) for instant in midnights} <= at_midnight
        inner = [instant for instant in midnights if scale.start < instant < scale.end]
        assert len(layout.days) == len(inner) + 1  # every day on the chart is named
        for label in layout.days:
            box = label.box
            # From its left end to its right, the label lies over the day it names.
            ends = (max(box.left, PLOT_LEFT) + 0.5, min(box.right, PLOT_RIGHT) - 0.5)
            assert {day_text(at(x), language) for x in ends} == {label.content}, label
    else:
        assert not layout.days
        for tick in marked:  # a date is written from its tick on, over the day it names
            assert tick.label.box.left > tick.x
            instant = at(tick.x) + timedelta(minutes=1)
            assert tick.label.content == tick_text(instant, scale, language)


def test_a_key_instant_at_midnight_is_read_on_the_day_it_starts(extremes):
    report = _report(extremes["instants-at-midnight"])
    language = _language(report)
    layout = lay_out(report, language)
    restored = next(marker for marker in layout.markers if marker.name == "restored")
    tick = next(tick for tick in layout.ticks if tick.x == pytest.approx(restored.left))
    assert tick.midnight and tick.label.content == "00:00"
    day = day_text(restored.when.latest, language)
    assert day == "Tue, Mar 5"
    named = next(label for label in layout.days if label.content == day)
    assert named.box.left > restored.left  # after the line, not across it
    before = next(label for label in layout.days if label.content == "Mon, Mar 4")
    assert before.box.right < restored.left


def test_a_short_phase_of_a_long_incident_stays_visible_over_the_instant_lines(extremes):
    report = _report(extremes["trigger-of-78-minutes-in-two-weeks"])
    language = _language(report)
    layout = lay_out(report, language)
    scale = choose_scale(report, language, PLOT_LEFT, PLOT_RIGHT, layout.width)
    assert scale.span_of(timedelta(minutes=78)) < MIN_BAR  # true to scale it would vanish
    trigger = layout.lanes[0]
    assert trigger.kind == "trigger"
    drawn = [piece for piece in trigger.pieces if piece.kind != "open"]
    assert drawn[-1].right - drawn[0].left == pytest.approx(MIN_BAR)
    assert drawn[0].left == pytest.approx(scale.x(report.incident.cause.trigger.started.earliest))
    assert _plain(trigger.note.content) == "Faulty content update (1 hr 18 min)"
    # The bars are drawn after the key instants' lines, which would hide a bar this thin.
    order = [_classes(element) for element in ET.fromstring(_chart(report))]
    bar = next(index for index, classes in enumerate(order) if "bar" in classes)
    assert all(index < bar for index, classes in enumerate(order) if "instant" in classes)


def test_instants_too_close_to_tell_apart_share_one_label_in_the_incidents_order(extremes):
    report = _report(extremes["a-night-in-seven-weeks"])
    layout = lay_out(report, _language(report))
    labels = [marker.label.content for marker in layout.markers if marker.label]
    assert labels == ["Début, Détection et Atténuation", "Service rétabli"]
    assert len({marker.label.y for marker in layout.markers if marker.label}) == 1
    night = next(lane for lane in layout.lanes if lane.name.startswith("Nuit"))
    assert night.pieces[-1].right - night.pieces[0].left >= MIN_BAR
    # The text alternative still tells each instant on its own.
    told = layout.description[-4:]
    for line, title in zip(told, ["Début", "Détection", "Atténuation", "Service rétabli"],
                           strict=True):
        assert line.startswith(title)


def test_forty_services_fit_one_printed_page_with_labels_that_stay_distinct(extremes):
    report = _report(extremes["forty-services-of-forty-characters"])
    layout = lay_out(report, _language(report))
    impacts = [lane for lane in layout.lanes if lane.kind == "impact"]
    assert len(impacts) == 40 and layout.height <= MAX_HEIGHT
    shown = [" ".join(line.content for line in lane.label) for lane in impacts]
    assert all(len(lane.label) == 1 for lane in impacts)
    # Cut to one line, names that start alike keep their ends: no two lanes read the same.
    assert len(set(shown)) == 40
    assert {_reading([text], lane.name) for text, lane in zip(shown, impacts, strict=True)} == {
        "middle"}


def test_a_printed_chart_of_forty_services_stays_inside_its_page(extremes, tmp_path):
    pytest.importorskip("weasyprint")
    from pypdf import PdfReader

    from postmortem.workspace.pipeline import render_file

    path = extremes["forty-services-of-forty-characters"]
    report = _report(path)
    layout = lay_out(report, _language(report))
    pdf = next(output for output in render_file(path, tmp_path, ["pdf"])
               if output.suffix == ".pdf")
    lanes = {line.content for lane in layout.lanes for line in lane.label}
    for page in PdfReader(pdf).pages:
        placed: list[tuple[str, float, float]] = []

        def visit(text, cm, tm, *_, placed=placed):
            # Where the text starts on the page: its matrix, then the page's.
            x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
            y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
            placed.append((_plain(text), x, y))

        page.extract_text(visitor_text=visit)
        found = [(text, x, y) for text, x, y in placed if text in lanes]
        if not found:
            continue
        # Every lane is on this page, and inside it.
        assert {text for text, _, _ in found} == lanes
        width, height = float(page.mediabox.width), float(page.mediabox.height)
        assert all(0 < x < width and 0 < y < height for _, x, y in found)
        break
    else:
        pytest.fail("no page shows the chart's lanes")


def test_an_incident_of_years_dates_its_ticks_by_month_and_year(extremes):
    report = _report(extremes["years-before-detection"])
    language = _language(report)
    layout = lay_out(report, language)
    labels = [tick.label.content for tick in layout.ticks if tick.marked]
    assert labels[0] == "Jul 2019" and labels[-1] == "Jan 2022"
    assert all(re.fullmatch(r"(Jan|Jul) 20\d\d", label) for label in labels)


def test_thirty_labels_close_together_never_overlap_and_keep_their_order():
    flags = [Flag(f"Instant {index + 1}", 300 + index * 12) for index in range(30)]
    spots = place_flags(flags, 0, 1000, 14)
    assert [spot.content for spot in spots] == [flag.content for flag in flags]
    for first, second in itertools.combinations(spots, 2):
        if first.row == second.row:
            assert first.right + 10 <= second.left or second.right + 10 <= first.left
    assert all(spot.left >= 0 and spot.right <= 1000 for spot in spots)
    # Spread over a few rows, not stacked into thirty; along a row, in the order of their lines.
    rows = {spot.row for spot in spots}
    assert len(rows) <= 4
    for row in rows:
        along = [spot for spot in spots if spot.row == row]
        assert [spot.x for spot in along] == sorted(spot.x for spot in along)
        assert [spot.left for spot in along] == sorted(spot.left for spot in along)


def test_labels_with_room_sit_beside_their_lines_in_one_row():
    spots = place_flags([Flag("Start", 100), Flag("Detection", 400), Flag("Restored", 700)],
                        0, 1000, 14)
    assert {spot.row for spot in spots} == {0}
    assert all(spot.beside and spot.left == pytest.approx(spot.x + 5) for spot in spots)
    # Too near the right edge for its right side: on its left.
    edge = place_flags([Flag("Fully restored", 990)], 0, 1000, 14)[0]
    assert edge.beside and edge.anchor == "end" and edge.right == pytest.approx(985)


def test_instants_within_a_few_units_are_grouped_from_the_first_of_each_group():
    assert groups([10, 300, 14, 17.9, 19]) == [[0, 2, 3], [4], [1]]


def test_a_name_too_long_for_a_line_breaks_after_a_hyphen_and_is_not_cut():
    lines = wrap("payments-gateway-eu-west-1-primary-00001", LABEL_WIDTH, 14, 2)
    assert lines == ["payments-gateway-eu-west-1-", "primary-00001"]
    assert all(text_width(line, 14) <= LABEL_WIDTH for line in lines)
    single = wrap("W" * 60, LABEL_WIDTH, 14, 2)
    assert len(single) == 2 and single[1].endswith("…")
    assert all(text_width(line, 14) <= LABEL_WIDTH for line in single)


def test_a_name_cut_short_loses_its_end_or_with_keep_end_its_middle():
    name = "Applications built on AWS (streaming, airline, doorbell and voice assistant services)"
    end_cut = wrap(name, LABEL_WIDTH, 14, 2)
    middle_cut = wrap(name, LABEL_WIDTH, 14, 2, keep_end=True)
    assert _reading(end_cut, name) == "end" and _reading(middle_cut, name) == "middle"
    assert middle_cut[-1].endswith("…services)") and end_cut[-1].endswith("voice assistant…")
    assert all(text_width(line, 14) <= LABEL_WIDTH for line in end_cut + middle_cut)
    assert shorten_middle("short", LABEL_WIDTH, 14) == "short"


#: Records at the first and the last instants a record may use (years 1900 to 2199),
#: with every qualifier, in the zones furthest from UTC.
_AT_THE_BOUNDS = {
    "first": {"started": "before 1900-01-01T00:00+14:00",
              "detected": "after 1900-01-01T00:05+14:00",
              "restored": "about 1900-01-01T01:00+14:00",
              "impact": ("1900-01-01T00:00+14:00", "after 1900-01-02T00:00-12:00")},
    "last": {"started": "about 2199-12-31T23:00-12:00",
             "detected": "between 2199-12-31T23:05-12:00 and 23:10",
             "restored": "after 2199-12-31T23:59-12:00",
             "impact": ("2199-12-31T23:00-12:00", "after 2199-12-31T23:59-12:00")},
    "whole range": {"started": "1900-01-01T00:00+14:00", "detected": "1900-01-02",
                    "restored": "about 2199-12-31T23:59-12:00",
                    "impact": ("before 1900-01-01T00:00+14:00", "after 2199-12-31T23:59-12:00")},
}


@pytest.mark.parametrize("case", sorted(_AT_THE_BOUNDS))
@pytest.mark.parametrize("zone", ["Pacific/Kiritimati", "Etc/GMT+12"])
def test_instants_at_the_bounds_of_a_record_draw_and_read(tmp_path, case, zone):
    from postmortem.render.markdown import render_markdown

    bounds = _AT_THE_BOUNDS[case]
    text = (RECORDS / "minimal.yaml").read_text(encoding="utf-8")
    text = (text.replace("timezone: Europe/London", f"timezone: {zone}")
            .replace("at: 2025-03-02T10:00Z\n  detected", f"at: {bounds['started']}\n  detected")
            .replace("at: between 2025-03-02T10:05Z and 10:10", f"at: {bounds['detected']}")
            .replace("at: about 2025-03-02T10:40Z", f"at: {bounds['restored']}")
            .replace("started: 2025-03-02T10:00Z", f"started: {bounds['impact'][0]}")
            .replace("ended: about 2025-03-02T10:40Z", f"ended: {bounds['impact'][1]}")
            .replace("- at: 2025-03-02T10:00Z", f"- at: {bounds['impact'][0]}"))
    path = tmp_path / "bounds.yaml"
    path.write_text(text, encoding="utf-8")
    report = _report(path)
    ET.fromstring(_chart(report))
    assert "## Timeline" in render_markdown(report)
