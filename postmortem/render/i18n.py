"""Words, dates, numbers and durations in the report's language (gettext + Babel)."""

from __future__ import annotations

import gettext
import io
import re
from dataclasses import replace
from datetime import date, datetime, timedelta
from functools import cache
from pathlib import Path

from babel import Locale
from babel.dates import format_date, format_interval, format_skeleton
from babel.lists import format_list
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_compact_decimal, format_decimal, format_percent
from babel.units import format_unit

from postmortem.record.instants import Duration, When, zone_named
from postmortem.record.model import Quantity

LOCALE_DIR = Path(__file__).parent / "locale"
DOMAIN = "postmortem"


def N_(message: str) -> str:
    """Mark a message for translation without translating it yet."""
    return message


#: Labels of the record's enumerated values, translated when shown.
LABELS: dict[str, dict[str, str]] = {
    "status": {"draft": N_("Draft"), "in_review": N_("In review"), "approved": N_("Approved"),
               "published": N_("Published")},
    "severity": {"critical": N_("Critical"), "major": N_("Major"), "moderate": N_("Moderate"),
                 "minor": N_("Minor")},
    "kind": {"trigger": N_("Trigger"), "impact": N_("Impact"), "detection": N_("Detection"),
             "action": N_("Action"), "communication": N_("Communication"),
             "milestone": N_("Milestone"), "decision": N_("Decision"), "recovery": N_("Recovery")},
    "audience": {"staff": N_("staff"), "public": N_("public"), "press": N_("press"),
                 "authority": N_("authorities"), "customers": N_("customers"),
                 "partners": N_("partners")},
    "action_status": {"proposed": N_("Proposed"), "open": N_("Open"),
                      "in_progress": N_("In progress"), "done": N_("Done"),
                      "wont_do": N_("Won't do")},
    "action_type": {"prevent": N_("Prevent"), "detect": N_("Detect"), "mitigate": N_("Mitigate"),
                    "process": N_("Process")},
    "priority": {"high": N_("High"), "medium": N_("Medium"), "low": N_("Low")},
    "figure": {"trigger_duration": N_("Duration of the trigger"),
               "time_to_detect": N_("Time to detect"), "time_to_mitigate": N_("Time to mitigate"),
               "time_to_restore": N_("Time to restore service"),
               "time_to_resolve": N_("Time to full restoration")},
    "target": {"mitigated": N_("mitigation"), "restored": N_("service restored"),
               "resolved": N_("full restoration")},
    # What a relative instant is counted from: "2 min after the start".
    "anchor": {"started": N_("the start"), "detected": N_("detection"),
               "mitigated": N_("mitigation"), "restored": N_("service restored"),
               "resolved": N_("full restoration")},
    "outcome": {"restored": N_("Restored"), "ended": N_("Ended (time unknown)"),
                "ongoing": N_("Ongoing"), "never_restored": N_("Never restored"),
                "data_lost": N_("Data permanently lost")},
    # Nothing is shown for a confirmed fact: a mark is for what a reader should weigh.
    "confidence": {"reported": N_("reported"), "unverified": N_("unverified"),
                   "derived": N_("derived")},
    "confidence_meaning": {
        "reported": N_("from a single secondary source (press, a third party)"),
        "unverified": N_("heard or assumed, not checked"),
        "derived": N_("computed or decoded from other facts"),
    },
    "qualifier": {"exact": "%(value)s", "about": N_("about %(value)s"),
                  "at_least": N_("at least %(value)s"), "at_most": N_("at most %(value)s")},
    "category": {
        "infrastructure": N_("Infrastructure"), "software": N_("Software"), "change": N_("Change"),
        "configuration": N_("Configuration"), "capacity": N_("Capacity"),
        "dependency": N_("Dependency"), "process": N_("Process"),
        "communication": N_("Communication"), "organisation": N_("Organisation and management"),
        "external": N_("External"), "patient": N_("Patient"),
        "individual": N_("Individual (staff)"), "task": N_("Task and technology"),
        "team": N_("Team"), "environment": N_("Work environment"),
        "institutional": N_("Institutional context"),
    },
}


