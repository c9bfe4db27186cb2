"""Synthetic paired runs shared by the verdict tests."""

import numpy as np
import pandas as pd


def paired_runs(accuracy: dict[str, float], n=8, noise=0.01, seed=0, **setting) -> pd.DataFrame:
    """Long-format runs: a fixed accuracy per method, a data-set effect shared by every
    method (so the comparison is paired) and a little per-method noise; ``setting`` adds
    constant columns (e.g. ``n_steps=8``)."""
    rng = np.random.default_rng(seed)
    rows = []
    for s in range(n):
        shift = rng.normal(0, 0.05)  # the same for every method: a data-set effect
        for m, acc in accuracy.items():
            rows.append(
                {
                    **setting,
                    "seed": s,
                    "replicate": s,
                    "method": m,
                    "accuracy": acc + shift + rng.normal(0, noise),
                }
            )
    return pd.DataFrame(rows)
