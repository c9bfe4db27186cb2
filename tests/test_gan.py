"""TaskMaskGAN and the edit-specificity measures: shapes, sparse masks with ℓ1, edits that
move only the mask's support, a scorer that reads procedural cats, and clear errors."""

from __future__ import annotations

import numpy as np
import pytest

from specialist.experiments.edits import AttributeScorer, edit_scores
from specialist.models.gan import TaskMaskGAN
from specialist.simulate.cats import ACCESSORIES, simulate_cats


@pytest.fixture(scope="module")
def cats():
    return simulate_cats(1200, size=32, seed=0)


@pytest.fixture(scope="module")
def sparse(cats):
    return TaskMaskGAN(8, l1=1.0, epochs=6, seed=0).fit(cats.images[:1000], cats.attributes[:1000])


@pytest.fixture(scope="module")
def scorer():
    return AttributeScorer.train(1500, 32, seed=1)


def test_shapes_and_round_trip(cats, sparse):
    z = sparse.encode(cats.images[1000:1010])
    assert z.shape == (10, 8)
    images = sparse.decode(z)
    assert images.shape == (10, 32, 32, 3) and images.min() >= 0 and images.max() <= 1
    assert np.array_equal(z, sparse.encode(cats.images[1000:1010]))  # deterministic
    assert sparse.task_logits(z).shape == (10, 3)
    assert sparse.loss_history_.shape == (6, 5)


def test_l1_makes_masks_sparse_and_dense_masks_stay_full(cats, sparse):
    dense = TaskMaskGAN(8, l1=0.0, epochs=1, seed=0).fit(cats.images[:300], cats.attributes[:300])
    assert np.all(dense.task_mask_ == 1.0)
    assert all(b.size == 8 for b in dense.relevant_latents())
    sizes = [b.size for b in sparse.relevant_latents()]
    assert max(sizes) <= 4, sizes  # each accessory reads a few of the 8 latents


def test_edits_move_only_the_support(cats, sparse):
    z = sparse.encode(cats.images[1000:1050])
    for k in range(len(ACCESSORIES)):
        moved = np.abs(sparse.edit_latents(z, k) - z).max(axis=0) > 0
        support = np.zeros(8, dtype=bool)
        support[sparse.relevant_latents()[k]] = True
        assert not (moved & ~support).any()
        # codes already past the target do not move; the step is capped
        step = np.linalg.norm(sparse.edit_latents(z, k, max_step=0.5) - z, axis=1)
        assert step.max() <= 0.5 + 1e-6  # latents are float32


def test_scorer_reads_procedural_cats(scorer):
    fresh = simulate_cats(500, size=32, seed=7)
    accuracy = (scorer.attributes(fresh.images) == fresh.attributes).mean(axis=0)
    assert np.all(accuracy > 0.95), accuracy
    fur_error = np.abs(scorer.fur_color(fresh.images) - fresh.factors.fur_color).mean()
    assert fur_error < 0.05


def test_edit_scores_are_in_range(cats, sparse, scorer):
    scores = edit_scores(
        sparse, cats.images[1000:], cats.factors.take(np.arange(1000, 1200)), scorer
    )
    for key in ("success", "other_flips", "scorer_accuracy_on_reconstructions"):
        assert 0.0 <= scores[key] <= 1.0
    assert scores["fur_shift"] >= 0 and scores["outside_change"] >= 0


def test_errors(cats, sparse):
    with pytest.raises(ValueError, match=r"images must be an \(n, S, S, 3\) RGB array"):
        TaskMaskGAN().fit(cats.images[:10, :16, :16], cats.attributes[:10])
    with pytest.raises(ValueError, match=r"values in \[0, 1\]"):
        TaskMaskGAN().fit(cats.images[:10] * 2, cats.attributes[:10])
    with pytest.raises(ValueError, match=r"attributes must be an \(n, K\) boolean array"):
        TaskMaskGAN().fit(cats.images[:10], cats.attributes[:5])
    with pytest.raises(ValueError, match=r"l1 must be a number in \[0.0, inf\)"):
        TaskMaskGAN(l1=-1.0)
    with pytest.raises(RuntimeError, match="not fitted"):
        TaskMaskGAN().encode(cats.images[:2])
    with pytest.raises(ValueError, match=r"task must be an index in 0..2"):
        sparse.edit_latents(np.zeros((1, 8)), 3)
    with pytest.raises(ValueError, match=r"latents must be \(n, 8\)"):
        sparse.decode(np.zeros((1, 5)))
