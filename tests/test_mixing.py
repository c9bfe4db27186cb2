"""The Layer-2 generator: shapes, ground truth, determinism, and that tasks use only I_k."""

from __future__ import annotations

import numpy as np
import pytest

from specialist.metrics import block_r2
from specialist.simulate.mixing import default_support, simulate_mixing


def test_default_support_overlaps_and_leaves_irrelevant_latents():
    support = default_support(8, 3)
    assert support.astype(int).tolist() == [
        [1, 1, 0, 0, 0, 0, 0, 0],
        [0, 1, 1, 1, 0, 0, 0, 0],
        [0, 0, 0, 0, 1, 1, 0, 0],
    ]
    assert (support.sum(axis=0) > 1).any()  # a shared latent
    assert (~support.any(axis=0)).sum() == 2  # two latents no task uses
    with pytest.raises(ValueError, match=r"n_latent >= 2 \* n_tasks \+ 2"):
        default_support(6, 3)


def test_shapes_and_ground_truth():
    sample = simulate_mixing(500, n_latent=8, n_tasks=3, n_obs=10, seed=0)
    assert sample.observations.shape == (500, 10)
    assert sample.latents.shape == (500, 8)
    assert sample.n_tasks == 3
    # vector tasks of dimension 2 |I_k|, side by side
    assert [sample.task(k).shape[1] for k in range(3)] == [4, 6, 4]
    assert sample.tasks.shape == (500, 14)
    assert np.isfinite(sample.observations).all() and np.isfinite(sample.tasks).all()


def test_seeded():
    a, b = simulate_mixing(200, seed=5), simulate_mixing(200, seed=5)
    assert np.array_equal(a.observations, b.observations) and np.array_equal(a.tasks, b.tasks)
    c = simulate_mixing(200, seed=6)
    assert not np.allclose(a.observations, c.observations)
    rng = np.random.default_rng(5)
    assert np.array_equal(simulate_mixing(200, seed=rng).latents, a.latents)


def test_each_task_depends_on_its_latents_only():
    sample = simulate_mixing(4000, seed=1, task_noise=0.0)
    for k in range(sample.n_tasks):
        rel = sample.support[k]
        y = sample.task(k)
        assert block_r2(sample.latents[:, rel], y) > 0.95  # a function of s_{I_k} ...
        assert block_r2(sample.latents[:, ~rel], y) < 0.02  # ... and of nothing else
        # the task carries all of s_{I_k}, not a one-dimensional summary of it
        assert block_r2(y, sample.latents[:, rel]) > 0.9


def test_observations_determine_the_latents():
    # the mixing is injective and well conditioned: the latents are recoverable from o
    sample = simulate_mixing(4000, seed=2)
    assert block_r2(sample.observations, sample.latents) > 0.97


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"n": 1}, "n must be an integer >= 2"),
        ({"n": 100, "n_obs": 4}, "n_obs=4 must be >= n_latent=8"),
        ({"n": 100, "task_noise": 1.0}, r"task_noise must be a number in \[0.0, 1.0\)"),
        (
            {"n": 100, "support": np.ones((2, 5), bool)},
            r"support must be a boolean \(n_tasks, n_latent=8\)",
        ),
        (
            {"n": 100, "support": np.eye(8, dtype=bool)[:2] * 0},
            r"task\(s\) \[0, 1\] have no relevant",
        ),
        ({"n": 100, "seed": 1.5}, "seed must be an integer"),
    ],
)
def test_bad_input(kwargs, message):
    with pytest.raises((ValueError, TypeError), match=message):
        simulate_mixing(**kwargs)
