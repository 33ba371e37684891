"""The timeline chart: a valid, accessible, self-contained SVG that tells the incident's story."""

from __future__ import annotations

import io
import itertools
import json
import re
import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from fontTools.ttLib import TTFont

from postmortem.analysis.derive import derive
from postmortem.record.validate import read_incident
from postmortem.render.chart import timeline_svg
from postmortem.render.chart.layout import lay_out
from postmortem.render.chart.parts import LABEL_WIDTH, LANE, PLOT_LEFT, PLOT_RIGHT
from postmortem.render.chart.timescale import known_instants
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
    desc = _text(root.find(f"{SVG}desc"))
    for span in report.impacts:
        assert span.impact.service in desc
    assert ("Messagerie : début vers sam. 3 août 11:00, "
            "fin sam. 3 août 22:00 – dim. 4 août 07:00, durée entre 11 h et 20 h.") in desc
    assert "fin après mar. 6 août 18:00, en cours, durée plus de 3 j 7 h" in desc
    assert "Service rétabli : lun. 5 août, 06:00–12:00." in desc
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
    expected = ["sam. 3 août", "dim. 4 août", "lun. 5 août", "mar. 6 août"]
    assert days[:4] == expected
    assert set(days) <= set(expected) | {"mer. 7 août"}
    hours = {_text(el) for el in _with_class(root, "hour")}
    assert {"06:00", "12:00", "18:00"} <= hours


def test_key_instants_are_lines_or_bands_with_labels(aphp):
    _, _, root = aphp
    labels = {_text(el) for el in _with_class(root, "instant-label")}
    assert labels == {"Début", "Détection", "Service rétabli", "Retour complet"}
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

RECORD_PATHS = [APHP, *sorted(RECORDS.glob("*.yaml"))]


@pytest.fixture(scope="module")
def crowded(tmp_path_factory):
    path = tmp_path_factory.mktemp("crowded") / "crowded.yaml"
    path.write_text(CROWDED, encoding="utf-8")
    return path


@pytest.fixture(scope="module", params=[*RECORD_PATHS, "crowded"],
                ids=[*(path.stem for path in RECORD_PATHS), "crowded"])
def any_record(request, crowded):
    return crowded if request.param == "crowded" else request.param


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


def test_measured_widths_are_the_widths_weasyprint_sets(crowded):
    weasyprint = pytest.importorskip("weasyprint")
    texts = [text for path in (APHP, crowded) for text in _layout(path).texts()]
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
        assert 1 <= len(lane.label) <= 2
        for line in lane.label:
            assert line.width <= LABEL_WIDTH and line.box.right < PLOT_LEFT, line
        if lane.kind == "impact":
            shown = " ".join(line.content for line in lane.label)
            if shown.endswith("…"):  # cut: what is shown is the start of the name
                assert lane.name.startswith(shown.removesuffix("…")) and shown != lane.name
            else:
                assert shown == lane.name


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
            assert lane.top < box.top and box.bottom < lane.top + LANE, lane.note
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
    # The four instants at the right edge cannot share a row: each takes the next.
    assert len({label.y for label in labels}) == 4
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
    assert backed == 4 + 7 + 3  # key instants, bar notes, slip notes


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
    assert "Mitigation: Mar 10, 2021." in format2.description
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
