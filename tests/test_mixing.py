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
    assert block_r2(sample.observations, sample.latents, n_components=600) > 0.97


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


def test_same_functions_for_any_n_and_fresh_draws():
    small, large = simulate_mixing(300, seed=7), simulate_mixing(900, seed=7)
    # the latents of draw 0 are one stream: a prefix; f is the same, so the observations agree
    assert np.array_equal(small.latents, large.latents[:300])
    assert np.array_equal(small.observations, large.observations[:300])
    fresh = simulate_mixing(400, seed=7, draw=1)
    assert not np.allclose(fresh.latents[:300], small.latents)  # new samples ...
    assert np.allclose(small.observe(fresh.latents), fresh.observations)  # ... same f
    other = simulate_mixing(400, seed=8, draw=1)
    assert not np.allclose(small.observe(other.latents), other.observations)


def test_scalar_tasks_and_correlated_latents():
    sample = simulate_mixing(4000, seed=3, task_kind="scalar", task_noise=0.0)
    assert [sample.task(k).shape[1] for k in range(3)] == [1, 1, 1]
    for k in range(sample.n_tasks):
        rel = sample.support[k]
        assert block_r2(sample.latents[:, rel], sample.task(k)) > 0.95
        assert block_r2(sample.latents[:, ~rel], sample.task(k)) < 0.02
    corr = simulate_mixing(20000, seed=3, latent_correlation=0.6).latents
    c = np.corrcoef(corr.T)
    assert np.allclose(np.diag(c, 1), 0.6, atol=0.03)
    assert np.allclose(np.diag(c, 2), 0.36, atol=0.03)
    assert np.allclose(corr.std(axis=0), 1.0, atol=0.03)
    shallow = simulate_mixing(4000, seed=3, mixing_layers=1)  # affine: exactly linear
    from sklearn.linear_model import LinearRegression

    fit = LinearRegression().fit(shallow.latents, shallow.observations)
    assert fit.score(shallow.latents, shallow.observations) > 0.999999


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"task_kind": "matrix"}, "task_kind must be one of"),
        ({"latent_correlation": 1.0}, r"latent_correlation must be a number in \(-1.0, 1.0\)"),
        ({"mixing_layers": 0}, "mixing_layers must be an integer >= 1"),
        ({"draw": -1}, "draw must be an integer >= 0"),
    ],
)
def test_bad_generator_settings(kwargs, message):
    with pytest.raises((ValueError, TypeError), match=message):
        simulate_mixing(100, **kwargs)
