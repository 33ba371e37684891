"""Check an image embedded in a text before anything decodes it.

A text may embed a picture as a `data:image/png;base64,…` address. Only rasters that
every report can show are allowed (PNG, JPEG, GIF, WebP): an SVG or HTML document can
carry scripts and fetch other files. The bytes must be of the declared type, and the
width and height read from the header must be within the limits, since a small file can
declare an image that would take gigabytes to decode. Validation checks every image of
every text; the renderers check again before embedding one.
"""

from __future__ import annotations

import base64
import binascii
import re
import struct
from collections.abc import Iterator
from urllib.parse import unquote_to_bytes

from postmortem.i18n import N_, _
from postmortem.record.echo import shorten
from postmortem.record.limits import MAX_IMAGE_BYTES, MAX_IMAGE_PIXELS, MAX_IMAGE_SIDE, figure

#: The embeddable types, by media type, with the name a message uses.
RASTERS = {"image/png": "PNG", "image/jpeg": "JPEG", "image/gif": "GIF", "image/webp": "WebP"}
_ALIASES = {"image/jpg": "image/jpeg", "image/pjpeg": "image/jpeg"}

#: What bytes that are no embeddable raster look like, as a message names them; the name
#: of a format (PNG, PDF, TIFF) is the same in every language and is not marked.
_NOTHING, _SVG, _XML = N_("nothing"), N_("SVG text"), N_("XML text")
_ICON, _ZIP, _GZIP = N_("an icon"), N_("a ZIP archive"), N_("gzip data")
_AVIF, _VIDEO, _TEXT = N_("AVIF or HEIF"), N_("video"), N_("text")
_UNKNOWN = N_("unknown data")

#: A `data:image/…` address in a text: its media type, parameters and data (up to the end
#: of the address: a blank, a closing parenthesis, a quote or an angle bracket).
DATA_IMAGE = re.compile(
    r"data:(?P<type>image/[A-Za-z0-9.+-]*)(?P<params>(?:;[^,;\s)\"'<>]*)*),"
    r"(?P<data>[^\s)\"'<>]*)",
    re.IGNORECASE,
)


def inspect_image(media_type: str, data: bytes) -> str | None:
    """Return why an image may not be embedded (the message after the field), or None."""
    declared = media_type.strip().lower()
    declared = _ALIASES.get(declared, declared)
    if declared not in RASTERS:
        return _("an image declared {declared} (its bytes look like {looks_like}); "
                 "only PNG, JPEG, GIF and WebP rasters may be embedded",
                 declared=shorten(media_type, 40), looks_like=_looks_like(data))
    if not data:
        return _("an image declared {declared} with no data; embed the file, encoded in base64",
                 declared=declared)
    if len(data) > MAX_IMAGE_BYTES:
        return _("an image of {size} bytes; the limit is {limit} bytes",
                 size=figure(len(data)), limit=figure(MAX_IMAGE_BYTES))
    kind = _kind(data)
    if kind != RASTERS[declared]:
        return _("an image declared {declared} whose bytes are not {kind} (they look like "
                 "{looks_like}); only PNG, JPEG, GIF and WebP rasters may be embedded",
                 declared=declared, kind=RASTERS[declared], looks_like=_looks_like(data))
    size = _SIZE_READERS[kind](data)
    if size is None or min(size) <= 0:
        return _("an image declared {declared} whose header is damaged (its width and height "
                 "cannot be read): export the image again", declared=declared)
    width, height = size
    if max(width, height) > MAX_IMAGE_SIDE:
        return _("an image of {width}×{height} pixels; the limit is {limit} pixels a side",
                 width=figure(width), height=figure(height), limit=figure(MAX_IMAGE_SIDE))
    if width * height > MAX_IMAGE_PIXELS:
        return _("an image of {width}×{height} pixels ({pixels} pixels); the limit is "
                 "{limit} pixels", width=figure(width), height=figure(height),
                 pixels=figure(width * height), limit=figure(MAX_IMAGE_PIXELS))
    return None


def embedded_images(text: str) -> Iterator[tuple[str, bytes | None]]:
    """Yield (media type, decoded bytes) for each `data:image/…` address in text.

    The bytes are None when the data cannot be decoded (base64 that is not).
    """
    for match in DATA_IMAGE.finditer(text):
        params = [part.strip().lower() for part in match["params"].split(";") if part]
        written = match["data"]
        if "base64" in params:
            yield match["type"], _base64(written)
        else:
            yield match["type"], unquote_to_bytes(written)


def image_data_length(text: str) -> int:
    """Return how many characters of text are the data of embedded images."""
    return sum(len(match["data"]) for match in DATA_IMAGE.finditer(text))


def check_text_images(text: str) -> str | None:
    """Return why one of the images in text may not be embedded, or None (the first found)."""
    for media_type, data in embedded_images(text):
        if data is None:
            return _("an image declared {declared} whose base64 data cannot be decoded; "
                     "embed the file again, encoded in base64", declared=shorten(media_type, 40))
        reason = inspect_image(media_type, data)
        if reason is not None:
            return reason
    return None


