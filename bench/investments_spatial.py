"""Benchmark: the spatial eligibility check of 20,000 project points against 5,000 zoning
polygons (issue 5). Target: ≤ 3 s.

Everything is generated in memory, no database: a grid of irregular polygons (jittered corners,
one in ten enlarged so that it overlaps its neighbours), each with a land-use value, a set of
rules (one per value, some sector-specific), and random project points over the grid (a few
fall outside it). The timed part is what the bulk recheck does after reading the rows: build the
geometries from GeoJSON dicts, build the layer's STRtree, and check every point.

Run: `.venv/bin/python bench/investments_spatial.py [--polygons 5000] [--points 20000] [--runs 3]`.
Prints its figures; exits 0 whatever they are (the numbers are for people to read).
"""

from __future__ import annotations

import argparse
import math
import os
import random
import statistics
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")

import django  # noqa: E402

django.setup()

from rumbo.investments.eligibility import (  # noqa: E402
    Rule,
    ZoningLayer,
    geometry_from_geojson,
    zoning_check_many,
)

TARGET_SECONDS = 3.0
USES = ["residencial", "comercial", "industrial", "protección", "agrícola", "expansión urbana", "sin regla"]
SECTORS = ["transport", "water", "housing", "environment", "education", "health", ""]


def make_polygons(count: int, rng: random.Random) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """(GeoJSON geometry, properties) of `count` irregular cells over a square grid of 0.01°."""
    side = math.ceil(math.sqrt(count))
    size = 0.01
    west, south = -77.5, -6.5
    features = []
    for i in range(count):
        row, col = divmod(i, side)
        x0, y0 = west + col * size, south + row * size
        grow = 0.004 if i % 10 == 0 else 0.0  # one in ten overlaps its neighbours
        j = 0.002
        ring = [
            (x0 - grow + rng.uniform(-j, j), y0 - grow + rng.uniform(-j, j)),
            (x0 + size / 2, y0 - grow + rng.uniform(-j, j)),
            (x0 + size + grow + rng.uniform(-j, j), y0 - grow + rng.uniform(-j, j)),
            (x0 + size + grow + rng.uniform(-j, j), y0 + size + grow + rng.uniform(-j, j)),
            (x0 + rng.uniform(-j, j), y0 + size + grow + rng.uniform(-j, j)),
        ]
        ring.append(ring[0])
        geometry = {"type": "Polygon", "coordinates": [[list(p) for p in ring]]}
        features.append((geometry, {"uso": rng.choice(USES), "id": i}))
    return features


def make_points(count: int, polygons: int, rng: random.Random) -> list[dict[str, Any]]:
    side = math.ceil(math.sqrt(polygons)) * 0.01
    return [
        {
            "type": "Point",
            "coordinates": [-77.52 + rng.random() * (side + 0.04), -6.52 + rng.random() * (side + 0.04)],
        }
        for _ in range(count)
    ]


RULES = [
    Rule("uso", "residencial", "allowed"),
    Rule("uso", "residencial", "conditional", sector="transport", note="estudio de tráfico"),
    Rule("uso", "comercial", "allowed"),
    Rule("uso", "industrial", "conditional", note="licencia ambiental"),
    Rule("uso", "protección", "forbidden", note="área protegida"),
    Rule("uso", "protección", "conditional", sector="environment", note="solo restauración"),
    Rule("uso", "agrícola", "conditional"),
    Rule("uso", "expansión urbana", "allowed"),
]


def run_once(
    features: list[tuple[dict[str, Any], dict[str, Any]]], points: list[dict[str, Any]], sectors: list[str]
) -> tuple[float, Counter[str], int]:
    started = time.perf_counter()
    geometries = [geometry_from_geojson(g) for g, _props in features]
    layer = ZoningLayer(
        layer_id=1,
        name="Zonificación",
        geometries=[g for g in geometries if g is not None],
        properties=[p for _g, p in features],
        rules=RULES,
    )
    locations = [geometry_from_geojson(p) for p in points]
    results = zoning_check_many(geometries=locations, sectors=sectors, layers=[layer])
    elapsed = time.perf_counter() - started
    verdicts = Counter(r.verdict for r in results)
    zones = sum(len(r.zones) for r in results)
    return elapsed, verdicts, zones


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--polygons", type=int, default=5000)
    parser.add_argument("--points", type=int, default=20000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    rng = random.Random(20250)
    features = make_polygons(args.polygons, rng)
    points = make_points(args.points, args.polygons, rng)
    sectors = [rng.choice(SECTORS) for _ in points]
    timings = []
    verdicts: Counter[str] = Counter()
    zones = 0
    for _run in range(args.runs):
        elapsed, verdicts, zones = run_once(features, points, sectors)
        timings.append(elapsed)
    median = statistics.median(timings)
    print(f"Spatial eligibility: {args.points:,} project points × {args.polygons:,} zoning polygons")
    print(f"  runs: {', '.join(f'{t:.3f} s' for t in timings)}  (GeoJSON → shapely, STRtree, check)")
    print(f"  verdicts: {dict(sorted(verdicts.items()))}; zone hits listed: {zones:,}")
    met = "met" if median <= TARGET_SECONDS else "NOT met"
    print(f"  median {median:.3f} s — target ≤ {TARGET_SECONDS:.0f} s: {met}")


if __name__ == "__main__":
    main()
