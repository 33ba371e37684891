"""The HTML review in a real browser, Debian's Chromium driven by Playwright: phone, desktop, A4."""

from __future__ import annotations

import copy
import io
import math
import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from pypdf import PdfReader

from support import APHP, CHROMIUM, CHROMIUM_ARGS, RECORDS, ROOT, browser_missing

AWS = ROOT / "incidents" / "2021-12-07-aws-us-east-1-network-congestion.yaml"
RECORD_FILES = {
    path.stem: path
    for path in [APHP, AWS, *sorted((RECORDS / "format2").glob("*.yaml")),
                 RECORDS / "render-format2-en.yaml", RECORDS / "render-format2-fr.yaml"]
}
#: A record made in the test from the AWS one, with what widens a page: long unbreakable
#: words (an identifier, a URL, inline code), a long title, 40 impacts, 200 timeline entries.
LONG_WORDS = "2021-12-07-long-words-and-many-rows"
RECORD_NAMES = [*RECORD_FILES, LONG_WORDS]

#: A phone as Chromium emulates one (the page's viewport meta tag is honoured), and a desktop.
SCREENS: dict[str, dict[str, Any]] = {
    "phone": {"viewport": {"width": 375, "height": 812}, "is_mobile": True, "has_touch": True,
              "device_scale_factor": 2},
    "desktop": {"viewport": {"width": 1280, "height": 800}},
}
#: The smallest text a reader is asked to read in the chart, in CSS px.
LEGIBLE_PX = 8
#: Lengths of CSS, in CSS px (96 per inch) and in PDF points (72 per inch).
CSS_PX = {"px": 1, "in": 96, "cm": 96 / 2.54, "mm": 96 / 25.4, "q": 96 / 101.6, "pt": 96 / 72,
          "pc": 16}
A4_POINTS = (595.28, 841.89)


MISSING = browser_missing()
AS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0
# As root the install script has run (`make test` runs it), so a missing browser is a failure.
pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(bool(MISSING) and not AS_ROOT, reason=MISSING)]


