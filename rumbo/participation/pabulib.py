"""The Pabulib format (pabulib.org), in which participatory-budget elections are shared for
research and for anyone to recount: a `.pb` text file of three `;`-separated sections, META,
PROJECTS and VOTES. Approval ballots only (what Rumbo counts); voters are numbered 1…n in a
random order, so nothing in the file follows the order in which people voted.
"""

from __future__ import annotations

import csv
import io
import random
from collections.abc import Mapping

import numpy as np

from rumbo.participation.tally import Election, Outcome, approvals


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.2f}"


def pabulib_text(
    *,
    election: Election,
    meta: Mapping[str, str],
    names: list[str] | None = None,
    outcome: Outcome | None = None,
    seed: int | None = None,
) -> str:
    """The election as a `.pb` file. `meta` adds description, country, unit, instance…; project
    ids may not contain "," (Pabulib separates a ballot's projects with commas)."""
    if any("," in pid or ";" in pid for pid in election.ids):
        raise ValueError("Pabulib project ids cannot contain ',' or ';'.")
    out = io.StringIO()
    w = csv.writer(out, delimiter=";", lineterminator="\n")
    votes = approvals(election)
    w.writerow(["META"])
    w.writerow(["key", "value"])
    fixed = {
        "num_projects": str(len(election.ids)),
        "num_votes": str(election.voters),
        "budget": _number(election.budget),
        "vote_type": "approval",
    }
    for key, value in {**dict(meta), **fixed}.items():
        w.writerow([key, value])
    w.writerow(["PROJECTS"])
    chosen = set(outcome.selected) if outcome is not None else set()
    header = ["project_id", "cost", "votes", "name"] + (["selected"] if outcome is not None else [])
    w.writerow(header)
    for i, pid in enumerate(election.ids):
        row = [pid, _number(float(election.costs[i])), str(int(votes[i])), (names or election.ids)[i]]
        if outcome is not None:
            row.append("1" if i in chosen else "0")
        w.writerow(row)
    w.writerow(["VOTES"])
    w.writerow(["voter_id", "vote"])
    order = list(range(election.voters))
    if seed is None:
        random.SystemRandom().shuffle(order)  # unpredictable: the published order reveals nothing
    else:
        random.Random(seed).shuffle(order)  # noqa: S311  (tests fix the order; never for publication)
    ptr, projects = election.ballot_ptr, election.ballot_projects
    for number, b in enumerate(order, start=1):
        chosen_ids = [election.ids[int(p)] for p in np.sort(projects[ptr[b] : ptr[b + 1]])]
        w.writerow([str(number), ",".join(chosen_ids)])
    return out.getvalue()
