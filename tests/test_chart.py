"""The timeline chart: a valid, accessible, self-contained SVG that tells the incident's story."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET

import pytest
from conftest import APHP, RECORDS

from postmortem.render.chart import timeline_svg
from postmortem.analysis.derive import derive
from postmortem.render.i18n import Language
from postmortem.record.validate import read_incident

SVG = "{http://www.w3.org/2000/svg}"
HOSTILE = "<script>alert(1)</script> & ]]>"


def _report(path):
    return derive(read_incident(path))


def _chart(report) -> str:
    return timeline_svg(report, Language(report.incident.lang, report.incident.timezone))


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
    report, _, root = minimal
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


def test_weasyprint_draws_the_chart_in_a_page():
    weasyprint = pytest.importorskip("weasyprint")
    svg = _chart(_report(APHP))
    html = f'<html><body style="font-family: DejaVu Sans">{svg}</body></html>'
    pdf = weasyprint.HTML(string=html).write_pdf()
    assert pdf.startswith(b"%PDF")
