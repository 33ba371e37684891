"""The system libraries the PDF engine needs: found before any rendering, or named to install.

WeasyPrint lays text out with Pango and HarfBuzz, which come from the system, not from
pip. Without them `import weasyprint` fails with a loader error and a traceback; checked
here first, a missing library is an error that names the package to install on each
common system. HarfBuzz's subsetter is optional: without it fonts are subset in Python,
and PDFs take markedly longer, which is worth a note.
"""

from __future__ import annotations

import ctypes
import sys
from dataclasses import dataclass
from functools import cache

from postmortem.errors import RenderError


@dataclass(frozen=True)
class Library:
    """A shared library WeasyPrint opens, by the names it tries, and the packages that ship it."""

    name: str
    sonames: tuple[str, ...]
    debian: str
    fedora: str
    homebrew: str


# The names are those WeasyPrint's loader tries (weasyprint/text/ffi.py), in its order.
REQUIRED = (
    Library("GLib's GObject", ("libgobject-2.0.so.0", "libgobject-2.0.0.dylib",
                               "libgobject-2.0-0.dll"), "libglib2.0-0", "glib2", "glib"),
    Library("Pango", ("libpango-1.0.so.0", "libpango-1.0.dylib", "libpango-1.0-0.dll"),
            "libpango-1.0-0", "pango", "pango"),
    Library("HarfBuzz", ("libharfbuzz.so.0", "libharfbuzz.0.dylib", "libharfbuzz-0.dll"),
            "libharfbuzz0b", "harfbuzz", "harfbuzz"),
    Library("Fontconfig", ("libfontconfig.so.1", "libfontconfig.1.dylib", "libfontconfig-1.dll"),
            "libfontconfig1", "fontconfig", "fontconfig"),
    Library("PangoFT2", ("libpangoft2-1.0.so.0", "libpangoft2-1.0.dylib",
                         "libpangoft2-1.0-0.dll"), "libpangoft2-1.0-0", "pango", "pango"),
)
SUBSETTER = Library("HarfBuzz's font subsetter",
                    ("libharfbuzz-subset.so.0", "libharfbuzz-subset.0.dylib",
                     "libharfbuzz-subset-0.dll"), "libharfbuzz-subset0", "harfbuzz", "harfbuzz")


def require_pdf_libraries() -> str | None:
    """Raise RenderError naming what to install when PDF output cannot work; else return a note.

    The note says that the optional subsetter is missing, or is None.
    """
    missing = [library for library in REQUIRED if not _opens(library)]
    if missing:
        raise RenderError(
            f"PDF output needs {_names(missing)}, which this system lacks: install "
            f"{_how(missing)}; then run the command again (Markdown and HTML need none of them)")
    if not _opens(SUBSETTER):
        return (f"note: {SUBSETTER.name} is not installed, so PDFs take longer to write: "
                f"install {_how([SUBSETTER])}")
    return None


def _how(libraries: list[Library]) -> str:
    """Return the install commands of the usual systems for these libraries."""
    def packages(attribute: str) -> str:
        return " ".join(dict.fromkeys(getattr(library, attribute) for library in libraries))

    return (f"'sudo apt-get install {packages('debian')}' on Debian or Ubuntu, "
            f"'sudo dnf install {packages('fedora')}' on Fedora, "
            f"'brew install {packages('homebrew')}' on macOS with Homebrew")


def _names(libraries: list[Library]) -> str:
    names = [library.name for library in libraries]
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


@cache
def _opens(library: Library) -> bool:
    """Return whether the dynamic loader finds the library under one of its names."""
    names = library.sonames if sys.platform != "win32" else library.sonames[-1:]
    for soname in names:
        try:
            ctypes.CDLL(soname)
        except OSError:
            continue
        return True
    return False
