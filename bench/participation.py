"""Benchmark: counting a city's participatory-budget vote by each rule, in process and through the
stateless endpoint's parsing.

Targets (issue 13): 1,000 projects × 200,000 approval ballots counted by greedy in ≤ 1 s and by
the Method of Equal Shares in ≤ 10 s. (The results page for 50 units comes with the cycles.)

Data: project popularity follows a Zipf law (a few projects draw most votes), then is uniform\n(every project as popular: the most rounds of equal shares); each ballot
approves 1–7 projects, costs 10,000–500,000, budget 20 % of the total cost; fixed seed.

    .venv/bin/python bench/participation.py [--projects 1000] [--ballots 200000] [--repeat 3]

Prints its figures; exits 0 whatever they are.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from rumbo.participation.tally import Election, tally_equal_shares, tally_greedy


def election(projects: int, ballots: int, *, uniform: bool, seed: int = 1) -> Election:
    rng = np.random.default_rng(seed)
    popularity = np.ones(projects) if uniform else rng.zipf(1.3, size=projects).astype(float)
    popularity /= popularity.sum()
    costs = rng.integers(10, 500, size=projects).astype(float) * 1000
    sizes = rng.integers(1, 8, size=ballots)
    picks = rng.choice(projects, size=int(sizes.sum()), p=popularity)
    ballot_of = np.repeat(np.arange(ballots), sizes)
    pairs = np.unique(ballot_of * projects + picks)  # one approval per ballot and project, in ballot order
    ballot_ids, project_ids = pairs // projects, pairs % projects
    ptr = np.searchsorted(ballot_ids, np.arange(ballots + 1))
    return Election(
        ids=[f"p{i:04d}" for i in range(projects)],
        costs=costs,
        budget=float(costs.sum() * 0.2),
        ballot_ptr=ptr.astype(np.int64),
        ballot_projects=project_ids.astype(np.int64),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--projects", type=int, default=1000)
    parser.add_argument("--ballots", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    for uniform in (False, True):
        _run(args, uniform=uniform)


def _run(args: argparse.Namespace, *, uniform: bool) -> None:
    started = time.perf_counter()
    e = election(args.projects, args.ballots, uniform=uniform)
    print("uniform popularity:" if uniform else "Zipf popularity:", end=" ")
    print(f"{args.projects} projects × {args.ballots} ballots, {len(e.ballot_projects)} approvals "
          f"(built in {time.perf_counter() - started:.1f} s)")  # fmt: skip
    for name, rule, target in (("greedy", tally_greedy, 1.0), ("equal shares", tally_equal_shares, 10.0)):
        times = []
        for _ in range(args.repeat):
            t = time.perf_counter()
            outcome = rule(e)
            times.append(time.perf_counter() - t)
        median = statistics.median(times)
        print(f"{name:<13} median {median:.3f} s (target ≤ {target:g} s: {'yes' if median <= target else 'NO'}); "
              f"{len(outcome.selected)} projects funded, total {outcome.total_cost:,.0f}")  # fmt: skip


if __name__ == "__main__":
    main()
