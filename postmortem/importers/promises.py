"""Read a restoration time an update announces: "we expect to restore service by 14:00 UTC".

`read_promise` finds the times a text gives for the end of the trouble and says whether they
can be read without guessing:

- a clock time with an explicit zone (UTC, GMT, Z, an offset such as +02:00 or UTC+2, an
  abbreviation that names one zone only, "heure de Paris"), or a duration from the post
  ("within the next 2 hours", "dans les 2 prochaines heures") is a `Promised` instant;
- a clock time with no zone ("by 3pm"), with an abbreviation that names several zones (BST,
  IST, CST…) unless the record's zone is the one that shows it then, two different times,
  or a time already past when the update was posted is `Unclear`: the words and why.

The day is the one the text names ("on 4 August", "tomorrow", "le 4 août"), else the day of
the post in the stated zone. A clock time earlier in that day than the post is read as the
next day when that falls within 12 hours of the post (posted 23:10, "by 01:00 UTC": an
overnight promise); otherwise it is a time already past, and unclear. A time the text gives
as past ("the issue started at 13:05 UTC", "since 09:00", "as of 14:00") or the time of the
next update ("we will post an update by 15:00 UTC") is no promise at all.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo
from typing import Literal
from zoneinfo import ZoneInfo

#: Why a restoration time cannot be read without guessing.
Reason = Literal["no_zone", "ambiguous_zone", "several_times", "past"]

#: How late after the post a clock time earlier in the day may fall, read as the next day.
OVERNIGHT = timedelta(hours=12)

#: How much of a text is read for a promise: an update is a few sentences.
MAX_TEXT = 20_000

#: The longest duration read as a restoration time, in hours.
MAX_HOURS = 24 * 31


@dataclass(frozen=True)
class Promised:
    """A restoration time read without guessing from an update's text."""

    at: datetime
    """The instant announced, timezone-aware."""
    approximate: bool
    """Whether the text says "about", "around" or "vers"."""
    words: str
    """The words that announce it, as written."""


@dataclass(frozen=True)
class Unclear:
    """A restoration time mentioned in an update that cannot be read without guessing."""

    words: str
    """The words that mention it, as written."""
    reason: Reason


@dataclass(frozen=True)
class _Mention:
    at: datetime | None
    approximate: bool
    reason: Reason | None


#: Abbreviations that name one offset only (written in capitals).
FIXED_ZONES: dict[str, timedelta] = {
    "UTC": timedelta(0), "GMT": timedelta(0), "Z": timedelta(0),
    "WET": timedelta(0), "WEST": timedelta(hours=1),
    "CET": timedelta(hours=1), "CEST": timedelta(hours=2),
    "EET": timedelta(hours=2), "EEST": timedelta(hours=3), "MSK": timedelta(hours=3),
    "HKT": timedelta(hours=8), "SGT": timedelta(hours=8),
    "JST": timedelta(hours=9), "KST": timedelta(hours=9),
    "AEST": timedelta(hours=10), "AEDT": timedelta(hours=11),
    "NZST": timedelta(hours=12), "NZDT": timedelta(hours=13),
    "HST": timedelta(hours=-10), "AKST": timedelta(hours=-9), "AKDT": timedelta(hours=-8),
    "PST": timedelta(hours=-8), "PDT": timedelta(hours=-7),
    "MST": timedelta(hours=-7), "MDT": timedelta(hours=-6),
    "EST": timedelta(hours=-5), "EDT": timedelta(hours=-4),
}

#: Abbreviations and names of one region's clock, whatever its offset that day.
NAMED_ZONES: dict[str, str] = {
    "PT": "America/Los_Angeles", "ET": "America/New_York",
    "pacific time": "America/Los_Angeles", "eastern time": "America/New_York",
    "paris time": "Europe/Paris", "heure de paris": "Europe/Paris",
    "heure française": "Europe/Paris", "heure de france": "Europe/Paris",
    "london time": "Europe/London", "heure de londres": "Europe/London",
}

#: Abbreviations several zones use (British Summer / Bangladesh, India / Ireland / Israel…).
AMBIGUOUS_ZONES = frozenset({"BST", "IST", "CST", "CDT", "AST", "ADT", "SST", "ECT", "CT", "MT"})

_MONTHS = {
    "en": ["january", "february", "march", "april", "may", "june", "july", "august",
           "september", "october", "november", "december"],
    "fr": ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
           "septembre", "octobre", "novembre", "décembre"],
}

