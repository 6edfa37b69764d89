"""API authentication: personal bearer tokens for writes; reads may be anonymous."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja.errors import HttpError
from ninja.security import HttpBearer

from rumbo.accounts.services import api_token_authenticate


class ApiTokenAuth(HttpBearer):
    """`Authorization: Bearer rmb_…` with a token created on the user's token page."""

    def authenticate(self, request: HttpRequest, token: str) -> Any | None:
        user = api_token_authenticate(raw=token)
        if user is not None:
            request.user = user
        return user


def api_reader(request: HttpRequest) -> Any:
    """The user behind a read request: a token if one is sent, else the session, else anonymous.

    A token that is sent but invalid is an error (401), never a silent downgrade to anonymous.
    """
    header = request.headers.get("Authorization", "")
    if header.lower().startswith("bearer "):
        user = api_token_authenticate(raw=header[7:].strip())
        if user is None:
            raise HttpError(401, _("The API token is not valid."))
        return user
    return getattr(request, "user", None) or AnonymousUser()
