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


def as_generator(rng_or_seed) -> np.random.Generator:
    """A ``numpy.random.Generator`` from a seed (int) or a generator (passed through)."""
    if isinstance(rng_or_seed, np.random.Generator):
        return rng_or_seed
    if isinstance(rng_or_seed, bool) or not isinstance(rng_or_seed, Integral):
        raise TypeError(f"seed must be an integer or a numpy.random.Generator, got {rng_or_seed!r}")
    return np.random.default_rng(int(rng_or_seed))


def n_segments(n_steps: int, segment_length: int = 2) -> int:
    """Number of segments ``K = n_steps // segment_length``, after checking the segmentation.

    Raises a ``ValueError`` naming the parameter when ``segment_length < 2``, when ``n_steps``
    is not a multiple of ``segment_length`` or when there are fewer than two segments (no pair
    to test).

    """
    segment_length = check_int("segment_length", segment_length, 2)
    n_steps = check_int("n_steps", n_steps, 1)
    if n_steps % segment_length:
        raise ValueError(
            f"n_steps={n_steps} must be a multiple of segment_length={segment_length} "
            "(every segment has segment_length steps)"
        )
    k = n_steps // segment_length
    if k < 2:
        raise ValueError(
            f"n_steps={n_steps} with segment_length={segment_length} gives {k} segment; "
            "at least 2 segments are needed (n_steps >= 2 * segment_length)"
        )
    return k
