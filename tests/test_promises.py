"""A restoration time announced in an update is read when it is unambiguous, listed otherwise."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from postmortem.importers.promises import MAX_TEXT, Promised, Unclear, read_promise

#: 2024-03-12T21:05Z, 14:05 in Los Angeles (PDT, -07:00), 22:05 in Paris (CET, +01:00).
POSTED = datetime(2024, 3, 12, 21, 5, tzinfo=UTC)
ZONE = "America/Los_Angeles"


def _utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.mark.parametrize("text, lang, restoration, approximate", [
    ("We expect to restore service by 23:00 UTC.", "en", "2024-03-12T23:00", False),
    ("We expect to restore service by 23:00 utc.", "en", "2024-03-12T23:00", False),
    ("ETA 15:30 PDT", "en", "2024-03-12T22:30", False),
    ("ETA: 3:30 pm PDT", "en", "2024-03-12T22:30", False),
    ("Estimated resolution 23:30 UTC+01:00.", "en", "2024-03-12T22:30", False),
    ("Estimated resolution 23:45Z.", "en", "2024-03-12T23:45", False),
    ("Estimated resolution 23:45 GMT.", "en", "2024-03-12T23:45", False),
    ("Service should be back by 17:00 -07:00.", "en", "2024-03-13T00:00", False),
    ("Service should recover within the next 2 hours.", "en", "2024-03-12T23:05", False),
    ("We should be back in about 30 minutes.", "en", "2024-03-12T21:35", True),
    ("Recovery is expected in 45 min.", "en", "2024-03-12T21:50", False),
    ("We expect service to be restored within the hour.", "en", "2024-03-12T22:05", False),
    ("We expect delays to clear within the next hour.", "en", "2024-03-12T22:05", False),
    ("The fix should be live in half an hour.", "en", "2024-03-12T21:35", False),
    ("We expect recovery around 23:00 UTC.", "en", "2024-03-12T23:00", True),
    ("Back online by 09:00 CEST on 4 August.", "en", "2024-08-04T07:00", False),
    ("Back online by 09:00 CEST on August 4th, 2024.", "en", "2024-08-04T07:00", False),
    ("Service will be restored by 3pm PT.", "en", "2024-03-12T22:00", False),
    # Earlier in the day than the post, with a zone, and within 12 hours: the next day.
    ("We expect to restore service by 02:00 UTC.", "en", "2024-03-13T02:00", False),
    ("We expect to restore service by 09:00 UTC tomorrow.", "en", "2024-03-13T09:00", False),
    # The same time written twice is one time.
    ("We expect to restore service by 23:00 UTC (4:00 pm PDT).", "en", "2024-03-12T23:00",
     False),
    # A past time and a next update around the promise are not promises.
    ("The issue started at 20:50 UTC and we expect a fix by 23:00 UTC.", "en",
     "2024-03-12T23:00", False),
    ("We expect recovery by 23:00 UTC; we will post another update at 22:00 UTC.", "en",
     "2024-03-12T23:00", False),
    ("Rétablissement prévu vers 23 h UTC.", "fr", "2024-03-12T23:00", True),
    ("Retour à la normale d’ici 23h00 (heure de Paris).", "fr", "2024-03-12T22:00", False),
    ("Retour à la normale d'ici 23 h 30 heure de Paris.", "fr", "2024-03-12T22:30", False),
    ("Le service devrait être rétabli dans les 2 prochaines heures.", "fr", "2024-03-12T23:05",
     False),
    ("Rétablissement prévu dans environ 30 minutes.", "fr", "2024-03-12T21:35", True),
    ("Retour prévu dans une heure.", "fr", "2024-03-12T22:05", False),
    ("Remise en service prévue le 14 mars à 10 h UTC.", "fr", "2024-03-14T10:00", False),
])
def test_a_restoration_time_with_a_zone_or_a_duration_is_a_promise(
        text, lang, restoration, approximate):
    found = read_promise(text, POSTED, ZONE, lang)
    assert isinstance(found, Promised), found
    assert found.at.astimezone(UTC) == _utc(restoration)
    assert found.approximate is approximate
    assert found.at.tzinfo is not None


@pytest.mark.parametrize("text, lang, reason, words", [
    ("We hope to be back by 3pm.", "en", "no_zone", "We hope to be back by 3pm."),
    ("We expect to restore service by 16:00.", "en", "no_zone",
     "We expect to restore service by 16:00."),
    ("ETA 15:30 local time.", "en", "no_zone", "ETA 15:30 local time."),
    ("We expect to restore service by 14:00 CST.", "en", "ambiguous_zone",
     "We expect to restore service by 14:00 CST."),
    ("Expected back by 10:00 BST.", "en", "ambiguous_zone", "Expected back by 10:00 BST."),
    ("Expected back by 10:00 IST.", "en", "ambiguous_zone", "Expected back by 10:00 IST."),
    ("We expect recovery between 22:00 and 23:00 UTC.", "en", "several_times",
     "We expect recovery between 22:00 and 23:00 UTC."),
    ("We expect service back by 22:00 UTC. Full recovery is expected by 23:30 UTC.", "en",
     "several_times",
     "We expect service back by 22:00 UTC. … Full recovery is expected by 23:30 UTC."),
    # Posted 21:05 UTC: 20:00 UTC has passed, and the next day's is not within 12 hours.
    ("We expect to restore service by 20:00 UTC.", "en", "past",
     "We expect to restore service by 20:00 UTC."),
    ("Back online by 09:00 CEST on 4 March.", "en", "past",
     "Back online by 09:00 CEST on 4 March."),
    ("We expect to restore service by 09:00 UTC today.", "en", "past",
     "We expect to restore service by 09:00 UTC today."),
    ("Rétablissement prévu vers 14 h.", "fr", "no_zone", "Rétablissement prévu vers 14 h."),
    ("Rétablissement prévu entre 22 h et 23 h UTC.", "fr", "several_times",
     "Rétablissement prévu entre 22 h et 23 h UTC."),
])
def test_a_time_that_cannot_be_read_without_guessing_is_listed_with_why(
        text, lang, reason, words):
    found = read_promise(text, POSTED, ZONE, lang)
    assert found == Unclear(words, reason)


@pytest.mark.parametrize("text, lang", [
    ("The issue started at 13:05 UTC.", "en"),
    ("Errors began at 20:40 UTC for some customers.", "en"),
    ("Since 20:45 UTC, some checkouts have failed.", "en"),
    ("As of 21:00 UTC, error rates are falling.", "en"),
    ("The issue was resolved at 21:00 UTC.", "en"),
    ("We will post an update by 22:00 UTC.", "en"),
    ("Next update in 30 minutes.", "en"),
    ("We will provide more information within the next hour.", "en"),
    ("Orders placed between 20:50 and 21:00 UTC may show twice.", "en"),
    ("This incident has been resolved.", "en"),
    ("Some customers saw errors for 2 hours.", "en"),
    ("We are investigating reports of errors at checkout.", "en"),
    ("Le problème a commencé à 13 h 05.", "fr"),
    ("Les erreurs sont apparues vers 21 h UTC.", "fr"),
    ("Prochaine mise à jour dans 30 minutes.", "fr"),
    ("Depuis 20 h 45 UTC, certains paiements échouent.", "fr"),
])
def test_a_time_that_is_not_a_restoration_promise_is_none(text, lang):
    assert read_promise(text, POSTED, ZONE, lang) is None


def test_an_abbreviation_is_settled_by_the_records_zone_when_it_shows_that_name():
    # On 12 March 2024 Chicago keeps daylight time (CDT), and in January standard time (CST).
    winter = datetime(2024, 1, 10, 18, 0, tzinfo=UTC)  # 12:00 CST
    found = read_promise("We expect to restore service by 14:00 CST.", winter,
                         "America/Chicago", "en")
    assert isinstance(found, Promised)
    assert found.at.astimezone(UTC) == _utc("2024-01-10T20:00")
    assert isinstance(read_promise("We expect to restore service by 14:00 CST.", winter,
                                   "Europe/Paris", "en"), Unclear)


def test_an_overnight_promise_is_the_next_day_only_within_12_hours():
    late = datetime(2024, 3, 12, 23, 10, tzinfo=UTC)
    found = read_promise("We expect to restore service by 01:00 UTC.", late, ZONE, "en")
    assert isinstance(found, Promised)
    assert found.at - late == timedelta(hours=1, minutes=50)
    afternoon = datetime(2024, 3, 12, 15, 0, tzinfo=UTC)
    assert read_promise("We expect to restore service by 14:00 UTC.", afternoon, ZONE,
                        "en") == Unclear("We expect to restore service by 14:00 UTC.", "past")


def test_a_date_without_a_year_late_in_december_is_the_next_year():
    december = datetime(2024, 12, 30, 12, 0, tzinfo=UTC)
    found = read_promise("Service should be back by 10:00 UTC on 2 January.", december, ZONE,
                         "en")
    assert isinstance(found, Promised)
    assert found.at == datetime(2025, 1, 2, 10, 0, tzinfo=UTC)


def test_a_time_at_the_end_of_the_calendar_is_no_promise():
    end = datetime(9999, 12, 31, 23, 0, tzinfo=UTC)
    assert read_promise("We expect to restore service by 01:00 UTC.", end, ZONE, "en") is None


def test_only_the_first_part_of_a_very_long_text_is_read():
    far = " " * MAX_TEXT + "ETA 15:30 PDT"
    assert read_promise(far, POSTED, ZONE, "en") is None
    assert isinstance(read_promise("ETA 15:30 PDT" + far, POSTED, ZONE, "en"), Promised)


def test_a_naive_post_time_is_refused():
    with pytest.raises(ValueError):
        read_promise("ETA 15:30 PDT", datetime(2024, 3, 12, 21, 5), ZONE, "en")


@pytest.mark.parametrize("text", ["", "   ", "99:99 UTC", "by 25:00 UTC", "at 3 PM ZZZZZ",
                                  "within the next ∞ hours", "ETA 12:60 UTC", "\x00\n\n.",
                                  "back within " + "9" * 400 + " hours",
                                  "back in 99999999 minutes",
                                  # Long runs of spaces are read in one pass, not one per space.
                                  "ETA 14:00" + " " * 20_000, "by 14:00 (" + " " * 20_000,
                                  "Errors" + " " * 20_000 + "and more"])
def test_odd_texts_never_raise(text):
    found = read_promise(text, POSTED, ZONE, "en")
    assert found is None or isinstance(found, Promised | Unclear)
