"""Deterministic iCalendar feeds for benchmarks (W5): a realistic Google-Calendar-style export.

:func:`google_style_feed` writes what a busy person's exported calendar looks like: a VCALENDAR
with ``X-WR-TIMEZONE``, the VTIMEZONE blocks Google writes, thousands of single events spread
over about seven years, a few hundred recurring series (weekly, daily, monthly, yearly; with
UNTIL, COUNT, EXDATE and moved or cancelled instances as RECURRENCE-ID overrides), all-day
events, UTC times, long descriptions and attendee lists folded at 75 octets, alarms. Same
arguments, same text: the generator uses its own seeded ``random.Random``.
"""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta

__all__ = ["W5_WINDOW", "fold", "google_style_feed"]

# The 90-day window benchmark W5 expands (it contains the spring DST change in Europe and the US).
W5_WINDOW = (datetime.fromisoformat("2026-02-01T00:00:00+00:00"),
             datetime.fromisoformat("2026-05-02T00:00:00+00:00"))

_VTIMEZONES = {
    "Europe/Berlin": (
        "BEGIN:VTIMEZONE\r\nTZID:Europe/Berlin\r\nX-LIC-LOCATION:Europe/Berlin\r\n"
        "BEGIN:DAYLIGHT\r\nTZOFFSETFROM:+0100\r\nTZOFFSETTO:+0200\r\nTZNAME:CEST\r\n"
        "DTSTART:19700329T020000\r\nRRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\r\nEND:DAYLIGHT\r\n"
        "BEGIN:STANDARD\r\nTZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100\r\nTZNAME:CET\r\n"
        "DTSTART:19701025T030000\r\nRRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\r\nEND:STANDARD\r\n"
        "END:VTIMEZONE\r\n"
    ),
    "America/New_York": (
        "BEGIN:VTIMEZONE\r\nTZID:America/New_York\r\nX-LIC-LOCATION:America/New_York\r\n"
        "BEGIN:DAYLIGHT\r\nTZOFFSETFROM:-0500\r\nTZOFFSETTO:-0400\r\nTZNAME:EDT\r\n"
        "DTSTART:19700308T020000\r\nRRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=2SU\r\nEND:DAYLIGHT\r\n"
        "BEGIN:STANDARD\r\nTZOFFSETFROM:-0400\r\nTZOFFSETTO:-0500\r\nTZNAME:EST\r\n"
        "DTSTART:19701101T020000\r\nRRULE:FREQ=YEARLY;BYMONTH=11;BYDAY=1SU\r\nEND:STANDARD\r\n"
        "END:VTIMEZONE\r\n"
    ),
}

_WORDS = (
    "planning", "review", "sync", "budget", "roadmap", "customer", "onboarding", "retro",
    "design", "hiring", "interview", "quarterly", "release", "incident", "follow-up", "workshop",
    "training", "lunch", "dentist", "school", "pickup", "Übergabe", "Besprechung", "café",
    "naïve", "déjà-vu", "team", "product", "marketing", "sales", "legal", "offsite",
)
_NAMES = ("anna", "ben", "chloé", "dmitri", "eva", "farid", "grace", "hiro", "ines", "jonas",
          "kofi", "lena", "mateo", "nina", "oskar", "priya", "quentin", "rosa", "sven", "tara")


def fold(line: str) -> str:
    """Return ``line`` folded as RFC 5545 asks: pieces of at most 75 octets, CRLF + space between.

    Never splits a UTF-8 character.
    """
    if len(line) <= 75 and line.isascii():
        return line + "\r\n"
    out: list[str] = []
    piece: list[str] = []
    size = 0
    limit = 75
    for ch in line:
        n = len(ch.encode("utf-8"))
        if size + n > limit:
            out.append("".join(piece))
            piece, size, limit = [], 0, 74  # continuation lines start with a space
        piece.append(ch)
        size += n
    out.append("".join(piece))
    return "\r\n ".join(out) + "\r\n"


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def _sentence(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(_WORDS) for _ in range(n))


def _stamp(moment: datetime) -> str:
    return moment.strftime("%Y%m%dT%H%M%SZ")


