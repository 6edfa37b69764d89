"""The bodies that run a plan, their members, meetings, minutes and the agreements register.

A body (órgano) belongs to a plan, or to an entity and serves all its plans. Its members are
people with an account or external members (name, organisation, sector); contact fields of
external members are private. A meeting is convened with an agenda, records attendance, and has
minutes that are drafted, circulated and approved, then locked (every saved text is a version).
Every agreement comes from a meeting, has an owner and a due date, and concerns plan items.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from rumbo.accounts.models import Entity
from rumbo.indicators.models import CorrectiveAction
from rumbo.investments.models import Project
from rumbo.plans.models import LegalAct, Node, Plan


class BodyKind(models.TextChoices):
    COUNCIL = "council", _("Council")  # concejo / cabildo acting on the plan (Concejo Metropolitano)
    COMMISSION = "commission", _("Commission")  # comisión (Comisión Provincial de Gestión del Territorio)
    INSTITUTE = "institute", _("Planning institute")  # instituto de planificación (IMPLAN-like, provincial)
    ASSEMBLY = "assembly", _("Assembly")  # asamblea (de municipalidades, of an institute)
    TECHNICAL_TEAM = "technical_team", _("Technical team")  # equipo técnico
    MANAGEMENT_COMMITTEE = "management_committee", _("Management committee")  # comité de gestión (oversight)
    PROMOTER_GROUP = "promoter_group", _("Promoter group")  # grupo promotor
    ADVISORY_GROUP = "advisory_group", _("Advisory group")  # grupo asesor of experts
    CITIZEN_ROUNDTABLE = "citizen_roundtable", _("Citizen roundtable")  # mesa de concertación ciudadana
    TECHNICAL_OFFICE = "technical_office", _("Technical office")  # oficina técnica (secretaría técnica)
    MUNICIPAL_COMMITTEE = "municipal_committee", _("Municipal land-use committee")  # comité municipal de OT
    IMPLAN = "implan", _("Municipal planning institute (IMPLAN)")  # instituto municipal de planeación
    COPLADEM = "coplademun", _("Municipal development planning committee")  # COPLADEM / COPLADEMUN
    PROJECT_COMMITTEE = "project_committee", _("Project management committee")  # of one specific project
    OTHER = "other", _("Other body")


class QuorumRule(models.TextChoices):
    MAJORITY = "majority", _("More than half of the voting members")  # mayoría absoluta
    TWO_THIRDS = "two_thirds", _("Two thirds of the voting members")  # mayoría calificada
    COUNT = "count", _("A fixed number of voting members")  # the statute names the number
    NONE = "none", _("No quorum required")  # working groups, technical teams


class Body(models.Model):
    entity = models.ForeignKey(Entity, on_delete=models.CASCADE, related_name="bodies")
    plan = models.ForeignKey(
        Plan,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="bodies",
        help_text=_("Empty: the body belongs to the entity and serves all its plans."),
    )
    kind = models.CharField(_("kind"), max_length=30, choices=BodyKind.choices)
    name = models.CharField(_("name"), max_length=200)
    purpose = models.TextField(_("purpose"), blank=True, default="")
    legal_act = models.ForeignKey(
        LegalAct,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="bodies",
        verbose_name=_("constituted by"),
    )
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        verbose_name=_("part of"),
    )
    formerly = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="became",
        verbose_name=_("formerly"),
        help_text=_("The body this one came from (a roundtable that became a thematic committee)."),
    )
    quorum_rule = models.CharField(
        _("quorum"), max_length=12, choices=QuorumRule.choices, default=QuorumRule.MAJORITY
    )
    quorum_count = models.PositiveIntegerField(_("quorum (members)"), null=True, blank=True)
    is_public = models.BooleanField(
        _("public"),
        default=True,
        help_text=_(
            "Shown on the public site when its plan is published: members, meetings and approved minutes."
        ),
    )
    installed_on = models.DateField(_("installed on"), null=True, blank=True)
    dissolved_on = models.DateField(_("dissolved on"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["entity", "name"]
        verbose_name = _("body")
        verbose_name_plural = _("bodies")

    def __str__(self) -> str:
        return self.name


class MemberSector(models.TextChoices):
    PUBLIC = "public", _("Public sector")
    PRIVATE = "private", _("Private sector")
    ACADEMIA = "academia", _("Academia")
    CIVIL_SOCIETY = "civil_society", _("Civil society")
    CHURCH = "church", _("Church")
    UTILITIES = "utilities", _("Utilities")  # empresas de servicios públicos
    PROFESSIONAL = "professional", _("Professional association")  # colegios profesionales
    INTERNATIONAL = "international", _("International cooperation")
    OTHER = "other", _("Other")


class MemberRole(models.TextChoices):
    PRESIDENT = "president", _("President")  # convenes, may approve minutes
    VICE_PRESIDENT = "vice_president", _("Vice-president")
    TECHNICAL_SECRETARY = "technical_secretary", _("Technical secretary")  # keeps the record; edits
    MEMBER = "member", _("Member")
    GUEST = "guest", _("Guest")  # takes part without vote; never counts for the quorum


class BodyMember(models.Model):
    """A seat in a body: a person with an account, or an external member by name. `email` and
    `phone` are private (never on the public site or the anonymous API)."""

    body = models.ForeignKey(Body, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="body_seats"
    )
    name = models.CharField(_("name"), max_length=200)
    organisation = models.CharField(_("organisation"), max_length=200, blank=True, default="")
    represents = models.CharField(
        _("represents"),
        max_length=200,
        blank=True,
        default="",
        help_text=_("The municipality or organisation the member speaks for."),
    )
    sector = models.CharField(
        _("sector"), max_length=20, choices=MemberSector.choices, default=MemberSector.PUBLIC
    )
    role = models.CharField(_("role"), max_length=20, choices=MemberRole.choices, default=MemberRole.MEMBER)
    email = models.EmailField(_("e-mail"), blank=True, default="")
    phone = models.CharField(_("phone"), max_length=40, blank=True, default="")
    joined_on = models.DateField(_("joined on"))
    left_on = models.DateField(_("left on"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["body", "joined_on", "name"]
        verbose_name = _("body member")
        verbose_name_plural = _("body members")

    def __str__(self) -> str:
        return self.name

    @property
    def votes(self) -> bool:
        return self.role != MemberRole.GUEST


class MeetingStatus(models.TextChoices):
    CONVENED = "convened", _("Convened")  # called, not held yet
    HELD = "held", _("Held")  # took place; attendance recorded
    CANCELLED = "cancelled", _("Cancelled")


class Meeting(models.Model):
    body = models.ForeignKey(Body, on_delete=models.CASCADE, related_name="meetings")
    title = models.CharField(_("title"), max_length=200)
    agenda = models.TextField(_("agenda"), blank=True, default="")
    place = models.CharField(_("place"), max_length=300, blank=True, default="")
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    status = models.CharField(
        _("status"), max_length=12, choices=MeetingStatus.choices, default=MeetingStatus.CONVENED
    )
    attendance_list = models.FileField(
        _("signed attendance list"), upload_to="governance/attendance/%Y/", blank=True
    )
    attendance_list_name = models.CharField(max_length=255, blank=True, default="")
    attendance_list_sha256 = models.CharField(max_length=64, blank=True, default="")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-starts_at"]
        indexes = [models.Index(fields=["body", "starts_at"])]
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")

    def __str__(self) -> str:
        return self.title


class AttendanceStatus(models.TextChoices):
    PRESENT = "present", _("Present")
    EXCUSED = "excused", _("Excused")  # absent with an excuse
    ABSENT = "absent", _("Absent")


class Attendance(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendance")
    member = models.ForeignKey(BodyMember, on_delete=models.CASCADE, related_name="attendance")
    status = models.CharField(_("attendance"), max_length=10, choices=AttendanceStatus.choices)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["meeting", "member"], name="attendance_once")]
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")

    def __str__(self) -> str:
        return f"{self.member} · {self.get_status_display()}"


class MinutesStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")  # being written by the technical secretary
    CIRCULATED = "circulated", _("Circulated")  # sent to the members for remarks
    APPROVED = "approved", _("Approved")  # approved by the body or its president: locked


class MinutesApproval(models.TextChoices):
    AT_MEETING = "at_meeting", _("Approved by the body at a later meeting")
    BY_PRESIDENT = "by_president", _("Approved by the president")


class Minutes(models.Model):
    """The minutes (acta) of one meeting. `version` counts the texts saved; each is kept in
    MinutesVersion. Once approved they are locked: no service changes them."""

    meeting = models.OneToOneField(Meeting, on_delete=models.CASCADE, related_name="minutes")
    text = models.TextField(_("text"))
    status = models.CharField(
        _("status"), max_length=12, choices=MinutesStatus.choices, default=MinutesStatus.DRAFT
    )
    version = models.PositiveIntegerField(default=1)
    approval = models.CharField(
        _("approval"), max_length=12, choices=MinutesApproval.choices, blank=True, default=""
    )
    approved_in = models.ForeignKey(
        Meeting, null=True, blank=True, on_delete=models.PROTECT, related_name="approved_minutes"
    )
    approved_on = models.DateField(_("approved on"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("minutes")
        verbose_name_plural = _("minutes")

    def __str__(self) -> str:
        return str(_("Minutes of %(meeting)s") % {"meeting": self.meeting})


class MinutesVersion(models.Model):
    minutes = models.ForeignKey(Minutes, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    text = models.TextField()
    status = models.CharField(max_length=12, choices=MinutesStatus.choices)
    saved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    saved_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["minutes", "number"]
        constraints = [models.UniqueConstraint(fields=["minutes", "number"], name="minutes_version_once")]

    def __str__(self) -> str:
        return f"{self.minutes} · v{self.number}"


class AgreementStatus(models.TextChoices):
    PENDING = "pending", _("Pending")  # agreed, not started
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    DROPPED = "dropped", _("Dropped")  # abandoned, with a reason; final
    # "overdue" is not stored: an agreement pending or in progress past its due date is overdue
    # (agreement_state), so that it turns overdue at midnight without a job


class Agreement(models.Model):
    """An agreement (acuerdo/compromiso) taken at a meeting: who does what by when, and the plan
    items it moves. The owner is a person with an account of the entity, a member of the body,
    or an office named in words."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="agreements")
    body = models.ForeignKey(Body, on_delete=models.CASCADE, related_name="agreements")
    meeting = models.ForeignKey(
        Meeting, null=True, blank=True, on_delete=models.PROTECT, related_name="agreements"
    )
    convenio = models.ForeignKey(
        "Convenio", null=True, blank=True, on_delete=models.PROTECT, related_name="commitments"
    )  # a commitment written in a convenio rather than taken at a meeting
    number = models.PositiveIntegerField(_("number"))
    text = models.TextField(_("agreement"))
    owner_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="agreements_owned",
    )
    owner_member = models.ForeignKey(
        BodyMember, null=True, blank=True, on_delete=models.SET_NULL, related_name="agreements_owned"
    )
    owner_office = models.CharField(_("responsible office"), max_length=200, blank=True, default="")
    due_date = models.DateField(_("due date"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=AgreementStatus.choices, default=AgreementStatus.PENDING
    )
    done_on = models.DateField(_("done on"), null=True, blank=True)
    dropped_reason = models.TextField(_("reason for dropping"), blank=True, default="")
    nodes = models.ManyToManyField(Node, blank=True, related_name="agreements")
    projects = models.ManyToManyField(Project, blank=True, related_name="agreements")
    corrective_actions = models.ManyToManyField(CorrectiveAction, blank=True, related_name="agreements")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["plan", "number"]
        constraints = [models.UniqueConstraint(fields=["plan", "number"], name="agreement_number_per_plan")]
        indexes = [models.Index(fields=["plan", "status", "due_date"])]
        verbose_name = _("agreement")
        verbose_name_plural = _("agreements")

    def __str__(self) -> str:
        return str(_("Agreement %(number)s") % {"number": self.number})


class AgreementNote(models.Model):
    """A follow-up of an agreement: what was done, with evidence; a status change leaves one too."""

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="notes")
    text = models.TextField(_("note"))
    status_from = models.CharField(max_length=12, choices=AgreementStatus.choices, blank=True, default="")
    status_to = models.CharField(max_length=12, choices=AgreementStatus.choices, blank=True, default="")
    evidence = models.FileField(_("evidence"), upload_to="governance/agreements/%Y/", blank=True)
    evidence_name = models.CharField(max_length=255, blank=True, default="")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["agreement", "created_at", "id"]
        verbose_name = _("follow-up note")
        verbose_name_plural = _("follow-up notes")

    def __str__(self) -> str:
        return self.text[:80]


