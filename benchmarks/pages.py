"""Count the pages of a PDF: with pypdf where it is installed, else with poppler's pdfinfo."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path


def page_count(path: Path) -> int:
    """Return how many pages the PDF at `path` has."""
    try:
        from pypdf import PdfReader
    except ImportError:
        return _pdfinfo_pages(path) if shutil.which("pdfinfo") else _largest_count(path)
    return len(PdfReader(path).pages)


def _pdfinfo_pages(path: Path) -> int:
    shown = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True)
    return int(re.search(r"^Pages:\s+(\d+)", shown.stdout, re.MULTILINE)[1])


def _largest_count(path: Path) -> int:
    """Read the page tree's /Count: the root's is the largest (uncompressed objects only)."""
    return max(int(found) for found in re.findall(rb"/Count (\d+)", path.read_bytes()))
