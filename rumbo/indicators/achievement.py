"""Achievement (grado de cumplimiento) of one indicator in one period, with its explanation.

Rules, all explicit (they are pinned by tests/indicators/rollup/):

* **Direction.** The sheet's direction if set; otherwise inferred by comparing the first and the
  last of [baseline, first target, last target] (rising → increasing, falling → decreasing,
  flat → neutral). With fewer than two numbers it is taken as increasing, the common case.
* **Ratio formula** (`AchievementFormula.RATIO`):
  increasing: value / target; decreasing: target / value;
  neutral: 1 − |value − target| / |target|, never below 0.
  Division by zero: an increasing target of 0 is reached by any value ≥ 0 (100 %); a
  decreasing indicator whose value is 0 met its target (100 % when the target is 0 too,
  otherwise the best possible result: it counts as the cap, or 100 % when there is no cap);
  a neutral target of 0 gives 100 % only for a value of 0.
* **Gap closed** (`AchievementFormula.GAP_CLOSED`): (value − baseline) / (target − baseline),
  the share of the distance from the baseline to the target that was covered, whatever the
  direction (the sign of target − baseline carries it). Neutral indicators use
  1 − |value − target| / |target − baseline| so overshooting is penalised. It needs a
  baseline (without one the achievement is missing). When target = baseline: 100 % if the
  value reached the target in the indicator's direction, otherwise 0.
* Negative results count as 0 (the value moved away from the target).
* **Cap.** `cap_percent` 100 → min(achievement, 1.0); 120 → min(…, 1.2); empty → no cap.
  `raw_achievement` keeps the figure before the cap and `capped` says whether it applied.
* **Traffic light.** green when achievement × 100 ≥ threshold_green, amber when
  ≥ threshold_amber, otherwise red; "missing" when there is no value, no target (or no
  baseline for the gap-closed formula). Boundaries are inclusive: exactly 90 % with a green
  threshold of 90 is green.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils.translation import get_language, gettext

from rumbo.indicators.models import AchievementFormula, Direction

_TRANSLATED: dict[tuple[str | None, str], str] = {}


def _(message: str) -> str:
    """gettext memoised per language: a roll-up asks for the same few messages thousands of times."""
    key = (get_language(), message)
    found = _TRANSLATED.get(key)
    if found is None:
        found = _TRANSLATED[key] = gettext(message)
    return found


GREEN = "green"
AMBER = "amber"
RED = "red"
MISSING = "missing"


def light_label(light: str) -> str:
    """The traffic light's name for people."""
    return {GREEN: _("green"), AMBER: _("amber"), RED: _("red"), MISSING: _("no data")}.get(light, light)


def direction_label(direction: str) -> str:
    labels: dict[str, str] = {
        Direction.INCREASING.value: _("increasing"),
        Direction.DECREASING.value: _("decreasing"),
        Direction.NEUTRAL.value: _("neutral"),
    }
    return labels.get(direction, direction)


def direction_infer(*, baseline: Decimal | None, targets: Sequence[Decimal | None]) -> str:
    """Direction from the baseline and the targets in period order: compare the first and the
    last of [baseline, first target, last target]; increasing when there is nothing to compare."""
    ends = [targets[0], targets[-1]] if len(targets) > 1 else list(targets)
    series = [v for v in (baseline, *ends) if v is not None]
    if len(series) < 2:
        return str(Direction.INCREASING)
    first, last = series[0], series[-1]
    if last > first:
        return str(Direction.INCREASING)
    if last < first:
        return str(Direction.DECREASING)
    return str(Direction.NEUTRAL)


def indicator_direction(indicator: Any, *, targets: Sequence[Decimal | None] | None = None) -> str:
    """The indicator's stored direction, else the one inferred from its baseline and targets
    (`targets` in period order; read from the database when not given)."""
    if indicator.direction:
        return str(indicator.direction)
    if targets is None:
        targets = list(
            indicator.targets.order_by("period__start", "-period__end").values_list("value", flat=True)
        )
    return direction_infer(baseline=indicator.baseline_value, targets=targets)


