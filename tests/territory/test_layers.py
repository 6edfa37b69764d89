"""Importing spatial layers: the three formats, reprojection, repair, refusals, boundaries."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from pyproj import Transformer
from shapely.geometry import Polygon, box, shape

from rumbo.accounts.models import Entity
from rumbo.core.models import AuditAction, AuditEvent
from rumbo.territory.layers import LayerImportError, layer_import, layer_read
from rumbo.territory.models import Jurisdiction, LayerFeature, LayerKind, SpatialLayer, TerritorialUnit
from rumbo.territory.reference import reference_territories_load

from .layer_files import geojson_write, ogr_write, shapefile_zip

pytestmark = pytest.mark.django_db

# Two plots near Moyobamba (WGS84) and the same area in UTM zone 18S.
PLOTS = [
    ({"nombre": "Zona de Protección Ecológica", "código": "ZPE-1"}, box(-76.98, -6.05, -76.96, -6.03)),
    ({"nombre": "Área Urbana Ñuñoa", "código": "AU-2"}, box(-76.96, -6.05, -76.94, -6.03)),
]
UTM_18S = "EPSG:32718"
BOWTIE = Polygon([(-76.98, -6.05), (-76.96, -6.03), (-76.96, -6.05), (-76.98, -6.03)])


def import_file(actor: Any, entity: Entity, path: Path, **options: Any) -> SpatialLayer:
    arguments = {"name": "Zonificación", "kind": LayerKind.ZONING, "code_field": None} | options
    return layer_import(
        actor=actor, entity=entity, uploaded_file_path=path, original_name=path.name, **arguments
    )


def utm_plots() -> list[tuple[dict[str, Any], Any]]:
    to_utm = Transformer.from_crs("EPSG:4326", UTM_18S, always_xy=True)
    return [
        (props, Polygon([to_utm.transform(x, y) for x, y in geom.exterior.coords])) for props, geom in PLOTS
    ]


def test_geojson_import_keeps_accented_attributes_and_audits(
    tmp_path: Path, entity: Entity, administrator: Any
) -> None:
    # given
    path = geojson_write(tmp_path / "zonas.geojson", PLOTS)

    # when
    layer = import_file(administrator, entity, path)

    # then
    assert (layer.feature_count, layer.kind, layer.source_file_name) == (2, "zoning", "zonas.geojson")
    features = list(layer.features.order_by("pk"))
    assert features[1].properties == {"nombre": "Área Urbana Ñuñoa", "código": "AU-2"}
    assert features[0].geometry["type"] == "Polygon"
    assert (features[0].bbox_west, features[0].bbox_north) == pytest.approx((-76.98, -6.03))
    event = AuditEvent.objects.get(action=AuditAction.IMPORTED)
    assert event.target_id == str(layer.pk) and event.entity_id == entity.pk
    assert event.actor_id == administrator.pk


def test_geopackage_in_utm_is_converted_to_wgs84(tmp_path: Path, entity: Entity, administrator: Any) -> None:
    # given a GeoPackage in UTM zone 18S
    path = ogr_write(tmp_path / "zonas.gpkg", utm_plots(), crs=UTM_18S, driver="GPKG")

    # when
    result = layer_read(path, "zonas.gpkg")
    layer = import_file(administrator, entity, path)

    # then the corners come back to longitude/latitude
    assert result.file_format == "gpkg" and result.source_crs == "EPSG:32718"
    assert any("EPSG:32718" in message for message in result.messages)
    corners = shape(result.features[0].geometry).exterior.coords
    assert (-76.98, -6.05) in [(round(x, 6), round(y, 6)) for x, y in corners]
    assert layer.source_crs == "EPSG:32718"
    assert LayerFeature.objects.get(
        layer=layer, properties__nombre="Área Urbana Ñuñoa"
    ).bbox_east == pytest.approx(-76.94, abs=1e-6)


def test_zipped_shapefile_is_read_with_its_projection_and_accents(
    tmp_path: Path, entity: Entity, administrator: Any
) -> None:
    archive = shapefile_zip(tmp_path, utm_plots(), crs=UTM_18S)

    layer = import_file(administrator, entity, archive)

    assert layer.feature_count == 2 and layer.source_crs == "EPSG:32718"
    feature = layer.features.get(properties__código="AU-2")
    assert feature.properties["nombre"] == "Área Urbana Ñuñoa"
    assert feature.bbox_west == pytest.approx(-76.96, abs=1e-6)


@pytest.mark.parametrize("encoding", ["UTF-8", "cp1252"])
def test_shapefile_without_cpg_keeps_accents_in_either_encoding(tmp_path: Path, encoding: str) -> None:
    archive = shapefile_zip(tmp_path, PLOTS, crs="EPSG:4326", encoding=encoding, with_cpg=False)

    result = layer_read(archive, "zonas.zip")

    assert result.file_format == "zip"
    assert result.features[1].properties["nombre"] == "Área Urbana Ñuñoa"


def test_invalid_bowtie_polygon_is_repaired_and_counted(tmp_path: Path) -> None:
    path = geojson_write(tmp_path / "bowtie.json", [({"id": 1}, BOWTIE), ({"id": 2}, PLOTS[0][1])])

    result = layer_read(path, "bowtie.json")

    assert result.repaired_count == 1 and result.features[0].repaired
    repaired = shape(result.features[0].geometry)
    assert repaired.is_valid and repaired.geom_type == "MultiPolygon"
    assert "1" in result.messages[-1]  # names the repaired feature


def test_feature_without_geometry_is_refused_by_number_and_nothing_is_written(
    tmp_path: Path, entity: Entity, administrator: Any
) -> None:
    path = geojson_write(tmp_path / "zonas.geojson", [PLOTS[0], ({"nombre": "Sin forma"}, None)])

    with pytest.raises(LayerImportError) as refused:
        import_file(administrator, entity, path)

    assert any("2" in message for message in refused.value.messages)
    assert not SpatialLayer.objects.exists() and not AuditEvent.objects.exists()


def test_a_file_that_is_not_geographic_is_refused(tmp_path: Path, entity: Entity, administrator: Any) -> None:
    path = tmp_path / "informe.geojson"
    path.write_bytes(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")

    with pytest.raises(LayerImportError) as refused:
        import_file(administrator, entity, path)

    assert "informe.geojson" in refused.value.messages[0]
    assert not SpatialLayer.objects.exists()


def test_a_zip_without_a_shapefile_is_refused(tmp_path: Path) -> None:
    import zipfile

    path = tmp_path / "fotos.zip"
    with zipfile.ZipFile(path, "w") as zipped:
        zipped.writestr("foto.jpg", b"\xff\xd8\xff")

    with pytest.raises(LayerImportError) as refused:
        layer_read(path, "fotos.zip")

    assert ".shp" in refused.value.messages[0]


def test_a_file_over_the_size_limit_is_refused(tmp_path: Path, settings: Any) -> None:
    settings.RUMBO_LAYER_MAX_BYTES = 100
    path = geojson_write(tmp_path / "zonas.geojson", PLOTS)

    with pytest.raises(LayerImportError) as refused:
        layer_read(path, "zonas.geojson")

    assert "zonas.geojson" in refused.value.messages[0]
    assert "MB" in refused.value.messages[0]


def test_an_observer_may_not_import(tmp_path: Path, entity: Entity, observer: Any) -> None:
    path = geojson_write(tmp_path / "zonas.geojson", PLOTS)

    with pytest.raises(PermissionDenied):
        import_file(observer, entity, path)

    assert not SpatialLayer.objects.exists()


@pytest.fixture
def moyobamba_province(entity: Entity) -> TerritorialUnit:
    reference_territories_load(countries=["PE"])
    province = TerritorialUnit.objects.get(country="PE", code="2201")
    Jurisdiction.objects.create(entity=entity, unit=province)
    return province


def test_boundaries_layer_sets_the_geometry_of_matched_units(
    tmp_path: Path, entity: Entity, administrator: Any, moyobamba_province: TerritorialUnit
) -> None:
    # given districts of the province, one unknown code and one district of Lima
    path = geojson_write(
        tmp_path / "distritos.geojson",
        [
            ({"UBIGEO": "220101", "NOMBDIST": "MOYOBAMBA"}, PLOTS[0][1]),
            ({"UBIGEO": "220102", "NOMBDIST": "CALZADA"}, PLOTS[1][1]),
            ({"UBIGEO": "229999", "NOMBDIST": "INVENTADO"}, box(-77, -6.1, -76.99, -6.09)),
            ({"UBIGEO": "150101", "NOMBDIST": "LIMA"}, box(-77.05, -12.06, -77.02, -12.04)),
        ],
    )

    # when
    layer = import_file(
        administrator, entity, path, name="Distritos", kind=LayerKind.BOUNDARIES, code_field="UBIGEO"
    )

    # then
    district = TerritorialUnit.objects.get(country="PE", code="220101")
    assert district.geometry is not None and district.geometry["type"] == "Polygon"
    assert district.bbox == pytest.approx([-76.98, -6.05, -76.96, -6.03])
    assert TerritorialUnit.objects.get(country="PE", code="220102").geometry is not None
    assert TerritorialUnit.objects.get(country="PE", code="150101").geometry is None
    assert layer.features.filter(unit=district).count() == 1
    messages = layer.import_messages  # type: ignore[attr-defined]
    assert any("3" in m and "229999" in m for m in messages)
    assert any("4" in m and "150101" in m for m in messages)
    assert AuditEvent.objects.filter(action=AuditAction.UPDATED, target_id=str(district.pk)).exists()


def test_boundaries_layer_with_no_matching_code_writes_nothing(
    tmp_path: Path, entity: Entity, administrator: Any, moyobamba_province: TerritorialUnit
) -> None:
    path = geojson_write(tmp_path / "distritos.geojson", [({"UBIGEO": "999999"}, PLOTS[0][1])])

    with pytest.raises(LayerImportError) as refused:
        import_file(administrator, entity, path, kind=LayerKind.BOUNDARIES, code_field="UBIGEO")

    assert any("999999" in m for m in refused.value.messages)
    assert not SpatialLayer.objects.exists() and not LayerFeature.objects.exists()
    assert not TerritorialUnit.objects.filter(
        country="PE", kind="municipality", geometry__isnull=False
    ).exists()
    assert not AuditEvent.objects.exists()


def test_boundaries_layer_names_a_missing_code_field(
    tmp_path: Path, entity: Entity, administrator: Any, moyobamba_province: TerritorialUnit
) -> None:
    path = geojson_write(tmp_path / "distritos.geojson", [({"UBIGEO": "220101"}, PLOTS[0][1])])

    with pytest.raises(LayerImportError) as refused:
        import_file(administrator, entity, path, kind=LayerKind.BOUNDARIES, code_field="CODIGO")

    assert "CODIGO" in refused.value.messages[0] and "UBIGEO" in refused.value.messages[0]
    assert not SpatialLayer.objects.exists()
