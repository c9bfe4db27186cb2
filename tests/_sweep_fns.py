"""Module-level functions for tests/test_sweep.py (worker processes must import them)."""

import numpy as np


def noisy_square(x, seed, label=None):
    rng = np.random.default_rng(seed)
    return {"y": x * x, "noise": float(rng.normal())}


def not_a_mapping(x, seed):
    return x
