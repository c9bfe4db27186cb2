"""TaskMaskGAN and the edit study: vector tasks, the one support rule (sparse: the mask's
support; dense: computed from its heads), transplant edits that touch only their block, readers
that see no identity change in a perfect edit, the verdict's logic, determinism and errors."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import torch
from sklearn.exceptions import NotFittedError

from specialist.experiments import edits
from specialist.experiments.edits import (
    METHODS,
    METRICS,
    AttributeReaders,
    edit_images,
    edit_measures,
    runs_by_edit,
    score_edits,
    specificity_verdict,
    summary_table,
    transplant,
)
from specialist.models import TaskMaskGAN
from specialist.models._common import support_from_sensitivity
from specialist.models.gan import LOSS_TERMS
from specialist.simulate.cats import (
    ACCESSORIES,
    ACCESSORY_ATTRIBUTES,
    accessory_envelope,
    render_cats,
    simulate_cats,
)

N_LATENT = 12


@pytest.fixture(scope="module")
def cats():
    return simulate_cats(1100, size=32, correlation=0.5, seed=0)


@pytest.fixture(scope="module")
def train(cats):
    idx = np.arange(1000)
    return cats.images[idx], cats.attributes[idx], [v[idx] for v in cats.task_values]


@pytest.fixture(scope="module")
def pair(train):
    settings = {"epochs": 8, "batch_size": 32, "seed": 0}
    sparse = TaskMaskGAN(N_LATENT, l1=10.0, **settings).fit(*train)
    dense = TaskMaskGAN(N_LATENT, l1=0.0, **settings).fit(*train)
    return sparse, dense


@pytest.fixture(scope="module")
def readers():
    return AttributeReaders.train(2000, 32, epochs=5, seed=1)


def test_shapes_round_trip_and_loss_table(cats, pair):
    sparse, _ = pair
    z = sparse.encode(cats.images[1000:1010])
    assert z.shape == (10, N_LATENT)
    images = sparse.decode(z)
    assert images.shape == (10, 32, 32, 3) and images.min() >= 0 and images.max() <= 1
    assert np.array_equal(z, sparse.encode(cats.images[1000:1010]))  # deterministic
    dims = [1 + len(ACCESSORY_ATTRIBUTES[a]) for a in ACCESSORIES]
    assert sparse.output_dims_.tolist() == dims
    assert sparse.task_outputs(z).shape == (10, 3, max(dims))
    assert sparse.task_logits(z).shape == (10, 3)
    assert [v.shape for v in sparse.predict_values(z)] == [(10, d - 1) for d in dims]
    history = sparse.loss_history_
    assert isinstance(history, pd.DataFrame) and list(history.columns) == list(LOSS_TERMS)
    assert len(history) == 8 and history.index.name == "epoch"
    assert history["reconstruction"].iloc[-1] < history["reconstruction"].iloc[0]
    assert sparse.task_sensitivity_.shape == (3, N_LATENT)


def test_the_heads_learn_presence_and_attributes(cats, pair):
    sparse, dense = pair
    test = cats.factors.take(np.arange(1000, 1100))
    for model in (sparse, dense):
        z = model.encode(cats.images[1000:])
        accuracy = ((model.task_logits(z) > 0) == test.attributes).mean()
        assert accuracy > 0.85, accuracy
        hat = test.attributes[:, 1]
        predicted = model.predict_values(z)[1][hat]
        true = test.accessory_values("hat")[hat]
        assert np.corrcoef(predicted[:, 0], true[:, 0])[0, 1] > 0.5  # the hat's colour


def test_same_seed_same_model(train):
    images, tasks, values = train[0][:128], train[1][:128], [v[:128] for v in train[2]]
    fits = [TaskMaskGAN(4, l1=1.0, epochs=1, batch_size=32, seed=3).fit(images, tasks, values)
            for _ in range(2)]  # fmt: skip
    assert np.array_equal(fits[0].encode(images), fits[1].encode(images))
    assert np.array_equal(fits[0].task_sensitivity_, fits[1].task_sensitivity_)
    assert fits[0].loss_history_.equals(fits[1].loss_history_)
    other = TaskMaskGAN(4, l1=1.0, epochs=1, batch_size=32, seed=4).fit(images, tasks, values)
    assert not np.array_equal(fits[0].encode(images), other.encode(images))


def test_sparse_support_is_the_mask_support(pair):
    sparse, _ = pair
    mask = sparse.task_mask_
    assert mask.min() >= 0.0 and (mask == 0.0).mean() > 0.5  # the proximal step: exact zeros
    nonzero = [np.flatnonzero(row > 0) for row in mask]
    relative = [np.flatnonzero(row >= sparse.threshold * row.max()) for row in mask]
    got = [b.tolist() for b in sparse.relevant_latents()]
    assert got == [e.tolist() for e in nonzero] == [e.tolist() for e in relative]
    assert all(0 < len(b) < N_LATENT // 2 for b in got)
    # a latent the mask switches off has no influence on the head
    assert np.all(sparse.task_sensitivity_[mask == 0] == 0.0)


def _numerical_sensitivity(model: TaskMaskGAN, codes: np.ndarray) -> np.ndarray:
    """Mean |d output / d latent| * sd(latent) with autograd, per task (outputs in the heads'
    standardised units), the rule's definition."""
    z = torch.tensor(codes, requires_grad=True)
    w = torch.tensor(model.head_weights_ * model.task_mask_[:, None, :])
    out = torch.einsum("nl,kol->nko", z, w)
    sens = np.zeros((model.n_tasks_, model.n_latent))
    for k, d in enumerate(model.output_dims_):
        for o in range(d):
            (grad,) = torch.autograd.grad(out[:, k, o].sum(), z, retain_graph=True)
            sens[k] += np.abs(grad.numpy()).mean(axis=0) / d
    return sens * codes.std(axis=0)


