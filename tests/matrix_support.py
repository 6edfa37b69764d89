"""The row type of the permission matrix (tests/test_permission_matrix.py), shared with the
per-area case lists (tests/investments/<area>/matrix.py)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from rumbo.accounts.permissions import Capability

C = Capability


@dataclass
class Case:
    name: str
    method: str
    url: Callable[[Any], str]
    plan: str | None  # world attribute: a plan, an entity ("entity", "other_entity"), a membership; or None
    capability: Capability | None  # None = reading is enough
    ok: int
    api: bool = False
    login_required: bool = True
    data: Callable[[Any], dict[str, Any]] | None = None
    # an internal page of an entity (`plan` names the entity): 404 for whoever may not read the
    # entity's private data, then 403 without `capability`
    entity_private: bool = False
