"""The information inventory for diagnosis: the studies, maps and data sets an entity holds.

What each plan type *requires* is not a model: it lives in `data/requirements.json` and is read
by `reference.py` (see its docstring for why). Scales are stored as the denominator of the
representative fraction: 25000 means 1:25,000; a bigger denominator is a coarser map.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from rumbo.accounts.models import Entity
from rumbo.territory.models import TerritorialUnit

__all__ = [
    "CoverageArea",
    "HazardKind",
    "InformationFormat",
    "InformationItem",
    "InformationTheme",
    "scale_label",
]


def scale_label(denominator: int | None) -> str:
    """Format 25000 as "1:25.000" (dot as thousands separator, as read in Spanish); "" if unknown."""
    if not denominator:
        return ""
    return "1:" + f"{denominator:,}".replace(",", ".")


class InformationTheme(models.TextChoices):
    LAND_COVER_USE = "land_cover_use", _("Land cover and use")  # cobertura y uso del suelo / de la tierra
    SOILS = "soils", _("Soils")  # estudios de suelos, capacidad de uso (agrología)
    GEOLOGY = "geology", _("Geology and geomorphology")  # geología, geomorfología
    HYDROLOGY = "hydrology", _("Hydrology")  # cuencas, red hídrica, rondas hídricas, acuíferos
    CLIMATE = "climate", _("Climate")  # clima, escenarios de cambio climático
    STRATEGIC_ECOSYSTEMS = "strategic_ecosystems", _("Strategic ecosystems")  # páramos, humedales, bosques
    PROTECTED_AREAS = "protected_areas", _("Protected areas")  # RUNAP (CO), SINANPE (PE), ANP (MX)
    ECOLOGICAL_ECONOMIC_ZONING = (
        "ecological_economic_zoning",
        _("Ecological and economic zoning"),
    )  # ZEE (PE) and similar integrated zonings
    HAZARD_RISK = "hazard_risk", _("Hazard and risk")  # amenaza y riesgo; the kind goes in `hazard_kind`
    CADASTRE = "cadastre", _("Cadastre")  # catastro predial / multipropósito
    BASE_CARTOGRAPHY = "base_cartography", _("Base cartography")  # cartografía básica (relief, drainage)
    POPULATION_HOUSING = "population_housing", _("Population and housing")  # censos, proyecciones
    PUBLIC_SERVICES = "public_services", _("Public services")  # agua, saneamiento, energía, residuos
    ROAD_TRANSPORT = "road_transport", _("Road network and transport")  # vías, movilidad, transporte
    EQUIPMENT = "equipment", _("Community facilities")  # equipamientos: salud, educación, recreación
    LAND_VALUE = "land_value", _("Land value")  # avalúos, zonas geoeconómicas, valor del suelo
    SOCIO_ECONOMIC = "socio_economic", _("Socio-economic")  # economía, pobreza, empleo, actividades
    OTHER = "other", _("Other")  # anything else the diagnosis uses


class HazardKind(models.TextChoices):
    FLOOD = "flood", _("Flood")  # inundación
    MASS_MOVEMENT = "mass_movement", _("Mass movement")  # movimientos en masa, deslizamientos
    TORRENTIAL_FLOW = "torrential_flow", _("Torrential flow")  # avenida torrencial, huaico (PE)
    SEISMIC = "seismic", _("Seismic")  # sismo, microzonificación sísmica
    VOLCANIC = "volcanic", _("Volcanic")  # volcánica
    FIRE = "fire", _("Forest fire")  # incendios forestales / de la cobertura vegetal
    TSUNAMI = "tsunami", _("Tsunami")  # tsunami, maremoto
    DROUGHT = "drought", _("Drought")  # sequía, heladas y fenómenos climáticos
    MULTIPLE = "multiple", _("Several hazards")  # atlas de riesgos / mapa de peligros multiamenaza
    OTHER = "other", _("Other hazard")


class CoverageArea(models.TextChoices):
    URBAN = "urban", _("Urban")  # suelo urbano (and urban expansion)
    RURAL = "rural", _("Rural")  # suelo rural, suburbano
    BOTH = "both", _("Urban and rural")  # the whole territory
    OTHER = "other", _("Other area")  # a sector, a basin: satisfies no whole-area requirement


class InformationFormat(models.TextChoices):
    SHAPEFILE = "shapefile", _("Shapefile")  # usually a ZIP
    GEOPACKAGE = "geopackage", _("GeoPackage")
    GEOJSON = "geojson", _("GeoJSON")
    PDF = "pdf", _("PDF document")
    IMAGE = "image", _("Image")
    SPREADSHEET = "spreadsheet", _("Spreadsheet")
    RASTER = "raster", _("Raster (GeoTIFF…)")
    PAPER = "paper", _("Paper only")  # held physically; no digital copy
    OTHER = "other", _("Other format")


class InformationItem(models.Model):
    """One study, map or data set the entity holds, with what the gap report needs to judge it:
    theme, coverage, scale and reference date."""

    entity = models.ForeignKey(
        Entity, verbose_name=_("entity"), on_delete=models.CASCADE, related_name="information_items"
    )
    theme = models.CharField(_("theme"), max_length=40, choices=InformationTheme.choices)
    hazard_kind = models.CharField(
        _("hazard kind"), max_length=30, choices=HazardKind.choices, blank=True, default=""
    )
    title = models.CharField(_("title"), max_length=300)
    description = models.TextField(_("description"), blank=True, default="")
    scale_denominator = models.PositiveIntegerField(
        _("scale (1:N)"),
        null=True,
        blank=True,
        help_text=_("The N of 1:N, e.g. 25000 for 1:25,000. Empty for studies without a map."),
    )
    reference_date = models.DateField(
        _("reference date"), help_text=_("The date the information describes (survey, image, census).")
    )
    source = models.CharField(_("source"), max_length=200, help_text=_("Producer, e.g. IGAC, INEI, INEGI."))
    area = models.CharField(_("coverage"), max_length=10, choices=CoverageArea.choices)
    units = models.ManyToManyField(
        TerritorialUnit, verbose_name=_("territorial units"), blank=True, related_name="information_items"
    )
    format = models.CharField(_("format"), max_length=20, choices=InformationFormat.choices)
    file = models.FileField(_("file"), upload_to="inventory/%Y/", blank=True, max_length=255)
    url = models.URLField(_("link"), blank=True, default="", max_length=500)
    notes = models.TextField(_("notes"), blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["entity", "theme", "-reference_date", "title"]
        indexes = [models.Index(fields=["entity", "theme"], name="inventory_item_entity_theme")]
        verbose_name = _("information item")
        verbose_name_plural = _("information items")

    def __str__(self) -> str:
        return self.title

    @property
    def scale_label(self) -> str:
        return scale_label(self.scale_denominator)

    @property
    def file_name(self) -> str:
        return (self.file.name or "").rsplit("/", 1)[-1]
