"""Read the incidents together: the index of every review and what they say as a whole."""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

from postmortem.render.exports import OPEN_STATUSES
from postmortem.render.i18n import Language
from postmortem.record.instants import Duration
from postmortem.render.markdown import environment

#: Figures whose spread across incidents the review shows, in this order.
DISTRIBUTED = ("time_to_detect", "trigger_duration", "time_to_restore", "time_to_resolve")


@dataclass(frozen=True)
class Entry:
    """One incident as the index lists it."""

    id: str
    title: str
    started: datetime
    severity: str
    status: str
    lang: str
    figures: dict[str, Duration]
    open_actions: int
    overdue_actions: int


@dataclass(frozen=True)
class Spread:
    """How a figure is distributed across incidents."""

    name: str
    count: int
    median: timedelta
    p90: timedelta
    lower_bounds: int
    """How many values are only lower bounds (ongoing incidents), counted at that bound."""


@dataclass(frozen=True)
class Review:
    """The index and the cross-incident review."""

    entries: list[Entry]
    categories: list[tuple[str, list[str]]]
    third_parties: list[tuple[str, list[str]]]
    spreads: list[Spread]
    owners: list[tuple[str, int, int]]
    today: date
    failed: list[str] = field(default_factory=list)

    @property
    def recurring_third_parties(self) -> list[tuple[str, list[str]]]:
        """Return the third parties involved in more than one incident."""
        return [(name, ids) for name, ids in self.third_parties if len(ids) > 1]

    @property
    def recurring_categories(self) -> list[tuple[str, list[str]]]:
        """Return the factor categories found in more than one incident."""
        return [(name, ids) for name, ids in self.categories if len(ids) > 1]


def review(documents: Sequence[dict], today: date, failed: Sequence[str] = ()) -> Review:
    """Build the index and the cross-incident review from exported incident documents."""
    entries, categories, parties = [], defaultdict(set), defaultdict(set)
    owners: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for document in documents:
        record, derived = document["record"], document["derived"]
        open_actions = overdue = 0
        for action in record["actions"]:
            if action["status"] not in OPEN_STATUSES:
                continue
            late = bool(action["due"] and date.fromisoformat(action["due"]) < today)
            open_actions += 1
            overdue += late
            owners[action["owner"]][0] += 1
            owners[action["owner"]][1] += late
        figures = {name: _duration(value) for name, value in derived["figures"].items() if value}
        if derived["trigger_duration"]:
            figures["trigger_duration"] = _duration(derived["trigger_duration"])
        started = derived["started"]
        entries.append(Entry(
            id=record["id"], title=record["title"],
            started=datetime.fromisoformat(started["earliest"] or started["latest"]),
            severity=record["severity"], status=record["review"]["status"], lang=record["lang"],
            figures=figures, open_actions=open_actions, overdue_actions=overdue,
        ))
        cause = record["cause"]
        for factor in [cause["trigger"], *cause["contributing_factors"]]:
            categories[factor["category"]].add(record["id"])
        names = {party["id"]: party["name"] for party in record["third_parties"]}
        for party_id in names:
            parties[names[party_id]].add(record["id"])
    entries.sort(key=lambda entry: (entry.started, entry.id), reverse=True)
    return Review(
        entries=entries,
        categories=_ranked(categories),
        third_parties=_ranked(parties),
        spreads=[spread for name in DISTRIBUTED if (spread := _spread(name, entries))],
        owners=sorted(((owner, counts[0], counts[1]) for owner, counts in owners.items()),
                      key=lambda row: (-row[2], -row[1], row[0])),
        today=today,
        failed=list(failed),
    )


def render_index_markdown(index: Review, language: Language, template_dirs: Sequence[Path] = (),
                          link_suffix: str = ".md") -> str:
    """Return the index and review as Markdown, linking each review with `link_suffix`."""
    template = environment(language, template_dirs).get_template("index.md.j2")
    return template.render(index=index, link_suffix=link_suffix).strip() + "\n"


def render_index_html(index: Review, language: Language, template_dirs: Sequence[Path] = ()) -> str:
    """Return the index and review as an HTML page (the PDF is printed from it)."""
    from postmortem.render.page import markdown_to_html

    markdown = render_index_markdown(index, language, template_dirs, link_suffix=".html")
    body, _ = markdown_to_html(markdown, sibling_links=True, spacing=language.spacing)
    template = environment(language, template_dirs).get_template("index.html.j2")
    return template.render(index=index, body=body, lang=language.code)


def _spread(name: str, entries: Sequence[Entry]) -> Spread | None:
    values, lower_bounds = [], 0
    for entry in entries:
        duration = entry.figures.get(name)
        if duration is None:
            continue
        if duration.shortest is not None and duration.longest is not None:
            values.append((duration.shortest + duration.longest) / 2)  # middle of the range
        elif duration.shortest is not None:
            values.append(duration.shortest)  # still open: counted at its lower bound
            lower_bounds += 1
    if not values:
        return None
    minutes = sorted(value.total_seconds() / 60 for value in values)
    p90 = minutes[0] if len(minutes) == 1 else statistics.quantiles(
        minutes, n=10, method="inclusive")[8]
    return Spread(name, len(values), timedelta(minutes=statistics.median(minutes)),
                  timedelta(minutes=p90), lower_bounds)


def _duration(value: dict) -> Duration:
    as_delta = lambda minutes: None if minutes is None else timedelta(minutes=minutes)  # noqa: E731
    return Duration(as_delta(value["shortest_minutes"]), as_delta(value["longest_minutes"]),
                    value["approximate"])


def _ranked(groups: dict[str, set[str]]) -> list[tuple[str, list[str]]]:
    return sorted(((name, sorted(ids)) for name, ids in groups.items()),
                  key=lambda item: (-len(item[1]), item[0]))
