"""Metrics: 1 on perfect input, ~0 on trivial input, penalties where they belong, clear errors."""

from __future__ import annotations

import numpy as np
import pytest

from specialist.metrics import (
    block_r2,
    block_r2_columns,
    f1_structure,
    match_latents,
    matthews_mcc,
    mean_corr_coef,
    ridge_loo,
    structure_accuracy,
    support_f1,
)

STRUCTURE_METRICS = [structure_accuracy, matthews_mcc, f1_structure]


def random_structure(seed: int, shape=(10, 4)) -> np.ndarray:
    return np.random.default_rng(seed).random(shape) < 0.4


@pytest.mark.parametrize("metric", STRUCTURE_METRICS)
def test_perfect_structure_scores_one(metric):
    truth = random_structure(0)
    assert metric(truth, truth.copy()) == 1.0
    assert metric(truth.astype(int), truth.astype(float)) == 1.0  # 0/1 arrays accepted


def test_complementary_structures():
    truth = random_structure(1)
    assert structure_accuracy(truth, ~truth) == 0.0
    assert matthews_mcc(truth, ~truth) == pytest.approx(-1.0)
    assert f1_structure(truth, ~truth) == 0.0


def test_trivial_estimates_score_zero_mcc():
    truth = random_structure(2, shape=(50, 10))
    assert matthews_mcc(truth, np.zeros_like(truth)) == 0.0
    assert matthews_mcc(truth, np.ones_like(truth)) == 0.0
    coin = np.random.default_rng(3).random(truth.shape) < 0.5  # independent guess
    assert abs(matthews_mcc(truth, coin)) < 0.1


def test_mcc_degenerate_case_is_defined():
    empty = np.zeros((5, 3), dtype=bool)
    assert matthews_mcc(empty, empty) == 1.0
    assert matthews_mcc(~empty, ~empty) == 1.0
    assert matthews_mcc(empty, ~empty) == 0.0
    assert f1_structure(empty, empty) == 1.0


def test_accuracy_counts_entries():
    truth = np.array([[True, False], [False, False]])
    est = np.array([[True, True], [False, False]])
    assert structure_accuracy(truth, est) == 0.75
    assert f1_structure(truth, est) == pytest.approx(2 / 3)


def latents(n: int = 5000, k: int = 4, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).normal(size=(n, k))


@pytest.mark.parametrize("method", ["pearson", "spearman"])
def test_mean_corr_coef_invariant_to_permutation_scale_and_sign(method):
    s = latents()
    est = s[:, [2, 0, 3, 1]] * np.array([3.0, -0.5, 10.0, -2.0]) + np.array([1.0, 2, 3, 4])
    assert mean_corr_coef(s, est, method=method) == pytest.approx(1.0)


def test_mean_corr_coef_spearman_invariant_to_monotone_maps():
    s = latents()
    est = np.column_stack([np.exp(s[:, 1]), s[:, 0] ** 3, -s[:, 3], np.tanh(s[:, 2])])
    assert mean_corr_coef(s, est, method="spearman") == pytest.approx(1.0)
    assert mean_corr_coef(s, est, method="pearson") < 0.99


@pytest.mark.parametrize("method", ["pearson", "spearman"])
def test_mean_corr_coef_near_zero_for_independent_noise(method):
    assert mean_corr_coef(latents(seed=1), latents(seed=2), method=method) < 0.1


def test_mean_corr_coef_penalises_duplicated_latents():
    s = latents(k=2)
    assert mean_corr_coef(s, s[:, [0, 0]]) == pytest.approx(0.5, abs=0.05)


def test_mean_corr_coef_constant_latent_counts_as_zero():
    s = latents(k=2)
    est = np.column_stack([s[:, 0], np.full(len(s), 0.1)])
    assert mean_corr_coef(s, est) == pytest.approx(0.5)


@pytest.mark.parametrize("metric", STRUCTURE_METRICS)
def test_structure_errors(metric):
    truth = random_structure(4)
    with pytest.raises(ValueError, match="same shape"):
        metric(truth, truth[:-1])
    with pytest.raises(ValueError, match="2-D"):
        metric(truth.ravel(), truth.ravel())
    with pytest.raises(ValueError, match="boolean"):
        metric(truth, truth * 0.5)
    with pytest.raises(ValueError, match="boolean"):
        metric(truth, truth.astype(str))


def test_mean_corr_coef_errors():
    s = latents(n=100)
    with pytest.raises(ValueError, match="same shape"):
        mean_corr_coef(s, s[:, :3])
    with pytest.raises(ValueError, match="same shape"):
        mean_corr_coef(s[:, 0], s[:, 0])
    with pytest.raises(ValueError, match="method must be"):
        mean_corr_coef(s, s, method="kendall")
    bad = s.copy()
    bad[0, 0] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        mean_corr_coef(s, bad)


