"""The error pages (400, 403, 404, 500 and the refused form) in Spanish and in the site's design,
with DEBUG off as in production: no traceback, no internal detail."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.core.error_urls")]


def _page(response: Any) -> str:
    assert response["Content-Type"].startswith("text/html")
    html = response.content.decode()
    assert "Traceback" not in html and "secret" not in html and "internal reason" not in html
    assert '<html lang="es">' in html
    assert "bg-rumbo" in html and "rumbo/rumbo.css" in html  # the site's bar and style sheet
    return html


def test_an_unknown_page_is_a_spanish_404_in_the_site_design(db: Any) -> None:
    response = Client().get("/planes/no-existe/")
    assert response.status_code == 404
    html = _page(response)
    assert "Página no encontrada" in html and "/planes/no-existe/" in html
    assert "Volver a la página de inicio" in html


def test_a_forbidden_page_is_a_spanish_403(db: Any) -> None:
    response = Client().get("/fallar/403/")
    assert response.status_code == 403
    assert "Acceso denegado" in _page(response)


def test_a_suspicious_request_is_a_spanish_400(db: Any) -> None:
    response = Client().get("/fallar/400/")
    assert response.status_code == 400
    assert "Solicitud incorrecta" in _page(response)


def test_a_failure_is_a_spanish_500_without_a_traceback(db: Any) -> None:
    response = Client(raise_request_exception=False).get("/fallar/500/")
    assert response.status_code == 500
    html = _page(response)
    assert "Error interno" in html and "RuntimeError" not in html


def test_the_500_page_needs_neither_the_database_nor_context_processors(
    django_assert_num_queries: Any,
) -> None:
    from django.template.loader import render_to_string

    # when the page is rendered as Django's server_error renders it: no request, no context
    with django_assert_num_queries(0):
        html = render_to_string("500.html")
    # then it is complete
    assert "Error interno" in html and "rumbo/rumbo.css" in html


def test_a_failure_under_the_api_outside_ninja_is_json(db: Any) -> None:
    response = Client(raise_request_exception=False).get("/api/fallar/500/")
    assert response.status_code == 500
    assert response.json()["detail"].startswith("Error interno")


def test_english_visitors_get_the_pages_in_english(db: Any) -> None:
    response = Client().get("/planes/no-existe/", headers={"Accept-Language": "en"})
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


def test_a_form_without_its_security_token_gets_the_spanish_page(db: Any) -> None:
    # given a browser that sends the sign-in form without the CSRF cookie and token
    client = Client(enforce_csrf_checks=True)
    # when
    response = client.post("/entrar/", {"username": "x", "password": "y"})
    # then
    assert response.status_code == 403
    html = _page(response)
    assert "No se pudo enviar el formulario" in html
    assert "Permita las cookies" in html  # the reason Django gave: no CSRF cookie
    assert "CSRF verification failed" not in html


def test_an_expired_security_token_says_to_reload_and_send_again(db: Any) -> None:
    client = Client(enforce_csrf_checks=True)
    client.get("/entrar/")  # sets the CSRF cookie
    response = client.post("/entrar/", {"username": "x", "password": "y", "csrfmiddlewaretoken": "x" * 64})
    assert response.status_code == 403
    assert "recargue la página" in _page(response)
