"""Print the HTML review to an archival PDF/A-3 that carries its own record.

Nothing a record contains can make the renderer read a file or reach the network: every
HTML, CSS and attachment object goes through one fetcher that serves only the bundled
assets and inline raster images.
"""

from __future__ import annotations

import atexit
import logging
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from xml.sax.saxutils import escape

from postmortem.analysis.derive import Report
from postmortem.errors import Problem, RecordError, RenderError, field_path
from postmortem.record.load import Document
from postmortem.record.walk import walk
from postmortem.render.document_date import document_datetime
from postmortem.render.fonts import font_faces, font_files, missing_glyphs
from postmortem.render.safety import image_data, refused_image

#: Archival and tagged: PDF/A-3 allows the embedded record; level A adds the structure
#: tree that screen readers use. WeasyPrint applies one variant at a time, so PDF/UA is
#: not claimed on top of it.
PDF_VARIANT = "pdf/a-3a"
ASSET_SCHEME = "postmortem:"


def _fetcher_class():
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class BundledAssetsFetcher(URLFetcher):
        """Serve bundled assets and inline raster images; refuse every other URL."""

        def __init__(self, assets: dict[str, tuple[bytes, str]]):
            super().__init__(allowed_protocols=(), allow_redirects=False)
            self.assets = assets
            self.refused: list[str] = []

        def fetch(self, url, headers=None):
            if url.startswith(ASSET_SCHEME) and url[len(ASSET_SCHEME):] in self.assets:
                body, mime_type = self.assets[url[len(ASSET_SCHEME):]]
                return URLFetcherResponse(url, body, {"Content-Type": mime_type})
            image = image_data(url)
            # Bytes that are not the raster they claim to be (an SVG, whose text would
            # print, sent as image/png) are refused like any other URL.
            if image and not refused_image(url):
                media_type, body = image
                return URLFetcherResponse(url, body, {"Content-Type": media_type})
            self.refused.append(url[:200])
            raise ValueError(f"refused to fetch {url[:80]!r}: only bundled assets are allowed")

    return BundledAssetsFetcher


def render_pdf(report: Report, html: str, source: bytes, source_path: str) -> bytes:
    """Print a review to PDF/A-3 bytes, with its record attached and its metadata set."""
    dated = document_datetime(report.incident, report.history)
    return print_pdf(html, dated, xmp=record_xmp(report), where=source_path,
                     attachments=[(source, Path(source_path).name,
                                   "Incident record (YAML) this report was produced from")])


def print_pdf(html: str, stamp: datetime, xmp: bytes | None = None,
              attachments: Sequence[tuple[bytes, str, str]] = (), where: str = "") -> bytes:
    """Print an HTML page of ours to PDF/A-3 bytes, fetching nothing but bundled assets.

    `where` names the file a problem is reported in: the record the page was made from.
    """
    import weasyprint

    _check_glyphs(html, where)
    assets = _font_assets()
    if xmp:
        assets["metadata.xmp"] = (xmp, "application/rdf+xml")
    # Attachments are served like assets, so that their media type is ours to state
    # rather than a guess from the machine's MIME database.
    for data, name, _ in attachments:
        assets[f"attachments/{name}"] = (data, _media_type(name))
    fetcher = _fetcher_class()(assets)
    # The fonts are loaded once per process, as for measuring: the same faces every time.
    _, font_config, fonts = _layout_setup()
    files = [
        weasyprint.Attachment(url=f"{ASSET_SCHEME}attachments/{name}", url_fetcher=fetcher,
                              name=name, description=description, created=stamp,
                              modified=stamp, relationship="Source")
        for _, name, description in attachments
    ]
    # WeasyPrint logs each refused URL; the fetcher keeps the list, so keep the log quiet
    # while it prints, and leave the logger as the application set it.
    with _errors_only(logging.getLogger("weasyprint")):
        document = weasyprint.HTML(string=html, base_url=None, url_fetcher=fetcher)
        return document.write_pdf(
            finisher=_list_each_attachment_once,
            stylesheets=[fonts], font_config=font_config, attachments=files,
            pdf_variant=PDF_VARIANT, custom_metadata=True, pdf_identifier=True,
            xmp_metadata=[f"{ASSET_SCHEME}metadata.xmp"] if xmp else None,
        )


def ends_on_first_page(html: str, element_class: str) -> bool:
    """Return whether the element of that class ends on the first page when printed.

    The page is laid out as `print_pdf` lays it out (same fonts, same stylesheets), but
    not written: callers measure a page before choosing what it holds. A page without
    such an element is taken to hold it.
    """
    import weasyprint

    fetcher, font_config, fonts = _layout_setup()
    with _errors_only(logging.getLogger("weasyprint")):
        document = weasyprint.HTML(string=html, base_url=None, url_fetcher=fetcher).render(
            stylesheets=[fonts], font_config=font_config)
    return not any(_has_class(box, element_class)
                   for page in document.pages[1:] for box in page._page_box.descendants())


def page_count(html: str) -> int:
    """Return how many pages the page takes when printed as `print_pdf` prints it."""
    import weasyprint

    fetcher, font_config, fonts = _layout_setup()
    with _errors_only(logging.getLogger("weasyprint")):
        document = weasyprint.HTML(string=html, base_url=None, url_fetcher=fetcher).render(
            stylesheets=[fonts], font_config=font_config)
    return len(document.pages)


