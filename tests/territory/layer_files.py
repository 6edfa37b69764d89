"""Layer files built in the tests from shapely geometries: GeoJSON by hand, the rest with pyogrio."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path
from typing import Any

import numpy as np
import pyogrio
import shapely


def geojson_write(path: Path, features: list[tuple[dict[str, Any], shapely.Geometry | None]]) -> Path:
    """A GeoJSON FeatureCollection in WGS84, written by hand (UTF-8, accents as is)."""
    collection = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": properties,
                "geometry": None if geometry is None else json.loads(shapely.to_geojson(geometry)),
            }
            for properties, geometry in features
        ],
    }
    path.write_text(json.dumps(collection, ensure_ascii=False), encoding="utf-8")
    return path


def ogr_write(
    path: Path,
    features: list[tuple[dict[str, Any], shapely.Geometry]],
    *,
    crs: str,
    driver: str,
    encoding: str = "UTF-8",
) -> Path:
    """A GeoPackage or Shapefile written with pyogrio.raw.write (string fields only)."""
    names = list(features[0][0])
    pyogrio.raw.write(
        str(path),
        geometry=np.array([shapely.to_wkb(g) for _, g in features], dtype=object),
        field_data=[np.array([props[n] for props, _ in features], dtype=object) for n in names],
        fields=names,
        geometry_type="Polygon",
        crs=crs,
        driver=driver,
        encoding=encoding if driver == "ESRI Shapefile" else None,
    )
    return path


def shapefile_zip(
    folder: Path,
    features: list[tuple[dict[str, Any], shapely.Geometry]],
    *,
    crs: str,
    encoding: str = "UTF-8",
    with_cpg: bool = True,
) -> Path:
    """A zipped Shapefile (.shp, .shx, .dbf, .prj and optionally .cpg) inside a sub-folder."""
    ogr_write(folder / "zonas.shp", features, crs=crs, driver="ESRI Shapefile", encoding=encoding)
    if not with_cpg:
        (folder / "zonas.cpg").unlink()
    archive = folder / "zonas.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        for part in sorted(folder.glob("zonas.*")):
            if part.suffix != ".zip":
                zipped.write(part, f"capa/{part.name}")
    return archive
