"""Words, dates, numbers and durations in the report's language (gettext catalogues + Babel).

A report's words come from, in order: the workspace's `[labels.<lang>]`, its own
catalogues (`locale/<lang>/LC_MESSAGES/postmortem.po`), the bundled catalogue, and the
English message itself. Dates follow the report's Babel locale (`en_GB`, `en_US`…),
with the same punctuation for an instant and a range, and never break inside a stamp.
"""

from __future__ import annotations

import contextlib
import decimal
import math
import re
from collections.abc import Iterable
from dataclasses import replace
from datetime import date, datetime, timedelta, tzinfo
from functools import lru_cache

from babel import Locale
from babel.dates import format_date, format_interval, format_skeleton
from babel.lists import format_list
from babel.numbers import format_compact_decimal, format_decimal, format_percent
from babel.units import format_unit

from postmortem.i18n import N_, language_of
from postmortem.record.instants import Duration, When, zone_named
from postmortem.record.model import Quantity
from postmortem.record.walk import walk_model
from postmortem.render.catalogue import (
    Overrides,
    catalogue_stamp,
    merged_words,
)

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
    "notification_kind": {
        "early_warning": N_("Early warning"), "incident_notification": N_("Incident notification"),
        "intermediate_report": N_("Intermediate report"), "final_report": N_("Final report"),
        "health_declaration": N_("Health-sector declaration"), "other": N_("Other notification"),
    },
    # The categories of the French health-sector declaration (CSP art. D1111-16-2).
    "consequence": {
        "care_safety": N_("Consequences for the safety of care"),
        "data_confidentiality": N_("Consequences for the confidentiality of health data"),
        "data_integrity": N_("Consequences for the integrity of health data"),
        "operations": N_("Consequences for the normal functioning of the establishment"),
        "health_system": N_("Consequences for the organisation of the health system"),
        "other_establishments": N_("Risk for other establishments"),
    },
    # Whether a reporting deadline was kept, judged on the bounds of the instants.
    "deadline_status": {
        "met": N_("On time"), "late": N_("Late"), "uncertain": N_("Uncertain"),
        "not_recorded": N_("No notification recorded"), "not_yet_due": N_("Not yet due"),
    },
    # Where the moment of awareness that starts the reporting clock comes from.
    "awareness_source": {
        "aware": N_("moment of awareness recorded"),
        "detected": N_("detection (no moment of awareness recorded)"),
        "started": N_("start of the incident (no moment of awareness or detection recorded)"),
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


@lru_cache(maxsize=32)
def _babel_locale(name: str) -> Locale:
    return Locale.parse(name)


# Inside one stamp no space breaks; a range breaks only after its dash.
_NO_BREAK = str.maketrans({" ": "\u00a0", "\u2009": "\u202f"})
_AFTER_DASH = re.compile("–([\u00a0\u202f])")


def _tie(text: str) -> str:
    return text.translate(_NO_BREAK)


def _tie_range(text: str) -> str:
    return _AFTER_DASH.sub(lambda found: "–" + (" " if found[1] == "\u00a0" else "\u2009"),
                           _tie(text))


def _fill(pattern: str, first: str, second: str) -> str:
    """Fill a CLDR pattern's {0} and {1} (in one pass: a value may hold braces)."""
    return re.sub(r"\{([01])\}", lambda found: first if found[1] == "0" else second, pattern)


def needs_year(dates: Iterable[date], today: date) -> bool:
    """Return whether dates need their year: they span several years, or are not of today's."""
    years = {value.year for value in dates}
    return len(years) > 1 or (len(years) == 1 and today.year not in years)


def stated_days(value: object, zone: tzinfo) -> list[date]:
    """Return the day, in `zone`, of every bound of every instant a record (or a part) states."""
    return [bound.astimezone(zone).date() for _, item in walk_model(value)
            if isinstance(item, When)
            for bound in (item.earliest, item.latest) if bound is not None]


def _digits_for(value: float | int) -> contextlib.AbstractContextManager[decimal.Context]:
    """Return a decimal context precise enough to write every digit of a number.

    Babel rounds in the current context, whose 28 digits a larger number exceeds
    (decimal.InvalidOperation); a record bounds its numbers, the report does not rely
    on it.
    """
    context = decimal.getcontext().copy()
    if isinstance(value, int | float) and math.isfinite(value):
        context.prec = max(context.prec, len(str(int(abs(value)))) + 20)
    return decimal.localcontext(context)


class Language:
    """Translate words and format values for one language, locale and display time zone.

    `locale` is a Babel locale of the language ('en_GB', 'en_US'); none: the language's
    own ('en', 'fr'). `with_year` shows the year in every compact stamp and day (see
    `needs_year`). `overrides` holds the workspace's words for the language.
    """

    def __init__(self, lang: str, zone: str, locale: str | None = None, with_year: bool = False,
                 overrides: Overrides | None = None):
        self.code = lang
        self.locale_name = locale or lang
        self.locale = _babel_locale(self.locale_name)
        if self.locale.language != lang:
            raise ValueError(f"locale {self.locale_name!r} is not a locale of {lang!r}")
        self.zone_name = zone
        self.zone = zone_named(zone)
        self.with_year = with_year
        self.overrides = overrides or Overrides()
        # The catalogues as they are now: an edited one makes another language, read again.
        self._stamps = tuple(catalogue_stamp(path) for path in self.overrides.catalogues)
        self.words = merged_words(lang, self.overrides, self._stamps)

    @property
    def key(self) -> tuple[object, ...]:
        """Return what tells this language's output apart, e.g. to cache an environment on."""
        return (self.code, self.locale_name, self.zone_name, self.with_year, self.overrides,
                self._stamps)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Language) and self.key == other.key

    def __hash__(self) -> int:
        return hash(self.key)

    def __repr__(self) -> str:
        return (f"Language({self.code!r}, {self.zone_name!r}, locale={self.locale_name!r}, "
                f"with_year={self.with_year!r})")

    def translate(self, message: str) -> str:
        """Return a message's translation, unfilled (for Jinja2, which fills it itself)."""
        return self.words.messages.get(message) or message

    def translate_plural(self, singular: str, plural: str, count: int) -> str:
        """Return the form of a message's translation a count takes, unfilled."""
        found = self.words.plurals.get(singular)
        if found:
            forms, rule = found
            index = rule.index(count)
            if 0 <= index < len(forms) and forms[index]:
                return forms[index]
        return singular if count == 1 else plural

    def gettext(self, message: str, **variables: object) -> str:
        """Translate a message, then fill its %(name)s variables."""
        text = self.translate(message)
        return text % variables if variables else text

    def ngettext(self, singular: str, plural: str, count: int, **variables: object) -> str:
        """Translate a message whose form depends on a count."""
        text = self.translate_plural(singular, plural, count)
        return text % {"num": count, **variables}

    def label(self, group: str, value: str | None) -> str:
        """Return the translated label of an enumerated value; "not stated" for none."""
        if value is None:
            return self.gettext("not stated")
        return self.gettext(LABELS[group].get(value, value))

    def spacing(self, text: str, lang: str | None = None) -> str:
        """Apply the typographic spacing of a text's language: `lang`, else the report's.

        A text in another language (a source's English title in a French record) keeps
        its own spacing: "recovered?" never becomes "recovered ?".
        """
        return french_spacing(text) if language_of(lang or self.code) == "fr" else text

    def number(self, value: float | int) -> str:
        """Format a number with the language's separators."""
        with _digits_for(value):
            return format_decimal(value, locale=self.locale)

    def count(self, value: float | int) -> str:
        """Format a count for a reader: '8.5 million' from a million up, else '120,000'."""
        with _digits_for(value):
            if value >= 1_000_000:
                return format_compact_decimal(value, format_type="long", locale=self.locale,
                                              fraction_digits=1)
            return format_decimal(value, locale=self.locale)

    def percent(self, value: float) -> str:
        """Format a percentage given from 0 to 100 ('98 %' in French)."""
        with _digits_for(value):
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
        """Format a calendar date in long form, with its year (e.g. '30 septembre 2025')."""
        return _tie(format_date(self._date(value), format="long", locale=self.locale))

    def compact_day(self, value: date, with_year: bool | None = None) -> str:
        """Format a day in short form ('sam. 3 août'), with its year when the document needs it."""
        with_year = self.with_year if with_year is None else with_year
        return _tie(format_skeleton("yMMMEd" if with_year else "MMMEd", self._date(value),
                                    locale=self.locale))

    def clock(self, instant: datetime) -> str:
        """Format the time of day of an instant in the display time zone ('14:05')."""
        return _tie(format_skeleton("Hm", instant.astimezone(self.zone), locale=self.locale))

    def _date(self, value: date) -> date:
        if isinstance(value, datetime):  # an instant falls on its day in the display zone
            return value.astimezone(self.zone).date() if value.tzinfo else value.date()
        return value

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
                skeleton = ("yMMMEd" if self.with_year or earliest.year != latest.year
                            else "MMMEd")
                return _tie_range(format_interval(earliest.date(), latest.date(), skeleton,
                                                  locale=self.locale))
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
        return self.compact_day(instant) if compact else self._long_day(instant)

    def _month(self, instant: datetime) -> str:
        return format_skeleton("yMMMM", instant, locale=self.locale)

    def _clock_range(self, when: When, compact: bool) -> str:
        """Format an instant known to the minute, or a range or a bound of such instants."""
        earliest, latest = self._local(when.earliest), self._local(when.latest)
        stamp = self._stamp_compact if compact else self._stamp_long
        if earliest and latest and earliest != latest:
            if earliest.date() == latest.date() and compact:
                # The day and the clock joined as in one instant's stamp: one punctuation.
                clocks = _tie_range(format_interval(earliest, latest, "Hm", tzinfo=self.zone,
                                                    locale=self.locale))
                return self._joined(self.compact_day(earliest), clocks)
            if earliest.date() == latest.date():
                return self.gettext("%(day)s, between %(start)s and %(end)s",
                                    day=self._long_day(earliest),
                                    start=self._clock(earliest), end=self._clock(latest))
            if compact:
                # Across a new year both ends say theirs.
                with_year = self.with_year or earliest.year != latest.year
                return self._range(self._stamp_compact(earliest, with_year),
                                   self._stamp_compact(latest, with_year))
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
        return self._unit(days, "duration-day")

    def _unit(self, value: int, unit: str) -> str:
        """Format a number of a unit ('3 h'); the number and its unit never part."""
        return _tie(format_unit(value, unit, length="short", locale=self.locale))

    def _span(self, delta: timedelta) -> str:
        if timedelta(0) < abs(delta) < timedelta(seconds=59.5):
            # Under a minute, seconds matter (a deletion noticed "a second or two" after).
            seconds = max(1, round(abs(delta.total_seconds())))
            return self._unit(seconds, "duration-second")
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
        words = [self._unit(value, unit) for unit, value in parts if value or len(parts) == 1]
        # One length of time ("1 j 19 h") reads as one value: it never breaks either.
        return _tie(format_list(words, style="unit-narrow", locale=self.locale))

    def _local(self, instant: datetime | None) -> datetime | None:
        return instant.astimezone(self.zone) if instant else None

    def _long_day(self, instant: datetime) -> str:
        return format_date(instant, format="full", locale=self.locale)

    def _clock(self, instant: datetime) -> str:
        return format_skeleton("Hm", instant, locale=self.locale)

    def _stamp_compact(self, instant: datetime, with_year: bool | None = None) -> str:
        return self._joined(self.compact_day(instant, with_year), self.clock(instant))

    def _joined(self, day: str, time: str) -> str:
        """Join a day and a time as the locale joins them in one stamp ('Fri 19 Jul, 14:05')."""
        pattern = str(self.locale.datetime_formats.get("medium") or "{1} {0}")
        # CLDR quotes literal text ("{1} 'à' {0}"); the quotes are not shown.
        pattern = re.sub(r"'([^']*)'", r"\1", pattern)
        return _fill(_tie(pattern), time, day)

    def _range(self, start: str, end: str) -> str:
        """Join two stamps as the locale writes a range: breakable only after the dash."""
        pattern = str(self.locale.interval_formats.get(None) or "{0} – {1}")
        return _fill(_tie_range(pattern), start, end)

    def _stamp_long(self, instant: datetime) -> str:
        return self.gettext("%(day)s at %(time)s", day=self._long_day(instant),
                            time=self._clock(instant))
