"""Input validation and small helpers shared by the baselines (same rules as Algorithm 1)."""

from __future__ import annotations

import numpy as np

from specialist.structure import check_inputs as validate

#: fewest samples a baseline accepts (its tests and cross-validation need some)
MIN_SAMPLES = 10


def check_inputs(
    states, tasks, segment_length: int, alpha: float
) -> tuple[np.ndarray, np.ndarray, int]:
    """Validate like :func:`~specialist.structure.discover_task_structure`.

    Returns ``states`` as ``(n, T, d)``, ``tasks`` as ``(n, M, d_g)`` (float) and ``K``.
    Raises a ``ValueError`` naming the parameter for wrong shapes, NaN or infinite values, a
    sample-count mismatch, ``T`` not a multiple of ``segment_length`` or ``alpha`` outside
    (0, 1).
    """
    states, tasks, n_seg = validate(states, tasks, segment_length, alpha)
    if states.shape[0] < MIN_SAMPLES:
        raise ValueError(f"need at least {MIN_SAMPLES} samples, got n = {states.shape[0]}")
    if states.ndim == 2:
        states = states[:, :, None]
    if tasks.ndim == 2:
        tasks = tasks[:, :, None]
    return states, tasks, n_seg


def zscore(x: np.ndarray) -> np.ndarray:
    """Centre and scale each column to unit variance (a constant column becomes zeros)."""
    std = x.std(axis=0)
    return (x - x.mean(axis=0)) / np.where(std > 0, std, np.inf)
