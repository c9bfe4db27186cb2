"""SparseTaskVAE: ℓ1 recovers the support on an easy instance, the generalist's Jacobian block is a
superset, the support rule is one per-row rule, the ensemble path equals solo fits, "auto"
chooses λ from held-out losses, fits are deterministic, and bad input is refused early."""

from __future__ import annotations

import copy

import numpy as np
import pytest
from sklearn.exceptions import NotFittedError

from specialist.experiments.layer2 import block_scores
from specialist.metrics import block_r2, support_f1
from specialist.models import SparseTaskVAE
from specialist.models._common import COLLAPSED, support_from_sensitivity
from specialist.simulate.mixing import simulate_mixing

EASY = np.array([[1, 1, 0, 0, 0], [0, 0, 1, 0, 0]], dtype=bool)  # latents 3, 4 irrelevant
SETTINGS = {"epochs": 60, "batch_size": 64}


@pytest.fixture(scope="module")
def easy():
    return simulate_mixing(2000, n_latent=5, support=EASY, seed=0)


@pytest.fixture(scope="module")
def fresh():
    return simulate_mixing(2000, n_latent=5, support=EASY, seed=0, draw=1)


def _tasks(sample):
    return [sample.task(k) for k in range(sample.n_tasks)]


@pytest.fixture(scope="module")
def path(easy):
    """Dense, ℓ1 = 3 and ℓ0 = 3 trained side by side."""
    template = SparseTaskVAE(5, seed=0, **SETTINGS)
    return template.fit_path(easy.observations, _tasks(easy), l1=[3.0], l0=[3.0])


@pytest.fixture(scope="module")
def specialist_model(easy):
    """λ chosen by the label-free rule of ``l1="auto"``."""
    return SparseTaskVAE(5, seed=0, **SETTINGS).fit(easy.observations, _tasks(easy))


@pytest.fixture(scope="module")
def generalist_model(path):
    return path[0]


def _scores(model, sample):
    codes = model.transform(sample.observations)
    return block_scores(model.relevant_latents(), codes, sample)


def test_l1_recovers_the_true_support(fresh, specialist_model):
    assert specialist_model.l1 == "auto" and specialist_model.l1_ > 0
    assert specialist_model.l0 == 0.0
    assert support_f1(EASY, specialist_model.support_matrix()) == 1.0
    assert [b.size for b in specialist_model.relevant_latents()] == [2, 1]
    scores = _scores(specialist_model, fresh)  # scored on a fresh draw of the same generator
    assert scores["r2_relevant"] > 0.9
    assert scores["r2_irrelevant_max"] < 0.1


def test_sparse_support_is_the_mask_support(path):
    for model in path[1:]:
        mask = model.task_mask_
        expected = [np.flatnonzero(row >= model.threshold * row.max()) for row in mask]
        got = model.relevant_latents()
        assert [g.tolist() for g in got] == [e.tolist() for e in expected]
        # a latent the mask switches off has (numerically) no influence on the head
        off = mask < 1e-3 * mask.max()
        assert np.all(model.task_sensitivity_[off] < 1e-3 * model.task_sensitivity_.max())


def test_l1_mask_has_exact_zeros_and_a_threshold_free_support(easy, specialist_model):
    # the proximal step sets unused entries to exactly 0, so any relative threshold below the
    # smallest open entry gives the same support: the block does not hinge on the threshold
    mask = specialist_model.task_mask_
    assert mask.min() >= 0.0
    assert (mask == 0.0).sum() >= mask.size - 3  # only the true support's entries stay open
    at_default = [b.tolist() for b in specialist_model.relevant_latents()]
    assert [len(b) for b in at_default] == [2, 1]
    for threshold in (0.01, 0.05, 0.2):
        moved = copy.copy(specialist_model).set_params(threshold=threshold)
        assert [b.tolist() for b in moved.relevant_latents()] == at_default
    # a weight far above the smooth loss's gradients closes every entry
    closed = SparseTaskVAE(5, l1=1e4, seed=0, epochs=5, batch_size=64)
    closed.fit(easy.observations, _tasks(easy))
    assert np.all(closed.task_mask_ == 0.0)
    assert [b.size for b in closed.relevant_latents()] == [0, 0]


