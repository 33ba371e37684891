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