def number_text(value: Decimal | float | None, sep: str = ".") -> str:
    """A measured number as people write it: no trailing zeros, the locale's decimal mark."""
    if value is None:
        return "—"
    if isinstance(value, float):
        value = Decimal(repr(value))
    text = format(value.normalize(), "f")
    if text == "-0":
        text = "0"
    return text.replace(".", sep) if sep != "." else text


def percent_text(fraction: Decimal | float | None, sep: str = ".") -> str:
    """0.8 → "80.0 %" (one decimal, the locale's decimal mark)."""
    if fraction is None:
        return "—"
    text = f"{float(fraction) * 100:.1f}"
    return f"{text.replace('.', sep) if sep != '.' else text} %"


@dataclass(slots=True)
class Achievement:
    """The outcome of the rules above for one value; `explanation` has the numbers."""

    achievement: float | None
    raw_achievement: float | None
    capped: bool
    light: str
    explanation: list[str] = field(default_factory=list)


def light_for(
    *, achievement: float | Decimal | None, threshold_green: Decimal | float, threshold_amber: Decimal | float
) -> str:
    """Traffic light for an achievement fraction; inclusive boundaries (90 % with green from 90 → green)."""
    if achievement is None:
        return MISSING
    # Rounded so that float noise (0.9 × 100 = 90.00000000000001) never moves a boundary.
    percent = round(float(achievement) * 100, 9)
    if percent >= float(threshold_green):
        return GREEN
    if percent >= float(threshold_amber):
        return AMBER
    return RED


