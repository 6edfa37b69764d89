"""Spatial layers imported from a GeoPackage, a zipped Shapefile or a GeoJSON file.

`layer_read` is pure: it sniffs the file, reads it with pyogrio, reprojects to WGS84, repairs
invalid geometries and returns the features with messages, so a page can preview an upload.
`layer_import` then writes the layer in one transaction (all or nothing) and, for a boundaries
layer, gives the matched territorial units their geometry.
"""

from __future__ import annotations

import math
import tempfile
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

import numpy as np
import pyogrio
import shapely
from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from pyogrio.errors import CRSError, DataLayerError, DataSourceError, FeatureError, FieldError, GeometryError
from pyproj import CRS, Transformer
from pyproj.exceptions import CRSError as ProjCRSError
from shapely.geometry import mapping

from rumbo.accounts.models import Entity
from rumbo.accounts.permissions import Capability, require
from rumbo.core.audit import AuditAction, audit_record
from rumbo.territory.models import LayerFeature, LayerKind, SpatialLayer, TerritorialUnit

WGS84 = CRS.from_epsg(4326)
COORDINATE_DECIMALS = 7  # ~1 cm: more is noise, and it keeps the stored GeoJSON small
MAX_FEATURE_MESSAGES = 20  # per-feature problems listed before "and N more"
ZIP_EXPANSION_LIMIT = 10  # a zip may unpack to at most this many times the upload limit
SHAPEFILE_PARTS = (".shp", ".shx", ".dbf", ".prj", ".cpg")

ZIP_MAGIC = b"PK\x03\x04"
SQLITE_MAGIC = b"SQLite format 3\x00"
UTF8_BOM = b"\xef\xbb\xbf"

POLYGONAL = ("Polygon", "MultiPolygon")
LINEAR = ("LineString", "MultiLineString", "LinearRing")
PUNCTUAL = ("Point", "MultiPoint")


class LayerImportError(Exception):
    """The file was refused; `messages` says why, in the user's language, one problem each."""

    def __init__(self, messages: list[str]) -> None:
        super().__init__("; ".join(str(m) for m in messages))
        self.messages = [str(m) for m in messages]


@dataclass(frozen=True)
class LayerFeatureRead:
    """One feature as read: 1-based `number` in file order, WGS84 GeoJSON geometry and its bbox."""

    number: int
    properties: dict[str, Any]
    geometry: dict[str, Any]
    bbox: tuple[float, float, float, float]
    repaired: bool = False


@dataclass
class LayerReadResult:
    """What `layer_read` found: features, attribute names, the source CRS and notes for the user."""

    file_format: str  # "gpkg", "shapefile" or "geojson"
    layer_name: str
    source_crs: str
    fields: list[str]
    features: list[LayerFeatureRead]
    messages: list[str] = field(default_factory=list)

    @property
    def repaired_count(self) -> int:
        return sum(1 for feature in self.features if feature.repaired)


@dataclass
class BoundaryMatch:
    """Feature number → matched unit, plus one message per feature that matched nothing."""

    units: dict[int, TerritorialUnit]
    messages: list[str]


# --- reading ----------------------------------------------------------------------------------


