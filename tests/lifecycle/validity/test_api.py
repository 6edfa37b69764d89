"""The stable /api/v1/legal/ contract and the management commands that print the same JSON."""

from __future__ import annotations

import json
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

VIGENCIA_KEYS = {
    "adoption_period",
    "short_term_end",
    "medium_term_end",
    "long_term_end",
    "revision_window_start",
    "in_force_after_expiry",
    "basis",
}


@pytest.fixture
def client(db: Any) -> Client:
    return Client()


def test_vigencia_answers_the_contract_keys_and_values(client: Client) -> None:
    response = client.get("/api/v1/legal/vigencia", {"country": "CO", "adopted": "2000-12-20"})
    assert response.status_code == 200
    body = response.json()
    assert VIGENCIA_KEYS <= set(body)
    assert body["adoption_period"] == {"start": "1998-01-01", "end": "2000-12-31"}
    assert body["short_term_end"] == "2003-12-31"
    assert body["medium_term_end"] == "2007-12-31"
    assert body["long_term_end"] == "2011-12-31"
    assert body["revision_window_start"] == "2011-07-01"
    assert body["in_force_after_expiry"] is True
    assert body["basis"] and all({"norm", "article", "note"} <= set(b) for b in body["basis"])


def test_vigencia_accepts_the_optional_parameters(client: Client) -> None:
    body = client.get(
        "/api/v1/legal/vigencia",
        {
            "country": "CO",
            "adopted": "2000-12-20",
            "restart_from": "2014-06-10",
            "declared_long_term_end": "2030-12-31",
        },
    ).json()
    assert body["long_term_end"] == "2030-12-31"
    body = client.get(
        "/api/v1/legal/vigencia", {"country": "pe", "adopted": "2023-03-15", "plan_type": "PDU"}
    ).json()
    assert body["long_term_end"] == "2033-03-14"
    assert body["adoption_period"] is None


def test_deadline_answers_the_contract_keys(client: Client) -> None:
    response = client.get(
        "/api/v1/legal/deadline",
        {
            "country": "CO",
            "start": "2025-01-02",
            "amount": "3",
            "unit": "business_days",
            "count_start": "next_day",
        },
    )
    assert response.status_code == 200
    body = response.json()
    assert {"due", "basis"} <= set(body)
    assert body["due"] == "2025-01-08"
    assert body["basis"]


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"country": "CO"},
        {"country": "CO", "adopted": "2020-13-45"},
        {"country": "CO", "adopted": "ayer"},
        {"country": "XX", "adopted": "2020-01-01"},
        {"country": "CO", "adopted": "1980-01-01"},
        {"country": "CO", "adopted": "2020-01-01", "restart_from": "2019-01-01"},
        {"country": "CO", "adopted": "2020-01-01", "unit_code": "00000"},
        {"country": "PE", "adopted": "2020-01-01"},
    ],
)
def test_bad_vigencia_parameters_answer_422_with_a_detail(client: Client, params: dict[str, str]) -> None:
    response = client.get("/api/v1/legal/vigencia", params)
    assert response.status_code == 422
    assert isinstance(response.json()["detail"], str) and response.json()["detail"]


GOOD_DEADLINE = {
    "country": "CO",
    "start": "2025-01-02",
    "amount": "3",
    "unit": "business_days",
    "count_start": "next_day",
}


@pytest.mark.parametrize(
    "change",
    [
        {"country": None},
        {"start": None},
        {"start": "2020-13-45"},
        {"start": "ayer"},
        {"country": "AR"},
        {"amount": "0"},
        {"amount": "-5"},
        {"amount": "tres"},
        {"amount": None},
        {"amount": "3651"},
        {"unit": "weeks"},
        {"unit": None},
        {"count_start": "someday"},
        {"rule": "no_such_rule"},
    ],
)
def test_bad_deadline_parameters_answer_422_with_a_detail(
    client: Client, change: dict[str, str | None]
) -> None:
    params = {k: v for k, v in {**GOOD_DEADLINE, **change}.items() if v is not None}
    response = client.get("/api/v1/legal/deadline", params)
    assert response.status_code == 422
    assert response.json()["detail"]


def test_the_vigencia_command_prints_the_api_json(client: Client) -> None:
    out = StringIO()
    call_command("vigencia", "--country", "CO", "--adopted", "2004-03-15", "--json", stdout=out)
    api = client.get("/api/v1/legal/vigencia", {"country": "CO", "adopted": "2004-03-15"}).json()
    assert json.loads(out.getvalue()) == api


def test_the_deadline_command_prints_the_api_json(client: Client) -> None:
    out = StringIO()
    call_command(
        "deadline",
        "--country",
        "PE",
        "--start",
        "2025-07-25",
        "--amount",
        "2",
        "--unit",
        "business_days",
        "--count-start",
        "next_day",
        "--json",
        stdout=out,
    )
    api = client.get(
        "/api/v1/legal/deadline",
        {
            "country": "PE",
            "start": "2025-07-25",
            "amount": "2",
            "unit": "business_days",
            "count_start": "next_day",
        },
    ).json()
    assert json.loads(out.getvalue()) == api
    assert api["due"] == "2025-07-31"


def test_the_commands_explain_in_plain_text_without_json(db: Any) -> None:
    out = StringIO()
    call_command("vigencia", "--country", "CO", "--adopted", "2000-12-20", stdout=out)
    assert "2011-12-31" in out.getvalue() and "2011-07-01" in out.getvalue()


@pytest.mark.parametrize(
    "args",
    [
        ["vigencia", "--country", "CO", "--adopted", "ayer"],
        ["vigencia", "--country", "ZZ", "--adopted", "2020-01-01"],
        ["deadline", "--country", "CO", "--start", "2025-01-01", "--amount", "0", "--unit", "business_days"],
        ["deadline", "--country", "CO", "--start", "2025-01-01", "--amount", "5", "--unit", "weeks"],
    ],
)
def test_the_commands_refuse_bad_input_with_a_command_error(db: Any, args: list[str]) -> None:
    with pytest.raises(CommandError):
        call_command(*args, stdout=StringIO())
