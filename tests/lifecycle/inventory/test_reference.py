"""The requirements file: it loads, it is checked, and its legal claims carry their status."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from rumbo.lifecycle.inventory.reference import (
    REQUIREMENTS_FILE,
    RequirementsFileError,
    requirement_plan_types,
    requirements_for,
    requirements_load,
)


def test_every_country_has_requirements_for_its_territorial_plans() -> None:
    assert requirement_plan_types(country="CO") == ["EOT", "PBOT", "POT"]
    assert requirement_plan_types(country="PE") == ["PAT", "PDU", "POT-P", "POT-R"]
    assert requirement_plan_types(country="MX") == ["PMDU", "PMOT"]
    assert requirements_for(country="XX", plan_type_code="POT") == ()


def test_colombian_diagnosis_maps_are_1_25000_rural_and_1_5000_urban() -> None:
    # given (Decreto 1232 de 2020; rules.md §1.6)
    reqs = {r.key: r for r in requirements_for(country="co", plan_type_code="pot")}
    # then
    assert reqs["co-cartografia-rural"].max_scale_denominator == 25000
    assert reqs["co-cartografia-urbana"].max_scale_denominator == 5000
    assert reqs["co-cartografia-rural"].scale_source == "law"
    assert any("1232" in b.norm and b.verified for b in reqs["co-cartografia-rural"].basis)


def test_basic_hazard_studies_cite_decreto_1807_as_unverified() -> None:
    reqs = requirements_for(country="CO", plan_type_code="EOT")
    hazards = [r for r in reqs if r.theme == "hazard_risk"]
    assert {r.hazard_kind for r in hazards} == {"flood", "mass_movement", "torrential_flow"}
    assert all(any("1807" in b.norm and not b.verified for b in r.basis) for r in hazards)


def test_ages_not_set_by_law_are_marked_as_rumbo_defaults() -> None:
    reqs = {r.key: r for r in requirements_for(country="CO", plan_type_code="POT")}
    assert reqs["co-catastro"].max_age_years == 5
    assert reqs["co-cobertura-rural"].max_age_years == 10
    assert all(r.max_age_source == "rumbo_default" for r in reqs.values())


def test_a_malformed_file_is_refused(tmp_path: Path) -> None:
    data = json.loads(REQUIREMENTS_FILE.read_text(encoding="utf-8"))
    data["sets"][0]["requirements"][0]["theme"] = "astrology"
    bad = tmp_path / "requirements.json"
    bad.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(RequirementsFileError, match="astrology"):
        requirements_load(path=bad)


def test_loading_twice_reuses_the_cache() -> None:
    assert requirements_load() is requirements_load()