def layer_read(path: Path, original_name: str) -> LayerReadResult:
    """Read an uploaded layer file without writing anything; raise LayerImportError if refused.

    The type is sniffed from the content (the name only appears in messages), coordinates come
    back in WGS84, invalid geometries are repaired with make_valid and counted, and features
    with an empty or unrepairable geometry are refused by number.
    """
    path = Path(path)
    size = path.stat().st_size
    limit = int(settings.RUMBO_LAYER_MAX_BYTES)
    if size > limit:
        raise LayerImportError(
            [
                _("The file %(name)s is too large (%(size)s MB); the limit is %(limit)s MB.")
                % {"name": original_name, "size": _megabytes(size), "limit": _megabytes(limit)}
            ]
        )
    if size == 0:
        raise LayerImportError([_("The file %(name)s is empty.") % {"name": original_name}])

    file_format = _sniff(path)
    if file_format is None:
        raise LayerImportError(
            [
                _(
                    "The file %(name)s is not a GeoPackage (.gpkg), a zipped Shapefile (.zip) "
                    "or a GeoJSON file (.geojson, .json)."
                )
                % {"name": original_name}
            ]
        )
    with _readable_copy(path, file_format, original_name, limit) as (readable, encoding):
        messages: list[str] = []
        layer_name = _layer_choose(readable, file_format, original_name, messages)
        try:
            meta, _fids, wkb, field_data = pyogrio.raw.read(
                readable, layer=layer_name, encoding=encoding, datetime_as_string=True
            )
        except (DataSourceError, DataLayerError, FeatureError, FieldError, GeometryError, CRSError) as error:
            raise LayerImportError(
                [
                    _("The file %(name)s could not be read: %(detail)s")
                    % {"name": original_name, "detail": str(error)}
                ]
            ) from error

    fields = [str(name) for name in meta["fields"]]
    geometries, source_crs = _to_wgs84(wkb, meta.get("crs"), messages)
    features, problems = _features_build(geometries, fields, field_data)
    if not features and not problems:
        problems.append(_("The file %(name)s has no features.") % {"name": original_name})
    if problems:
        raise LayerImportError(_messages_capped(problems))
    repaired = sum(1 for feature in features if feature.repaired)
    if repaired:
        messages.append(
            ngettext(
                "%(count)s invalid geometry was repaired (feature %(numbers)s).",
                "%(count)s invalid geometries were repaired (features %(numbers)s).",
                repaired,
            )
            % {
                "count": repaired,
                "numbers": ", ".join(str(f.number) for f in features if f.repaired)[:500],
            }
        )
    return LayerReadResult(
        file_format=file_format,
        layer_name=str(layer_name or ""),
        source_crs=source_crs,
        fields=fields,
        features=features,
        messages=messages,
    )


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f}"


def _sniff(path: Path) -> str | None:
    """ "gpkg", "zip" or "geojson" from the first bytes; None for anything else."""
    with path.open("rb") as stream:
        head = stream.read(64)
    if head.startswith(SQLITE_MAGIC):
        return "gpkg"
    if head.startswith(ZIP_MAGIC):
        return "zip"
    text = head.removeprefix(UTF8_BOM).lstrip()
    if text.startswith(b"{"):
        return "geojson"
    return None


@contextmanager
def _readable_copy(
    path: Path, file_format: str, original_name: str, limit: int
) -> Iterator[tuple[Path, str | None]]:
    """A path GDAL recognises (the right extension; a zip unpacked) and the text encoding to force."""
    with tempfile.TemporaryDirectory(prefix="rumbo-layer-") as tmp:
        folder = Path(tmp)
        if file_format == "zip":
            yield _shapefile_unpack(path, folder, original_name, limit)
            return
        target = folder / ("layer.gpkg" if file_format == "gpkg" else "layer.geojson")
        try:
            target.symlink_to(path.resolve())
        except OSError:
            target.write_bytes(path.read_bytes())
        yield target, None


def _shapefile_unpack(path: Path, folder: Path, original_name: str, limit: int) -> tuple[Path, str | None]:
    """Unpack the one Shapefile of a zip safely; pick its text encoding when it has no .cpg."""
    try:
        archive = zipfile.ZipFile(path)
    except zipfile.BadZipFile as error:
        raise LayerImportError(
            [_("The file %(name)s is a damaged zip archive.") % {"name": original_name}]
        ) from error
    with archive:
        members = [
            info
            for info in archive.infolist()
            if not info.is_dir()
            and not PurePosixPath(info.filename).name.startswith(".")
            and "__MACOSX" not in info.filename
        ]
        shapes = [info for info in members if info.filename.lower().endswith(".shp")]
        if len(shapes) != 1:
            if not shapes:
                message = _("The zip file %(name)s contains no Shapefile (.shp).") % {"name": original_name}
            else:
                message = _(
                    "The zip file %(name)s contains %(count)s Shapefiles (%(files)s); upload one per file."
                ) % {
                    "name": original_name,
                    "count": len(shapes),
                    "files": ", ".join(PurePosixPath(i.filename).name for i in shapes),
                }
            raise LayerImportError([message])
        stem = shapes[0].filename[: -len(".shp")]
        parts = {
            info.filename[len(stem) :].lower(): info
            for info in members
            if info.filename[: len(stem)] == stem and info.filename[len(stem) :].lower() in SHAPEFILE_PARTS
        }
        missing = [ext for ext in (".shx", ".dbf") if ext not in parts]
        if missing:
            raise LayerImportError(
                [
                    _("The Shapefile in %(name)s lacks its %(parts)s file(s).")
                    % {"name": original_name, "parts": ", ".join(missing)}
                ]
            )
        if sum(info.file_size for info in parts.values()) > limit * ZIP_EXPANSION_LIMIT:
            raise LayerImportError(
                [_("The zip file %(name)s unpacks to too much data.") % {"name": original_name}]
            )
        for extension, info in parts.items():
            # Written under a fixed name, so paths inside the archive ("../x") never matter.
            (folder / f"layer{extension}").write_bytes(archive.read(info))
    encoding = None
    if ".cpg" not in parts:
        # Without a .cpg GDAL assumes ISO-8859-1; many files are UTF-8, which would garble
        # "Ñuñoa". Attribute bytes that decode as UTF-8 almost never were written as Latin-1.
        dbf = (folder / "layer.dbf").read_bytes()
        header_length = int.from_bytes(dbf[8:10], "little")  # records start after the header
        try:
            dbf[header_length:].decode("utf-8")
            encoding = "UTF-8"
        except UnicodeDecodeError:
            encoding = "cp1252"
    return folder / "layer.shp", encoding


