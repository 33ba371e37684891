"""Render the README's pictures from the AP-HP record: the PDF's first page and its timeline chart.

Run with `make pictures` (needs `pdftoppm`, from poppler-utils). The pictures are checked
in under docs/images/; run this again after a change of the report's look.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RECORD = ROOT / "incidents" / "2024-08-03-aphp-datacenter-power-outage.yaml"
IMAGES = ROOT / "docs" / "images"
FIRST_PAGE = IMAGES / "aphp-first-page.png"
CHART = IMAGES / "aphp-timeline.png"
CHART_WIDTH_PX = 1000  # the chart's own viewBox width: one unit is one CSS pixel


def main() -> int:
    """Render both pictures into docs/images/; return the exit status."""
    if not shutil.which("pdftoppm"):
        print("render_pictures: error: pdftoppm is missing: install poppler-utils "
              "(sudo apt-get install poppler-utils)", file=sys.stderr)
        return 1
    from postmortem.render.pdf import print_pdf

    IMAGES.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        subprocess.run([sys.executable, "-m", "postmortem", "render", str(RECORD),
                        "--format", "html,pdf", "-o", str(work)], check=True, cwd=ROOT,
                       stdout=subprocess.DEVNULL)
        pdf = work / f"{RECORD.stem}.pdf"
        _png(pdf, FIRST_PAGE, resolution=70)
        html = (work / f"{RECORD.stem}.html").read_text(encoding="utf-8")
        svg = html[html.index("<svg"):html.index("</svg>") + len("</svg>")]
        width, height = map(float, re.search(r'viewBox="0 0 ([\d.]+) ([\d.]+)"', svg).groups())
        # The chart alone on a page of its size, printed with the report's own fonts.
        page = (f"<html><head><style>@page {{ size: {width}px {height}px; margin: 0 }} "
                f"body {{ margin: 0 }} svg {{ display: block; width: {width}px }}</style>"
                f"</head><body>{svg}</body></html>")
        chart_pdf = work / "chart.pdf"
        chart_pdf.write_bytes(print_pdf(page, datetime(2024, 8, 3, tzinfo=UTC)))
        _png(chart_pdf, CHART, resolution=96 * CHART_WIDTH_PX / width * 1.2)
    for picture in (FIRST_PAGE, CHART):
        print(picture.relative_to(ROOT))
    return 0


def _png(pdf: Path, target: Path, resolution: float) -> None:
    """Write the first page of a PDF as a PNG at a resolution in dots per inch."""
    subprocess.run(["pdftoppm", "-png", "-singlefile", "-f", "1", "-l", "1",
                    "-r", f"{resolution:.0f}", str(pdf), str(target.with_suffix(""))],
                   check=True)


if __name__ == "__main__":
    sys.exit(main())
