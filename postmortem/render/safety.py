"""What a report may take from a record: inline raster images and ordinary links, no more."""

from __future__ import annotations

import re

#: Images a record may embed: inline raster data only, never a file or a remote URL.
#: Groups: the media type, the base64 data.
DATA_IMAGE = re.compile(r"^data:(image/(?:png|jpeg|gif|webp));base64,([A-Za-z0-9+/=\s]+)$")
#: Links a reader may follow; everything else is shown as text.
SAFE_LINK = re.compile(r"^(https?:|mailto:|#)", re.IGNORECASE)
#: Links between the reports of a workspace, which the index makes itself.
SIBLING_REPORT = re.compile(r"^[a-z0-9][a-z0-9-]*\.(md|html|pdf)$")