def test_generalist_block_is_a_read_superset(fresh, generalist_model):
    # its mask is fixed at 1, but its block is what its heads read, not "all by definition"
    assert np.all(generalist_model.task_mask_ == 1.0)
    blocks = generalist_model.relevant_latents()
    assert [b.tolist() for b in blocks] == [
        b.tolist() for b in support_from_sensitivity(generalist_model.task_sensitivity_, 0.1)
    ]
    assert all(b.size >= t for b, t in zip(blocks, [2, 1], strict=True))
    assert sum(b.size for b in blocks) > 3  # a strict superset somewhere (Prop. 2)
    scores = _scores(generalist_model, fresh)
    assert scores["r2_relevant"] > 0.9
    assert scores["r2_irrelevant_max"] > 0.5  # the task information is kept, but not separated


def test_support_rule_is_per_row():
    s = np.array(
        [
            [2.0, 0.5, 0.1, 0.0],  # relative threshold 0.1 * 2.0: keeps 0 and 1
            [0.04, 0.03, 0.0, 0.0],  # below COLLAPSED: the head reads nothing
            [0.0, 0.0, 0.0, 0.3],
            [0.06, 0.05, 0.0, 0.0],  # small next to row 0, but above COLLAPSED: kept
        ]
    )
    assert COLLAPSED == 0.05
    assert [b.tolist() for b in support_from_sensitivity(s, 0.1)] == [[0, 1], [], [3], [0, 1]]
    # a row's support does not depend on the other rows
    for k in range(4):
        alone = support_from_sensitivity(s[k : k + 1], 0.1)[0]
        assert alone.tolist() == support_from_sensitivity(s, 0.1)[k].tolist()
    with pytest.raises(ValueError, match="threshold must be a number in"):
        support_from_sensitivity(s, 1.5)


def test_path_members_equal_solo_fits(easy, path):
    solo = SparseTaskVAE(5, l1=3.0, seed=0, **SETTINGS).fit(easy.observations, _tasks(easy))
    assert np.allclose(solo.task_mask_, path[1].task_mask_, atol=1e-5)
    assert np.allclose(
        solo.transform(easy.observations), path[1].transform(easy.observations), atol=1e-4
    )
    assert list(solo.loss_history_.columns) == ["total", "recon", "kl", "task", "penalty"]
    assert solo.loss_history_.shape == (SETTINGS["epochs"], 5)
    assert solo.loss_history_["total"].iloc[-1] < solo.loss_history_["total"].iloc[0]


def test_paths_of_several_data_sets_trained_together_equal_solo_paths(easy, fresh):
    # two data sets (two draws of the generator), each with its own seed, in one ensemble
    data = [(s.observations[:600], [t[:600] for t in _tasks(s)]) for s in (easy, fresh)]
    template = SparseTaskVAE(5, epochs=3, batch_size=64)
    together = template.fit_paths(data, [4, 9], l1=[3.0], l0=[3.0])
    for (obs, tasks), seed, models in zip(data, (4, 9), together, strict=True):
        alone = SparseTaskVAE(5, epochs=3, batch_size=64, seed=seed).fit_path(
            obs, tasks, l1=[3.0], l0=[3.0]
        )
        assert [(m.l1, m.l0, m.seed) for m in models] == [(m.l1, m.l0, seed) for m in alone]
        for a, b in zip(alone, models, strict=True):
            np.testing.assert_allclose(a.transform(obs), b.transform(obs), rtol=0, atol=1e-6)
            np.testing.assert_allclose(a.task_sensitivity_, b.task_sensitivity_, atol=1e-6)
            np.testing.assert_allclose(a.loss_history_, b.loss_history_, rtol=1e-6)
    assert not np.allclose(together[0][0].transform(easy.observations[:50]),
                           together[1][0].transform(easy.observations[:50]))  # fmt: skip
    with pytest.raises(ValueError, match="one seed per data set"):
        template.fit_paths(data, [4])
    with pytest.raises(ValueError, match="need the same shapes"):
        shorter = (easy.observations[:500], [t[:500] for t in _tasks(easy)])
        template.fit_paths([data[0], shorter], [4, 9])


