"""Own the bundled fonts: their files, the characters they draw, their CSS, text widths.

The PDF is set only in these fonts, so the chart measures its labels with their own
advance widths. fontTools is imported on first use: `validate` never needs it.
"""

from __future__ import annotations

import io
import unicodedata
from dataclasses import dataclass
from functools import cache, lru_cache

from postmortem.render import BUNDLED_TEMPLATES

#: The folder of the bundled font files, beside the bundled templates.
FONT_DIR = BUNDLED_TEMPLATES / "fonts"
#: Each family the PDF declares: (file, weight, style) of each of its faces.
FONT_FILES = {
    "Report Sans": [("LiberationSans-Regular.ttf", "normal", "normal"),
                    ("LiberationSans-Bold.ttf", "bold", "normal"),
                    ("LiberationSans-Italic.ttf", "normal", "italic"),
                    ("LiberationSans-BoldItalic.ttf", "bold", "italic")],
    "Report Mono": [("LiberationMono-Regular.ttf", "normal", "normal")],
    "Report Symbols": [("DejaVuSans.ttf", "normal", "normal"),
                       ("DejaVuSans-Bold.ttf", "bold", "normal")],
}
#: The family that draws what a family lacks, as the stylesheet's font-family lists say.
FALLBACK = {"Report Sans": "Report Symbols", "Report Mono": "Report Symbols"}


@lru_cache(maxsize=1)
def font_files() -> dict[str, bytes]:
    """Return the bytes of every bundled font file, by file name."""
    return {name: (FONT_DIR / name).read_bytes()
            for faces in FONT_FILES.values() for name, _, _ in faces}


@lru_cache(maxsize=1)
def covered_characters() -> frozenset[int]:
    """Return the code points that at least one bundled font can draw."""
    covered: set[int] = set()
    for faces in FONT_FILES.values():
        for name, _, _ in faces:
            covered.update(_metrics(name).glyphs)
    return frozenset(covered)


#: Characters the bundled fonts draw (tests/test_pdf.py checks each against the fonts),
#: or that take no glyph: a text made only of them is checked without reading the fonts.
DRAWN = frozenset(chr(code) for start, end in (
    (0x09, 0x0E), (0x20, 0x7F), (0xA0, 0x250), (0x2000, 0x200B), (0x2010, 0x2028),
    (0x202F, 0x203B), (0x20AC, 0x20AD), (0x2190, 0x2194), (0x21A9, 0x21AA),
    (0x2212, 0x2213), (0x2610, 0x2613), (0xFE0E, 0xFE0F),
) for code in range(start, end))


def missing_glyphs(text: str) -> list[str]:
    """Return the characters of `text` that no bundled font can draw, named."""
    rest = set(text) - DRAWN
    if not rest:
        return []
    covered = covered_characters()
    missing = sorted({char for char in rest if ord(char) not in covered
                      and unicodedata.category(char) not in ("Cc", "Cf", "Zl", "Zp")})
    return [f"U+{ord(char):04X} {unicodedata.name(char, '?')} ({char})" for char in missing]


def font_faces(url_prefix: str) -> str:
    """Return the @font-face rules of every bundled face, each file at `url_prefix` + name."""
    return "\n".join(
        f'@font-face {{ font-family: "{family}"; src: url("{url_prefix}{name}"); '
        f"font-weight: {weight}; font-style: {style}; }}"
        for family, faces in FONT_FILES.items() for name, weight, style in faces
    )


@lru_cache(maxsize=64)
def screen_font_faces(characters: frozenset[str]) -> str:
    """Return @font-face rules carrying each bundled face, cut down to `characters`.

    A browser then draws the page in the fonts the chart was measured with, without
    fetching anything: each face is a WOFF file inside a data: URL.
    """
    import base64
    import logging

    from fontTools import subset
    from fontTools.ttLib import TTFont

    # It names each table it leaves out (FFTM, a FontForge timestamp): nothing to act on.
    logging.getLogger("fontTools.subset").setLevel(logging.ERROR)
    text = "".join(sorted(characters))
    rules = []
    for family, faces in FONT_FILES.items():
        for name, weight, style in faces:
            # The timestamp of the bundled font, not of now: the same page every time.
            font = TTFont(io.BytesIO(font_files()[name]), recalcTimestamp=False)
            options = subset.Options()
            options.flavor = "woff"  # zlib: no extra package, unlike WOFF2's Brotli
            options.layout_features = ["*"]
            subsetter = subset.Subsetter(options)
            subsetter.populate(text=text)
            subsetter.subset(font)
            packed = io.BytesIO()
            font.flavor = "woff"
            font.save(packed)
            data = base64.b64encode(packed.getvalue()).decode("ascii")
            rules.append(f'@font-face {{ font-family: "{family}"; '
                         f'src: url("data:font/woff;base64,{data}") format("woff"); '
                         f"font-weight: {weight}; font-style: {style}; }}")
    return "\n".join(rules)