# --- convenios and contributions ---------------------------------------------------------------


class Convenio(models.Model):
    """An agreement document between entities (a convenio: the six municipalities and the
    institute), with its term and commitments (agreements with `convenio` set) and the
    contributions of each party."""

    entity = models.ForeignKey(Entity, on_delete=models.CASCADE, related_name="convenios")
    plan = models.ForeignKey(Plan, null=True, blank=True, on_delete=models.CASCADE, related_name="convenios")
    body = models.ForeignKey(
        Body,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="convenios",
        verbose_name=_("body"),
    )
    title = models.CharField(_("title"), max_length=300)
    number = models.CharField(_("number"), max_length=100, blank=True, default="")
    purpose = models.TextField(_("purpose"), blank=True, default="")
    signed_on = models.DateField(_("signed on"))
    starts_on = models.DateField(_("in force from"))
    ends_on = models.DateField(_("in force until"), null=True, blank=True)
    document = models.FileField(_("document"), upload_to="governance/convenios/%Y/", blank=True)
    document_name = models.CharField(max_length=255, blank=True, default="")
    is_public = models.BooleanField(_("public"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["entity", "-signed_on"]
        verbose_name = _("convenio")
        verbose_name_plural = _("convenios")

    def __str__(self) -> str:
        return self.title


class ConvenioParty(models.Model):
    """A party to a convenio: an entity registered in Rumbo, or an organisation named in words."""

    convenio = models.ForeignKey(Convenio, on_delete=models.CASCADE, related_name="parties")
    party_entity = models.ForeignKey(
        Entity, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(_("name"), max_length=200)
    role = models.CharField(_("role"), max_length=200, blank=True, default="")

    class Meta:
        ordering = ["convenio", "name"]
        constraints = [models.UniqueConstraint(fields=["convenio", "name"], name="convenio_party_once")]
        verbose_name = _("party")
        verbose_name_plural = _("parties")

    def __str__(self) -> str:
        return self.name


class ContributionKind(models.TextChoices):
    FIXED = "fixed", _("Fixed")  # recurring: salaries and logistics of the technical team (seed 001)
    VARIABLE = "variable", _("Variable")  # per study or work: pre-investment studies, works


class Contribution(models.Model):
    """What a party commits and pays in a year, fixed or variable, from a funding source of the
    investments catalogue. Paid above committed is refused unless `over_reason` says why."""

    party = models.ForeignKey(ConvenioParty, on_delete=models.CASCADE, related_name="contributions")
    year = models.PositiveSmallIntegerField(_("year"))
    kind = models.CharField(_("kind"), max_length=10, choices=ContributionKind.choices)
    concept = models.CharField(_("concept"), max_length=300, blank=True, default="")
    committed = models.DecimalField(_("committed"), max_digits=18, decimal_places=2)
    paid = models.DecimalField(_("paid"), max_digits=18, decimal_places=2, default=0)
    source = models.ForeignKey(
        "investments.FundingSource", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("funding source"),
    )  # fmt: skip
    over_reason = models.CharField(
        _("why more was paid than committed"), max_length=300, blank=True, default=""
    )

    class Meta:
        ordering = ["party", "year", "kind", "pk"]
        verbose_name = _("contribution")
        verbose_name_plural = _("contributions")

    def __str__(self) -> str:
        return f"{self.party} · {self.year} · {self.get_kind_display()}"


# --- risks and success assumptions -------------------------------------------------------------


class RiskKind(models.TextChoices):
    RISK = "risk", _("Risk")  # something to avoid (seed 001: riesgos a evitar)
    ASSUMPTION = "assumption", _("Success assumption")  # something that must hold (supuestos de éxito)


class RiskState(models.TextChoices):
    OPEN = "open", _("Open")  # a risk being watched
    MITIGATED = "mitigated", _("Mitigated")
    OCCURRED = "occurred", _("Occurred")  # the risk materialised
    CLOSED = "closed", _("Closed")  # no longer relevant
    HOLDS = "holds", _("Holds")  # an assumption still true
    AT_RISK = "at_risk", _("At risk")  # an assumption weakening
    FAILED = "failed", _("Failed")  # an assumption that no longer holds


RISK_STATES = {
    RiskKind.RISK: (RiskState.OPEN, RiskState.MITIGATED, RiskState.OCCURRED, RiskState.CLOSED),
    RiskKind.ASSUMPTION: (RiskState.HOLDS, RiskState.AT_RISK, RiskState.FAILED, RiskState.CLOSED),
}


class Risk(models.Model):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="risks")
    node = models.ForeignKey(Node, null=True, blank=True, on_delete=models.SET_NULL, related_name="risks")
    project = models.ForeignKey(
        Project, null=True, blank=True, on_delete=models.SET_NULL, related_name="risks"
    )
    kind = models.CharField(_("kind"), max_length=12, choices=RiskKind.choices, default=RiskKind.RISK)
    description = models.TextField(_("description"))
    likelihood = models.PositiveSmallIntegerField(_("likelihood (1–5)"), default=3)
    impact = models.PositiveSmallIntegerField(_("impact (1–5)"), default=3)
    owner = models.CharField(_("owner"), max_length=200, blank=True, default="")
    mitigation = models.TextField(_("mitigation"), blank=True, default="")
    evidence = models.TextField(_("evidence that it still holds"), blank=True, default="")
    state = models.CharField(_("state"), max_length=12, choices=RiskState.choices, default=RiskState.OPEN)
    review_on = models.DateField(_("next review"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["plan", "kind", "-impact", "-likelihood", "pk"]
        verbose_name = _("risk or assumption")
        verbose_name_plural = _("risks and assumptions")

    def __str__(self) -> str:
        return self.description[:80]

    @property
    def score(self) -> int:
        return int(self.likelihood) * int(self.impact)


class RiskReview(models.Model):
    """One review of a risk or assumption: its state, likelihood and impact then, and why."""

    risk = models.ForeignKey(Risk, on_delete=models.CASCADE, related_name="reviews")
    state = models.CharField(max_length=12, choices=RiskState.choices)
    likelihood = models.PositiveSmallIntegerField()
    impact = models.PositiveSmallIntegerField()
    note = models.TextField(blank=True, default="")
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["risk", "-reviewed_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.risk} · {self.state}"


# --- dissemination -----------------------------------------------------------------------------


class ActivityKind(models.TextChoices):
    PRESENTATION = "presentation", _("Public presentation")  # acto de presentación pública del plan
    WORKSHOP = "workshop", _("Workshop")  # talleres en colegios, universidades, organizaciones
    EXHIBITION = "exhibition", _("Itinerant exhibition")  # exposición itinerante en distritos
    PUBLICATION = "publication", _("Publication delivered")  # documento ejecutivo, folletos
    PRESS = "press", _("Press conference")
    OTHER = "other", _("Other activity")


class Audience(models.TextChoices):
    GENERAL = "general", _("General public")
    SCHOOLS = "schools", _("Schools")
    UNIVERSITIES = "universities", _("Universities")
    INSTITUTIONS = "institutions", _("Local institutions")
    CIVIL_SOCIETY = "civil_society", _("Civil society organisations")
    OFFICIALS = "officials", _("Officials and councillors")
    PRESS = "press", _("Press")


class Material(models.TextChoices):
    NONE = "", _("—")
    EXECUTIVE_DOCUMENT = "executive_document", _("Executive document of the plan")  # documento ejecutivo
    INSTITUTIONAL_LEAFLET = (
        "institutional_leaflet",
        _("Institutional leaflet"),
    )  # folleto de difusión institucional
    POPULAR_LEAFLET = "popular_leaflet", _("Popular leaflet")  # folleto de difusión popular
    OTHER = "other", _("Other material")


class DisseminationActivity(models.Model):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="dissemination")
    kind = models.CharField(_("kind"), max_length=14, choices=ActivityKind.choices)
    title = models.CharField(_("title"), max_length=300)
    audience = models.CharField(
        _("audience"), max_length=14, choices=Audience.choices, default=Audience.GENERAL
    )
    held_on = models.DateField(_("date"))
    place = models.CharField(_("place"), max_length=300, blank=True, default="")
    unit = models.ForeignKey(
        "territory.TerritorialUnit", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("district"),
    )  # fmt: skip
    material = models.CharField(
        _("material"), max_length=24, choices=Material.choices, blank=True, default=""
    )
    attendees = models.PositiveIntegerField(_("attendees"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["plan", "-held_on", "pk"]
        verbose_name = _("dissemination activity")
        verbose_name_plural = _("dissemination activities")

    def __str__(self) -> str:
        return self.title


class ProofKind(models.TextChoices):
    ATTENDANCE_LIST = "attendance_list", _("Attendance list")
    RECEIPT = "receipt", _("Delivery receipt")  # cargo de entrega: how many copies to whom
    PHOTO = "photo", _("Photo")


class DisseminationProof(models.Model):
    activity = models.ForeignKey(DisseminationActivity, on_delete=models.CASCADE, related_name="proofs")
    kind = models.CharField(_("kind"), max_length=16, choices=ProofKind.choices)
    file = models.FileField(upload_to="governance/dissemination/%Y/")
    name = models.CharField(max_length=255)
    sha256 = models.CharField(max_length=64)
    recipient = models.CharField(_("delivered to"), max_length=200, blank=True, default="")
    copies = models.PositiveIntegerField(_("copies"), null=True, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["activity", "uploaded_at", "pk"]

    def __str__(self) -> str:
        return self.name


# --- the action plan ---------------------------------------------------------------------------


class ActionStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")
    # "late" is not stored: planned or in progress past its end date


class PlanAction(models.Model):
    """Who does what by when (the plan de acción): an action tied to plan items, with its
    responsible person or institution and dates."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="actions")
    title = models.CharField(_("action"), max_length=300)
    node = models.ForeignKey(Node, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    project = models.ForeignKey(Project, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    body = models.ForeignKey(Body, null=True, blank=True, on_delete=models.SET_NULL, related_name="actions")
    responsible = models.CharField(_("responsible"), max_length=200)
    starts_on = models.DateField(_("start"))
    ends_on = models.DateField(_("end"))
    status = models.CharField(
        _("status"), max_length=12, choices=ActionStatus.choices, default=ActionStatus.PLANNED
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["plan", "starts_on", "pk"]
        verbose_name = _("action of the action plan")
        verbose_name_plural = _("action plan")

    def __str__(self) -> str:
        return self.title


class MinutesRemark(models.Model):
    """A member's remark on minutes circulated for review (members read and comment)."""

    minutes = models.ForeignKey(Minutes, on_delete=models.CASCADE, related_name="remarks")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    author_name = models.CharField(max_length=200)
    text = models.TextField(_("remark"))
    version = models.PositiveIntegerField()  # the version of the minutes it is about
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["minutes", "created_at", "pk"]
        verbose_name = _("remark on the minutes")
        verbose_name_plural = _("remarks on the minutes")

    def __str__(self) -> str:
        return self.text[:80]
