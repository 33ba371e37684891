"""Reports from derived records: Markdown, HTML, PDF, chart, exports, in the record's language."""

import typing
from pathlib import Path

#: The bundled templates, stylesheet and fonts, which a workspace's own folders override.
BUNDLED_TEMPLATES = Path(__file__).parent / "templates"

#: A format of a record's report.
Format = typing.Literal["md", "html", "pdf", "json"]
#: The formats of a record's report, in the order they are rendered.
FORMATS: tuple[str, ...] = typing.get_args(Format)
#: The formats of the workspace index (its data is in each record's JSON export).
INDEX_FORMATS = ("md", "html", "pdf")
#: A document a record is told in: the full review, or one for an audience (documents.py).
Document = typing.Literal["full", "executive", "public", "nis2", "declaration"]
#: The documents, in the order they are rendered and listed.
DOCUMENT_NAMES: tuple[str, ...] = typing.get_args(Document)


def output_name(incident_id: str, document: str, fmt: str) -> str:
    """Return the file a document is written to: `<id>.<fmt>`, `<id>.<document>.<fmt>`."""
    return f"{incident_id}.{fmt}" if document == "full" else f"{incident_id}.{document}.{fmt}"


def output_id(name: str) -> str:
    """Return the incident id an output file is named after (ids hold no dot)."""
    return name.split(".", 1)[0]