def _layer_choose(readable: Path, file_format: str, original_name: str, messages: list[str]) -> str | None:
    """The first layer with geometry; a note when a GeoPackage has others that are skipped."""
    try:
        layers = pyogrio.list_layers(readable)
    except (DataSourceError, DataLayerError) as error:
        raise LayerImportError(
            [
                _("The file %(name)s could not be read: %(detail)s")
                % {"name": original_name, "detail": str(error)}
            ]
        ) from error
    spatial = [str(name) for name, geometry_type in layers if geometry_type is not None]
    if not spatial:
        raise LayerImportError([_("The file %(name)s has no layer with geometry.") % {"name": original_name}])
    if file_format == "gpkg" and len(spatial) > 1:
        messages.append(
            _("The GeoPackage has %(count)s layers; only the first, %(layer)s, was read.")
            % {"count": len(spatial), "layer": spatial[0]}
        )
    return spatial[0]


def _to_wgs84(wkb: Any, crs_text: str | None, messages: list[str]) -> tuple[list[Any], str]:
    """Geometries (None kept in place) reprojected to 2-D WGS84, and the source CRS as text."""
    geometries = list(shapely.from_wkb(wkb)) if len(wkb) else []
    if not crs_text:
        messages.append(_("The file does not say its coordinate system; WGS84 (EPSG:4326) was assumed."))
        return [_flat(g) for g in geometries], ""
    try:
        source = CRS.from_user_input(crs_text)
    except ProjCRSError as error:
        raise LayerImportError(
            [_("The coordinate system of the file is not recognised: %(detail)s") % {"detail": str(error)}]
        ) from error
    authority = source.to_authority()
    label = f"{authority[0]}:{authority[1]}" if authority else source.name
    if source.equals(WGS84, ignore_axis_order=True):
        return [_flat(g) for g in geometries], label
    transformer = Transformer.from_crs(source, WGS84, always_xy=True)

    def project(coords: np.ndarray) -> np.ndarray:
        x, y = transformer.transform(coords[:, 0], coords[:, 1])
        return np.column_stack([x, y])

    messages.append(
        _("Coordinates were converted from %(crs)s to WGS84 (EPSG:4326).")
        % {"crs": f"{label} ({source.name})"}
    )
    return [None if g is None else shapely.transform(g, project, include_z=False) for g in geometries], label


def _flat(geometry: Any) -> Any:
    return None if geometry is None else shapely.force_2d(geometry)


def _features_build(
    geometries: list[Any], fields: list[str], field_data: list[Any]
) -> tuple[list[LayerFeatureRead], list[str]]:
    features: list[LayerFeatureRead] = []
    problems: list[str] = []
    for index, geometry in enumerate(geometries):
        number = index + 1
        if geometry is None or geometry.is_empty:
            problems.append(_("Feature %(number)s has no geometry.") % {"number": number})
            continue
        repaired = False
        if not geometry.is_valid:
            geometry = _repaired(geometry)
            repaired = True
            if geometry is None:
                problems.append(
                    _("Feature %(number)s has an invalid geometry that could not be repaired.")
                    % {"number": number}
                )
                continue
        west, south, east, north = (float(v) for v in shapely.bounds(geometry))
        if not all(math.isfinite(v) for v in (west, south, east, north)) or (
            west < -180 or east > 180 or south < -90 or north > 90
        ):
            problems.append(
                _(
                    "Feature %(number)s lies outside the range of longitude and latitude; "
                    "check the coordinate system of the file (a missing .prj?)."
                )
                % {"number": number}
            )
            continue
        properties = {name: _plain(field_data[i][index]) for i, name in enumerate(fields)}
        features.append(
            LayerFeatureRead(
                number=number,
                properties=properties,
                geometry=_rounded(mapping(geometry)),
                bbox=(west, south, east, north),
                repaired=repaired,
            )
        )
    return features, problems