def _has_class(box, element_class: str) -> bool:
    element = getattr(box, "element", None)
    return element is not None and element_class in (element.get("class") or "").split()


@lru_cache(maxsize=1)
def _layout_setup():
    """Return the fetcher, font configuration and font stylesheet that printing reuses."""
    import weasyprint

    # Measuring happens several times per page, and a worker prints page after page:
    # loading the fonts once per process keeps both cheap (WeasyPrint reuses a font
    # configuration across documents).
    fetcher = _fetcher_class()(_font_assets())
    font_config = weasyprint.text.fonts.FontConfiguration()
    # Let it go before the interpreter takes its modules down, which its clean-up needs.
    atexit.register(_layout_setup.cache_clear)
    return fetcher, font_config, _fonts_stylesheet(fetcher, font_config)


def _font_assets() -> dict[str, tuple[bytes, str]]:
    return {f"fonts/{name}": (data, "font/ttf") for name, data in font_files().items()}


def _fonts_stylesheet(fetcher, font_config):
    import weasyprint

    return weasyprint.CSS(string=font_faces(f"{ASSET_SCHEME}fonts/"), url_fetcher=fetcher,
                          font_config=font_config)


@contextmanager
def _errors_only(logger: logging.Logger) -> Iterator[None]:
    """Drop the logger's records below ERROR for the duration, without changing its level."""

    def errors(record: logging.LogRecord) -> bool:
        return record.levelno >= logging.ERROR

    logger.addFilter(errors)
    try:
        yield
    finally:
        logger.removeFilter(errors)


def _list_each_attachment_once(document, pdf) -> None:
    """Drop the duplicates WeasyPrint writes in the catalog's associated files (/AF)."""
    import pydyf

    if "AF" in pdf.catalog:
        pdf.catalog["AF"] = pydyf.Array(dict.fromkeys(pdf.catalog["AF"]))


def _media_type(name: str) -> str:
    return "application/yaml" if name.endswith((".yaml", ".yml")) else "application/octet-stream"


def check_record_glyphs(document: Document) -> None:
    """Raise RecordError at each record value holding a character the PDF cannot draw."""
    problems = []
    for loc, value in walk(document.data):
        missing = missing_glyphs(value) if isinstance(value, str) else []
        if missing:
            line, column = document.locate(loc)
            problems.append(Problem(
                document.path, line, column,
                f"the PDF fonts cannot draw {', '.join(missing)}: it would print as an empty "
                "box; write it another way", field=field_path(loc)))
    if problems:
        raise RecordError(problems)


def _check_glyphs(html: str, where: str) -> None:
    missing = missing_glyphs(_visible_text(html))
    if missing:
        raise RenderError([Problem(
            where, 1, 1, "the PDF fonts cannot draw these characters, which would print as "
            "empty boxes: " + ", ".join(missing))])


def _visible_text(html: str) -> str:
    import html as html_module

    without_style = re.sub(r"<style\b.*?</style>", " ", html, flags=re.S)
    return html_module.unescape(re.sub(r"<[^>]+>", " ", without_style))


def record_xmp(report: Report, document: str = "full") -> bytes:
    """Describe the incident in XMP, with the PDF/A extension schema that declares it.

    `document` names which of the record's documents the PDF is (full, executive…).
    """
    incident = report.incident
    fields = {"incidentId": escape(incident.id), "schemaVersion": str(incident.schema_version),
              "reviewStatus": escape(incident.review.status), "document": escape(document)}
    properties = "".join(
        f"<rdf:li rdf:parseType=\"Resource\"><pdfaProperty:name>{name}</pdfaProperty:name>"
        f"<pdfaProperty:valueType>{'Integer' if name == 'schemaVersion' else 'Text'}"
        f"</pdfaProperty:valueType><pdfaProperty:category>external</pdfaProperty:category>"
        f"<pdfaProperty:description>{name}</pdfaProperty:description></rdf:li>"
        for name in fields
    )
    values = "".join(f"<pm:{name}>{value}</pm:{name}>" for name, value in fields.items())
    return (
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
        '<rdf:Description rdf:about="" '
        'xmlns:pdfaExtension="http://www.aiim.org/pdfa/ns/extension/" '
        'xmlns:pdfaSchema="http://www.aiim.org/pdfa/ns/schema#" '
        'xmlns:pdfaProperty="http://www.aiim.org/pdfa/ns/property#">'
        "<pdfaExtension:schemas><rdf:Bag><rdf:li rdf:parseType=\"Resource\">"
        "<pdfaSchema:schema>postmortem incident record</pdfaSchema:schema>"
        "<pdfaSchema:namespaceURI>urn:postmortem:xmp:1#</pdfaSchema:namespaceURI>"
        "<pdfaSchema:prefix>pm</pdfaSchema:prefix>"
        f"<pdfaSchema:property><rdf:Seq>{properties}</rdf:Seq></pdfaSchema:property>"
        "</rdf:li></rdf:Bag></pdfaExtension:schemas></rdf:Description>"
        f'<rdf:Description rdf:about="" xmlns:pm="urn:postmortem:xmp:1#">{values}'
        "</rdf:Description>"
        '<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/">'
        f"<dc:identifier>{escape(incident.id)}</dc:identifier>"
        f"<dc:language><rdf:Bag><rdf:li>{incident.lang}</rdf:li></rdf:Bag></dc:language>"
        "</rdf:Description></rdf:RDF>"
    ).encode()