def text_width(text: str, size: float, family: str = "Report Sans", weight: str = "normal",
               style: str = "normal") -> float:
    """Return the advance width of a one-line text set at `size`, in the units of `size`."""
    return _em_width(text, family, weight, style) * size


@lru_cache(maxsize=8192)
def _em_width(text: str, family: str, weight: str, style: str) -> float:
    """Return the width of a text in em, each character from the first face that has it."""
    faces = [_face(family, weight, style)]
    if family in FALLBACK:
        faces.append(_face(FALLBACK[family], weight, style))
    # Controls and format characters take no room.
    chars = [char for char in text if unicodedata.category(char) not in ("Cc", "Cf")]
    # A space is left undecided (None) until the faces around it are known.
    drawn_by: list[_Metrics | None] = [
        None if char.isspace() else _first_face(faces, char) for char in chars]
    set_in: list[_Metrics] = []  # the face of each character, spaces decided
    for index, char in enumerate(chars):
        face = drawn_by[index]
        if face is None:
            # As Pango sets it: a space between two characters of one face is set in that
            # face, any other in the first face that has it.
            before = next((other for other in reversed(drawn_by[:index]) if other), None)
            after = next((other for other in drawn_by[index + 1:] if other), None)
            if before is after and before is not None and ord(char) in before.glyphs:
                face = before
            else:
                face = _first_face(faces, char)
            drawn_by[index] = face
        set_in.append(face)
    total = 0.0
    previous: tuple[_Metrics, str] | None = None  # the face and glyph of the last character
    for char, face in zip(chars, set_in, strict=True):
        glyph = face.glyphs.get(ord(char), face.notdef)  # no face has it: an empty box
        total += face.advances[glyph] / face.units_per_em
        if previous and previous[0] is face:
            # Kerning applies within a run of one face, as HarfBuzz applies the font's pairs.
            total += face.kerning.get((previous[1], glyph), 0) / face.units_per_em
        previous = (face, glyph)
    return total


def _first_face(faces: list[_Metrics], char: str) -> _Metrics:
    """Return the first face that can draw a character, else the first face."""
    return next((face for face in faces if ord(char) in face.glyphs), faces[0])


@dataclass(frozen=True)
class _Metrics:
    """What measuring a text needs of one font file."""

    glyphs: dict[int, str]  # by code point, from the cmap
    advances: dict[str, int]  # by glyph, in font units, from hmtx
    kerning: dict[tuple[str, str], int]  # by pair of glyphs, from the kern table
    units_per_em: int
    notdef: str  # the glyph of a missing character


def _face(family: str, weight: str, style: str) -> _Metrics:
    """Return the metrics of a family's face nearest to a weight and style, as a browser picks."""
    faces = FONT_FILES[family]
    for wanted in ((weight, style), (weight, "normal"), ("normal", style)):
        for name, face_weight, face_style in faces:
            if (face_weight, face_style) == wanted:
                return _metrics(name)
    return _metrics(faces[0][0])


@cache
def _metrics(name: str) -> _Metrics:
    """Read the cmap, advance widths and kerning pairs of a bundled font file."""
    from fontTools.ttLib import TTFont  # the fonts are read only for the HTML and PDF outputs

    font = TTFont(io.BytesIO(font_files()[name]), lazy=True)
    kerning: dict[tuple[str, str], int] = {}
    if "kern" in font:
        for table in font["kern"].kernTables:
            kerning.update(getattr(table, "kernTable", {}))
    return _Metrics(
        glyphs=dict(font.getBestCmap()),
        advances={glyph: advance for glyph, (advance, _) in font["hmtx"].metrics.items()},
        kerning=kerning, units_per_em=font["head"].unitsPerEm,
        notdef=font.getGlyphOrder()[0])