def _local(moment: datetime) -> str:
    return moment.strftime("%Y%m%dT%H%M%S")


class _Writer:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.parts: list[str] = []
        self.uid_n = 0

    def line(self, text: str) -> None:
        self.parts.append(fold(text))

    def uid(self) -> str:
        self.uid_n += 1
        return f"{self.rng.getrandbits(64):016x}{self.uid_n:06d}@google.com"

    def common(self, uid: str, sequence: int, status: str = "CONFIRMED",
               transp: str = "OPAQUE") -> None:
        rng = self.rng
        created = datetime(2019, 1, 1) + timedelta(seconds=rng.randrange(7 * 365 * 86400))
        self.line(f"DTSTAMP:{_stamp(datetime(2026, 1, 15, 8, 0, 0))}")
        self.line(f"UID:{uid}")
        for _ in range(rng.choice((0, 0, 1, 1, 2, 4))):
            name = rng.choice(_NAMES)
            partstat = rng.choice(("ACCEPTED", "NEEDS-ACTION", "TENTATIVE", "DECLINED"))
            self.line(f"ATTENDEE;CUTYPE=INDIVIDUAL;ROLE=REQ-PARTICIPANT;PARTSTAT={partstat};"
                      f"CN={name}@example.com;X-NUM-GUESTS=0:mailto:{name}@example.com")
        self.line(f"CREATED:{_stamp(created)}")
        desc = _escape(_sentence(rng, rng.randrange(2, 12)) + "\n\nJoin: https://meet.example.com/"
                       + f"{rng.getrandbits(40):010x}\n" + _sentence(rng, rng.randrange(0, 6)))
        self.line(f"DESCRIPTION:{desc}")
        self.line(f"LAST-MODIFIED:{_stamp(created + timedelta(days=3))}")
        self.line(f"LOCATION:{_escape(_sentence(rng, 3).title())}\\, Room {rng.randrange(1, 500)}")
        self.line(f"SEQUENCE:{sequence}")
        self.line(f"STATUS:{status}")
        self.line(f"SUMMARY:{_escape(_sentence(rng, rng.randrange(2, 7)).capitalize())}")
        self.line(f"TRANSP:{transp}")
        if rng.random() < 0.5:
            self.parts.append("BEGIN:VALARM\r\nACTION:DISPLAY\r\nDESCRIPTION:This is an event "
                              "reminder\r\nTRIGGER:-P0DT0H10M0S\r\nEND:VALARM\r\n")

    def times(self, start: datetime, minutes: int, zone: str, prop: str = "DTSTART") -> None:
        if zone == "UTC":
            self.line(f"{prop}:{_stamp(start)}")
            if prop == "DTSTART":
                self.line(f"DTEND:{_stamp(start + timedelta(minutes=minutes))}")
        else:
            self.line(f"{prop};TZID={zone}:{_local(start)}")
            if prop == "DTSTART":
                self.line(f"DTEND;TZID={zone}:{_local(start + timedelta(minutes=minutes))}")


def _zone(rng: random.Random) -> str:
    r = rng.random()
    return "Europe/Berlin" if r < 0.7 else ("America/New_York" if r < 0.85 else "UTC")


def _start(rng: random.Random) -> datetime:
    day = date(2020, 1, 1) + timedelta(days=rng.randrange(7 * 365))
    return datetime(day.year, day.month, day.day, rng.randrange(7, 19), rng.choice((0, 15, 30, 45)))