_NUMBERS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
            "half an": 0.5, "un": 1, "une": 1, "deux": 2, "trois": 3, "quatre": 4, "cinq": 5,
            "une demi": 0.5}

# Characters written in several ways, made one, keeping every index where it was.
_SAME_LENGTH = str.maketrans({"\u00a0": " ", "\u202f": " ", "\u2009": " ", "’": "'",
                              "\u2212": "-", "\u2013": "-"})


def _month_pattern(lang: str) -> str:
    """Return a pattern of the month names (and, in English, their abbreviations: 'Aug')."""
    names = list(_MONTHS[lang])
    if lang == "en":
        names += [name[:3] + r"\.?" for name in _MONTHS[lang] if len(name) > 4]
    return "|".join(sorted(names, key=len, reverse=True))


@dataclass(frozen=True)
class _Words:
    clock: re.Pattern[str]
    relative: re.Pattern[str]
    dates: re.Pattern[str]
    cue: re.Pattern[str]
    deadline: re.Pattern[str]
    about: re.Pattern[str]
    past: re.Pattern[str]
    next_update: re.Pattern[str]
    clause_break: re.Pattern[str]


_CLOCK_24 = r"(?P<h1>[01]?\d|2[0-3]):(?P<m1>[0-5]\d)(?::[0-5]\d)?"
_ENGLISH = _Words(
    clock=re.compile(
        rf"(?<![\d:.,/+\-])(?:{_CLOCK_24}(?:\s?(?P<ap1>[ap])\.?\s?m\b\.?)?"
        r"|(?P<h2>1[0-2]|0?[1-9])\s?(?P<ap2>[ap])\.?\s?m\b\.?"
        r"|(?P<noon>\bnoon\b|\bmidday\b)|(?P<midnight>\bmidnight\b))(?![\d:])",
        re.IGNORECASE),
    relative=re.compile(
        r"\b(?:in|within|over)\s+(?:the\s+)?(?:next\s+)?"
        r"(?P<about>about\s+|approximately\s+|around\s+|roughly\s+|~\s*)?"
        r"(?P<count>\d+(?:\.\d+)?|half an|an|a|one|two|three|four|five|six)\s*"
        r"(?P<unit>hours?|hrs?|h|minutes?|mins?)\b"
        r"|\b(?:in|within)\s+the\s+(?:next\s+)?(?P<hour>hour)\b",
        re.IGNORECASE),
    dates=re.compile(
        r"\b(?P<iso>\d{4}-\d{2}-\d{2})(?=\b|T)"
        rf"|\b(?P<d1>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?(?P<mon1>{_month_pattern('en')})"
        r"(?:,?\s+(?P<y1>\d{4}))?\b"
        rf"|\b(?P<mon2>{_month_pattern('en')})\s+(?P<d2>\d{{1,2}})(?:st|nd|rd|th)?\b"
        r"(?:,?\s+(?P<y2>\d{4}))?"
        r"|\b(?P<tomorrow>tomorrow)\b|\b(?P<today>today|tonight|this (?:morning|afternoon|"
        r"evening))\b",
        re.IGNORECASE),
    cue=re.compile(
        r"\b(?:expect\w*|eta|estimat\w*|anticipat\w*|restor\w*|resol\w*|recover\w*|"
        r"back|online|available|fix\w*|within|until|target\w*)\b",
        re.IGNORECASE),
    deadline=re.compile(r"\b(?:by|until|before|no later than|eta:?)\s*$", re.IGNORECASE),
    about=re.compile(r"\b(?:about|around|approximately|roughly|circa)\s*$|~\s*$",
                     re.IGNORECASE),
    past=re.compile(
        r"\b(?:since|began|begun|beginning|started|starting|occurred|happened|as of|"
        r"was|were|been|ago)\b|\b(?!expected\b|scheduled\b|estimated\b|planned\b|"
        r"anticipated\b)\w+ed\s+at\s+(?:about\s+|around\s+|approximately\s+)?$",
        re.IGNORECASE),
    next_update=re.compile(
        r"\b(?:next|another|further|an|new|more)\s+updates?\b|\bupdate\s+(?:you|again)\b|"
        r"\bmore\s+(?:information|details)\b|\bcheck back\b",
        re.IGNORECASE),
    clause_break=re.compile(r";|(?<!\s)\s+(?:and|but|while|whereas)\s+", re.IGNORECASE),
)