def test_block_r2_is_one_for_a_smooth_invertible_map_and_zero_for_noise():
    rng = np.random.default_rng(0)
    s = rng.standard_normal((4000, 5))
    # a nonlinear, invertible function of the target block: nearly perfectly predictable
    assert block_r2(np.tanh(s[:, :3]) + 0.3 * s[:, :3], s[:, :3]) > 0.98
    # a rotation of everything still contains the block
    rotation = np.linalg.qr(rng.standard_normal((5, 5)))[0]
    assert block_r2(s @ rotation, s[:, :2]) > 0.97
    # independent noise, the other latents, or an empty block predict nothing
    assert abs(block_r2(rng.standard_normal((4000, 3)), s[:, :3])) < 0.02
    assert abs(block_r2(s[:, 3:], s[:, :3])) < 0.02
    assert abs(block_r2(np.empty((4000, 0)), s[:, :3])) < 0.02
    # partial information: half of the target's columns -> about half the mean R²
    assert 0.4 < block_r2(s[:, :1], s[:, :2]) < 0.6


def test_block_r2_is_seeded_and_checks_its_input():
    rng = np.random.default_rng(1)
    x, y = rng.standard_normal((500, 2)), rng.standard_normal(500)
    assert block_r2(x, y, seed=3) == block_r2(x, y, seed=3)
    with pytest.raises(ValueError, match="same n"):
        block_r2(x, y[:-1])
    with pytest.raises(ValueError, match="at least 10 rows"):
        block_r2(x[:5], y[:5])
    with pytest.raises(ValueError, match="finite"):
        block_r2(np.where(x > 2, np.nan, x), y)
    with pytest.raises(ValueError, match="test_fraction"):
        block_r2(x, y, test_fraction=1.0)


def test_support_f1_ignores_the_order_of_latents():
    true = np.array([[1, 1, 0, 0, 0], [0, 1, 1, 0, 0], [0, 0, 0, 1, 0]], dtype=bool)
    order = [4, 2, 0, 3, 1]
    shuffled = true[:, order]
    assert support_f1(true, shuffled) == 1.0
    # match_latents undoes the shuffle: column order[j] of est is true latent j's match
    assert np.array_equal(shuffled[:, match_latents(true, shuffled)], true)
    dense = np.ones_like(true)
    assert support_f1(true, dense) == pytest.approx(2 * 5 / (5 + 15))  # precision 1/3, recall 1
    assert support_f1(true, np.zeros_like(true)) == 0.0
    one_extra = true.copy()
    one_extra[0, 4] = True
    assert support_f1(true, one_extra) == pytest.approx(2 * 5 / (5 + 6))
    with pytest.raises(ValueError, match="same shape"):
        support_f1(true, true[:, :4])


@pytest.mark.parametrize("per_target", [True, False])
@pytest.mark.parametrize("shape", [(400, 30, 3), (40, 60, 2), (200, 1, 1)])
def test_ridge_loo_matches_scikit_learn_ridgecv(per_target, shape):
    from sklearn.linear_model import RidgeCV

    n, d, p = shape
    rng = np.random.default_rng(n + d)
    x = rng.standard_normal((n, d)) * rng.uniform(0.1, 10, size=d)
    y = x[:, :1] @ rng.standard_normal((1, p)) + rng.standard_normal((n, p)) * [0.1, 3, 1][:p]
    alphas = np.logspace(-4, 4, 9)
    ours = ridge_loo(x, y, alphas, per_target=per_target)
    theirs = RidgeCV(alphas=alphas, alpha_per_target=per_target).fit(x, y)
    assert np.allclose(ours.alpha, np.broadcast_to(theirs.alpha_, (p,)))
    x_new = rng.standard_normal((20, d))
    assert np.allclose(ours.predict(x_new), theirs.predict(x_new).reshape(20, p), atol=1e-6)
    with pytest.raises(ValueError, match="alphas"):
        ridge_loo(x, y, [0.0, 1.0])


def test_block_r2_linear_reader_sees_only_linear_information():
    rng = np.random.default_rng(2)
    s = rng.standard_normal((3000, 2))
    target = np.column_stack([s[:, 0], s[:, 1] ** 2])  # a linear and a quadratic column
    linear = block_r2_columns(s, target, reader="linear")
    nonlinear = block_r2_columns(s, target)
    assert linear[0] > 0.99 and nonlinear[0] > 0.99
    assert abs(linear[1]) < 0.02 and nonlinear[1] > 0.9
    with pytest.raises(ValueError, match="reader"):
        block_r2_columns(s, target, reader="kernel")