def test_dense_support_is_computed_from_its_heads(train, pair):
    sparse, dense = pair
    assert np.all(dense.task_mask_ == 1.0)
    codes = dense.encode(train[0])
    for model in (sparse, dense):
        expected = _numerical_sensitivity(model, model.encode(train[0]))
        np.testing.assert_allclose(model.task_sensitivity_, expected, rtol=1e-4, atol=1e-8)
    blocks = dense.relevant_latents()
    rule = support_from_sensitivity(dense.task_sensitivity_, dense.threshold)
    assert [b.tolist() for b in blocks] == [b.tolist() for b in rule]
    # the heads read more than the sparse model's blocks (Prop. 2), but not by definition all:
    # a latent with no spread over the codes cannot be read
    assert sum(b.size for b in blocks) > sum(b.size for b in sparse.relevant_latents())
    spread = codes.std(axis=0)
    flat = spread < 1e-3 * spread.max()
    for b in blocks:
        assert not flat[b].any()


def test_transplant_changes_only_the_block():
    rng = np.random.default_rng(0)
    z, donor = rng.normal(size=(20, 8)), rng.normal(size=(20, 8))
    for block in ([], [3], [0, 5, 7], np.arange(8), np.eye(8, dtype=bool)[2]):
        out = transplant(z, donor, block)
        block_array = np.asarray(block)
        idx = np.flatnonzero(block_array) if block_array.dtype == bool else block_array
        idx = idx.astype(int)
        keep = np.setdiff1d(np.arange(8), idx)
        assert np.array_equal(out[:, keep], z[:, keep])
        assert np.array_equal(out[:, idx], donor[:, idx])
    with pytest.raises(ValueError, match="block must hold coordinate indices"):
        transplant(z, donor, [8])
    with pytest.raises(ValueError, match="same shape|one shape"):
        transplant(z, donor[:5], [1])
    with pytest.raises(ValueError, match="a boolean block must have length 8"):
        transplant(z, donor, np.ones(3, dtype=bool))


def test_model_edits_touch_only_their_coordinates(cats, pair):
    sparse, dense = pair
    z = sparse.encode(cats.images[1000:1050])
    donors = sparse.encode(cats.images[1050:1100])
    for k in range(len(ACCESSORIES)):
        block = sparse.relevant_latents()[k]
        moved = np.abs(transplant(z, donors, block) - z).max(axis=0) > 0
        assert set(np.flatnonzero(moved)) <= set(block.tolist())
        moved = np.abs(sparse.edit_latents(z, k) - z).max(axis=0) > 0
        assert set(np.flatnonzero(moved)) <= set(block.tolist())
        step = np.linalg.norm(sparse.edit_latents(z, k, max_step=0.5) - z, axis=1)
        assert step.max() <= 0.5 + 1e-6
    out = edit_images(sparse, dense, cats.images[1000:1005], cats.images[1005:1010], 1)
    assert set(out) == set(METHODS) - {"procedural"}
    assert out["l1_block"][2] == sparse.relevant_latents()[1].size
    assert out["dense_top"][2] == out["l1_block"][2]
    assert out["all_latents"][2] == N_LATENT
    for before, after, _ in out.values():
        assert before.shape == after.shape == (5, 32, 32, 3)


