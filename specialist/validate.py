"""Argument checks shared by the package: each error names the parameter and what it accepts."""

from __future__ import annotations

from numbers import Integral, Real

import numpy as np


def check_int(name: str, value, minimum: int) -> int:
    """``value`` as an ``int >= minimum`` (bools refused), else TypeError/ValueError."""
    if isinstance(value, bool) or not isinstance(value, Integral):
        raise TypeError(f"{name} must be an integer >= {minimum}, got {value!r}")
    if value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value}")
    return int(value)


def check_real(
    name: str,
    value,
    low: float,
    high: float,
    closed_high: bool = False,
    closed_low: bool = False,
) -> float:
    """``value`` as a finite float in ``(low, high)`` (brackets closed on request), else ValueError.

    ``high = inf`` accepts every finite number above ``low``.
    """
    ok = not isinstance(value, bool) and isinstance(value, Real) and np.isfinite(value)
    ok = ok and (low <= value if closed_low else low < value)
    ok = ok and (value <= high if closed_high else value < high)
    if not ok:
        left = "[" if closed_low else "("
        right = "]" if closed_high else ")"
        raise ValueError(f"{name} must be a number in {left}{low}, {high}{right}, got {value!r}")
    return float(value)


def check_choice(name: str, value, accepted: tuple[str, ...]) -> str:
    """``value`` if it is one of the ``accepted`` strings, else ValueError listing them."""
    if not isinstance(value, str) or value not in accepted:
        raise ValueError(f"{name} must be one of {accepted}, got {value!r}")
    return value
