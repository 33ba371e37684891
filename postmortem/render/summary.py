"""Choose what the summary box of the first page shows, and what gives way when it is full.

The box must end on the first printed page. What it can show is listed from the fullest
box to the barest (`summary_boxes`); the page picks the fullest one that its layout
measures as fitting (`fullest_fitting`). Templates only display the chosen box.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import Literal

from postmortem.analysis.derive import Figure, LostData, Report
from postmortem.record.instants import Duration
from postmortem.record.model import ActionItem, Impact, Quantity

#: The headline durations in the order a reader weighs them: back for its users, back to
#: normal, noticed, contained.
FIGURE_ORDER = ("time_to_restore", "time_to_resolve", "time_to_detect", "time_to_mitigate")
#: Cards of the fullest box; the Key figures section of the body has every figure.
MOST_CARDS = 6
#: Counts shown as cards at most, so that durations keep a place beside them.
MOST_QUANTITY_CARDS = 3
#: The services affected are named on their card when there are no more of them.
MOST_SERVICES_NAMED = 3
#: Cards kept while anything else can still give way.
FEWEST_CARDS = 2
#: Action items listed in the fullest box; every one is counted.
MOST_ACTIONS_LISTED = 5

CardKind = Literal["data_loss", "quantity", "scope", "figure", "trigger"]


@dataclass(frozen=True)
class Card:
    """A key figure of the summary box: what it is and the fact it shows.

    `fact` is the LostData of a data loss, the Quantity of a count, the Figure of a
    headline duration, the Duration of the trigger, and for the scope (how many services
    and sites were affected, which the report counts) the names of the services to show.
    `impact` is the impact a count belongs to, if any.
    """

    kind: CardKind
    fact: LostData | Quantity | Figure | Duration | tuple[str, ...] | None = None
    impact: Impact | None = None


@dataclass(frozen=True)
class ActionDigest:
    """Where the action items stand: how many, how many open and overdue, in reading order."""

    total: int
    open: int
    overdue: frozenset[str]
    """Ids of the open items past due on the report's knowledge day."""
    ranked: tuple[ActionItem, ...]
    """Open items first (highest priority, then earliest due), then the others in file order."""


@dataclass(frozen=True)
class SummaryBox:
    """What the summary box shows: the summary or an excerpt of it, cards, action items."""

    summary: str
    """The Markdown of the summary as the box shows it."""
    excerpt: bool
    """Whether `summary` is cut short; the full summary then opens the body."""
    cards: tuple[Card, ...]
    actions: tuple[ActionItem, ...]
    """The action items listed, in the digest's order."""
    digest: ActionDigest
    as_of: date | None
    """The day the record's knowledge stops on, for "Current state as of"."""

    @property
    def unlisted(self) -> int:
        """Return how many action items are counted but not listed."""
        return self.digest.total - len(self.actions)

    def is_overdue(self, action: ActionItem) -> bool:
        """Return whether an action item is open and past due on the knowledge day."""
        return action.id in self.digest.overdue


def key_cards(report: Report) -> list[Card]:
    """Return every card the report can show, the most telling first; the last give way first.

    Data lost, the first count (the incident's own before its impacts'), what was
    affected, the time to restore service and to full restoration, further counts, then
    the time to detect, to mitigate, and the trigger's own duration.
    """
    incident = report.incident
    counts: list[Card] = []
    shown: set[tuple[float, str]] = set()
    owned: list[tuple[Quantity, Impact | None]] = [
        (quantity, None) for quantity in incident.quantities]
    owned += [(quantity, impact) for impact in incident.impacts for quantity in impact.quantities]
    for quantity, owner in owned:
        # An impact's count of the same size as the incident's is the same count told twice.
        if (quantity.value, quantity.qualifier) not in shown:
            shown.add((quantity.value, quantity.qualifier))
            counts.append(Card("quantity", quantity, owner))
    counts = counts[:MOST_QUANTITY_CARDS]
    names = tuple(impact.service for impact in incident.impacts)
    figures = {figure.name: Card("figure", figure) for figure in report.figures}
    cards = [Card("data_loss", lost) for lost in report.data_losses]
    cards += [*counts[:1], Card("scope", names if len(names) <= MOST_SERVICES_NAMED else ())]
    cards += [figures[name] for name in FIGURE_ORDER[:2] if name in figures]
    cards += counts[1:]
    cards += [figures[name] for name in FIGURE_ORDER[2:] if name in figures]
    if report.trigger_duration is not None:
        cards.append(Card("trigger", report.trigger_duration))
    return cards


