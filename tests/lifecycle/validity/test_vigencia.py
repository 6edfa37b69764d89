"""The vigencia engine: Colombian legal floors, restarts, authority and declared ends, horizons."""

from __future__ import annotations

import datetime

import pytest

from rumbo.lifecycle.validity.vigencia import VigenciaError, vigencia_as_dict, vigencia_compute

D = datetime.date


def test_a_pot_adopted_in_december_2000_counts_from_the_1998_2000_period() -> None:
    result = vigencia_compute(country="CO", adopted=D(2000, 12, 20))
    assert result.adoption_period is not None
    assert (result.adoption_period.start, result.adoption_period.end) == (D(1998, 1, 1), D(2000, 12, 31))
    assert result.short_term_end == D(2003, 12, 31)
    assert result.medium_term_end == D(2007, 12, 31)
    assert result.long_term_end == D(2011, 12, 31)
    assert result.revision_window_start == D(2011, 7, 1)
    assert result.in_force_after_expiry is True
    assert result.long_term_rule == "legal_floor"


def test_a_pot_adopted_in_march_2004_counts_from_the_2004_2007_period() -> None:
    result = vigencia_compute(country="CO", adopted=D(2004, 3, 15))
    assert result.adoption_period is not None
    assert result.adoption_period.start == D(2004, 1, 1)
    assert (result.short_term_end, result.medium_term_end, result.long_term_end) == (
        D(2011, 12, 31),
        D(2015, 12, 31),
        D(2019, 12, 31),
    )
    assert result.revision_window_start == D(2019, 7, 1)


def test_every_computed_date_has_a_rule_and_a_legal_basis() -> None:
    result = vigencia_compute(country="CO", adopted=D(2004, 3, 15))
    keys = [d.key for d in result.dates]
    assert keys == ["short_term_end", "medium_term_end", "long_term_end", "revision_window_start"]
    for d in result.dates:
        assert d.rule and d.basis and all(b["norm"] for b in d.basis)
    articles = " ".join(b["norm"] + " " + b["article"] for b in result.basis)
    assert "Ley 388 de 1997 art. 28" in articles
    assert "art. 23" in articles
    assert len(result.steps) >= 5


def test_a_revision_that_restarts_the_count_computes_from_its_adoption() -> None:
    result = vigencia_compute(country="CO", adopted=D(2000, 12, 20), revision_restarts_from=D(2014, 6, 10))
    assert result.counted_from == D(2014, 6, 10)
    assert result.adoption_period is not None and result.adoption_period.start == D(2012, 1, 1)
    assert result.long_term_end == D(2027, 12, 31)
    assert result.short_term_end == D(2019, 12, 31)


def test_a_restart_before_the_adoption_is_refused() -> None:
    with pytest.raises(VigenciaError):
        vigencia_compute(country="CO", adopted=D(2010, 1, 1), revision_restarts_from=D(2009, 1, 1))


def test_an_end_fixed_by_an_authority_overrides_the_long_term_end_and_names_the_authority() -> None:
    result = vigencia_compute(
        country="CO",
        adopted=D(2000, 12, 20),
        authority_fixed_end=D(2015, 6, 30),
        authority="Consejo de Estado",
    )
    assert result.long_term_end == D(2015, 6, 30)
    assert result.long_term_rule == "authority_fixed"
    assert result.revision_window_start == D(2015, 1, 1)
    long_date = next(d for d in result.dates if d.key == "long_term_end")
    assert long_date.basis[0]["norm"] == "Consejo de Estado"
    assert any(b["norm"] == "Consejo de Estado" for b in result.basis)


def test_a_longer_declared_vigencia_prevails_over_the_legal_floor() -> None:
    result = vigencia_compute(
        country="CO",
        adopted=D(2000, 12, 20),
        declared_long_term_end=D(2015, 12, 31),
        declared_article="art. 3",
    )
    assert result.long_term_end == D(2015, 12, 31)
    assert result.long_term_rule == "declared"
    assert result.revision_window_start == D(2015, 7, 1)


def test_a_shorter_declared_vigencia_does_not_shorten_the_legal_floor() -> None:
    result = vigencia_compute(country="CO", adopted=D(2000, 12, 20), declared_long_term_end=D(2009, 12, 31))
    assert result.long_term_end == D(2011, 12, 31)
    assert result.long_term_rule == "legal_floor"


def test_the_title_horizon_does_not_change_any_date() -> None:
    plain = vigencia_as_dict(vigencia_compute(country="CO", adopted=D(2004, 3, 15)))
    titled = vigencia_as_dict(vigencia_compute(country="CO", adopted=D(2004, 3, 15), title_horizon_end=2040))
    for key in (
        "adoption_period",
        "short_term_end",
        "medium_term_end",
        "long_term_end",
        "revision_window_start",
    ):
        assert plain[key] == titled[key]
    assert len(titled["steps"]) == len(plain["steps"]) + 1


def test_peru_uses_the_horizon_of_the_plan_type_and_the_regime_in_force_on_adoption() -> None:
    old = vigencia_compute(country="PE", adopted=D(2020, 3, 15), plan_type="PDU")
    new = vigencia_compute(country="PE", adopted=D(2023, 3, 15), plan_type="PDU")
    assert old.regime == "pe_ds_022_2016"
    assert new.regime == "pe_ds_012_2022"
    assert (new.short_term_end, new.medium_term_end, new.long_term_end) == (
        D(2025, 3, 14),
        D(2028, 3, 14),
        D(2033, 3, 14),
    )
    assert new.in_force_after_expiry is False
    assert new.adoption_period is None
    assert new.revision_window_start == D(2032, 3, 15)
    pat = vigencia_compute(country="PE", adopted=D(2023, 3, 15), plan_type="PAT", regime="pe_ds_022_2016")
    assert pat.long_term_end == D(2043, 3, 14)
    assert pat.regime == "pe_ds_022_2016"


def test_mexico_uses_the_configurable_state_default() -> None:
    result = vigencia_compute(country="MX", adopted=D(2020, 1, 1), plan_type="PMDU")
    assert result.long_term_end == D(2039, 12, 31)
    assert result.revision_window_start == D(2037, 1, 1)
    assert any("configurable" in step.lower() for step in result.steps)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"country": "PE", "adopted": D(2020, 1, 1)},
        {"country": "PE", "adopted": D(2020, 1, 1), "plan_type": "PDLC"},
        {"country": "AR", "adopted": D(2020, 1, 1)},
        {"country": "CO", "adopted": D(1990, 1, 1)},
    ],
)
def test_inputs_without_a_rule_are_refused_with_a_message(kwargs: dict[str, object]) -> None:
    with pytest.raises(ValueError, match=r".+"):
        vigencia_compute(**kwargs)  # type: ignore[arg-type]
