"""Print a captured page with WeasyPrint alone: the floor of postmortem's PDF path.

    python benchmarks/floor.py JOB.json OUT.pdf

JOB.json is what `capture.py` wrote: the very HTML, stylesheets, attachments, metadata
and PDF options that postmortem hands to WeasyPrint, with its bundled assets written out
as files. This process imports nothing but WeasyPrint, so that its time is what printing
costs in a fresh process.
"""

from __future__ import annotations

import json
import sys
from datetime import datetime
from pathlib import Path


def print_job(job: dict, target: Path) -> None:
    """Print the job's page to `target` as postmortem would, with WeasyPrint's own fetcher."""
    import weasyprint

    # Only local files: the captured assets. The page itself never names another address.
    fetcher = weasyprint.urls.URLFetcher(allowed_protocols=("file",))
    font_config = weasyprint.text.fonts.FontConfiguration()
    stylesheets = [weasyprint.CSS(string=Path(path).read_text(encoding="utf-8"),
                                  url_fetcher=fetcher, font_config=font_config)
                   for path in job["stylesheets"]]
    attachments = [
        weasyprint.Attachment(filename=item["file"], name=item["name"],
                              description=item["description"],
                              created=_instant(item["created"]),
                              modified=_instant(item["modified"]),
                              relationship=item["relationship"])
        for item in job["attachments"]]
    html = weasyprint.HTML(string=Path(job["html"]).read_text(encoding="utf-8"),
                           base_url=job["base_url"], url_fetcher=fetcher)
    html.write_pdf(target, stylesheets=stylesheets, font_config=font_config,
                   attachments=attachments, xmp_metadata=job["xmp_metadata"] or None,
                   **job["options"])


def _instant(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


def main(argv: list[str]) -> int:
    """Print the job named by the first argument into the file named by the second."""
    job_path, target = argv
    print_job(json.loads(Path(job_path).read_text(encoding="utf-8")), Path(target))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