def test_readers_see_no_identity_change_in_a_perfect_edit(readers):
    test = simulate_cats(300, size=32, seed=5)
    for k, name in enumerate(ACCESSORIES):
        cats = np.flatnonzero(~test.attributes[:, k])
        donors = np.flatnonzero(test.attributes[:, k])[: cats.size]
        cats = cats[: donors.size]
        f_cat, f_donor = test.factors.take(cats), test.factors.take(donors)
        perfect = render_cats(f_cat.with_accessory_from(f_donor, name), 32)
        envelope = accessory_envelope(f_cat, name, 32)
        values = f_donor.accessory_values(name)
        ideal = edit_measures(readers, test.images[cats], perfect, k, envelope, values)
        # against the change between two different cats (the donor's whole image)
        swap = edit_measures(readers, test.images[cats], test.images[donors], k, envelope, values)
        assert ideal["success"] > 0.8, (name, ideal)
        assert ideal["outside_inside"] == 0.0  # nothing moves outside the envelope
        assert ideal["identity"] < 0.25 * swap["identity"], (name, ideal, swap)
        assert ideal["other_flips"] < 0.1
        assert swap["identity"] > 0.6


def test_scores_and_tables(cats, pair, readers):
    sparse, dense = pair
    scores = score_edits(sparse, dense, cats, readers, seed=0)
    for method in METHODS:
        for acc in (*ACCESSORIES, "mean"):
            assert 0.0 <= scores[f"success:{method}:{acc}"] <= 1.0
            assert scores[f"identity:{method}:{acc}"] >= 0.0
    assert np.isnan(scores["attribute_error:direction_l1:mean"])
    assert scores["outside_inside:procedural:mean"] == 0.0
    runs = pd.DataFrame(
        [{**scores, "replicate": 0, "seed": 11}, {**scores, "replicate": 1, "seed": 12}]
    )
    long = runs_by_edit(runs)
    assert len(long) == 2 * len(METHODS) * 4
    assert set(METRICS) <= set(long.columns)
    summary = summary_table(long)
    assert set(summary["method"]) == set(METHODS)
    assert (summary["low"] <= summary["mean"] + 1e-12).all()


def _fake_long(
    identity_gap: float,
    success: float,
    n: int = 6,
    chance: float = 0.1,
    dense_chance: float | None = None,
) -> pd.DataFrame:
    """Synthetic runs: the dense block changes identity by ``identity_gap`` more than the ℓ1
    block (plus seed noise), both succeed with rate ``success`` (plus a little noise), the
    ℓ1 model's random block with rate ``chance``, the dense model's with ``dense_chance``
    (default ``chance``)."""
    dense_chance = chance if dense_chance is None else dense_chance
    rng = np.random.default_rng(0)
    rows = []
    for seed in range(n):
        base = 0.3 + 0.05 * rng.normal()
        for method, ident, succ in (
            ("l1_block", base, success + 0.01 * rng.normal()),
            ("dense_block", base + identity_gap + 0.01 * rng.normal(), success),
            ("random_block", base, chance + 0.01 * rng.normal()),
            ("random_dense", base, dense_chance + 0.01 * rng.normal()),
        ):
            rows.append({"replicate": seed, "seed": seed, "method": method, "accessory": "mean",
                         "success": succ, "identity": ident})  # fmt: skip
    return pd.DataFrame(rows)