def _long_words_record(folder: Path) -> Path:
    """Write the AWS record stretched with long words and many rows; return its path."""
    record = yaml.safe_load(AWS.read_text(encoding="utf-8"))
    record["id"] = LONG_WORDS
    record["title"] = ("Congestion between the internal network and the main network "
                       "disrupts control planes, sign-in, monitoring, status and support "
                       "for most of a working day in the Northern Virginia region")
    record["organisation"] = ("Amazon Web Services, Incorporated — Northern Virginia Region "
                              "Operations and Reliability Engineering")
    record["sources"][0]["url"] = (
        "https://example.org/archive/" + "QXJjaGl2ZWRDb3B5T2ZUaGVTdW1tYXJ5" * 5
        + "?session=" + "0123456789abcdef" * 4)
    impacts = record["impacts"]
    originals = copy.deepcopy(impacts)
    impacts[0]["service"] = "control_plane_provisioning_orchestrator_service_us_east_1_primary"
    for number in range(40 - len(impacts)):
        impact = copy.deepcopy(originals[number % len(originals)])
        impact["id"] = f"{impact['id']}-{number}"
        impacts.append(impact)
    timeline = record["timeline"]
    timeline[0]["text"] += (" The role `arn:aws:iam::123456789012:role/service-role/"
                            "provisioning_orchestrator_primary_role` was throttled.")
    originals = copy.deepcopy(timeline)
    for number in range(200 - len(timeline)):
        entry = copy.deepcopy(originals[number % len(originals)])
        entry.pop("id", None)  # ids are unique; the copies need none
        timeline.append(entry)
    path = folder / f"{LONG_WORDS}.yaml"
    path.write_text(yaml.safe_dump(record, allow_unicode=True, sort_keys=False),
                    encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def pages(tmp_path_factory) -> dict[str, Path]:
    """Render every record's HTML page once; return the pages by record name."""
    from postmortem.workspace.pipeline import render_file

    folder = tmp_path_factory.mktemp("browser")
    records = {**RECORD_FILES, LONG_WORDS: _long_words_record(folder)}
    rendered = {}
    for name, path in records.items():
        (folder / name).mkdir()  # two fixtures may share an incident id
        rendered[name] = render_file(path, folder / name, ["html"])[0]
    return rendered


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Start Debian's Chromium once for the module."""
    if MISSING:
        pytest.fail(f"as root, scripts/install-system-packages must have installed it: {MISSING}")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def open_page(browser, pages) -> Iterator[Callable[..., Any]]:
    """Open a record's page on a screen, once: the tests that only read it share it."""
    contexts: dict[str, Any] = {}
    opened: dict[tuple[str, str], Any] = {}

    def open_on(record: str, screen: str):
        if (record, screen) not in opened:
            if screen not in contexts:
                contexts[screen] = browser.new_context(**SCREENS[screen])
            opened[record, screen] = contexts[screen].new_page()
            opened[record, screen].goto(pages[record].as_uri())
        page = opened[record, screen]
        page.bring_to_front()  # a page behind others is drawn rarely, and clicks on it wait
        page.evaluate("window.scrollTo(0, 0)")
        return page

    yield open_on
    for context in contexts.values():
        context.close()


@pytest.fixture(scope="module")
def resize_page(browser, pages) -> Iterator[Callable[[str, int], Any]]:
    """Open a record's page in a desktop window once; set the window's width for each test."""
    context = browser.new_context()
    opened: dict[str, Any] = {}

    def open_at(record: str, width: int):
        if record not in opened:
            opened[record] = context.new_page()
            opened[record].goto(pages[record].as_uri())
        page = opened[record]
        page.bring_to_front()
        page.set_viewport_size({"width": width, "height": 800})
        page.evaluate("window.scrollTo(0, 0)")
        return page

    yield open_at
    context.close()


@pytest.fixture(scope="module")
def printed(browser, pages) -> Iterator[Callable[[str], tuple[Any, float, float]]]:
    """Lay a record's page out for A4 print, once; return it and its side margins in px."""
    context = browser.new_context()
    opened: dict[str, tuple[Any, float, float]] = {}

    def print_layout(record: str):
        if record not in opened:
            page = context.new_page()
            page.goto(pages[record].as_uri())
            page.emulate_media(media="print")
            margins = page.evaluate(PAGE_MARGINS)
            left, right = _css_px(margins["left"]), _css_px(margins["right"])
            width = A4_POINTS[0] * 96 / 72 - left - right
            page.set_viewport_size({"width": math.floor(width), "height": 1100})
            opened[record] = (page, left, right)
        return opened[record]

    yield print_layout
    context.close()


# Every element that juts out of the page, left or right, outside the boxes that scroll
# on their own; and every such box whose content is wider but that does not scroll.
OVERFLOW = """() => {
  const width = document.documentElement.clientWidth;
  const scrollers = '.table-scroll, .chart, pre';
  const name = el => el.tagName.toLowerCase() + [...el.classList].map(c => '.' + c).join('');
  const outside = [];
  for (const el of document.body.querySelectorAll('*')) {
    if (el.parentElement.closest(scrollers)) continue;
    const box = el.getBoundingClientRect();
    if (box.right > width + 0.5 || box.left < -0.5)
      outside.push(`${name(el)} ${Math.round(box.left)}..${Math.round(box.right)} px: `
                   + el.textContent.trim().slice(0, 60));
  }
  const stuck = [...document.querySelectorAll(scrollers)]
    .filter(el => el.scrollWidth > el.clientWidth + 1
                  && !['auto', 'scroll'].includes(getComputedStyle(el).overflowX))
    .map(el => `${name(el)} ${el.scrollWidth} px in ${el.clientWidth} px`);
  return {width, scrollWidth: document.documentElement.scrollWidth, outside, stuck};
}"""

CHART = """() => {
  const figure = document.querySelector('figure.chart');
  const svg = figure && figure.querySelector('svg');
  if (!svg) return null;
  const style = getComputedStyle(figure);
  const scale = svg.getScreenCTM().a;
  const sizes = [...svg.querySelectorAll('text')]
    .map(text => parseFloat(getComputedStyle(text).fontSize) * scale);
  const drawing = svg.viewBox.baseVal;
  return {
    width: svg.getBoundingClientRect().width, height: svg.getBoundingClientRect().height,
    box: figure.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight),
    ratio: drawing.height / drawing.width, smallest: Math.min(...sizes),
  };
}"""

# Each run of the chart's text (a <text>, or each line of one), as the browser draws it.
CHART_TEXT = """() => [...document.querySelectorAll('figure.chart svg text')].flatMap(text => {
  const runs = text.querySelectorAll('tspan').length ? [...text.querySelectorAll('tspan')] : [text];
  return runs.filter(run => run.textContent.trim()).map(run => {
    const style = getComputedStyle(run);
    return {text: run.textContent, size: parseFloat(style.fontSize),
            weight: parseInt(style.fontWeight) >= 600 ? 'bold' : 'normal',
            style: style.fontStyle === 'normal' ? 'normal' : 'italic',
            drawn: run.getComputedTextLength()};
  });
})"""

CONTENTS = """() => [...document.querySelectorAll('nav.contents a')].map(link => {
  const target = document.querySelectorAll(`[id="${decodeURIComponent(link.hash.slice(1))}"]`);
  const heading = target.length === 1 ? target[0] : null;
  return {href: link.getAttribute('href'), text: link.textContent, count: target.length,
          tag: heading && heading.tagName.toLowerCase(),
          heading: heading ? heading.textContent : ''};
})"""

SECTIONS = "() => [...document.querySelectorAll('main h2')].map(h => '#' + h.id)"

# Where a heading sits in the window, and whether the draft mark covers it.
HEADING_IN_VIEW = """(id) => {
  const box = document.getElementById(id).getBoundingClientRect();
  const mark = document.querySelector('.watermark');
  const over = mark && mark.getBoundingClientRect();
  const root = document.documentElement;
  return {
    hash: decodeURIComponent(location.hash), top: box.top, height: window.innerHeight,
    margin: parseFloat(getComputedStyle(document.getElementById(id)).scrollMarginTop) || 0,
    atEnd: Math.ceil(window.scrollY + window.innerHeight) >= root.scrollHeight - 1,
    covered: !!over && over.bottom > box.top && over.top < box.bottom
             && over.right > box.left && over.left < box.right,
  };
}"""

# The text the draft mark hides: every line of text whose box it overlaps.
UNDER_THE_MARK = """() => {
  const mark = document.querySelector('.watermark');
  if (!mark) return [];
  const over = mark.getBoundingClientRect();
  const hidden = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    if (!node.data.trim() || mark.contains(node)) continue;
    const range = document.createRange();
    range.selectNodeContents(node);
    for (const box of range.getClientRects()) {
      if (box.width && box.right > over.left + 0.5 && box.left < over.right - 0.5
          && box.bottom > over.top + 0.5 && box.top < over.bottom - 0.5) {
        hidden.push(node.data.trim().slice(0, 60));
        break;
      }
    }
  }
  return hidden;
}"""

# The left and right margins of the printed page, as the page's own stylesheets set them.
PAGE_MARGINS = """() => {
  const margins = {left: '0', right: '0'};
  const visit = rules => {
    for (const rule of rules) {
      if (rule instanceof CSSMediaRule) {
        if (matchMedia(rule.media.mediaText).matches) visit(rule.cssRules);
      } else if (rule instanceof CSSPageRule && !rule.selectorText) {
        for (const side of ['left', 'right']) {
          const value = rule.style.getPropertyValue('margin-' + side);
          if (value) margins[side] = value;
        }
      }
    }
  };
  for (const sheet of document.styleSheets) visit(sheet.cssRules);
  return margins;
}"""

# Every table wider than the printed content box, with the first words of its header.
WIDE_TABLES = """(width) => [...document.querySelectorAll('table')]
  .map(table => ({box: table.getBoundingClientRect(), header: table.rows[0].textContent}))
  .filter(({box}) => box.left < -0.5 || box.right > width + 0.5)
  .map(({box, header}) => `${Math.round(box.width)} px wide: `
                          + header.trim().replace(/\\s+/g, ' ').slice(0, 60))"""


def _css_px(length: str) -> float:
    """Return a CSS length (`18mm`, `0.5in`, `0`) in CSS px."""
    match = re.fullmatch(r"\s*([\d.]+)\s*([a-zA-Z]*)\s*", length)
    assert match, f"not a length the test reads: {length!r}"
    return float(match[1]) * (CSS_PX[match[2].lower()] if match[2] else 1)


def _plain(text: str) -> str:
    """Return text with its runs of spaces, no-break ones included, as one space."""
    return " ".join(text.replace("\u00a0", " ").replace("\u202f", " ").split())


@pytest.mark.parametrize("screen", SCREENS)
def test_the_page_is_laid_out_at_the_width_of_the_screen(open_page, screen):
    page = open_page(APHP.stem, screen)
    width, scale = page.evaluate(
        "[document.documentElement.clientWidth, window.visualViewport.scale]")
    # A phone lays a page without a viewport tag out 980 px wide and shrinks it to fit.
    assert (width, scale) == (SCREENS[screen]["viewport"]["width"], 1)


@pytest.mark.parametrize("screen", SCREENS)
@pytest.mark.parametrize("record", RECORD_NAMES)
def test_nothing_makes_the_page_wider_than_the_screen(open_page, record, screen):
    found = open_page(record, screen).evaluate(OVERFLOW)
    assert found["outside"] == []
    assert found["stuck"] == []
    assert found["scrollWidth"] <= found["width"]


@pytest.mark.parametrize("screen", SCREENS)
@pytest.mark.parametrize("record", RECORD_NAMES)
def test_the_chart_scales_to_its_box_and_its_text_stays_legible(open_page, record, screen):
    chart = open_page(record, screen).evaluate(CHART)
    assert chart, "the page has no chart"
    assert chart["height"] == pytest.approx(chart["width"] * chart["ratio"], rel=0.01)
    assert chart["smallest"] >= LEGIBLE_PX
    if screen == "desktop":
        assert chart["width"] == pytest.approx(chart["box"], abs=1)
    else:  # narrower than legible: it keeps its width and scrolls in its box
        assert chart["width"] >= chart["box"] - 1


@pytest.mark.parametrize("record", RECORD_NAMES)
def test_the_chart_is_drawn_in_the_fonts_it_was_measured_with(open_page, record):
    from postmortem.render.fonts import text_width

    runs = open_page(record, "desktop").evaluate(CHART_TEXT)
    assert runs, "the chart has no text"
    # Set in another font (the reader's fallback), labels overrun their room or the drawing.
    wrong = [f"{run['text']!r}: {run['drawn']:.1f} drawn, {laid_out:.1f} laid out"
             for run in runs
             for laid_out in [text_width(run["text"], run["size"], "Report Sans",
                                         run["weight"], run["style"])]
             if abs(run["drawn"] - laid_out) > 0.01 * laid_out + 0.5]
    assert wrong == []


@pytest.mark.parametrize("screen", SCREENS)
@pytest.mark.parametrize("record", RECORD_NAMES)
def test_every_contents_link_leads_to_its_heading(open_page, record, screen):
    page = open_page(record, screen)
    links = page.evaluate(CONTENTS)
    assert [link["href"] for link in links] == page.evaluate(SECTIONS)
    for link in links:
        assert (link["count"], link["tag"]) == (1, "h2"), link
        assert _plain(link["text"]) == _plain(link["heading"])
    for link in links:
        page.locator(f'nav.contents a[href="{link["href"]}"]').click()
        seen = page.evaluate(HEADING_IN_VIEW, link["href"][1:])
        assert seen["hash"] == link["href"]
        assert not seen["covered"], f"the draft mark covers {link['text']!r}"
        # At the top of the window, or as near as the end of the page lets it come.
        if seen["atEnd"]:
            assert 0 <= seen["top"] < seen["height"], link
        else:
            assert seen["top"] == pytest.approx(seen["margin"], abs=1.5), link


@pytest.mark.parametrize("screen", SCREENS)
@pytest.mark.parametrize("record", RECORD_NAMES)
def test_the_draft_mark_covers_no_text(open_page, record, screen):
    assert open_page(record, screen).evaluate(UNDER_THE_MARK) == []


# From a tablet to the narrowest window that has room for the mark beside the page.
@pytest.mark.parametrize("width", [601, 800, 1024, 1180, 1181, 1200])
@pytest.mark.parametrize("record", [APHP.stem, AWS.stem])
def test_the_draft_mark_covers_no_text_from_tablet_to_desktop(resize_page, record, width):
    page = resize_page(record, width)
    assert page.evaluate(UNDER_THE_MARK) == []


@pytest.mark.parametrize("record", RECORD_NAMES)
def test_printing_cuts_no_table(printed, record):
    page, _, _ = printed(record)
    width = page.viewport_size["width"]
    assert page.evaluate(WIDE_TABLES, width) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= width


@pytest.mark.slow
@pytest.mark.parametrize("record", RECORD_NAMES)
def test_printed_text_stays_inside_the_a4_content_box(printed, record):
    page, left, right = printed(record)
    pdf = PdfReader(io.BytesIO(page.pdf(format="A4")))
    assert len(pdf.pages) >= 2
    outside = []
    for number, sheet in enumerate(pdf.pages, start=1):
        size = (float(sheet.mediabox.width), float(sheet.mediabox.height))
        assert size == pytest.approx(A4_POINTS, abs=2), f"page {number} is not A4"
        lowest, highest = left * 72 / 96, size[0] - right * 72 / 96

        def starts(text, matrix, text_matrix, font, font_size, number=number,
                   lowest=lowest, highest=highest):
            x = text_matrix[4] * matrix[0] + text_matrix[5] * matrix[2] + matrix[4]
            if text.strip() and not lowest - 0.5 <= x <= highest:
                outside.append(f"page {number}, x = {x:.1f} pt: {text.strip()[:40]!r}")

        sheet.extract_text(visitor_text=starts)
    assert outside == []