def _base64(written: str) -> bytes | None:
    """Decode base64 as a browser does: percent escapes undone, padding optional."""
    cleaned = unquote_to_bytes(written).replace(b"\n", b"").replace(b"\r", b"")
    cleaned = cleaned.rstrip(b"=")
    try:
        return base64.b64decode(cleaned + b"=" * (-len(cleaned) % 4), validate=True)
    except (binascii.Error, ValueError):
        try:
            return base64.urlsafe_b64decode(cleaned + b"=" * (-len(cleaned) % 4))
        except (binascii.Error, ValueError):
            return None


def _kind(data: bytes) -> str | None:
    """Return the raster type that the bytes' signature shows, or None."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "PNG"
    if data.startswith(b"\xff\xd8\xff"):
        return "JPEG"
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return "GIF"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "WebP"
    return None


def _looks_like(data: bytes) -> str:
    """Say what bytes look like, for a message: 'JPEG', 'SVG text', 'unknown data'."""
    kind = _kind(data)
    if kind is not None:
        return kind
    if not data:
        return _(_NOTHING)
    head = data[:1024].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith((b"<svg", b"<?xml")) and b"<svg" in data[:4096].lower():
        return _(_SVG)
    if head.startswith((b"<!doctype html", b"<html", b"<head", b"<body", b"<script")):
        return "HTML"
    if head.startswith(b"<?xml"):
        return _(_XML)
    signatures = {b"%PDF": "PDF", b"BM": "BMP", b"II*\x00": "TIFF", b"MM\x00*": "TIFF",
                  b"\x00\x00\x01\x00": _ICON, b"PK\x03\x04": _ZIP, b"\x1f\x8b": _GZIP}
    for signature, name in signatures.items():
        if data.startswith(signature):
            return _(name)  # a format's name has no translation and reads as it is
    if data[4:8] == b"ftyp":
        return _(_AVIF) if data[8:12] in (b"avif", b"heic", b"heix", b"mif1") else _(_VIDEO)
    try:
        decoded = data[:1024].decode("utf-8")
    except UnicodeDecodeError:
        return _(_UNKNOWN)
    return _(_TEXT) if decoded.strip() and "".join(decoded.split()).isprintable() \
        else _(_UNKNOWN)


def _png_size(data: bytes) -> tuple[int, int] | None:
    # The first chunk is IHDR: length, type, then width and height as 32-bit integers.
    if len(data) < 24 or data[12:16] != b"IHDR":
        return None
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def _gif_size(data: bytes) -> tuple[int, int] | None:
    # The logical screen descriptor follows the signature: width and height, 16-bit LE.
    if len(data) < 10:
        return None
    width, height = struct.unpack("<HH", data[6:10])
    return width, height


#: JPEG start-of-frame markers (baseline, progressive, lossless, arithmetic): not the
#: Huffman table (C4), arithmetic conditioning (CC) or JPG extension (C8) markers.
_SOF = frozenset(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}


def _jpeg_size(data: bytes) -> tuple[int, int] | None:
    # Walk the segments from the start of image to the first start-of-frame.
    position = 2
    while position + 4 <= len(data):
        if data[position] != 0xFF:
            return None
        marker = data[position + 1]
        if marker == 0xFF:  # fill byte
            position += 1
            continue
        if marker in (0x01, *range(0xD0, 0xD8)):  # markers without a length
            position += 2
            continue
        (length,) = struct.unpack(">H", data[position + 2:position + 4])
        if marker in _SOF:
            if position + 9 > len(data):
                return None
            height, width = struct.unpack(">HH", data[position + 5:position + 9])
            return width, height
        if marker == 0xD9 or length < 2:
            return None
        position += 2 + length
    return None


def _webp_size(data: bytes) -> tuple[int, int] | None:
    chunk = data[12:16]
    if chunk == b"VP8X" and len(data) >= 30:
        # Extended format: canvas width and height minus one, 24-bit LE.
        width = int.from_bytes(data[24:27], "little") + 1
        height = int.from_bytes(data[27:30], "little") + 1
        return width, height
    if chunk == b"VP8 " and len(data) >= 30 and data[23:26] == b"\x9d\x01\x2a":
        # Lossy: after the frame tag and start code, 14-bit width and height.
        width, height = struct.unpack("<HH", data[26:30])
        return width & 0x3FFF, height & 0x3FFF
    if chunk == b"VP8L" and len(data) >= 25 and data[20] == 0x2F:
        # Lossless: after the signature byte, 14 bits of width and of height, minus one.
        bits = int.from_bytes(data[21:25], "little")
        return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
    return None


_SIZE_READERS = {"PNG": _png_size, "GIF": _gif_size, "JPEG": _jpeg_size, "WebP": _webp_size}
