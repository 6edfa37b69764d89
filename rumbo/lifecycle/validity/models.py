"""Validity (vigencia) of plans: the legal facts a plan's dates are computed from, the events
that change what is in force, and per-municipality exceptions to Colombia's period table.

Dates are never stored here: they are computed on demand by `vigencia.vigencia_compute` from
these facts and the rules in `data/`, so that a corrected rule corrects every plan.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from rumbo.plans.models import LegalAct, Plan
from rumbo.territory.models import TerritorialUnit

__all__ = ["PeriodOverride", "PlanStatusEvent", "PlanStatusEventKind", "PlanValidity", "ValidityRegime"]


class PeriodOverride(models.Model):
    """An atypical constitutional period of one Colombian municipality (CE conceptos 1546 and
    1608 de 2004). For that municipality it wins over the national period table."""

    unit = models.ForeignKey(
        TerritorialUnit, verbose_name=_("municipality"), on_delete=models.CASCADE, related_name="+"
    )
    start = models.DateField(_("start"))
    end = models.DateField(_("end"))
    source = models.TextField(_("legal source"), help_text=_("The act or ruling that sets this period."))

    class Meta:
        ordering = ["unit", "start"]
        verbose_name = _("atypical constitutional period")
        verbose_name_plural = _("atypical constitutional periods")

    def __str__(self) -> str:
        return f"{self.unit_id}: {self.start}–{self.end}"

    def clean(self) -> None:
        if self.start and self.end and self.end < self.start:
            raise ValidationError({"end": _("The end must not be before the start.")})


class ValidityRegime(models.TextChoices):
    CO_LEY_388 = "co_ley_388", _("Colombia: Ley 388 de 1997")  # constitutional periods (art. 28)
    PE_DS_022_2016 = "pe_ds_022_2016", _("Peru: DS 022-2016-VIVIENDA")  # RATDUS
    PE_DS_012_2022 = "pe_ds_012_2022", _("Peru: DS 012-2022-VIVIENDA")  # RATPDUS (Ley 31313)
    MX_STATE = "mx_state", _("Mexico: state law")  # LGAHOTDU + the state's urban development law
    OTHER = "other", _("Other")  # no rule encoded: only events and notes


class PlanValidity(models.Model):
    """The legal facts of one plan's vigencia: adoption, restarts, authority-fixed and declared ends."""

    plan = models.OneToOneField(Plan, on_delete=models.CASCADE, related_name="validity")
    regime = models.CharField(
        _("legal regime"),
        max_length=20,
        choices=ValidityRegime.choices,
        blank=True,
        default="",
        help_text=_("Leave empty to use the regime in force on the adoption date."),
    )
    adoption_date = models.DateField(_("adoption date"), null=True, blank=True)
    adoption_act = models.ForeignKey(
        LegalAct,
        verbose_name=_("adoption act"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    revision_restarts_from = models.DateField(
        _("revision restarts the count from"),
        null=True,
        blank=True,
        help_text=_("Adoption date of a revision that restarted the count of the vigencia."),
    )
    revision_restart_note = models.TextField(_("why the count restarts"), blank=True, default="")
    authority_fixed_end = models.DateField(_("end fixed by an authority"), null=True, blank=True)
    authority = models.CharField(_("authority"), max_length=200, blank=True, default="")
    authority_act = models.CharField(_("act of the authority"), max_length=300, blank=True, default="")
    declared_long_term_end = models.DateField(_("long-term end declared by the plan"), null=True, blank=True)
    declared_article = models.CharField(
        _("article of the plan on its vigencia"), max_length=300, blank=True, default=""
    )
    notes = models.TextField(_("notes"), blank=True, default="")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("plan validity")
        verbose_name_plural = _("plan validities")

    def __str__(self) -> str:
        return f"{self.plan_id}: {self.adoption_date or '—'}"

    def clean(self) -> None:
        if self.adoption_act_id is not None and self.adoption_act is not None:
            if self.adoption_act.plan_id != self.plan_id:
                raise ValidationError({"adoption_act": _("The act does not belong to this plan.")})
        if self.revision_restarts_from and self.adoption_date:
            if self.revision_restarts_from < self.adoption_date:
                raise ValidationError(
                    {"revision_restarts_from": _("A revision cannot restart the count before the adoption.")}
                )
        if self.authority_fixed_end and not self.authority.strip():
            raise ValidationError({"authority": _("Name the authority that fixed the end.")})


class PlanStatusEventKind(models.TextChoices):
    ADOPTED = "adopted", _("Adopted")  # the plan was adopted (acuerdo, decreto, ordenanza)
    REVISED = "revised", _("Revised")  # a revision or modification was adopted
    SUSPENDED = "suspended", _("Suspended")  # effects suspended by an authority or a court
    ANNULLED = "annulled", _("Annulled")  # declared void
    REINSTATED = "reinstated", _("Reinstated")  # a suspension or annulment was lifted
    REPLACED = "replaced", _("Replaced")  # a new plan was adopted in its place
    EXPIRED = "expired", _("Expired")  # its vigencia ended (in CO it stays in force until replaced)


class PlanStatusEvent(models.Model):
    """One legal event in a plan's life, with what is in force as a result (the plan's timeline)."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="status_events")
    kind = models.CharField(_("event"), max_length=20, choices=PlanStatusEventKind.choices)
    date = models.DateField(_("date"))
    authority = models.CharField(_("authority"), max_length=200, blank=True, default="")
    act_reference = models.CharField(_("act"), max_length=300, blank=True, default="")
    in_force_result = models.TextField(_("what is in force as a result"), blank=True, default="")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["plan", "date", "created_at"]
        verbose_name = _("plan status event")
        verbose_name_plural = _("plan status events")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.date}"