def test_auto_chooses_the_largest_lambda_within_tolerance(easy):
    model = SparseTaskVAE(5, seed=0, **SETTINGS).fit(easy.observations, _tasks(easy))
    assert model.l1 == "auto"
    table = model.path_
    assert table["l1"].tolist() == [0.0, *sorted(model.auto_path)]
    qualifying = table.loc[table["worst_excess"] <= model.auto_tolerance, "l1"]
    assert model.l1_ == qualifying.max() == table.loc[table["chosen"], "l1"].item()
    assert model.l1_ > 0  # sparsity costs nothing on this instance
    assert support_f1(EASY, model.support_matrix()) == 1.0
    # the chosen model is the path's member: the same as fitting that λ on the same rows
    chosen = model.path_models_[int(table["chosen"].to_numpy().argmax())]
    assert np.array_equal(chosen.task_mask_, model.task_mask_)
    # a huge λ switches the tasks off and is refused by the held-out losses
    assert not table.loc[table["l1"] == 300.0, "qualifies"].item()
    assert table.loc[table["l1"] == 300.0, "block_size"].item() == 0
    assert table.loc[table["l1"] == 300.0, "closed"].item()


def test_a_closed_mask_never_qualifies_even_within_tolerance(easy):
    # tasks the observations cannot predict: every held-out task loss is about 1, so a model
    # whose mask keeps no latent costs nothing, yet it has no block and is no specialist
    noise = np.random.default_rng(0).normal(size=(easy.observations.shape[0], 2))
    model = SparseTaskVAE(5, seed=0, epochs=10, batch_size=64, auto_path=[300.0])
    model.fit(easy.observations, [noise[:, :1], noise[:, 1:]])
    table = model.path_
    closed = table.loc[table["l1"] == 300.0].iloc[0]
    assert closed["closed"] and closed["within_tolerance"] and not closed["qualifies"]
    assert model.l1_ == 0.0 and table.loc[0, "chosen"]


def test_heads_predict_the_tasks(easy, specialist_model):
    for k, pred in enumerate(specialist_model.predict_tasks(easy.observations)):
        assert pred.shape == easy.task(k).shape
        assert block_r2(pred, easy.task(k)) > 0.9


def test_transform_and_fit_are_deterministic(easy, specialist_model):
    z = specialist_model.transform(easy.observations)
    assert z.shape == (2000, 5)
    assert np.array_equal(z, specialist_model.transform(easy.observations))
    settings = {"l1": 3.0, "epochs": 2, "batch_size": 256}
    a = SparseTaskVAE(5, seed=4, **settings).fit(easy.observations, _tasks(easy))
    b = SparseTaskVAE(5, seed=4, **settings).fit(easy.observations, _tasks(easy))
    c = SparseTaskVAE(5, seed=5, **settings).fit(easy.observations, _tasks(easy))
    assert np.array_equal(a.task_mask_, b.task_mask_)
    assert np.array_equal(a.transform(easy.observations), b.transform(easy.observations))
    assert not np.array_equal(a.transform(easy.observations), c.transform(easy.observations))


def test_l0_gates_close_exactly_and_a_huge_weight_closes_them_all(easy, path):
    model = SparseTaskVAE(5, l1=0.0, l0=1000.0, seed=0, epochs=15, batch_size=64)
    model.fit(easy.observations, _tasks(easy))
    assert np.all(model.task_mask_ == 0.0)
    assert [b.size for b in model.relevant_latents()] == [0, 0]
    gated = path[2]
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
        ({"l0": 1.0}, ValueError, "use l1=0 with l0 > 0"),
        ({"l1": "best"}, ValueError, "l1 must be a number >= 0 or 'auto'"),
        ({"auto_path": []}, ValueError, "auto_path must be a non-empty list"),
        ({"auto_path": [1.0, -2.0]}, ValueError, "auto_path must be a number"),
        ({"auto_tolerance": 0.0}, ValueError, r"auto_tolerance must be a number in \(0.0, 1.0\)"),
        ({"validation_fraction": 1.0}, ValueError, "validation_fraction must be a number"),
        ({"epochs": 0}, ValueError, "epochs must be an integer >= 1"),
        ({"threshold": 1.0}, ValueError, r"threshold must be a number in \(0.0, 1.0\)"),
        ({"lr": float("nan")}, ValueError, "lr must be a number"),
    ],
)
def test_bad_settings(kwargs, error, message):
    with pytest.raises(error, match=message):
        SparseTaskVAE(**kwargs).check_params()


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
    with pytest.raises(NotFittedError, match="not fitted"):
        model.transform(obs)
    with pytest.raises(NotFittedError, match="not fitted"):
        model.relevant_latents()
    with pytest.raises(ValueError, match="l1='auto' needs at least 2 training and 2 validation"):
        SparseTaskVAE(3, epochs=1000).fit(obs[:5], tasks[:5])


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