def google_style_feed(n_events: int = 5000, n_recurring: int = 200, seed: int = 20261201) -> str:
    """Return a Google-style iCalendar feed (CRLF text) with ``n_events`` single events and
    ``n_recurring`` recurring series; about 3.8 MB with the defaults.

    Single events: 90% timed (70% ``TZID=Europe/Berlin``, 15% ``America/New_York``, 15% UTC),
    10% all-day; 3% cancelled, 5% transparent. Series: weekly on one to three days, daily on
    weekdays, monthly by weekday, yearly; a third end with UNTIL (in UTC, as Google writes it),
    a sixth with COUNT; a quarter have EXDATEs, and one in five has moved or cancelled instances
    (RECURRENCE-ID overrides, extra VEVENTs on top of ``n_events``).
    """
    rng = random.Random(seed)
    w = _Writer(rng)
    w.parts.append("BEGIN:VCALENDAR\r\nPRODID:-//Google Inc//Google Calendar 70.9054//EN\r\n"
                   "VERSION:2.0\r\nCALSCALE:GREGORIAN\r\nMETHOD:PUBLISH\r\n"
                   "X-WR-CALNAME:someone@example.com\r\nX-WR-TIMEZONE:Europe/Berlin\r\n")
    for text in _VTIMEZONES.values():
        w.parts.append(text)
    for _ in range(n_events):
        w.line("BEGIN:VEVENT")
        if rng.random() < 0.1:
            day = _start(rng).date()
            w.line(f"DTSTART;VALUE=DATE:{day:%Y%m%d}")
            last = day + timedelta(days=rng.choice((1, 1, 1, 2, 3, 7)))
            w.line(f"DTEND;VALUE=DATE:{last:%Y%m%d}")
        else:
            w.times(_start(rng), rng.choice((15, 30, 30, 45, 60, 60, 90, 120, 240)), _zone(rng))
        r = rng.random()
        w.common(w.uid(), rng.choice((0, 0, 0, 1, 2)),
                 status="CANCELLED" if r < 0.03 else ("TENTATIVE" if r < 0.08 else "CONFIRMED"),
                 transp="TRANSPARENT" if rng.random() < 0.05 else "OPAQUE")
        w.line("END:VEVENT")
    for _ in range(n_recurring):
        zone = _zone(rng)
        start = _start(rng) - timedelta(days=rng.randrange(0, 3 * 365))
        minutes = rng.choice((15, 30, 30, 60, 60, 90))
        kind = rng.random()
        if kind < 0.55:
            days = sorted(rng.sample(range(5), rng.choice((1, 1, 2, 3))))
            byday = ",".join(("MO", "TU", "WE", "TH", "FR")[d] for d in days)
            rule = f"FREQ=WEEKLY;BYDAY={byday}"
            if rng.random() < 0.3:
                rule += ";INTERVAL=2;WKST=MO"
            step = timedelta(days=7)
        elif kind < 0.75:
            rule = "FREQ=DAILY;BYDAY=MO,TU,WE,TH,FR"
            step = timedelta(days=1)
        elif kind < 0.92:
            nth = rng.choice((1, 2, 3, -1))
            rule = f"FREQ=MONTHLY;BYDAY={nth}{('MO', 'TU', 'WE', 'TH', 'FR')[rng.randrange(5)]}"
            step = timedelta(days=30)
        else:
            rule = "FREQ=YEARLY"
            step = timedelta(days=365)
        end_kind = rng.random()
        if end_kind < 0.33:
            until = start + timedelta(days=rng.randrange(30, 6 * 365))
            rule += f";UNTIL={_stamp(until)}"
        elif end_kind < 0.5:
            rule += f";COUNT={rng.randrange(5, 400)}"
        uid = w.uid()
        seq = rng.choice((0, 1, 2))
        w.line("BEGIN:VEVENT")
        w.times(start, minutes, zone)
        w.line(f"RRULE:{rule}")
        if rng.random() < 0.25:
            for _ in range(rng.randrange(1, 6)):
                ex = start + step * rng.randrange(1, 200)
                w.line(f"EXDATE:{_stamp(ex)}" if zone == "UTC"
                       else f"EXDATE;TZID={zone}:{_local(ex)}")
        w.common(uid, seq)
        w.line("END:VEVENT")
        if rng.random() < 0.2:
            for _ in range(rng.randrange(1, 4)):
                original = start + step * rng.randrange(1, 150)
                moved = original + timedelta(hours=rng.choice((-2, -1, 1, 2, 24)))
                w.line("BEGIN:VEVENT")
                w.times(moved, minutes, zone)
                w.times(original, minutes, zone, prop="RECURRENCE-ID")
                w.common(uid, seq + 1,
                         status="CANCELLED" if rng.random() < 0.3 else "CONFIRMED")
                w.line("END:VEVENT")
    w.parts.append("END:VCALENDAR\r\n")
    return "".join(w.parts)