def test_the_verdict_follows_the_paired_interval():
    assert specificity_verdict(_fake_long(0.3, 0.9))["verdict"] == "agrees"
    assert specificity_verdict(_fake_long(-0.3, 0.9))["verdict"] == "disagrees"
    assert specificity_verdict(_fake_long(0.0, 0.9))["verdict"] == "inconclusive"
    failed = specificity_verdict(_fake_long(0.3, 0.2), min_success=0.5)
    assert failed["verdict"] == "not testable here" and "fewer than 50%" in failed["reason"]
    # both edits succeed often, but no more often than a random block: not testable
    chance = specificity_verdict(_fake_long(0.3, 0.9, chance=0.9), min_success=0.5)
    assert chance["verdict"] == "not testable here" and "random block" in chance["reason"]
    # the dense edit no better than a random block of its (large) size, the ℓ1 edit better
    # than its own and more specific: evidence for the ℓ1 edit (the one chance rule)
    dense_at = specificity_verdict(_fake_long(0.3, 0.9, dense_chance=0.9), min_success=0.5)
    assert dense_at["verdict"] == "agrees"
    # the ℓ1 edit at chance and found more specific: it may change little because it does
    # little, so no evidence
    l1_at = specificity_verdict(_fake_long(0.3, 0.9, chance=0.9, dense_chance=0.1), min_success=0.5)
    assert l1_at["verdict"] == "not testable here" and "more specific" in l1_at["reason"]
    one = specificity_verdict(_fake_long(0.3, 0.9, n=1))
    assert one["verdict"] == "not testable here"
    sentence = edits.verdict_sentence(specificity_verdict(_fake_long(0.3, 0.9)), "test")
    assert "verdict: agrees" in sentence and "6 seeds" in sentence


def test_verdict_of_is_the_same_rule_for_main_and_attacks():
    long = _fake_long(0.3, 0.9)
    verdict, key, tally, result = edits.verdict_of(long)
    assert (verdict, tally) == ("agrees", "1 agree") and "paired t, 6 seeds" in key
    # an attack that drops the success floor moves a "not testable" verdict to a tested one
    low = _fake_long(0.3, 0.4)
    assert edits.verdict_of(low, min_success=0.5)[0] == "not testable here"
    assert edits.verdict_of(low, min_success=0.0)[0] == "agrees"


def test_errors(cats, train, pair):
    sparse, dense = pair
    images, tasks, values = train
    with pytest.raises(ValueError, match=r"images must be an \(n, S, S, 3\) RGB array"):
        TaskMaskGAN().fit(images[:10, :16, :16], tasks[:10])
    with pytest.raises(ValueError, match=r"values in \[0, 1\]"):
        TaskMaskGAN().fit(images[:10] * 2, tasks[:10])
    with pytest.raises(ValueError, match=r"tasks must be an \(n, K\) boolean array"):
        TaskMaskGAN().fit(images[:10], tasks[:5])
    with pytest.raises(ValueError, match="tasks must be boolean"):
        TaskMaskGAN().fit(images[:10], tasks[:10] * 2.5)
    with pytest.raises(ValueError, match="values must be None or a list of 3 arrays"):
        TaskMaskGAN().fit(images[:10], tasks[:10], values[:2])
    with pytest.raises(ValueError, match=r"values\[1\] must be an \(n, a\) array"):
        TaskMaskGAN().fit(images[:10], tasks[:10], [values[0][:10], values[1][:4], None])
    with pytest.raises(ValueError, match=r"l1 must be a number in \[0.0, inf\)"):
        TaskMaskGAN(l1=-1.0).check_params()
    with pytest.raises(ValueError, match=r"threshold must be a number in \(0.0, 1.0\)"):
        TaskMaskGAN(threshold=1.5).check_params()
    with pytest.raises(TypeError, match="epochs must be an integer"):
        TaskMaskGAN(epochs=2.5).check_params()
    with pytest.raises(NotFittedError, match="not fitted"):
        TaskMaskGAN().encode(images[:2])
    with pytest.raises(NotFittedError, match="not fitted"):
        TaskMaskGAN().relevant_latents()
    with pytest.raises(ValueError, match=r"task must be an index in 0..2"):
        sparse.edit_latents(np.zeros((1, N_LATENT)), 3)
    with pytest.raises(TypeError, match="task must be an integer index"):
        sparse.edit_latents(np.zeros((1, N_LATENT)), True)
    with pytest.raises(ValueError, match=rf"latents must be \(n, {N_LATENT}\)"):
        sparse.decode(np.zeros((1, 5)))
    with pytest.raises(ValueError, match="fitted on 32"):
        sparse.encode(np.zeros((2, 64, 64, 3)))
    with pytest.raises(ValueError, match="l1 must be > 0"):
        edits.fit_pair(cats, 4, 0.0, 0)
    with pytest.raises(ValueError, match="unknown GAN setting"):
        edits.fit_pair(cats, 4, 1.0, 0, colour=3)
    with pytest.raises(ValueError, match="correlation must be a number"):
        edits.edit_study_run(100, 50, 32, 4, 1.0, 1.5, 100, 1, seed=0)
    with pytest.raises(ValueError, match="size must be 32 or 64"):
        AttributeReaders.train(100, 48)


