"""Territorial units as a tree (country → first level → province → municipality), custom
groupings, entity jurisdictions and imported spatial layers.

Geometry is GeoJSON in a JSON field with a bounding box in plain columns, so the same code
runs on SQLite and PostgreSQL (see docs/adr/0003-geometry-as-geojson.md).
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from rumbo.accounts.models import Entity


class UnitKind(models.TextChoices):
    COUNTRY = "country", _("Country")
    REGION = "region", _("First-level unit")  # departamento (PE, CO) / región / estado (MX)
    PROVINCE = "province", _("Province")  # provincia (PE); absent in CO and MX
    MUNICIPALITY = "municipality", _("Municipality or district")  # distrito (PE), municipio (CO, MX)
    MANCOMUNIDAD = "mancomunidad", _("Association of municipalities")  # grouping of municipalities
    BASIN = "basin", _("Basin")  # cuenca hidrográfica
    METRO_AREA = "metro_area", _("Metropolitan area")  # área metropolitana
    SECTOR = "sector", _("Sector")  # sub-municipal planning sector
    COMUNA = "comuna", _("Comuna or locality")  # comuna / localidad (CO)
    BARRIO = "barrio", _("Neighbourhood")  # barrio / colonia
    CENTRO_POBLADO = "centro_poblado", _("Populated centre")  # centro poblado (PE, CO)
    OTHER = "other", _("Other unit")


OFFICIAL_KINDS = frozenset({UnitKind.COUNTRY, UnitKind.REGION, UnitKind.PROVINCE, UnitKind.MUNICIPALITY})
GROUPING_KINDS = frozenset({UnitKind.MANCOMUNIDAD, UnitKind.BASIN, UnitKind.METRO_AREA, UnitKind.OTHER})


class TerritorialUnit(models.Model):
    """One unit. `path` lists the ids from the root ("/1/25/310/"), so a subtree is one query.

    Reference units (owner_entity empty) come from official sources and are read-only in the
    app; units an entity creates (sectors, barrios, groupings) belong to it.
    """

    country = models.CharField(_("country"), max_length=2, db_index=True)
    code = models.CharField(_("official code"), max_length=40)
    name = models.CharField(_("name"), max_length=200)
    name_search = models.CharField(max_length=200, db_index=True, editable=False, default="")
    kind = models.CharField(_("type"), max_length=30, choices=UnitKind.choices)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    path = models.CharField(max_length=255, db_index=True, default="/")
    depth = models.PositiveSmallIntegerField(default=0)
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    population = models.PositiveBigIntegerField(_("population"), null=True, blank=True)
    population_year = models.PositiveSmallIntegerField(_("population year"), null=True, blank=True)
    population_source = models.CharField(_("population source"), max_length=200, blank=True, default="")
    geometry: models.JSONField[dict[str, Any] | None] = models.JSONField(
        _("geometry (GeoJSON)"), null=True, blank=True
    )
    bbox_west = models.FloatField(null=True, blank=True)
    bbox_south = models.FloatField(null=True, blank=True)
    bbox_east = models.FloatField(null=True, blank=True)
    bbox_north = models.FloatField(null=True, blank=True)
    source = models.CharField(_("source"), max_length=200, blank=True, default="")
    owner_entity = models.ForeignKey(
        Entity,
        verbose_name=_("owner entity"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="custom_units",
    )
    # Members of a grouping (a mancomunidad's municipalities, a basin's districts).
    members = models.ManyToManyField("self", symmetrical=False, blank=True, related_name="groupings")

    class Meta:
        ordering = ["country", "code"]
        constraints = [
            models.UniqueConstraint(fields=["country", "code"], name="unit_unique_code_per_country")
        ]
        indexes = [
            models.Index(fields=["parent", "name"]),
            models.Index(fields=["country", "kind"]),
        ]
        verbose_name = _("territorial unit")
        verbose_name_plural = _("territorial units")

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    @property
    def bbox(self) -> list[float] | None:
        if self.bbox_west is None:
            return None
        return [self.bbox_west, self.bbox_south, self.bbox_east, self.bbox_north]  # type: ignore[list-item]

    @property
    def is_reference(self) -> bool:
        return self.owner_entity_id is None


class Jurisdiction(models.Model):
    """The territorial units an entity governs."""

    entity = models.ForeignKey(Entity, on_delete=models.CASCADE, related_name="jurisdiction")
    unit = models.ForeignKey(TerritorialUnit, on_delete=models.PROTECT, related_name="jurisdictions")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["entity", "unit"], name="jurisdiction_unique")]
        verbose_name = _("jurisdiction")
        verbose_name_plural = _("jurisdictions")

    def __str__(self) -> str:
        return f"{self.entity} · {self.unit}"


class LayerKind(models.TextChoices):
    BOUNDARIES = "boundaries", _("Boundaries")  # matched to units by code; sets their geometry
    ZONING = "zoning", _("Zoning and land use")  # clasificación del suelo, zonificación
    RISK = "risk", _("Hazard and risk")  # amenaza y riesgo
    ENVIRONMENT = "environment", _("Environmental")  # ecosistemas estratégicos, ZEE
    OTHER = "other", _("Other")


class SpatialLayer(models.Model):
    """A layer imported from a GeoPackage, zipped Shapefile or GeoJSON file, owned by an entity."""

    entity = models.ForeignKey(Entity, on_delete=models.CASCADE, related_name="layers")
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=LayerKind.choices, default=LayerKind.OTHER)
    description = models.TextField(_("description"), blank=True, default="")
    source_file_name = models.CharField(max_length=255, blank=True, default="")
    source_crs = models.CharField(max_length=200, blank=True, default="")
    code_field = models.CharField(max_length=100, blank=True, default="")
    is_public = models.BooleanField(_("public"), default=False)
    feature_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("spatial layer")
        verbose_name_plural = _("spatial layers")

    def __str__(self) -> str:
        return self.name


class LayerFeature(models.Model):
    layer = models.ForeignKey(SpatialLayer, on_delete=models.CASCADE, related_name="features")
    unit = models.ForeignKey(
        TerritorialUnit, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    properties: models.JSONField[dict[str, Any]] = models.JSONField(default=dict, blank=True)
    geometry: models.JSONField[dict[str, Any]] = models.JSONField()
    bbox_west = models.FloatField()
    bbox_south = models.FloatField()
    bbox_east = models.FloatField()
    bbox_north = models.FloatField()

    class Meta:
        indexes = [models.Index(fields=["layer", "bbox_west", "bbox_east"])]
        verbose_name = _("layer feature")
        verbose_name_plural = _("layer features")

    def __str__(self) -> str:
        return f"{self.layer} #{self.pk}"
