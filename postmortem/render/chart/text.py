"""Lines of text placed on the chart, measured in the bundled fonts, and fitted to their room."""

from __future__ import annotations

from dataclasses import dataclass

from postmortem.render.fonts import text_width

FONT = 14  # lane labels, day labels, key-instant labels
SMALL = 12.5  # notes on bars and promises, legend
HOUR = SMALL - 1  # times under the axis
#: Where a word too long for a line may break: after these, as a reader expects of a name.
BREAKS_AFTER = "-/_.:\\"


@dataclass(frozen=True)
class Box:
    """The rectangle a mark covers, in user units."""

    left: float
    top: float
    right: float
    bottom: float

    def overlaps(self, other: Box) -> bool:
        """Return whether the two boxes share some area."""
        return (self.left < other.right and other.left < self.right
                and self.top < other.bottom and other.top < self.bottom)


@dataclass(frozen=True)
class Text:
    """One line of text at an anchor point and baseline, with its width in its font."""

    content: str
    x: float
    y: float
    size: float
    anchor: str  # "start", "middle" or "end": which point of the line `x` is
    bold: bool
    width: float

    @property
    def box(self) -> Box:
        """Return the box the line fills, from above its capitals to below its descenders."""
        left = self.x - {"start": 0.0, "middle": self.width / 2, "end": self.width}[self.anchor]
        return Box(left, self.y - self.size * 0.8, left + self.width, self.y + self.size * 0.25)


def place(content: str, x: float, y: float, size: float, anchor: str = "start",
          bold: bool = False) -> Text:
    """Return a line of text at a point, measured in the chart's font."""
    width = text_width(content, size, weight="bold" if bold else "normal")
    return Text(content, x, y, size, anchor, bold, width)


def fold(text: str) -> str:
    """Fold a text into one line."""
    return " ".join(str(text).split())


def wrap(text: str, width: float, size: float, max_lines: int,
         keep_end: bool = False) -> list[str]:
    """Break a text into at most `max_lines` lines that fit `width`, with '…' if cut.

    Lines break between words; a word too long for a line of its own ("eu-west-1-primary")
    breaks after one of its hyphens, slashes, underscores or dots, else where it must.
    A text cut short loses its end, or with `keep_end` its middle: "payments-gat…west-2".
    """
    lines: list[str] = []
    line = ""
    for word in fold(text).split(" "):
        if not word:
            continue
        joined = f"{line} {word}" if line else word
        if text_width(joined, size) <= width:
            line = joined
            continue
        if line and text_width(word, size) <= width:
            lines.append(line)
            line = word
            continue
        # Too long for a line of its own: what fits goes on the line, the rest below.
        rest = word
        if line:
            taken = _fitting(f"{line} ", rest, width, size, anywhere=False)
            lines.append(f"{line} {rest[:taken]}" if taken else line)
            rest = rest[taken:]
        while text_width(rest, size) > width:
            taken = _fitting("", rest, width, size, anywhere=True)
            lines.append(rest[:taken])
            rest = rest[taken:]
        line = rest
    if line:
        lines.append(line)
    if len(lines) <= max_lines:
        return lines
    kept = lines[:max_lines]
    if keep_end:
        folded, offset = fold(text), 0
        for line in kept[:-1]:
            offset = folded.index(line, offset) + len(line)
        kept[-1] = shorten_middle(folded[offset:].lstrip(), width, size)
    else:
        kept[-1] = ellipsize(kept[-1], width, size, cut=True)
    return kept


def shorten_middle(text: str, width: float, size: float) -> str:
    """Shorten a line to `width` by its middle, keeping its start and its last words."""
    if text_width(text, size) <= width:
        return text
    # The end takes up to two fifths of the room, from a word's (or a part's) start.
    start = len(text)
    while start > 1 and text_width("…" + text[start - 1:], size) <= width * 0.4:
        start -= 1
    starts = [index for index in range(start, len(text))
              if text[index - 1] == " " or text[index - 1] in BREAKS_AFTER]
    tail = text[starts[0]:] if starts else text[start:]
    head = text[:len(text) - len(tail)]
    while head and text_width(head.rstrip(" ") + "…" + tail, size) > width:
        head = head[:-1]
    if head and not text[len(head)].isspace() and " " in head.strip():
        # Cut inside a word: end on the word before, unless that drops too much.
        shorter = head.rstrip().rsplit(" ", 1)[0]
        head = shorter if len(shorter) >= len(head) * 0.6 else head
    return head.rstrip(" ,;:(–") + "…" + tail


def _fitting(prefix: str, word: str, width: float, size: float, anywhere: bool) -> int:
    """Return how much of a word fits after `prefix`, up to a break in it, else 0.

    With `anywhere`, a word with no break early enough is cut where it stops fitting.
    """
    fits = 0
    while fits < len(word) and text_width(prefix + word[:fits + 1], size) <= width:
        fits += 1
    breaks = [index + 1 for index in range(min(fits, len(word) - 1))
              if word[index] in BREAKS_AFTER]
    if breaks and (not anywhere or breaks[-1] >= fits * 0.4):
        return breaks[-1]
    return max(fits, 1) if anywhere else 0


def ellipsize(line: str, width: float, size: float, cut: bool) -> str:
    """Shorten a line with '…' if it is too wide, or always when `cut` (text follows)."""
    if not cut and text_width(line, size) <= width:
        return line
    while line and text_width(line + "…", size) > width:
        # Drop the last word if it leaves a reasonable line, else the last character.
        head = line.rsplit(" ", 1)[0] if " " in line else line[:-1]
        line = head if len(head) >= len(line) * 0.6 else line[:-1]
    return line.rstrip(" ,;:(–-") + "…"