def test_counter_evidence_names_the_most_specific_working_dense_edit():
    from specialist.experiments.edits import counter_evidence

    rows = []
    # method: (success, identity, fur colour change)
    means = {"l1_block": (0.9, 0.30, 0.10), "dense_top": (0.6, 0.40, 0.12),
             "dense_block": (0.95, 0.90, 0.50), "direction_dense": (0.95, 0.20, 0.05),
             "procedural": (1.0, 0.10, 0.02)}  # fmt: skip
    for seed, jitter in enumerate((-0.01, 0.0, 0.01)):
        for m, (s, i, f) in means.items():
            rows.append({"seed": seed, "accessory": "mean", "method": m, "success": s + jitter,
                         "identity": i + jitter * (1 + (m == "l1_block")),
                         "identity:fur colour": f + jitter})  # fmt: skip
    long = pd.DataFrame(rows)
    text = counter_evidence(long, min_success=0.5)
    assert text.startswith("the most specific working edit of the dense model, the head-direction")
    assert "colour alone" in text and "exceeds the perfect procedural edit's by +0.200" in text
    # a floor the head-direction edit misses leaves the size-matched block, then nothing
    assert "dense top-|B_k| transplant" in counter_evidence(
        long.assign(success=long["success"].where(long["method"] != "direction_dense", 0.1)), 0.5
    )
    assert counter_evidence(long[long["seed"] == 0]) == ""  # one seed: no interval


def _claim_long(n: int) -> pd.DataFrame:
    """Synthetic runs for the whole Figs. 6–7 claim: the size-matched dense edit changes
    identity and fur colour more than the ℓ1 edit, which changes no more identity than the
    procedural edit; every edit succeeds well above its random block."""
    rng = np.random.default_rng(1)
    rows = []
    for seed in range(n):
        base = 0.3 + 0.05 * rng.normal()
        for method, ident, fur, succ in (
            ("l1_block", base, 0.1, 0.9),
            ("dense_top", base + 0.3 + 0.01 * rng.normal(), 0.5 + 0.01 * rng.normal(), 0.9),
            ("random_block", base, 0.1, 0.1 + 0.01 * rng.normal()),
            ("random_dense_top", base, 0.1, 0.1 + 0.01 * rng.normal()),
            ("procedural", base + 0.05 + 0.01 * rng.normal(), 0.1, 1.0),
        ):
            rows.append({"replicate": seed, "seed": seed, "method": method, "accessory": "mean",
                         "success": succ, "identity": ident, "identity:fur colour": fur})  # fmt: skip
    return pd.DataFrame(rows)


def test_leaving_out_each_seed_shows_whether_one_seed_carries_the_claim():
    from specialist.experiments.edits.verdicts import claim_parts, leave_one_seed_out

    steady = _claim_long(8)
    assert claim_parts(steady, dense="dense_top", min_success=0.5)[0] == "agrees"
    choice, verdict, key = leave_one_seed_out(steady, 0.5)
    assert verdict == "agrees" and key.endswith("agrees 8 of 8") and "pilot seed" in choice
    # five seeds: each subset of four is too small for an interval, so the verdict moves
    small = _claim_long(5)
    assert claim_parts(small, dense="dense_top", min_success=0.5)[0] == "agrees"
    _, verdict, key = leave_one_seed_out(small, 0.5)
    assert verdict == "not testable here" and "not testable here 5 of 5" in key


def test_only_the_attribute_is_a_tie_when_the_floor_interval_covers_zero():
    """An absence ("changes only its attribute") is not shown by an interval that covers 0."""
    from specialist.experiments.edits.verdicts import claim_parts

    long = _claim_long(8)
    rng = np.random.default_rng(5)
    at_floor = long["method"] == "procedural"
    l1 = long.loc[long["method"] == "l1_block", "identity"].to_numpy()
    long.loc[at_floor, "identity"] = l1 + 0.02 * rng.normal(size=at_floor.sum())
    verdict, _, _, main = claim_parts(long, dense="dense_top", min_success=0.5)
    assert main["parts"]["only the attribute"] == "tie" and verdict == "inconclusive"
