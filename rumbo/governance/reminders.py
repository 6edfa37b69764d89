"""The owners of overdue agreements are told, like the monitoring alerts: one e-mail per owner
listing their agreements pending or in progress past the due date, with the link to each.

An owner is reached at the address of their account (a person of the entity, or a member of
the body with an account) or at the e-mail recorded for an external member; an office named in
words has no address and is left to the register and the dashboard panel.
"""

from __future__ import annotations

import datetime
from collections import defaultdict

from django.core.mail import send_mail
from django.urls import reverse
from django.utils.translation import gettext as _

from rumbo.governance.models import Agreement
from rumbo.governance.selectors import OPEN_STATUSES


def _owner_address(a: Agreement) -> str:
    if a.owner_user is not None:
        return (a.owner_user.email or "").strip().lower()
    if a.owner_member is not None:
        member = a.owner_member
        address = member.email or (member.user.email if member.user is not None else "")
        return (address or "").strip().lower()
    return ""


def agreement_reminders_send(*, today: datetime.date, base_url: str = "", plan_id: int | None = None) -> int:
    """E-mail each owner their overdue agreements; returns the number of e-mails sent."""
    rows = Agreement.objects.filter(status__in=OPEN_STATUSES, due_date__lt=today).select_related(
        "plan", "body", "owner_user", "owner_member", "owner_member__user"
    )
    if plan_id is not None:
        rows = rows.filter(plan_id=plan_id)
    by_owner: dict[str, list[Agreement]] = defaultdict(list)
    for a in rows.order_by("plan_id", "due_date", "number"):
        address = _owner_address(a)
        if address:
            by_owner[address].append(a)
    for address, items in by_owner.items():
        lines = [
            _("Agreements in your charge past their due date, on %(today)s:") % {"today": today.isoformat()},
            "",
        ]
        for a in items:
            url = base_url.rstrip("/") + reverse("governance:agreement", kwargs={"agreement_id": a.pk})
            lines.append(
                _("• %(plan)s, agreement %(number)s (%(body)s), due %(due)s: %(text)s — %(url)s")
                % {"plan": a.plan.name, "number": a.number, "body": a.body.name, "due": a.due_date.isoformat()
                   if a.due_date else "", "text": a.text[:200], "url": url}
            )  # fmt: skip
        subject = _("[Rumbo] %(count)s overdue agreements") % {"count": len(items)}
        send_mail(subject, "\n".join(lines), None, [address])
    return len(by_owner)