def action_digest(report: Report) -> ActionDigest:
    """Count the action items and rank them: open ones first, then those that need no work."""
    actions = report.incident.actions
    opened = report.open_actions
    closed = [action for action in actions if not action.is_open]
    return ActionDigest(total=len(actions), open=len(opened),
                        overdue=frozenset(action.id for action in report.overdue_actions),
                        ranked=(*opened, *closed))


def summary_boxes(report: Report) -> list[SummaryBox]:
    """Return the boxes the summary can take, from the fullest to the barest.

    What gives way, in order: action items listed (down to one; all are still counted),
    cards (down to FEWEST_CARDS), the summary (cut sentence by sentence down to the first
    one), then the last action item listed and the last cards.
    """
    digest = action_digest(report)
    cards = tuple(key_cards(report))[:MOST_CARDS]
    listed = min(digest.total, MOST_ACTIONS_LISTED)
    summary = report.incident.summary.strip()
    box = SummaryBox(summary=summary, excerpt=False, cards=cards,
                     actions=digest.ranked[:listed], digest=digest, as_of=report.as_of)
    boxes = [box]

    def give_way(barer: SummaryBox) -> SummaryBox:
        if barer != boxes[-1]:
            boxes.append(barer)
        return barer

    for count in range(listed - 1, 0, -1):
        box = give_way(replace(box, actions=digest.ranked[:count]))
    for count in range(len(cards) - 1, min(len(cards), FEWEST_CARDS) - 1, -1):
        box = give_way(replace(box, cards=cards[:count]))
    for excerpt in summary_excerpts(summary):
        box = give_way(replace(box, summary=excerpt, excerpt=True))
    box = give_way(replace(box, actions=()))
    give_way(replace(box, cards=()))
    return boxes


def fullest_fitting(boxes: Sequence[SummaryBox], fits: Callable[[SummaryBox], bool]) -> SummaryBox:
    """Return the first box that `fits`, measuring as few as possible; the last if none does.

    The boxes go from the fullest to the barest, so that once one fits every later one
    does: a bisection finds the first.
    """
    if fits(boxes[0]):
        return boxes[0]
    low, high = 1, len(boxes) - 1  # the answer lies in [low, high]; the barest is assumed to fit
    while low < high:
        middle = (low + high) // 2
        if fits(boxes[middle]):
            high = middle
        else:
            low = middle + 1
    return boxes[high]


# Where a sentence may end: . ! ? or … with its closing quotes or brackets (a French
# guillemet after its space), then a space.
_SENTENCE_END = re.compile(r"[.!?…](?:[ \u00a0\u202f]?[»\"”’')\]])*(?=\s)")
# What may open the next sentence before its first letter: spaces, quotes, a bracket.
_OPENING = " \t\n\u00a0\u202f«\"“‘'(["
# A block that is not a paragraph of sentences: a list, a heading, a quote, a table, code.
_NOT_PROSE = re.compile(r"^(\s*([-*+]|\d+[.)])\s|#|>|\||```|~~~| {4})")


def summary_excerpts(markdown: str) -> list[str]:
    """Return the excerpts of a Markdown summary, from the longest to the shortest.

    An excerpt stops at the end of a block or of a sentence inside a paragraph; lists,
    tables and code are kept whole. The full text is not one of them.
    """
    blocks = [block.strip() for block in re.split(r"\n[ \t]*\n", markdown.strip())
              if block.strip()]
    excerpts: list[str] = []
    for index, block in enumerate(blocks):
        before = blocks[:index]
        if not _NOT_PROSE.match(block):
            excerpts += ["\n\n".join([*before, block[:end]]) for end in sentence_ends(block)]
        excerpts.append("\n\n".join([*before, block]))
    full = "\n\n".join(blocks)
    return [excerpt for excerpt in reversed(excerpts) if excerpt != full]


def sentence_ends(text: str) -> list[int]:
    """Return where the sentences of a paragraph end, but for the last one."""
    ends = []
    for match in _SENTENCE_END.finditer(text):
        following = text[match.end():].lstrip(_OPENING)
        if not following or not (following[0].isupper() or following[0].isdigit()):
            continue  # "e.g. the", or the end of the text
        word = text[:match.start()].rsplit(None, 1)[-1].lstrip(_OPENING) if match.start() else ""
        if match[0] == "." and len(word) == 1 and word.isupper():
            continue  # an initial: "M. Dupont", "J. R. Smith"
        ends.append(match.end())
    return ends
