"""API of participation. For now the stateless tally, so that anyone can check a count:

POST /api/v1/participation/tally
{"rule": "greedy" | "equal_shares", "budget": B, "projects": [{"id": "…", "cost": c}, …],
 "ballots": [["id", …], …]}  →  {"selected": [ids, sorted], "total_cost": t}

Approval ballots; a project named twice on one ballot counts once; greedy, like pabutools, also
funds projects nobody approved while they fit (equal shares never does). 422 with a Spanish
`detail` for a cost or budget not above zero or not below 10¹⁵, an empty project list, a
duplicate project id, a ballot naming an unknown project, more than 2,000 projects or 1,000,000
ballots; 400 for a body that is not JSON; 413 for a body above RUMBO_TALLY_MAX_BYTES; 429 past
the "tally" rate limit (per address, whatever token is sent).
"""

from __future__ import annotations

import threading
from typing import Any

import orjson
from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema
from ninja.errors import HttpError
from ninja.throttling import BaseThrottle

from rumbo.core.http import client_address
from rumbo.core.throttle import rate_hit
from rumbo.participation.tally import election_build, tally_equal_shares, tally_greedy

router = Router(tags=["participation"])
MAX_PROJECTS = 2_000
MAX_BALLOTS = 1_000_000
MAX_AMOUNT = 10**15


class TallyThrottle(BaseThrottle):
    """Per address, whatever token is sent (an unchecked Bearer string must not open a new
    allowance); the answer for wait() is per thread, as in rumbo.core.throttle.ApiThrottle."""

    def __init__(self) -> None:
        self._state = threading.local()

    def allow_request(self, request: HttpRequest) -> bool:
        decision = rate_hit(scope="tally", key=client_address(request))
        self._state.wait = float(decision.retry_after) if not decision.allowed else None
        return decision.allowed

    def wait(self) -> float | None:
        return getattr(self._state, "wait", None)


class TallyOut(Schema):
    selected: list[str]
    total_cost: float | int


_REQUEST_SCHEMA = {
    "content": {
        "application/json": {
            "schema": {
                "type": "object",
                "required": ["rule", "budget", "projects", "ballots"],
                "properties": {
                    "rule": {"type": "string", "enum": ["greedy", "equal_shares"]},
                    "budget": {"type": "number", "exclusiveMinimum": 0},
                    "projects": {
                        "type": "array",
                        "maxItems": MAX_PROJECTS,
                        "items": {
                            "type": "object",
                            "required": ["id", "cost"],
                            "properties": {
                                "id": {"type": "string"},
                                "cost": {"type": "number", "exclusiveMinimum": 0},
                            },
                        },
                    },
                    "ballots": {
                        "type": "array",
                        "maxItems": MAX_BALLOTS,
                        "items": {"type": "array", "items": {"type": "string"}},
                    },
                },
            }
        }
    },
    "required": True,
}


def _positive(value: Any) -> bool:
    """A JSON number above zero and below 10¹⁵, the largest amount Rumbo stores (true and false
    are not numbers)."""
    return isinstance(value, (int, float)) and not isinstance(value, bool) and 0 < value < MAX_AMOUNT


def tally_request_parse(data: Any) -> tuple[str, Any, list[tuple[str, Any]], list[list[int]]]:
    """(rule, budget, [(id, cost)], ballots as project indices), or HttpError 422 in Spanish."""
    if not isinstance(data, dict):
        raise HttpError(422, _("Send a JSON object with rule, budget, projects and ballots."))
    rule = data.get("rule")
    if rule not in ("greedy", "equal_shares"):
        raise HttpError(422, _('The rule must be "greedy" or "equal_shares".'))
    budget = data.get("budget")
    if not _positive(budget):
        raise HttpError(422, _("The budget must be a number greater than zero and below 10¹⁵."))
    projects = data.get("projects")
    if not isinstance(projects, list) or not projects:
        raise HttpError(422, _("Send the list of projects, each with its id and cost."))
    if len(projects) > MAX_PROJECTS:
        raise HttpError(
            422,
            _("At most %(max)s projects can be counted at once.")
            % {"max": f"{MAX_PROJECTS:,}".replace(",", ".")},
        )
    index: dict[str, int] = {}
    rows: list[tuple[str, Any]] = []
    for n, project in enumerate(projects, start=1):
        pid = project.get("id") if isinstance(project, dict) else None
        cost = project.get("cost") if isinstance(project, dict) else None
        if not isinstance(pid, str) or not pid:
            raise HttpError(422, _("Project %(n)s has no id (a text).") % {"n": n})
        if not _positive(cost):
            raise HttpError(
                422,
                _("The cost of project %(id)s must be a number greater than zero and below 10¹⁵.")
                % {"id": pid[:60]},
            )
        if pid in index:
            raise HttpError(422, _("The project id %(id)s appears twice.") % {"id": pid[:60]})
        index[pid] = len(rows)
        rows.append((pid, cost))
    ballots = data.get("ballots")
    if not isinstance(ballots, list):
        raise HttpError(422, _("Send the ballots as a list of lists of project ids."))
    if len(ballots) > MAX_BALLOTS:
        raise HttpError(
            422,
            _("At most %(max)s ballots can be counted at once.")
            % {"max": f"{MAX_BALLOTS:,}".replace(",", ".")},
        )
    parsed: list[list[int]] = []
    for n, ballot in enumerate(ballots, start=1):
        if not isinstance(ballot, list):
            raise HttpError(422, _("Ballot %(n)s is not a list of project ids.") % {"n": n})
        try:
            parsed.append([index[pid] for pid in ballot])
        except (KeyError, TypeError):
            unknown = next((p for p in ballot if not isinstance(p, str) or p not in index), None)
            raise HttpError(
                422, _("Ballot %(n)s names an unknown project: %(id)s.") % {"n": n, "id": str(unknown)[:60]}
            ) from None
    return rule, budget, rows, parsed


@router.post(
    "/participation/tally",
    response=TallyOut,
    auth=None,
    throttle=[TallyThrottle()],
    summary="Count approval ballots by greedy or equal shares (stateless; anyone can check a count)",
    openapi_extra={"requestBody": _REQUEST_SCHEMA},
)
def tally(request: HttpRequest) -> dict[str, Any]:
    """Greedy takes projects by approval count, highest first (ties by id), skipping those that no
    longer fit; equal shares is the Method of Equal Shares with cost utilities, without completion."""
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0  # read below, bounded all the same
    limit = int(settings.RUMBO_TALLY_MAX_BYTES)
    if length > limit:
        raise HttpError(413, _("The request is larger than %(mb)s MB.") % {"mb": limit // (1024 * 1024)})
    raw = request.read(limit + 1)
    if len(raw) > limit:
        raise HttpError(413, _("The request is larger than %(mb)s MB.") % {"mb": limit // (1024 * 1024)})
    try:
        data = orjson.loads(raw)
    except orjson.JSONDecodeError:
        raise HttpError(400, _("The request body is not valid JSON.")) from None
    rule, budget, rows, ballots = tally_request_parse(data)
    election = election_build(
        ids=[r[0] for r in rows], costs=[float(r[1]) for r in rows], budget=float(budget), ballots=ballots
    )
    outcome = tally_greedy(election) if rule == "greedy" else tally_equal_shares(election)
    total = sum(rows[i][1] for i in outcome.selected)
    return {"selected": sorted(rows[i][0] for i in outcome.selected), "total_cost": total}
