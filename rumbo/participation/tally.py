"""Counting approval ballots of a participatory budget: greedy by votes, and the Method of Equal
Shares with cost utilities (without completion). Pure functions over numpy arrays, so a city's
vote (1,000 projects × 200,000 ballots) counts in about a second; `pabutools`, the reference
implementation, is the oracle in the tests (its `greedy_utilitarian_welfare` and
`method_of_equal_shares` with `Cost_Sat` and lexicographic tie-breaking).

- **Greedy**: projects by approval count, highest first (ties: the smaller id, compared as text),
  each taken when it still fits in what is left of the budget.
- **Equal shares**: the budget is split equally among the voters; a project is bought by its
  supporters, each paying the same share of its cost or all they have left. In each round the
  project needing the smallest share per unit of cost (ρ) is bought (ties: the smaller id); it
  stops when no project can be paid by its supporters. With cost utilities a voter's payment for
  project p is min(budget left, ρ · cost(p)), and ρ ≤ 1/(number of supporters) when none of them
  runs short.

Money is float64: budgets and costs are amounts with two decimals at most, far inside float64's
exactness for sums of up to a million ballots; equal ρ are compared with a relative tolerance of
1e-12 so that ties go to the rule, not to rounding.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

TIE = 1e-12

Floats = npt.NDArray[np.float64]
Ints = npt.NDArray[np.int64]


@dataclass(frozen=True)
class Election:
    """Projects (ids and costs), the budget, and approval ballots as a sparse incidence: for each
    ballot, the indices of the projects it approves (`ballot_ptr` marks where each one starts)."""

    ids: list[str]
    costs: Floats
    budget: float
    ballot_ptr: Ints  # len = ballots + 1
    ballot_projects: Ints  # project index of each approval, ballot by ballot

    @property
    def voters(self) -> int:
        return len(self.ballot_ptr) - 1

    def order(self) -> Ints:
        """Project indices sorted by id as text (the tie-breaking order)."""
        return np.array(sorted(range(len(self.ids)), key=lambda i: self.ids[i]), dtype=np.int64)


def election_build(
    *, ids: list[str], costs: list[float], budget: float, ballots: list[list[int]]
) -> Election:
    """An election from project indices per ballot (each ballot's approvals counted once)."""
    flat: list[int] = []
    ptr = [0]
    for ballot in ballots:
        chosen = sorted(set(ballot))
        flat.extend(chosen)
        ptr.append(len(flat))
    return Election(
        ids=list(ids),
        costs=np.asarray(costs, dtype=np.float64),
        budget=float(budget),
        ballot_ptr=np.asarray(ptr, dtype=np.int64),
        ballot_projects=np.asarray(flat, dtype=np.int64),
    )


@dataclass
class Outcome:
    selected: list[int]  # project indices, in the order they were taken
    votes: Ints  # approvals per project
    total_cost: float
    rho: dict[int, float] = field(default_factory=dict)  # equal shares: the ρ at which each was bought


def approvals(e: Election) -> Ints:
    return np.bincount(e.ballot_projects, minlength=len(e.ids)).astype(np.int64)


def tally_greedy(e: Election) -> Outcome:
    votes = approvals(e)
    rank = np.empty(len(e.ids), dtype=np.int64)
    rank[e.order()] = np.arange(len(e.ids))
    order = np.lexsort((rank, -votes))  # most votes first, then the id order
    left = e.budget
    selected: list[int] = []
    for p in order.tolist():
        cost = float(e.costs[p])
        if cost <= left * (1 + TIE):
            selected.append(p)
            left -= cost
    return Outcome(selected=selected, votes=votes, total_cost=float(sum(e.costs[s] for s in selected)))


def _supporters(e: Election) -> list[Ints]:
    """For each project, the indices of the ballots that approve it."""
    voter_of = np.repeat(np.arange(e.voters, dtype=np.int64), np.diff(e.ballot_ptr))
    order = np.argsort(e.ballot_projects, kind="stable")
    by_project = voter_of[order]
    bounds = np.searchsorted(e.ballot_projects[order], np.arange(len(e.ids) + 1))
    return [by_project[bounds[p] : bounds[p + 1]] for p in range(len(e.ids))]


def _rho(budgets: Floats, cost: float) -> float:
    """The smallest ρ with Σ min(b_i, ρ·cost) = cost over the supporters' budgets b (inf when
    they cannot pay it together)."""
    m = len(budgets)
    if m == 0 or cost <= 0:
        return np.inf if m == 0 else 0.0
    total = float(budgets.sum())
    if total < cost * (1 - TIE):
        return np.inf
    share = cost / m
    if float(budgets.min()) >= share:
        return share / cost
    b = np.sort(budgets)
    paid_before = np.concatenate(([0.0], np.cumsum(b)[:-1]))
    remaining = cost - paid_before
    payers = m - np.arange(m)
    fits = b * payers >= remaining * (1 - TIE)
    # the supporters' total matched the cost only within the tolerance: everyone pays all they have
    j = int(np.argmax(fits)) if fits.any() else m - 1
    return float(remaining[j] / payers[j]) / cost


def tally_equal_shares(e: Election) -> Outcome:
    votes = approvals(e)
    n = e.voters
    budgets = np.full(n, e.budget / n if n else 0.0, dtype=np.float64)
    supporters = _supporters(e)
    rank = np.empty(len(e.ids), dtype=np.int64)
    rank[e.order()] = np.arange(len(e.ids))
    # lazy evaluation: a project's ρ only grows as budgets are spent, so the last value computed
    # is a lower bound; only the projects that might beat the best one are computed again
    heap = [(0.0, int(rank[p]), p) for p in range(len(e.ids)) if len(supporters[p])]
    heapq.heapify(heap)
    selected: list[int] = []
    rhos: dict[int, float] = {}
    while heap:
        best: tuple[float, int, int] | None = None
        stale: list[tuple[float, int, int]] = []
        while heap:
            bound, r, p = heap[0]
            if best is not None and bound > best[0] * (1 + TIE):
                break
            heapq.heappop(heap)
            rho = _rho(budgets[supporters[p]], float(e.costs[p]))
            if rho == np.inf:
                continue  # its supporters will only have less from now on
            candidate = (rho, r, p)
            if best is None or rho < best[0] * (1 - TIE) or (rho <= best[0] * (1 + TIE) and r < best[1]):
                if best is not None:
                    stale.append(best)
                best = candidate
            else:
                stale.append(candidate)
        for item in stale:
            heapq.heappush(heap, item)
        if best is None:
            break
        rho, _r, p = best
        who = supporters[p]
        budgets[who] = np.maximum(budgets[who] - np.minimum(budgets[who], rho * float(e.costs[p])), 0.0)
        selected.append(p)
        rhos[p] = rho
    return Outcome(
        selected=selected, votes=votes, total_cost=float(sum(e.costs[s] for s in selected)), rho=rhos
    )