def _repaired(geometry: Any) -> Any | None:
    """make_valid, keeping only the parts of the original dimension (a bowtie stays polygonal)."""
    fixed = shapely.make_valid(geometry)
    family = next(
        (kinds for kinds in (POLYGONAL, LINEAR, PUNCTUAL) if geometry.geom_type in kinds), POLYGONAL
    )
    if fixed.geom_type == "GeometryCollection":
        parts = [part for part in fixed.geoms if part.geom_type in family and not part.is_empty]
        fixed = shapely.union_all(parts) if parts else None
    if fixed is None or fixed.is_empty or not fixed.is_valid:
        return None
    return fixed


def _plain(value: Any) -> Any:
    """A JSON-safe attribute value; text is returned as read, accents intact."""
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    if value is not None and not isinstance(value, (str, int, float, bool)):
        return str(value)
    return value


def _rounded(value: Any) -> Any:
    if isinstance(value, (list, tuple)):
        return [_rounded(v) for v in value]
    if isinstance(value, dict):
        return {k: _rounded(v) for k, v in value.items()}
    if isinstance(value, float):
        return round(value, COORDINATE_DECIMALS)
    return value


def _messages_capped(messages: list[str]) -> list[str]:
    if len(messages) <= MAX_FEATURE_MESSAGES:
        return messages
    rest = len(messages) - MAX_FEATURE_MESSAGES
    more = ngettext("…and %(count)s more problem.", "…and %(count)s more problems.", rest) % {"count": rest}
    return [*messages[:MAX_FEATURE_MESSAGES], more]


# --- matching and writing ----------------------------------------------------------------------


