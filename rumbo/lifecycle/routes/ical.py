"""iCalendar (RFC 5545) export of a plan's due dates, written by hand: CRLF line endings, text
escaping (backslash, semicolon, comma, newline) and lines folded at 75 octets."""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from rumbo.lifecycle.routes.selectors import DeadlineRow

PRODID = "-//Rumbo//Plazos del plan//ES"
MAX_OCTETS = 75


def ical_escape(text: str) -> str:
    """Escape a TEXT value (RFC 5545 §3.3.11)."""
    return (
        text.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
        .replace("\r", "\\n")
    )


def ical_fold(line: str) -> str:
    """Fold a content line into pieces of at most 75 octets, never splitting a UTF-8 character;
    continuation lines start with one space (RFC 5545 §3.1)."""
    pieces: list[str] = []
    current = ""
    size = 0
    limit = MAX_OCTETS
    for char in line:
        width = len(char.encode("utf-8"))
        if size + width > limit:
            pieces.append(current)
            current, size = " ", 1
            limit = MAX_OCTETS
        current += char
        size += width
    pieces.append(current)
    return "\r\n".join(pieces)


def deadlines_ical(
    *, deadlines: Iterable[DeadlineRow], calendar_name: str, uid_domain: str, now: datetime.datetime
) -> str:
    """A VCALENDAR with one all-day VEVENT per due date; DESCRIPTION carries the rule and basis."""
    stamp = now.astimezone(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODID}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{ical_escape(calendar_name)}",
    ]
    for row in deadlines:
        description = "\n".join(
            x
            for x in (
                row.context,
                row.rule,
                row.basis,
                row.consequences,
            )
            if x
        )
        lines += [
            "BEGIN:VEVENT",
            f"UID:{row.uid}@{uid_domain}",
            f"DTSTAMP:{stamp}",
            f"DTSTART;VALUE=DATE:{row.due.strftime('%Y%m%d')}",
            f"DTEND;VALUE=DATE:{(row.due + datetime.timedelta(days=1)).strftime('%Y%m%d')}",
            f"SUMMARY:{ical_escape(row.title)}",
            f"DESCRIPTION:{ical_escape(description)}",
            "TRANSP:TRANSPARENT",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return "".join(ical_fold(line) + "\r\n" for line in lines)
