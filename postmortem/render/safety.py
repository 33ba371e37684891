"""What a report may take from a record: inline raster images and ordinary links, no more."""

from __future__ import annotations

import base64
import binascii
import re

from postmortem.record.images import inspect_image
from postmortem.record.limits import MAX_NESTING
from postmortem.render import DOCUMENT_NAMES

#: Images a record may embed: inline raster data only, never a file or a remote URL.
#: Groups: the media type, the base64 data.
DATA_IMAGE = re.compile(r"^data:(image/(?:png|jpeg|gif|webp));base64,([A-Za-z0-9+/=\s]+)$")
#: Links a reader may follow; everything else is shown as text.
SAFE_LINK = re.compile(r"^(https?:|mailto:|#)", re.IGNORECASE)
#: Where an image that may not be embedded can still be linked to, as a plain link.
WEB_ADDRESS = re.compile(r"^https?://", re.IGNORECASE)
#: Links between the reports of a workspace, which the index makes itself: `<id>.<format>`
#: and `<id>.<document>.<format>`.
SIBLING_REPORT = re.compile(
    r"^[a-z0-9][a-z0-9-]*(?:\.(?:" + "|".join(name for name in DOCUMENT_NAMES if name != "full")
    + r"))?\.(md|html|pdf)$")
#: How deep the renderers nest Markdown (block quotes, lists, emphasis, links) before
#: they stop: four times what a record may hold (record/limits.py MAX_NESTING; a list
#: counts twice in markdown-it's levels, as the list and its item, and a paragraph once),
#: so that a valid record is never cut, and far below the depth at which laying out the
#: page (WeasyPrint walks the tree recursively) would exhaust Python's stack.
RENDER_NESTING = 4 * MAX_NESTING


def image_data(src: str) -> tuple[str, bytes] | None:
    """Return the media type and bytes of an inline raster image, or None if it is not one."""
    match = DATA_IMAGE.match(src)
    if not match:
        return None
    try:
        return match[1], base64.b64decode("".join(match[2].split()), validate=True)
    except (binascii.Error, ValueError):
        return None


def refused_image(src: str) -> str | None:
    """Return why an image may not be embedded, or None when it may.

    Only inline raster data whose bytes are what they are declared to be (checked again
    here, whatever validation said: a renderer never embeds what it did not look at).
    """
    image = image_data(src)
    if image is None:
        return "only inline PNG, JPEG, GIF and WebP images (data:image/…;base64,…) are embedded"
    return inspect_image(*image)
