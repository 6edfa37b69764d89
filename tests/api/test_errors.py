"""Every API error is JSON {"detail": ...} in the request's language (Spanish by default, English
when asked), with a detail that says what to do; never a traceback, never HTML."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client, override_settings

from rumbo.accounts.services import api_token_create
from rumbo.core.throttle import throttle_reset
from rumbo.indicators.sheets import services as sheet_services

pytestmark = pytest.mark.django_db


def _token(world: Any, who: str = "planner") -> dict[str, str]:
    _t, raw = api_token_create(actor=world.users[who], name="script")
    return {"Authorization": f"Bearer {raw}"}


def _detail(response: Any) -> str:
    assert response["Content-Type"].startswith("application/json"), response.content[:200]
    body = response.json()
    assert isinstance(body["detail"], str) and body["detail"]
    assert "Traceback" not in body["detail"]
    return str(body["detail"])


@pytest.fixture
def indicator(world: Any) -> Any:
    return sheet_services.indicator_create(
        actor=world.users["planner"], plan=world.plan, node=None, code="I-1", name="Cobertura"
    )


def _put_targets(world: Any, indicator: Any, body: str, **headers: str) -> Any:
    return Client().put(
        f"/api/v1/indicators/{indicator.pk}/targets",
        data=body,
        content_type="application/json",
        headers={**_token(world), **headers},
    )


def test_an_empty_list_of_targets_is_refused_as_the_wrong_shape_not_as_invalid_json(
    world: Any, indicator: Any
) -> None:
    # given a body that is valid JSON but a list where a {period: value} object is expected
    # when
    response = _put_targets(world, indicator, "[]")
    # then the message names the shape; "no es JSON válido" would be false
    assert response.status_code == 422
    detail = _detail(response)
    assert "no es JSON válido" not in detail
    assert "objeto JSON" in detail and "lista" in detail


def test_an_empty_object_of_targets_changes_nothing(world: Any, indicator: Any) -> None:
    sheet_services.targets_set(actor=world.users["planner"], indicator=indicator, values={"2025": 10})
    response = _put_targets(world, indicator, "{}")
    assert response.status_code == 200, response.content
    assert response.json()["targets"] == [{"period": "2025", "value": 10.0}]


def test_a_body_that_is_not_json_gets_a_400_in_spanish(world: Any, indicator: Any) -> None:
    response = _put_targets(world, indicator, "{no es json")
    assert response.status_code == 400
    assert _detail(response) == "El cuerpo de la solicitud no es JSON válido."


def test_a_target_that_is_not_a_number_names_its_period(world: Any, indicator: Any) -> None:
    response = _put_targets(world, indicator, json.dumps({"2025": "mucho"}))
    assert response.status_code == 422
    assert response.json()["errors"] == [{"field": "2025", "message": "Debe ser un número."}]


def test_an_unknown_entity_on_the_ceilings_endpoint_is_a_spanish_404(world: Any) -> None:
    response = Client().get("/api/v1/investments/entities/999999/ceilings", headers=_token(world))
    assert response.status_code == 404
    assert _detail(response) == "No encontrado: no existe o no tiene permiso para verlo."


@override_settings(DEBUG=True)
def test_the_404_detail_does_not_leak_the_exception_text_with_debug(world: Any) -> None:
    response = Client().get("/api/v1/investments/entities/999999/ceilings", headers=_token(world))
    assert response.status_code == 404
    assert "Not Found" not in _detail(response)


def test_an_unknown_address_under_the_api_is_a_json_404(db: Any) -> None:
    for path in ("/api/v1/no-such-thing", "/api/v2/plans", "/api/"):
        response = Client().get(path)
        assert response.status_code == 404, path
        assert "/api/v1/docs" in _detail(response)


def test_a_wrong_method_is_a_json_405_with_the_allowed_methods(db: Any) -> None:
    response = Client().delete("/api/v1/territories")
    assert response.status_code == 405
    assert response["Allow"] == "GET"
    assert _detail(response) == "El método DELETE no está permitido aquí; use GET."


def test_a_write_without_a_token_is_a_spanish_401(world: Any) -> None:
    response = Client().post(
        f"/api/v1/plans/{world.plan.pk}/nodes",
        data=json.dumps({"code": "X", "title": "Sin token"}),
        content_type="application/json",
    )
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Bearer"
    assert "token" in _detail(response) and "Authorization: Bearer" in _detail(response)
    assert "Unauthorized" not in _detail(response)


def test_a_bad_token_on_a_read_is_a_spanish_401(world: Any) -> None:
    response = Client().get("/api/v1/plans", headers={"Authorization": "Bearer rmb_nope"})
    assert response.status_code == 401
    assert _detail(response) == "El token de la API no es válido."


def test_a_forbidden_write_is_a_spanish_403(world: Any, indicator: Any) -> None:
    response = Client().put(
        f"/api/v1/indicators/{indicator.pk}/targets",
        data="{}",
        content_type="application/json",
        headers=_token(world, "observer"),
    )
    assert response.status_code == 403
    assert _detail(response) == "No tiene permiso para realizar esta operación."


def test_the_throttle_answers_a_spanish_429_with_retry_after(world: Any) -> None:
    headers = _token(world)
    throttle_reset()
    with override_settings(RUMBO_RATE_LIMITS={"api_token": "1/m", "api_anonymous": "1/m"}):
        client = Client()
        assert client.get("/api/v1/plans", headers=headers).status_code == 200
        response = client.get("/api/v1/plans", headers=headers)
    throttle_reset()
    assert response.status_code == 429
    assert int(response["Retry-After"]) >= 1
    detail = _detail(response)
    assert detail.startswith("Demasiadas solicitudes") and response["Retry-After"] in detail


def test_an_unexpected_failure_is_a_generic_spanish_500_without_a_traceback(
    world: Any, monkeypatch: Any
) -> None:
    def broken(**kwargs: Any) -> Any:
        raise RuntimeError("secret internals /srv/rumbo/settings.py")

    monkeypatch.setattr("rumbo.territory.api.units_search", broken)
    response = Client(raise_request_exception=False).get("/api/v1/territories")
    assert response.status_code == 500
    detail = _detail(response)
    assert detail.startswith("Error interno")
    assert "secret" not in response.content.decode() and "RuntimeError" not in response.content.decode()


def test_errors_are_in_english_when_the_request_asks_for_it(world: Any, indicator: Any) -> None:
    english = {"Accept-Language": "en"}
    missing = Client().get("/api/v1/investments/entities/999999/ceilings", headers=english)
    assert _detail(missing) == "Not found: it does not exist or you may not see it."
    shape = _put_targets(world, indicator, "[]", **english)
    assert _detail(shape).startswith("The request body must be a JSON object")
    unknown = Client().get("/api/v1/nope", headers=english)
    assert _detail(unknown).startswith("There is no API operation at this address")


def test_schema_errors_of_nested_fields_name_the_path(world: Any) -> None:
    # given a list item with a missing field and a list where an object is expected
    response = Client().put(
        f"/api/v1/investments/entities/{world.entity.pk}/ceilings",
        data=json.dumps({"ceilings": [{"year": 2027, "amount": 5}]}),
        content_type="application/json",
        headers=_token(world),
    )
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"field": "ceilings.0.source", "message": "Este campo es obligatorio."}
    ]
    response = Client().put(
        f"/api/v1/investments/entities/{world.entity.pk}/ceilings",
        data=json.dumps({"ceilings": {"year": 2027}}),
        content_type="application/json",
        headers=_token(world),
    )
    assert response.json()["errors"] == [{"field": "ceilings", "message": "Debe ser una lista ([…])."}]
