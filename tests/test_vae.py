"""SparseTaskVAE: ℓ1 recovers the support on an easy instance, the generalist does not separate,
fits and transforms are deterministic, and bad input is refused before training."""

from __future__ import annotations

import numpy as np
import pytest

from specialist.experiments.layer2 import block_scores, fit_model
from specialist.metrics import block_r2, support_f1
from specialist.models import SparseTaskVAE
from specialist.simulate.mixing import simulate_mixing

EASY = np.array([[1, 1, 0, 0, 0], [0, 0, 1, 0, 0]], dtype=bool)  # latents 3, 4 irrelevant
SETTINGS = {"epochs": 60, "batch_size": 64}


@pytest.fixture(scope="module")
def easy():
    return simulate_mixing(2000, n_latent=5, support=EASY, seed=0)


@pytest.fixture(scope="module")
def specialist_model(easy):
    return fit_model(easy, "l1", 3.0, seed=0, **SETTINGS)


@pytest.fixture(scope="module")
def generalist_model(easy):
    return fit_model(easy, "none", 0.0, seed=0, **SETTINGS)


def test_l1_recovers_the_true_support(easy, specialist_model):
    assert support_f1(EASY, specialist_model.support_matrix()) == 1.0
    assert [b.size for b in specialist_model.relevant_latents()] == [2, 1]
    scores = block_scores(specialist_model, easy)
    assert scores["r2_relevant"] > 0.9
    assert scores["r2_irrelevant"] < 0.1


def test_generalist_mask_is_dense_and_its_blocks_are_entangled(easy, generalist_model):
    assert generalist_model.support_matrix().all()
    assert np.all(generalist_model.task_mask_ == 1.0)
    scores = block_scores(generalist_model, easy)
    assert scores["r2_relevant"] > 0.9
    assert scores["r2_irrelevant"] > 0.8  # the task information is kept, but not separated


def test_heads_predict_the_tasks(easy, specialist_model):
    for k, pred in enumerate(specialist_model.predict_tasks(easy.observations)):
        assert pred.shape == easy.task(k).shape
        assert block_r2(pred, easy.task(k)) > 0.9


def test_transform_and_fit_are_deterministic(easy, specialist_model):
    z = specialist_model.transform(easy.observations)
    assert z.shape == (2000, 5)
    assert np.array_equal(z, specialist_model.transform(easy.observations))
    settings = {"epochs": 2, "batch_size": 256}
    a = fit_model(easy, "l1", 3.0, seed=4, **settings)
    b = fit_model(easy, "l1", 3.0, seed=4, **settings)
    c = fit_model(easy, "l1", 3.0, seed=5, **settings)
    assert np.array_equal(a.task_mask_, b.task_mask_)
    assert np.array_equal(a.transform(easy.observations), b.transform(easy.observations))
    assert not np.array_equal(a.transform(easy.observations), c.transform(easy.observations))


def test_l0_gates_close_exactly_and_a_huge_weight_closes_them_all(easy):
    model = fit_model(easy, "l0", 1000.0, seed=0, epochs=15, batch_size=64)
    assert np.all(model.task_mask_ == 0.0)
    assert [b.size for b in model.relevant_latents()] == [0, 0]
    gated = fit_model(easy, "l0", 3.0, seed=0, **SETTINGS)
    assert gated.task_mask_.min() >= 0.0 and gated.task_mask_.max() <= 1.0
    assert (gated.task_mask_ == 0.0).any()  # exact zeros, not small values


def test_task_input_forms(easy):
    settings = {"epochs": 1, "batch_size": 512, "seed": 0}
    y = np.column_stack([easy.task(0)[:, 0], easy.task(1)[:, 0]])
    two_scalar = SparseTaskVAE(3, **settings).fit(easy.observations, y)
    assert two_scalar.task_mask_.shape == (2, 3) and two_scalar.task_dims_ == (1, 1)
    as_cube = SparseTaskVAE(3, **settings).fit(
        easy.observations, easy.tasks[:, :4].reshape(-1, 2, 2)
    )
    assert as_cube.task_dims_ == (2, 2)
    listed = SparseTaskVAE(3, **settings).fit(easy.observations, [easy.task(0), easy.task(1)[:, 0]])
    assert listed.task_dims_ == (4, 1)