_BEFORE_HIGH_PUNCTUATION = re.compile(r"(?<=\S)[ \u00a0\u202f]*([;!?»])(?=[\s),.]|$)")
_BEFORE_COLON = re.compile(r"[ \u00a0\u202f]+:(?=\s|$)")
_AFTER_GUILLEMET = re.compile(r"«[ \u00a0\u202f]*")


def french_spacing(text: str) -> str:
    """Put the non-breaking spaces of French typography around : ; ! ? and « »."""
    text = _BEFORE_HIGH_PUNCTUATION.sub(lambda m: "\u202f" + m[1], text)
    text = _BEFORE_COLON.sub("\u00a0:", text)
    return _AFTER_GUILLEMET.sub("«\u202f", text)


@cache
def _translations(lang: str) -> gettext.NullTranslations:
    po_path = LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"
    if not po_path.is_file():
        return gettext.NullTranslations()  # messages are written in English
    with po_path.open("rb") as po_file:
        catalog = read_po(po_file, locale=lang, domain=DOMAIN)
    compiled = io.BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return gettext.GNUTranslations(compiled)


class Language:
    """Translate words and format values for one language and display time zone."""

    def __init__(self, lang: str, zone: str):
        self.code = lang
        self.locale = Locale.parse(lang)
        self.zone_name = zone
        self.zone = zone_named(zone)
        self.translations = _translations(lang)

    def gettext(self, message: str, **variables: object) -> str:
        """Translate a message, then fill its %(name)s variables."""
        text = self.translations.gettext(message)
        return text % variables if variables else text

    def ngettext(self, singular: str, plural: str, count: int, **variables: object) -> str:
        """Translate a message whose form depends on a count."""
        text = self.translations.ngettext(singular, plural, count)
        return text % {"num": count, **variables}

    def label(self, group: str, value: str | None) -> str:
        """Return the translated label of an enumerated value; "not stated" for none."""
        if value is None:
            return self.gettext("not stated")
        return self.gettext(LABELS[group].get(value, value))

    def spacing(self, text: str) -> str:
        """Apply the language's typographic spacing to a text."""
        return french_spacing(text) if self.code == "fr" else text

    def number(self, value: float | int) -> str:
        """Format a number with the language's separators."""
        return format_decimal(value, locale=self.locale)

    def count(self, value: float | int) -> str:
        """Format a count for a reader: '8.5 million' from a million up, else '120,000'."""
        if value >= 1_000_000:
            return format_compact_decimal(value, format_type="long", locale=self.locale,
                                          fraction_digits=1)
        return format_decimal(value, locale=self.locale)

    def percent(self, value: float) -> str:
        """Format a percentage given from 0 to 100 ('98 %' in French)."""
        return format_percent(value / 100, format="#,##0.#%", locale=self.locale)

    def quantity_value(self, quantity: Quantity) -> str:
        """Format a quantity's value with its qualifier: 'about 5,000', 'at least 8.5 million'."""
        pattern = LABELS["qualifier"].get(quantity.qualifier, "%(value)s")
        text = self.gettext(pattern) if quantity.qualifier != "exact" else pattern
        return text % {"value": self.count(quantity.value)}

    def quantity(self, quantity: Quantity) -> str:
        """Format a quantity with its unit: 'about 5,000 projects'."""
        return f"{self.quantity_value(quantity)} {' '.join(quantity.unit.split())}"

    def day(self, value: date) -> str:
        """Format a calendar date in long form (e.g. '30 septembre 2025')."""
        if isinstance(value, datetime):  # an instant falls on its day in the display zone
            value = value.astimezone(self.zone).date()
        return format_date(value, format="long", locale=self.locale)

    def when(self, when: When, compact: bool = False) -> str:
        """Format an instant with its uncertainty, in the display time zone.

        A day or a month is shown as such, never as 00:00; a relative instant says what it
        follows ("within 2 s after the start"), then its absolute bounds in brackets.
        """
        if when.anchor is not None and when.offset is not None:
            return self._relative(when, compact)
        if when.precision in ("day", "month"):
            text = self._calendar(when, compact)
        else:
            text = self._clock_range(when, compact)
        if when.approximate:
            text = self.gettext("about %(instant)s", instant=text)
        return text

    def _relative(self, when: When, compact: bool) -> str:
        """Format an instant given by its offset after another one."""
        offset = when.offset
        assert offset is not None
        anchor = when.anchor or ""
        if anchor in LABELS["anchor"]:
            named = self.label("anchor", anchor)
        elif when.anchor_when is not None:
            # An anchor that is itself relative is named by its bounds, so brackets never nest.
            named = self.when(replace(when.anchor_when, anchor=None, anchor_when=None,
                                      offset=None), compact=True)
        else:
            named = anchor
        shortest, longest = offset.shortest, offset.longest
        if shortest is not None and longest is not None and shortest != longest:
            if shortest <= timedelta(0):
                text = self.gettext("within %(duration)s after %(anchor)s",
                                    duration=self._span(longest), anchor=named)
            else:
                text = self.gettext("between %(start)s and %(end)s after %(anchor)s",
                                    start=self._span(shortest), end=self._span(longest),
                                    anchor=named)
        else:
            text = self.gettext("%(duration)s after %(anchor)s",
                                duration=self.duration(offset), anchor=named)
        # "About" belongs to an approximate offset, which `duration` already says; an
        # approximate anchor shows in its own bounds.
        if when.earliest is None and when.latest is None:
            return text
        absolute = self.when(replace(when, anchor=None, anchor_when=None, offset=None,
                                     approximate=False), compact=True)
        return f"{text} ({absolute})"

    def _calendar(self, when: When, compact: bool) -> str:
        """Format an instant known to the day or the month: the day(s), never a time."""
        earliest, latest = self._local(when.earliest), self._local(when.latest)
        name = self._month if when.precision == "month" else (
            lambda instant: self._calendar_day(instant, compact))
        if earliest and latest:
            same = ((earliest.year, earliest.month) == (latest.year, latest.month)
                    if when.precision == "month" else earliest.date() == latest.date())
            if same:
                return name(earliest)
            if compact and when.precision == "day":
                return format_interval(earliest.date(), latest.date(), "yMMMd",
                                       locale=self.locale)
            return self.gettext("from %(start)s to %(end)s", start=name(earliest),
                                end=name(latest))
        if earliest and when.precision == "month":
            return self.gettext("in or after %(month)s", month=name(earliest))
        if earliest:
            return self.gettext("on or after %(day)s", day=name(earliest))
        if latest and when.precision == "month":
            return self.gettext("in or before %(month)s", month=name(latest))
        if latest:
            return self.gettext("on or before %(day)s", day=name(latest))
        raise ValueError("an instant has at least one bound")

    def _calendar_day(self, instant: datetime, compact: bool) -> str:
        if compact:
            return format_skeleton("yMMMd", instant, locale=self.locale)
        return format_date(instant, format="full", locale=self.locale)

    def _month(self, instant: datetime) -> str:
        return format_skeleton("yMMMM", instant, locale=self.locale)

    def _clock_range(self, when: When, compact: bool) -> str:
        """Format an instant known to the minute, or a range or a bound of such instants."""
        earliest, latest = self._local(when.earliest), self._local(when.latest)
        stamp = self._stamp_compact if compact else self._stamp_long
        if earliest and latest and earliest != latest:
            if earliest.date() == latest.date() and compact:
                return self.gettext("%(day)s, %(start)s–%(end)s", day=self._day(earliest, True),
                                    start=self._clock(earliest), end=self._clock(latest))
            if earliest.date() == latest.date():
                return self.gettext("%(day)s, between %(start)s and %(end)s",
                                    day=self._day(earliest, False),
                                    start=self._clock(earliest), end=self._clock(latest))
            if compact:
                return self.gettext("%(start)s – %(end)s", start=stamp(earliest),
                                    end=stamp(latest))
            return self.gettext("between %(start)s and %(end)s", start=stamp(earliest),
                                end=stamp(latest))
        if earliest and latest:
            return stamp(earliest)
        if earliest:
            return self.gettext("after %(instant)s", instant=stamp(earliest))
        if latest:
            return self.gettext("before %(instant)s", instant=stamp(latest))
        raise ValueError("an instant has at least one bound")

    def instant(self, instant: datetime) -> str:
        """Format one exact instant in long form, in the display time zone."""
        return self._stamp_long(instant.astimezone(self.zone))

    def as_of(self, value: date) -> str:
        """Say on which day a statement holds: 'as of 22 March 2021'."""
        return self.gettext("as of %(day)s", day=self.day(value))

    def duration(self, duration: Duration | None, signed: bool = False) -> str:
        """Format a duration with its uncertainty ("≈ 3 h", "between 2 d and 3 d")."""
        if duration is None:
            return "—"
        fmt = (lambda d: self._signed(d)) if signed else self._span
        shortest, longest = duration.shortest, duration.longest
        if (shortest is not None and longest is not None
                and abs(shortest) >= timedelta(days=1) - timedelta(seconds=1)
                and longest - shortest >= timedelta(days=1) - timedelta(seconds=1)):
            # Days apart and uncertain by a day (days known only by their date): hours
            # would be noise.
            fmt = (lambda d: self._signed(d, whole_days=True)) if signed else self._days
            shortest, longest = self._whole_days(shortest), self._whole_days(longest)
        if shortest is not None and longest is not None and shortest != longest:
            if not signed and shortest == timedelta(0):
                text = self.gettext("up to %(duration)s", duration=fmt(longest))
            else:
                text = self.gettext("between %(start)s and %(end)s", start=fmt(shortest),
                                    end=fmt(longest))
        elif shortest is not None and longest is not None:
            text = fmt(shortest)
        elif shortest is not None:
            text = self.gettext("more than %(duration)s", duration=fmt(shortest))
        elif longest is not None:
            text = self.gettext("less than %(duration)s", duration=fmt(longest))
        else:
            return "—"
        if duration.approximate and shortest == longest:
            # A range already shows the uncertainty; "about" is for a single value.
            text = self.gettext("about %(duration)s", duration=text)
        return text

    def span(self, delta: timedelta) -> str:
        """Format one exact length of time: '2 d 19 h', '3 h 30 min'."""
        return self._span(delta)

    def _signed(self, delta: timedelta, whole_days: bool = False) -> str:
        span = self._days if whole_days else self._span
        if delta < timedelta(0):
            return "−" + span(-delta)
        return "+" + span(delta)

    @staticmethod
    def _whole_days(delta: timedelta) -> timedelta:
        return timedelta(days=round(delta.total_seconds() / 86400))

    def _days(self, delta: timedelta) -> str:
        days = round(abs(delta.total_seconds()) / 86400)
        if days == 0:
            return self._span(delta)
        return format_unit(days, "duration-day", length="short", locale=self.locale)

    def _span(self, delta: timedelta) -> str:
        if timedelta(0) < abs(delta) < timedelta(seconds=59.5):
            # Under a minute, seconds matter (a deletion noticed "a second or two" after).
            seconds = max(1, round(abs(delta.total_seconds())))
            return format_unit(seconds, "duration-second", length="short", locale=self.locale)
        minutes = round(delta.total_seconds() / 60)
        days, minutes = divmod(minutes, 24 * 60)
        hours, minutes = divmod(minutes, 60)
        if days:
            # Beyond a day, minutes are noise next to the uncertainty of the instants.
            if minutes >= 30:
                hours += 1
            if hours == 24:
                days, hours = days + 1, 0
            parts = [("duration-day", days), ("duration-hour", hours)]
        elif hours:
            parts = [("duration-hour", hours), ("duration-minute", minutes)]
        else:
            parts = [("duration-minute", minutes)]
        words = [format_unit(value, unit, length="short", locale=self.locale)
                 for unit, value in parts if value or len(parts) == 1]
        return format_list(words, style="unit-narrow", locale=self.locale)

    def _local(self, instant: datetime | None) -> datetime | None:
        return instant.astimezone(self.zone) if instant else None

    def _day(self, instant: datetime, compact: bool) -> str:
        if compact:
            return format_skeleton("MMMEd", instant, locale=self.locale)
        return format_date(instant, format="full", locale=self.locale)

    def _clock(self, instant: datetime) -> str:
        return format_skeleton("Hm", instant, locale=self.locale)

    def _stamp_compact(self, instant: datetime) -> str:
        return f"{self._day(instant, True)} {self._clock(instant)}"

    def _stamp_long(self, instant: datetime) -> str:
        return self.gettext("%(day)s at %(time)s", day=self._day(instant, False),
                            time=self._clock(instant))