def _code_text(value: Any) -> str:
    """A code as text: 1001.0 read from a numeric column → "1001"."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip() if value is not None else ""


def layer_boundaries_match(
    *, entity: Entity, result: LayerReadResult, code_field: str, allow_any_unit: bool = False
) -> BoundaryMatch:
    """Match each feature's code to a territorial unit of the entity's country.

    Only units inside the entity's jurisdiction (or below it) may take a boundary, so one
    tenant cannot redraw another's map; `allow_any_unit` lifts that for superusers.
    Numeric codes lose leading zeros in some files, so a code is also tried zero-padded to
    the length of the unit codes that share its digits.
    """
    if code_field not in result.fields:
        raise LayerImportError(
            [
                _("The field %(field)s is not in the file. Its fields are: %(fields)s.")
                % {"field": code_field, "fields": ", ".join(result.fields) or "—"}
            ]
        )
    codes = {f.number: _code_text(f.properties.get(code_field)) for f in result.features}
    candidates = set(codes.values()) | {c.zfill(width) for c in codes.values() for width in (2, 4, 5, 6)}
    units = {u.code: u for u in TerritorialUnit.objects.filter(country=entity.country, code__in=candidates)}
    allowed_paths: list[str] | None = None
    if not allow_any_unit:
        allowed_paths = list(
            TerritorialUnit.objects.filter(jurisdictions__entity=entity).values_list("path", flat=True)
        )

    matched: dict[int, TerritorialUnit] = {}
    messages: list[str] = []
    for number, code in codes.items():
        unit = units.get(code) or next(
            (units[code.zfill(w)] for w in (2, 4, 5, 6) if code.isdigit() and code.zfill(w) in units), None
        )
        if not code:
            messages.append(
                _("Feature %(number)s has no value in the field %(field)s.")
                % {"number": number, "field": code_field}
            )
        elif unit is None:
            messages.append(
                _("Feature %(number)s: no territorial unit of %(country)s has the code %(code)s.")
                % {"number": number, "country": entity.country, "code": code}
            )
        elif allowed_paths is not None and not any(unit.path.startswith(p) for p in allowed_paths):
            messages.append(
                _(
                    "Feature %(number)s: %(unit)s is outside the jurisdiction of %(entity)s; its boundary was not changed."
                )
                % {"number": number, "unit": str(unit), "entity": entity.name}
            )
        elif unit.pk in {u.pk for u in matched.values()}:
            messages.append(
                _("Feature %(number)s repeats the code %(code)s; only the first feature with it was used.")
                % {"number": number, "code": code}
            )
        else:
            matched[number] = unit
    return BoundaryMatch(units=matched, messages=messages)


def layer_import(
    *,
    actor: Any,
    entity: Entity,
    uploaded_file_path: Path,
    original_name: str,
    name: str,
    kind: str,
    code_field: str | None,
) -> SpatialLayer:
    """Import a layer file for `entity`: all of it or nothing, with an audit event.

    For a boundaries layer with a code field, matched units take the feature's geometry and
    bbox; unmatched codes are reported per feature in `layer.import_messages` (with the read
    notes) and in the audit message. A boundaries file matching no unit at all is refused.
    """
    require(actor, entity.pk, Capability.MANAGE_ENTITY)
    if kind not in LayerKind.values:
        raise LayerImportError([_("Unknown layer kind %(kind)s.") % {"kind": kind}])
    name = name.strip() or Path(original_name).stem
    result = layer_read(Path(uploaded_file_path), original_name)
    messages = list(result.messages)

    match: BoundaryMatch | None = None
    if kind == LayerKind.BOUNDARIES and code_field:
        match = layer_boundaries_match(
            entity=entity, result=result, code_field=code_field, allow_any_unit=bool(actor.is_superuser)
        )
        if not match.units:
            raise LayerImportError(
                [
                    _("No feature's %(field)s matches a territorial unit this entity may change.")
                    % {"field": code_field},
                    *_messages_capped(match.messages),
                ]
            )
        messages.extend(match.messages)

    with transaction.atomic():
        layer = SpatialLayer.objects.create(
            entity=entity,
            name=name[:200],
            kind=kind,
            source_file_name=original_name[:255],
            source_crs=result.source_crs[:200],
            code_field=(code_field or "")[:100],
            feature_count=len(result.features),
        )
        matched = match.units if match is not None else {}
        LayerFeature.objects.bulk_create(
            [
                LayerFeature(
                    layer=layer,
                    unit=matched.get(feature.number),
                    properties=feature.properties,
                    geometry=feature.geometry,
                    bbox_west=feature.bbox[0],
                    bbox_south=feature.bbox[1],
                    bbox_east=feature.bbox[2],
                    bbox_north=feature.bbox[3],
                )
                for feature in result.features
            ],
            batch_size=500,
        )
        if matched:
            _unit_boundaries_set(actor=actor, entity=entity, layer=layer, result=result, matched=matched)
        count = len(result.features)
        summary = ngettext(
            "%(count)s feature imported from %(file)s.", "%(count)s features imported from %(file)s.", count
        ) % {
            "count": len(result.features),
            "file": original_name,
        }
        if matched:
            summary += " " + ngettext(
                "%(count)s unit boundary updated.", "%(count)s unit boundaries updated.", len(matched)
            ) % {"count": len(matched)}
        audit_record(
            actor=actor,
            action=AuditAction.IMPORTED,
            target=layer,
            entity_id=entity.pk,
            message=" ".join([summary, *messages])[:5000],
        )
    layer.import_messages = messages  # type: ignore[attr-defined]  # shown once after the upload
    return layer


def _unit_boundaries_set(
    *,
    actor: Any,
    entity: Entity,
    layer: SpatialLayer,
    result: LayerReadResult,
    matched: dict[int, TerritorialUnit],
) -> None:
    by_number = {feature.number: feature for feature in result.features}
    units: list[TerritorialUnit] = []
    for number, unit in matched.items():
        feature = by_number[number]
        before = unit.bbox
        unit.geometry = feature.geometry
        unit.bbox_west, unit.bbox_south, unit.bbox_east, unit.bbox_north = feature.bbox
        units.append(unit)
        audit_record(
            actor=actor,
            action=AuditAction.UPDATED,
            target=unit,
            entity_id=entity.pk,
            changes={"bbox": [before, list(feature.bbox)]},
            message=_("Boundary replaced from the layer %(layer)s (feature %(number)s).")
            % {"layer": layer.name, "number": number},
        )
    TerritorialUnit.objects.bulk_update(
        units, ["geometry", "bbox_west", "bbox_south", "bbox_east", "bbox_north"], batch_size=200
    )
