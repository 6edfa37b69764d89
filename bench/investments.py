"""Benchmarks of issue 5 (investments). This script times re-ranking 20,000 projects after a
weight change (target ≤ 1 s) and then runs the other two, each in its own process:

* bench/investments_summary.py — the investment plan summary page for 5,000 projects
  (target ≤ 200 ms median);
* bench/investments_spatial.py — the spatial eligibility check of 20,000 project points against
  5,000 zoning polygons (target ≤ 3 s).

`--only-ranking` skips them.

Pure Python + numpy, no database: the projects are plain dataclasses with random scores on 0–5
(5 % missing) over six criteria. Django is set up only because the explanation strings go
through gettext.

Run: `.venv/bin/python bench/investments.py [--projects 20000] [--runs 10]`.
Prints its figures; exits 0 whatever they are (the numbers are for people to read).
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")

import django  # noqa: E402

django.setup()

from rumbo.investments.prioritisation import (  # noqa: E402
    Criterion,
    ProjectScores,
    ScoreMatrix,
    rank,
    sensitivity,
    weight_shares,
)

CRITERIA = [
    Criterion("gap", "Gap closed", 3),
    Criterion("alignment", "Alignment", 2),
    Criterion("population", "Population benefited", 2),
    Criterion("cost", "Cost-effectiveness", 2),
    Criterion("readiness", "Readiness", 1),
    Criterion("risk", "Risk", 1, higher_is_better=False),
]
# The weight change being measured: "gap closed" from 3 to 4.5 (+50 %).
CHANGED = [Criterion("gap", "Gap closed", 4.5), *CRITERIA[1:]]


def build_projects(total: int, seed: int = 2024) -> list[ProjectScores]:
    """`total` projects with random half-point scores on 0–5, about 5 % of them missing."""
    rng = random.Random(seed)
    return [
        ProjectScores(
            project_id=i,
            code=f"PRJ-{i:05d}",
            title=f"Proyecto {i}",
            scores={c.key: (None if rng.random() < 0.05 else rng.randint(0, 10) / 2) for c in CRITERIA},
        )
        for i in range(total)
    ]


def median_seconds(fn: Callable[[], object], runs: int) -> float:
    """Median wall time of `runs` calls of `fn`."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    """Build the projects, time the three ways of re-ranking, print the medians."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--projects", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--only-ranking", action="store_true")
    args = parser.parse_args()

    projects = build_projects(args.projects)
    n = f"{args.projects:,}"

    full = median_seconds(lambda: rank(projects, CHANGED), args.runs)
    sens = median_seconds(
        lambda: sensitivity(projects, CRITERIA, criterion_key="gap", deltas=(0.5,)), args.runs
    )
    matrix = ScoreMatrix(projects, CRITERIA)
    shares, _total = weight_shares(CHANGED)
    core = median_seconds(lambda: matrix.ranks(matrix.totals(shares)), args.runs)

    print(f"re-ranking {n} projects after a weight change (median of {args.runs}; target ≤ 1 s):")
    print(f"  rank() with the new weight, breakdowns included : {full * 1000:8.1f} ms")
    print(f"  sensitivity() for one weight change             : {sens * 1000:8.1f} ms")
    print(f"  score matrix already built (numpy totals + sort): {core * 1000:8.1f} ms")
    verdict = "meets" if full <= 1.0 else "MISSES"
    print(f"  → {verdict} the 1 s target (headline figure: rank() with breakdowns)")
    if not args.only_ranking:
        for script in ("investments_summary.py", "investments_spatial.py"):
            print(flush=True)
            subprocess.run([sys.executable, str(ROOT / "bench" / script)], check=False)


if __name__ == "__main__":
    main()
