"""Capture what postmortem hands to WeasyPrint for one record's PDF, for floor.py to print.

    python benchmarks/capture.py RECORD FOLDER

Renders the record's PDF in this process, as a build worker does, with WeasyPrint's
HTML, CSS and Attachment classes watched. Of the document postmortem writes (not the
layouts it measures before), it keeps the page, the stylesheets, the attachments, the
metadata and the options. Each asset they name by postmortem's own address scheme is
fetched through postmortem's fetcher, written into FOLDER and named by its file's address
instead. FOLDER/job.json says the rest, and how many layouts came before the written one.
"""

from __future__ import annotations

import inspect
import json
import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

#: Options of the written document that the job passes on as they are.
_HANDLED = {"stylesheets", "attachments", "xmp_metadata", "font_config", "counter_style",
            "color_profiles", "target", "zoom", "finisher"}


@dataclass
class _Watched:
    """What the watched classes saw: the layouts done and the documents written."""

    layouts: int = 0
    written: list[dict[str, Any]] = field(default_factory=list)


def _arguments(function, *args, **kwargs) -> dict[str, Any]:
    """Return a call's arguments by name, its `**options` spread among them."""
    bound = inspect.signature(function).bind(*args, **kwargs)
    arguments = dict(bound.arguments)
    arguments.update(arguments.pop("options", {}))
    return arguments


@contextmanager
def watching() -> Iterator[_Watched]:
    """Record the arguments of WeasyPrint's HTML, CSS and Attachment, and each PDF written."""
    import weasyprint
    from weasyprint.document import Document

    watched = _Watched()
    originals = {(cls, name): getattr(cls, name) for cls, name in (
        (weasyprint.HTML, "__init__"), (weasyprint.CSS, "__init__"),
        (weasyprint.Attachment, "__init__"), (weasyprint.HTML, "render"),
        (Document, "write_pdf"))}

    def remembering(original):
        def init(self, *args, **kwargs):
            self.captured_arguments = _arguments(original, self, *args, **kwargs)
            original(self, *args, **kwargs)
        return init

    def render(self, *args, **kwargs):
        watched.layouts += 1
        document = originals[weasyprint.HTML, "render"](self, *args, **kwargs)
        document.captured_source = (self, _arguments(originals[weasyprint.HTML, "render"],
                                                     self, *args, **kwargs))
        return document

    def write_pdf(self, *args, **kwargs):
        html, layout = self.captured_source
        written = _arguments(originals[Document, "write_pdf"], self, *args, **kwargs)
        watched.written.append({"html": html, **layout, **written})
        return originals[Document, "write_pdf"](self, *args, **kwargs)

    for cls in (weasyprint.HTML, weasyprint.CSS, weasyprint.Attachment):
        cls.__init__ = remembering(originals[cls, "__init__"])
    weasyprint.HTML.render = render
    Document.write_pdf = write_pdf
    try:
        yield watched
    finally:
        for (cls, name), original in originals.items():
            setattr(cls, name, original)


class _Assets:
    """Write the assets a captured text names into a folder, and name them by file."""

    def __init__(self, folder: Path, scheme: str):
        self.folder = folder / "assets"
        self.folder.mkdir(parents=True, exist_ok=True)
        self.pattern = re.compile(re.escape(scheme) + r"[^\s\"'()<>]+")

    def file(self, url: str, fetcher) -> Path:
        """Fetch one address through postmortem's fetcher into a file; return the file."""
        path = self.folder / re.sub(r"[^\w.-]", "-", url.split(":", 1)[1])
        if not path.exists():
            response = fetcher.fetch(url) if hasattr(fetcher, "fetch") else fetcher(url)
            path.write_bytes(response.read())
        return path

    def rewritten(self, text: str, fetcher) -> str:
        """Return `text` with every asset address replaced by its file's address."""
        return self.pattern.sub(lambda found: self.file(found[0], fetcher).as_uri(), text)


def _source_text(arguments: dict[str, Any]) -> str:
    if arguments.get("string") is None:
        raise SystemExit("capture: expected a page or stylesheet given as a string")
    text = arguments["string"]
    return text.decode("utf-8") if isinstance(text, bytes) else text


def write_job(captured: dict[str, Any], layouts: int, folder: Path, scheme: str) -> Path:
    """Write the captured document's page, stylesheets and assets, and job.json; return it."""
    import weasyprint

    assets = _Assets(folder, scheme)
    page = captured["html"].captured_arguments
    fetcher = page.get("url_fetcher")
    html = folder / "page.html"
    html.write_text(assets.rewritten(_source_text(page), fetcher), encoding="utf-8")
    stylesheets = []
    for number, sheet in enumerate(captured.get("stylesheets") or []):
        arguments = sheet.captured_arguments
        path = folder / f"style-{number}.css"
        path.write_text(assets.rewritten(_source_text(arguments), arguments.get("url_fetcher")),
                        encoding="utf-8")
        stylesheets.append(str(path))
    options = {name: value for name, value in captured.items()
               if name in weasyprint.DEFAULT_OPTIONS and name not in _HANDLED
               and value != weasyprint.DEFAULT_OPTIONS[name]}
    job = {
        "html": str(html),
        "base_url": page.get("base_url"),
        "stylesheets": stylesheets,
        "attachments": [_attachment(item.captured_arguments, assets)
                        for item in captured.get("attachments") or []],
        "xmp_metadata": [assets.file(url, fetcher).as_uri()
                         for url in captured.get("xmp_metadata") or []],
        "options": {name: value for name, value in options.items() if _plain(value)},
        "left_out": sorted([name for name, value in options.items() if not _plain(value)]
                           + (["finisher"] if captured.get("finisher") else [])),
        "layouts_before": layouts - 1,
    }
    path = folder / "job.json"
    path.write_text(json.dumps(job, indent=2), encoding="utf-8")
    return path


def _attachment(arguments: dict[str, Any], assets: _Assets) -> dict[str, Any]:
    if arguments.get("url"):
        file = assets.file(arguments["url"], arguments.get("url_fetcher"))
    elif arguments.get("filename"):
        file = Path(arguments["filename"])
    else:
        file = assets.folder / re.sub(r"[^\w.-]", "-", arguments.get("name") or "attachment")
        file.write_bytes(arguments["string"] if isinstance(arguments["string"], bytes)
                         else str(arguments["string"]).encode("utf-8"))
    return {"file": str(file), "name": arguments.get("name"),
            "description": arguments.get("description"),
            "created": _isoformat(arguments.get("created")),
            "modified": _isoformat(arguments.get("modified")),
            "relationship": arguments.get("relationship", "Unspecified")}


def _isoformat(value) -> str | None:
    return value.isoformat() if value is not None else None


def _plain(value) -> bool:
    try:
        json.dumps(value)
    except TypeError:
        return False
    return True


def main(argv: list[str]) -> int:
    """Render the record named by the first argument; write its job into the second."""
    from postmortem.render.pdf import ASSET_SCHEME
    from postmortem.workspace.pipeline import render_outputs

    record, folder = Path(argv[0]), Path(argv[1]).resolve()
    folder.mkdir(parents=True, exist_ok=True)
    with watching() as watched:
        render_outputs(record, record.read_bytes(), ("pdf",))
    if len(watched.written) != 1:
        raise SystemExit(f"capture: expected one PDF written, saw {len(watched.written)}")
    print(write_job(watched.written[0], watched.layouts, folder, ASSET_SCHEME))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
