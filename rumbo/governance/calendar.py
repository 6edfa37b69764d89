"""Meetings as iCalendar (RFC 5545), written by the icalendar library: one feed per body and one
per person. A calendar application cannot sign in, so a person's feed lives at a secret
address signed with the site's key (changing the key, or the person's password, changes it)."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django.contrib.auth import get_user_model
from django.core import signing
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from icalendar import Calendar, Event

from rumbo.governance.models import Meeting, MeetingStatus

_SALT = "rumbo.governance.calendar"
_STATUS = {
    MeetingStatus.CONVENED: "CONFIRMED",
    MeetingStatus.HELD: "CONFIRMED",
    MeetingStatus.CANCELLED: "CANCELLED",
}


def calendar_for_meetings(*, name: str, meetings: Iterable[Meeting], base_url: str) -> bytes:
    cal = Calendar()
    cal.add("prodid", "-//Rumbo//Gobernanza del plan//ES")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", name)
    stamp = timezone.now()
    host = base_url.split("//", 1)[-1].strip("/") or "rumbo"
    for meeting in meetings:
        event = Event()
        event.add("uid", f"meeting-{meeting.pk}@{host}")
        event.add("dtstamp", stamp)
        event.add("dtstart", meeting.starts_at.astimezone(datetime.UTC))
        event.add("dtend", meeting.ends_at.astimezone(datetime.UTC))
        event.add("summary", f"{meeting.body.name}: {meeting.title}")
        if meeting.place:
            event.add("location", meeting.place)
        if meeting.agenda:
            event.add("description", meeting.agenda)
        event.add("status", _STATUS.get(MeetingStatus(meeting.status), "CONFIRMED"))
        event.add(
            "url", base_url.rstrip("/") + reverse("governance:meeting", kwargs={"meeting_id": meeting.pk})
        )
        event.add("last-modified", meeting.updated_at.astimezone(datetime.UTC))
        cal.add_component(event)
    return bytes(cal.to_ical())


def _password_mark(user: Any) -> str:
    """Changes when the password changes; reveals nothing of the hash."""
    return salted_hmac(_SALT, user.password).hexdigest()[:16]


def person_calendar_token(user: Any) -> str:
    return signing.dumps({"u": user.pk, "p": _password_mark(user)}, salt=_SALT, compress=True)


def person_from_token(token: str) -> Any:
    try:
        data = signing.loads(token, salt=_SALT)
    except signing.BadSignature:
        return None
    user = get_user_model().objects.filter(pk=data.get("u"), is_active=True).first()
    if user is None or not constant_time_compare(_password_mark(user), str(data.get("p"))):
        return None
    return user