def achievement_compute(
    *,
    value: Any,  # Decimal | float | None
    target: Any,  # Decimal | float | None
    baseline: Any,  # Decimal | float | None
    direction: str,
    formula: str,
    cap_percent: Decimal | None,
    threshold_green: Decimal,
    threshold_amber: Decimal,
    explain: bool = True,
    sep: str = ".",
) -> Achievement:
    """Apply the formula, the floor at 0 and the cap to one value; see the module docstring.

    Works in the type of `value`: Decimal for the figures that are explained, float for charts
    (the other numbers are converted to it)."""
    lines: list[str] = []
    if value is None or target is None:
        return Achievement(None, None, False, MISSING, lines)
    if formula == AchievementFormula.GAP_CLOSED and baseline is None:
        if explain:
            lines.append(_("The gap-closed formula needs a baseline, and this indicator has none."))
        return Achievement(None, None, False, MISSING, lines)

    num: Any = float if isinstance(value, float) else Decimal
    zero, one = num(0), num(1)
    target = num(target)
    baseline = None if baseline is None else num(baseline)
    cap = None if cap_percent is None else num(cap_percent) / num(100)
    raw: Any
    unbounded = False  # a decreasing value of 0 under a positive target: the best possible result
    n = number_text
    if formula == AchievementFormula.GAP_CLOSED:
        assert baseline is not None
        gap = target - baseline
        if gap == zero:
            reached = (
                value >= target
                if direction == Direction.INCREASING
                else value <= target
                if direction == Direction.DECREASING
                else value == target
            )
            raw = one if reached else zero
            if explain:
                lines.append(
                    _(
                        "The target equals the baseline (%(target)s): achievement is 100 %% if the value "
                        "(%(value)s) reached it, otherwise 0."
                    )
                    % {"target": n(target, sep), "value": n(value, sep)}
                )
        elif direction == Direction.NEUTRAL:
            raw = one - abs(value - target) / abs(gap)
            if explain:
                lines.append(
                    _(
                        "Achievement = 1 − |value − target| / |target − baseline| = 1 − |%(value)s − %(target)s| / "
                        "|%(target)s − %(baseline)s| = %(result)s (gap closed from the baseline, neutral indicator)"
                    )
                    % {
                        "value": n(value, sep),
                        "target": n(target, sep),
                        "baseline": n(baseline, sep),
                        "result": percent_text(raw, sep),
                    }
                )
        else:
            raw = (value - baseline) / gap
            if explain:
                lines.append(
                    _(
                        "Achievement = (value − baseline) / (target − baseline) = (%(value)s − %(baseline)s) / "
                        "(%(target)s − %(baseline)s) = %(result)s (share of the gap from the baseline that was closed)"
                    )
                    % {
                        "value": n(value, sep),
                        "target": n(target, sep),
                        "baseline": n(baseline, sep),
                        "result": percent_text(raw, sep),
                    }
                )
    elif direction == Direction.DECREASING:
        if value == zero:
            if target == zero:
                raw = one
                if explain:
                    lines.append(
                        _("Value and target are both 0: the target is met, achievement = %(result)s.")
                        % {"result": percent_text(raw, sep)}
                    )
            else:
                unbounded = True
                raw = cap if cap is not None else one
                if explain:
                    lines.append(
                        _(
                            "The value is 0, under the target %(target)s of a decreasing indicator: the best "
                            "possible result, counted as %(result)s (target / value has no finite value)."
                        )
                        % {"target": n(target, sep), "result": percent_text(raw, sep)}
                    )
        else:
            raw = target / value
            if explain:
                lines.append(
                    _(
                        "Achievement = target / value = %(target)s / %(value)s = %(result)s (decreasing indicator)"
                    )
                    % {"target": n(target, sep), "value": n(value, sep), "result": percent_text(raw, sep)}
                )
    elif direction == Direction.NEUTRAL:
        if target == zero:
            raw = one if value == zero else zero
            if explain:
                lines.append(
                    _(
                        "The target is 0: achievement is 100 %% only if the value is 0 as well (value: %(value)s)."
                    )
                    % {"value": n(value, sep)}
                )
        else:
            raw = one - abs(value - target) / abs(target)
            if explain:
                lines.append(
                    _(
                        "Achievement = 1 − |value − target| / |target| = 1 − |%(value)s − %(target)s| / |%(target)s| "
                        "= %(result)s (neutral indicator: the closer to the target, the better)"
                    )
                    % {"value": n(value, sep), "target": n(target, sep), "result": percent_text(raw, sep)}
                )
    else:
        if target == zero:
            raw = one if value >= zero else zero
            if explain:
                lines.append(
                    _(
                        "The target is 0: any value of 0 or more reaches it (value: %(value)s), achievement = "
                        "%(result)s."
                    )
                    % {"value": n(value, sep), "result": percent_text(raw, sep)}
                )
        else:
            raw = value / target
            if explain:
                lines.append(
                    _(
                        "Achievement = value / target = %(value)s / %(target)s = %(result)s (increasing indicator)"
                    )
                    % {"value": n(value, sep), "target": n(target, sep), "result": percent_text(raw, sep)}
                )

    if raw < zero:
        if explain:
            lines.append(
                _("A negative result (%(raw)s) counts as 0 %%: the value moved away from the target.")
                % {"raw": percent_text(raw, sep)}
            )
        raw = zero

    result = raw
    capped = False
    if cap is not None and (raw > cap or unbounded):
        result = cap
        capped = True
        if explain and not unbounded:
            lines.append(
                _(
                    "Capped at %(cap)s: over-achievement above the cap does not count (before the cap: %(raw)s)."
                )
                % {"cap": percent_text(cap, sep), "raw": percent_text(raw, sep)}
            )
    elif cap is None and raw > one and explain:
        lines.append(_("No cap on this indicator: over-achievement counts in full."))

    light = light_for(achievement=result, threshold_green=threshold_green, threshold_amber=threshold_amber)
    if explain:
        lines.append(
            _("Traffic light: %(light)s (green from %(green)s %%, amber from %(amber)s %%, red below).")
            % {
                "light": light_label(light),
                "green": n(threshold_green, sep),
                "amber": n(threshold_amber, sep),
            }
        )
    return Achievement(float(result), float(raw), capped, light, lines)
