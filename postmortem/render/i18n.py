"""Words, dates, numbers and durations in the report's language (gettext + Babel)."""

from __future__ import annotations

import gettext
import io
import re
from datetime import date, datetime, timedelta
from functools import cache
from pathlib import Path

from babel import Locale
from babel.dates import format_date, format_skeleton
from babel.lists import format_list
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal
from babel.units import format_unit

from postmortem.record.instants import Duration, When, zone_named

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

    def label(self, group: str, value: str) -> str:
        """Return the translated label of an enumerated value."""
        return self.gettext(LABELS[group].get(value, value))

    def spacing(self, text: str) -> str:
        """Apply the language's typographic spacing to a text."""
        return french_spacing(text) if self.code == "fr" else text

    def number(self, value: float | int) -> str:
        """Format a number with the language's separators."""
        return format_decimal(value, locale=self.locale)

    def day(self, value: date) -> str:
        """Format a calendar date in long form (e.g. '30 septembre 2025')."""
        if isinstance(value, datetime):  # an instant falls on its day in the display zone
            value = value.astimezone(self.zone).date()
        return format_date(value, format="long", locale=self.locale)

    def when(self, when: When, compact: bool = False) -> str:
        """Format an instant with its uncertainty, in the display time zone."""
        earliest, latest = self._local(when.earliest), self._local(when.latest)
        stamp = self._stamp_compact if compact else self._stamp_long
        if earliest and latest and earliest != latest:
            if earliest.date() == latest.date() and compact:
                text = self.gettext("%(day)s, %(start)s–%(end)s", day=self._day(earliest, True),
                                    start=self._clock(earliest), end=self._clock(latest))
            elif earliest.date() == latest.date():
                text = self.gettext("%(day)s, between %(start)s and %(end)s",
                                    day=self._day(earliest, False),
                                    start=self._clock(earliest), end=self._clock(latest))
            elif compact:
                text = self.gettext("%(start)s – %(end)s", start=stamp(earliest), end=stamp(latest))
            else:
                text = self.gettext("between %(start)s and %(end)s", start=stamp(earliest),
                                    end=stamp(latest))
        elif earliest and latest:
            text = stamp(earliest)
        elif earliest:
            text = self.gettext("after %(instant)s", instant=stamp(earliest))
        elif latest:
            text = self.gettext("before %(instant)s", instant=stamp(latest))
        else:
            raise ValueError("an instant has at least one bound")
        if when.approximate:
            text = self.gettext("about %(instant)s", instant=text)
        return text

    def instant(self, instant: datetime) -> str:
        """Format one exact instant in long form, in the display time zone."""
        return self._stamp_long(instant.astimezone(self.zone))

    def duration(self, duration: Duration | None, signed: bool = False) -> str:
        """Format a duration with its uncertainty ("≈ 3 h", "between 2 d and 3 d")."""
        if duration is None:
            return "—"
        fmt = (lambda d: self._signed(d)) if signed else self._span
        shortest, longest = duration.shortest, duration.longest
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

    def _signed(self, delta: timedelta) -> str:
        if delta < timedelta(0):
            return "−" + self._span(-delta)
        return "+" + self._span(delta)

    def _span(self, delta: timedelta) -> str:
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
