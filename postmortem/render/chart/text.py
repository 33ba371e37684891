"""Lines of text placed on the chart, measured in the bundled fonts, and fitted to their room."""

from __future__ import annotations

from dataclasses import dataclass

from postmortem.render.fonts import text_width

FONT = 14  # lane labels, day labels, key-instant labels
SMALL = 12.5  # notes on bars and promises, legend
HOUR = SMALL - 1  # times under the axis


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


def wrap(text: str, width: float, size: float, max_lines: int) -> list[str]:
    """Break a text into at most `max_lines` lines that fit `width`, with '…' if cut."""
    words = fold(text).split(" ")
    lines: list[str] = []
    while words and len(lines) < max_lines:
        line = words.pop(0)
        while words and text_width(f"{line} {words[0]}", size) <= width:
            line += " " + words.pop(0)
        lines.append(line)
    lines = [ellipsize(line, width, size, cut=False) for line in lines]
    if words:
        lines[-1] = ellipsize(lines[-1], width, size, cut=True)
    return lines


def ellipsize(line: str, width: float, size: float, cut: bool) -> str:
    """Shorten a line with '…' if it is too wide, or always when `cut` (text follows)."""
    if not cut and text_width(line, size) <= width:
        return line
    while line and text_width(line + "…", size) > width:
        # Drop the last word if it leaves a reasonable line, else the last character.
        head = line.rsplit(" ", 1)[0] if " " in line else line[:-1]
        line = head if len(head) >= len(line) * 0.6 else line[:-1]
    return line.rstrip(" ,;:(–-") + "…"