_FRENCH = _Words(
    clock=re.compile(
        rf"(?<![\d:.,/+\-])(?:{_CLOCK_24}"
        r"|(?P<h3>[01]?\d|2[0-3])\s?h(?:eures?)?(?:\s?(?P<m3>[0-5]\d))?(?!\w)"
        r"|(?P<noon>\bmidi\b)|(?P<midnight>\bminuit\b))(?![\d:])",
        re.IGNORECASE),
    relative=re.compile(
        r"(?:\b(?:dans|sous)|\bd'ici)\s+(?:les\s+|la\s+)?"
        r"(?P<about>environ\s+|à peu près\s+|approximativement\s+|~\s*)?"
        r"(?P<count>\d+(?:[.,]\d+)?|une demi|une|un|deux|trois|quatre|cinq|six)[\s-]*"
        r"(?:prochaines?\s+)?(?P<unit>heures?|minutes?|min)\b"
        r"|\bdans\s+(?P<about2>environ\s+)?(?P<count2>\d+)\s?(?P<unit2>h)(?!\s?\d)\b"
        r"|\bdans\s+l'(?P<hour>heure)\b",
        re.IGNORECASE),
    dates=re.compile(
        r"\b(?P<iso>\d{4}-\d{2}-\d{2})(?=\b|T)"
        rf"|\b(?P<d1>\d{{1,2}}|1er)\s+(?P<mon1>{_month_pattern('fr')})(?:\s+(?P<y1>\d{{4}}))?"
        r"(?!\w)"
        r"|\b(?P<tomorrow>demain)\b|\b(?P<today>aujourd'hui|ce soir|ce matin|cet après-midi|"
        r"cette nuit)(?!\w)",
        re.IGNORECASE),
    cue=re.compile(
        r"(?<!\w)(?:prévu\w*|prévoy\w*|prévision\w*|estim\w*|attendu\w*|rétabli\w*|retour|"
        r"remise en (?:service|ligne)|résol\w*|réparé\w*|correctif|disponible|devrai\w*|"
        r"d'ici|sous|dans)(?!\w)",
        re.IGNORECASE),
    deadline=re.compile(r"(?:\bd'ici|\bavant|\bau plus tard à|\bjusqu'à)\s*$", re.IGNORECASE),
    about=re.compile(r"(?:\bvers|\benviron|\baux alentours de)\s*$|~\s*$", re.IGNORECASE),
    past=re.compile(
        r"(?<!\w)(?:depuis|commencé\w*|débuté\w*|survenu\w*|apparu\w*|a été|ont été|était|"
        r"étaient|il y a)(?!\w)|(?:résolu|rétabli|corrigé|réparé)e?s?\s+(?:à|vers)\s*$",
        re.IGNORECASE),
    next_update=re.compile(
        r"(?<!\w)(?:mise à jour|mises à jour|prochain point|nouveau point|"
        r"nouvelles informations|plus d'informations|tenir informé\w*)(?!\w)",
        re.IGNORECASE),
    clause_break=re.compile(r";|(?<!\s)\s+(?:et|mais|tandis que)\s+", re.IGNORECASE),
)

_WORDS = {"en": _ENGLISH, "fr": _FRENCH}

_SENTENCE_BREAK = re.compile(r"(?<=[.!?])\s+|\n+")
_ZONE_AFTER = re.compile(
    r"(?P<z>Z)\b"
    r"|\s*(?:\(\s*)?(?:(?:UTC|GMT)\s*(?P<sign>[-+])\s*(?P<oh>\d{1,2})(?::?(?P<om>\d{2}))?"
    r"|(?P<sign2>[-+])(?P<oh2>\d{2}):?(?P<om2>\d{2})"
    r"|(?P<named>" + "|".join(name for name in NAMED_ZONES if " " in name) + r")"
    r"|(?P<abbr>[A-Za-z]{1,5})(?![\w+-]))\)?",
    re.IGNORECASE)

#: A range ("between 14:00 and 15:00 UTC") is one clause, whatever joins its ends.
_RANGE_OPEN = re.compile(r"\b(?:between|from|entre|de)\s+\d[\w:. ]{0,8}$", re.IGNORECASE)