@pytest.mark.parametrize(
    "kwargs, error, message",
    [
        ({"n_latent": 0}, ValueError, "n_latent must be an integer >= 1"),
        ({"l1": -0.1}, ValueError, r"l1 must be a number in \[0.0, inf\)"),
        ({"l1": 1.0, "l0": 1.0}, ValueError, "set at most one of l1 and l0"),
        ({"epochs": 0}, ValueError, "epochs must be an integer >= 1"),
        ({"threshold": 1.0}, ValueError, r"threshold must be a number in \(0.0, 1.0\)"),
        ({"lr": float("nan")}, ValueError, "lr must be a number"),
    ],
)
def test_bad_settings(kwargs, error, message):
    with pytest.raises(error, match=message):
        SparseTaskVAE(**kwargs)


def test_bad_data_is_refused_before_training(easy):
    model = SparseTaskVAE(3, epochs=1000)  # would take minutes if training started
    obs, tasks = easy.observations, easy.task(0)
    with pytest.raises(ValueError, match=r"observations must be a 2-D \(n, n_obs\) array"):
        model.fit(obs[:, 0], tasks)
    with pytest.raises(ValueError, match="observations contain NaN"):
        model.fit(np.where(obs > 1, np.nan, obs), tasks)
    with pytest.raises(ValueError, match="task 0 has 10 samples, observations have 2000"):
        model.fit(obs, tasks[:10])
    with pytest.raises(ValueError, match="task 1 contains NaN"):
        model.fit(obs, [tasks, np.full(2000, np.nan)])
    with pytest.raises(ValueError, match=r"tasks must be an \(n, M\) or \(n, M, d\) array"):
        model.fit(obs, np.zeros((2000, 1, 1, 1)))
    with pytest.raises(RuntimeError, match="not fitted"):
        model.transform(obs)
    with pytest.raises(RuntimeError, match="not fitted"):
        model.relevant_latents()


def test_transform_checks_the_observation_width(easy, specialist_model):
    with pytest.raises(ValueError, match="the model was fitted on 9"):
        specialist_model.transform(easy.observations[:, :4])


def test_sequences_share_the_mask_over_steps():
    rng = np.random.default_rng(0)
    n, steps = 600, 5
    s = rng.standard_normal((n, steps, 3))
    obs = np.tanh(s @ rng.standard_normal((3, 6)))
    tasks = s[:, :, 0].sum(axis=1, keepdims=True)  # a task of the whole sequence, from latent 0
    model = SparseTaskVAE(3, l1=3.0, epochs=30, batch_size=32, seed=0).fit(obs, tasks)
    assert model.task_mask_.shape == (1, 3)
    assert model.transform(obs).shape == (n, steps, 3)
    assert model.transform(obs[:, 0]).shape == (n, 3)  # the encoder acts on single steps too
    assert model.predict_tasks(obs)[0].shape == (n, 1)
    with pytest.raises(ValueError, match="shaped like the fit"):
        model.predict_tasks(obs[:, 0])
    # the kept block carries the task's latent
    kept = model.relevant_latents()[0]
    z = model.transform(obs)[:, :, kept].reshape(n * steps, -1)
    assert block_r2(z, s[:, :, 0].reshape(-1)) > 0.8


def test_mask_support_rule():
    from specialist.models.vae import mask_support

    mask = np.array(
        [
            [2.0, 0.5, 0.1, 0.0],  # relative threshold 0.1 * 2.0: keeps 0 and 1 (0.1 < 0.2)
            [0.04, 0.03, 0.0, 0.0],  # below 5 % of the mask's largest entry: collapsed
            [0.0, 0.0, 0.0, 0.3],
        ]
    )
    assert [b.tolist() for b in mask_support(mask, 0.1)] == [[0, 1], [], [3]]
    # the collapse rule is relative: the same row survives in a mask of small entries
    assert [b.tolist() for b in mask_support(mask[1:2], 0.1)] == [[0, 1]]
    assert [b.tolist() for b in mask_support(np.zeros((2, 3)), 0.1)] == [[], []]