def read_promise(text: str, posted: datetime, zone: str, lang: str = "en",
                 ) -> Promised | Unclear | None:
    """Return the restoration time a text announces, an unclear mention of one, or None.

    `posted` is when the text was published (aware); `zone` the record's zone, which
    settles an abbreviation it shows at that time (CST on a page in America/Chicago);
    `lang` the language the text is read in (en or fr).
    """
    if posted.tzinfo is None:
        raise ValueError("a naive datetime has no place in time")
    words = _WORDS.get(lang, _ENGLISH)
    # An update is a few sentences; a longer text is read as far as MAX_TEXT.
    text = text[:MAX_TEXT]
    plain = text.translate(_SAME_LENGTH)
    found: list[tuple[str, _Mention]] = []
    for start, end in _clauses(plain, words):
        clause = plain[start:end]
        if words.next_update.search(clause):
            continue
        try:
            mentions = _mentions(clause, posted, zone, words)
        except OverflowError:
            continue  # a time past the calendar's ends is no promise anyone made
        if mentions and (words.cue.search(clause) or any(deadline for deadline, _ in mentions)):
            quoted = " ".join(text[start:end].split())
            found.extend((quoted, mention) for _, mention in mentions)
    if not found:
        return None
    instants = {mention.at for _, mention in found if mention.at is not None}
    if len(instants) > 1:
        quoted = " … ".join(dict.fromkeys(clause for clause, _ in found))
        return Unclear(quoted, "several_times")
    for quoted, mention in found:
        if mention.reason is not None:
            return Unclear(quoted, mention.reason)
    quoted, mention = found[0]
    assert mention.at is not None
    return Promised(mention.at, any(m.approximate for _, m in found), quoted)


def _clauses(text: str, words: _Words) -> list[tuple[int, int]]:
    """Return the spans of the text's clauses: sentences, cut at ';' and 'and'."""
    spans: list[tuple[int, int]] = []
    for sentence in _split(text, _SENTENCE_BREAK, 0, len(text)):
        spans.extend(_split(text, words.clause_break, *sentence))
    return [(start, end) for start, end in spans if text[start:end].strip()]


def _split(text: str, pattern: re.Pattern[str], start: int, end: int) -> list[tuple[int, int]]:
    spans = []
    for match in pattern.finditer(text, start, end):
        if _RANGE_OPEN.search(text, max(start, match.start() - 30), match.start()):
            continue
        spans.append((start, match.start()))
        start = match.end()
    spans.append((start, end))
    return spans


def _mentions(clause: str, posted: datetime, zone: str,
              words: _Words) -> list[tuple[bool, _Mention]]:
    """Return each restoration time the clause gives, and whether it is a deadline ("by …")."""
    mentions: list[tuple[bool, _Mention]] = []
    taken: list[tuple[int, int]] = []
    for match in words.relative.finditer(clause):
        taken.append(match.span())
        delta = _duration(match)
        if delta is None or words.past.search(clause[max(0, match.start() - 30):match.start()]):
            continue
        approximate = bool(match.group("about") or match.groupdict().get("about2")
                           or words.about.search(clause[max(0, match.start() - 30):
                                                        match.start()]))
        mentions.append((True, _Mention(posted + delta, approximate, None)))
    days = list(words.dates.finditer(clause))
    clocks: list[tuple[bool, bool, time, tzinfo | None, bool]] = []
    for match in words.clock.finditer(clause):
        if any(start < match.end() and match.start() < end for start, end in taken):
            continue
        before = clause[max(0, match.start() - 30):match.start()]
        clock = _clock(match)
        if clock is None or words.past.search(before):
            continue
        place, ambiguous = _zone_after(clause, match.end(), posted, zone)
        clocks.append((bool(words.deadline.search(before)), bool(words.about.search(before)),
                       clock, place, ambiguous))
    # "between 14:00 and 15:00 UTC": the zone written after the last applies to all.
    later_zone: tzinfo | None = None
    carried: list[tzinfo | None] = []
    for _deadline, _approximate, _clock_time, place, _ambiguous in reversed(clocks):
        later_zone = place or later_zone
        carried.append(later_zone)
    carried.reverse()
    for (deadline, approximate, clock, place, ambiguous), later in zip(clocks, carried,
                                                                       strict=True):
        if place is None and not ambiguous:
            place = later
        if place is None:
            reason: Reason = "ambiguous_zone" if ambiguous else "no_zone"
            mentions.append((deadline, _Mention(None, approximate, reason)))
        else:
            mentions.append((deadline, _instant(clock, place, days, posted, approximate)))
    return mentions


def _duration(match: re.Match[str]) -> timedelta | None:
    if match.group("hour"):
        return timedelta(hours=1)
    count = match.group("count") or match.groupdict().get("count2")
    unit = (match.group("unit") or match.groupdict().get("unit2") or "").lower()
    if count is None:
        return None
    count = count.lower().replace(",", ".")
    amount = float(count) if count[0].isdigit() else _NUMBERS.get(count)
    # Beyond a month, a duration is no restoration time (and could overflow a datetime).
    if amount is None or amount > (MAX_HOURS if unit.startswith("h") else MAX_HOURS * 60):
        return None
    if unit.startswith("h"):
        return timedelta(hours=amount)
    return timedelta(minutes=amount)


def _clock(match: re.Match[str]) -> time | None:
    found = match.groupdict()
    if found.get("noon"):
        return time(12, 0)
    if found.get("midnight"):
        return time(0, 0)
    hour_text = found.get("h1") or found.get("h2") or found.get("h3")
    if hour_text is None:
        return None
    hour = int(hour_text)
    minute = int(found.get("m1") or found.get("m3") or 0)
    meridiem = (found.get("ap1") or found.get("ap2") or "").lower()
    if meridiem:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if meridiem == "p" else 0)
    return time(hour, minute)


def _zone_after(clause: str, end: int, posted: datetime, zone: str) -> tuple[tzinfo | None, bool]:
    """Return the zone written right after a clock time, and whether one was but is unclear."""
    match = _ZONE_AFTER.match(clause, end)
    if match is None:
        return None, False
    if match.group("z"):
        return UTC, False
    sign, hours, minutes = (match.group("sign") or match.group("sign2"),
                            match.group("oh") or match.group("oh2"),
                            match.group("om") or match.group("om2") or "0")
    if sign and hours:
        offset = timedelta(hours=int(hours), minutes=int(minutes))
        if offset > timedelta(hours=14):
            return None, False
        return timezone(-offset if sign == "-" else offset), False
    named = match.group("named")
    if named:
        return ZoneInfo(NAMED_ZONES[named.lower()]), False
    abbreviation = match.group("abbr") or ""
    upper = abbreviation.upper()
    if upper in ("UTC", "GMT"):
        return UTC, False
    if abbreviation != upper:
        return None, False
    if upper in FIXED_ZONES:
        return timezone(FIXED_ZONES[upper]), False
    if upper in NAMED_ZONES:
        return ZoneInfo(NAMED_ZONES[upper]), False
    if upper in AMBIGUOUS_ZONES:
        # The page's own zone settles it when it is the one that shows this name then.
        own = _zone_or_none(zone)
        if own is not None and posted.astimezone(own).tzname() == upper:
            return own, False
        return None, True
    return None, False


def _zone_or_none(name: str) -> tzinfo | None:
    try:
        return ZoneInfo(name)
    except (ValueError, KeyError, OSError):
        return None


def _instant(clock: time, place: tzinfo, days: list[re.Match[str]], posted: datetime,
             approximate: bool) -> _Mention:
    """Place a clock time on its day: the one written, else the post's (or, overnight, the next)."""
    local = posted.astimezone(place)
    named = _named_day(days, local.date()) if days else None
    moment = datetime.combine(named or local.date(), clock, tzinfo=place)
    if moment >= posted:
        return _Mention(moment, approximate, None)
    if named is None and not _says_today(days):
        overnight = datetime.combine(local.date() + timedelta(days=1), clock, tzinfo=place)
        if overnight - posted <= OVERNIGHT:
            return _Mention(overnight, approximate, None)
    return _Mention(None, approximate, "past")


def _says_today(days: list[re.Match[str]]) -> bool:
    return any(match.group("today") for match in days)


def _named_day(days: list[re.Match[str]], today: date) -> date | None:
    """Return the day the clause names ('tomorrow', '4 August'), if one; None for 'today'."""
    match = days[0]
    found = match.groupdict()
    if found.get("today"):
        return None
    if found.get("tomorrow"):
        return today + timedelta(days=1)
    if found.get("iso"):
        try:
            return date.fromisoformat(found["iso"])
        except ValueError:
            return None
    day_text = found.get("d1") or found.get("d2") or ""
    month_text = (found.get("mon1") or found.get("mon2") or "").lower().rstrip(".")
    year_text = found.get("y1") or found.get("y2")
    month = next((index + 1 for names in _MONTHS.values() for index, name in enumerate(names)
                  if name == month_text or name[:3] == month_text), None)
    if month is None:
        return None
    day_number = 1 if day_text == "1er" else int(day_text)
    try:
        named = date(int(year_text) if year_text else today.year, month, day_number)
    except ValueError:
        return None
    if year_text is None and (named - today).days < -180:
        # "on 2 January" posted on 30 December is in the new year.
        named = named.replace(year=named.year + 1)
    return named
