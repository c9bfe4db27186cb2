"""Edit operators on a model pair's latents (transplants from a donor, head-direction edits,
random blocks) and the measures of one edit, read by the attribute readers.

Backs
-----
fig6_gan_edits, tab_edit_specificity
"""

from __future__ import annotations

import math

import numpy as np

from specialist.models.gan import TaskMaskGAN
from specialist.models.readers import AttributeReaders
from specialist.simulate.cats import (
    ACCESSORIES,
    IDENTITY_FACTORS,
    CatSample,
    accessory_envelope,
    render_cats,
)


def transplant(latents, donor_latents, block) -> np.ndarray:
    """Codes with the coordinates ``block`` taken from ``donor_latents`` (row by row).

    ``latents`` and ``donor_latents``: ``(n, L)``; ``block``: indices (or a boolean mask) of
    coordinates. Every other coordinate is left exactly as it was.
    """
    z = np.array(latents, dtype=float)
    d = np.asarray(donor_latents, dtype=float)
    if z.ndim != 2 or d.shape != z.shape:
        raise ValueError(
            f"latents and donor_latents must be (n, L) arrays of one shape, got {z.shape} "
            f"and {d.shape}"
        )
    idx = np.asarray(block)
    if idx.size == 0 and idx.dtype != bool:
        return z
    if idx.dtype == bool:
        if idx.shape != (z.shape[1],):
            raise ValueError(f"a boolean block must have length {z.shape[1]}, got {idx.shape}")
        idx = np.flatnonzero(idx)
    elif idx.size and (not np.issubdtype(idx.dtype, np.integer) or idx.min() < 0
                       or idx.max() >= z.shape[1]):  # fmt: skip
        raise ValueError(f"block must hold coordinate indices in 0..{z.shape[1] - 1}")
    z[:, idx] = d[:, idx]
    return z


def top_block(model: TaskMaskGAN, task: int, size: int) -> np.ndarray:
    """The ``size`` latents of ``model`` with the largest sensitivity for ``task``."""
    order = np.argsort(-model.task_sensitivity_[task], kind="stable")
    return np.sort(order[:size])


def _mean_change(before: np.ndarray, after: np.ndarray, where: np.ndarray) -> float:
    change = np.abs(after - before).mean(axis=-1)  # (n, S, S)
    return float(change[where].mean()) if where.any() else math.nan


def edit_measures(
    readers: AttributeReaders,
    before: np.ndarray,
    after: np.ndarray,
    task: int,
    envelope: np.ndarray,
    donor_values: np.ndarray | None,
) -> dict[str, float]:
    """The measures of :data:`METRICS` (except ``block_size``) for edits ``before -> after``
    of accessory ``task``: images ``(n, S, S, 3)``, the accessory's ``envelope`` ``(n, S, S)``
    and the donors' attribute values ``(n, a)`` (``None``: no attribute error)."""
    rb, ra = readers.read(before), readers.read(after)
    out = {"success": float((ra["presence"][:, task] > 0.5).mean())}
    groups = []
    for g in IDENTITY_FACTORS:
        change = np.abs(ra["identity"][g] - rb["identity"][g]) / readers.identity_scale(g)
        out[f"identity:{g}"] = float(change.mean())
        groups.append(out[f"identity:{g}"])
    out["identity"] = float(np.mean(groups))
    others = [j for j in range(len(ACCESSORIES)) if j != task]
    flips = (ra["presence"][:, others] > 0.5) != (rb["presence"][:, others] > 0.5)
    out["other_flips"] = float(flips.mean())
    if donor_values is None:
        out["attribute_error"] = math.nan
    else:
        err = np.abs(ra["values"][task] - donor_values) / readers.value_scale(task)
        out["attribute_error"] = float(err.mean())
    inside = _mean_change(before, after, envelope)
    outside = _mean_change(before, after, ~envelope)
    out["outside_inside"] = outside / inside if inside > 0 else math.nan
    return out


def edit_images(
    sparse: TaskMaskGAN,
    dense: TaskMaskGAN,
    images: np.ndarray,
    donors: np.ndarray,
    task: int,
    seed=0,
) -> dict[str, tuple[np.ndarray, np.ndarray, int]]:
    """Every model-based method's ``(before, after, block size)`` for cats ``images`` and
    their donors' images ``donors`` (row by row), accessory ``task``. ``before`` is the
    model's reconstruction; ``seed`` draws the chance block (``random_block``).

    Backs
    -----
    fig6_gan_edits
    """
    zs, zs_donor = sparse.encode(images), sparse.encode(donors)
    zd, zd_donor = dense.encode(images), dense.encode(donors)
    base_s, base_d = sparse.decode(zs), dense.decode(zd)
    b_sparse = sparse.relevant_latents()[task]
    b_dense = dense.relevant_latents()[task]
    b_top = top_block(dense, task, b_sparse.size)
    n_latent = dense.n_latent
    rng = np.random.default_rng(seed)
    b_random = np.sort(rng.choice(sparse.n_latent, size=b_sparse.size, replace=False))
    b_random_dense = np.sort(rng.choice(n_latent, size=b_dense.size, replace=False))
    b_random_top = np.sort(rng.choice(n_latent, size=b_top.size, replace=False))
    return {
        "random_block": (base_s, sparse.decode(transplant(zs, zs_donor, b_random)), b_random.size),
        "random_dense": (
            base_d,
            dense.decode(transplant(zd, zd_donor, b_random_dense)),
            b_random_dense.size,
        ),
        "random_dense_top": (
            base_d,
            dense.decode(transplant(zd, zd_donor, b_random_top)),
            b_random_top.size,
        ),
        "l1_block": (base_s, sparse.decode(transplant(zs, zs_donor, b_sparse)), b_sparse.size),
        "dense_block": (base_d, dense.decode(transplant(zd, zd_donor, b_dense)), b_dense.size),
        "dense_top": (base_d, dense.decode(transplant(zd, zd_donor, b_top)), b_top.size),
        "all_latents": (base_d, dense.decode(zd_donor), n_latent),
        "direction_l1": (base_s, sparse.decode(sparse.edit_latents(zs, task)), b_sparse.size),
        "direction_dense": (base_d, dense.decode(dense.edit_latents(zd, task)), b_dense.size),
    }


def donor_pairs(test: CatSample, task: int, seed) -> tuple[np.ndarray, np.ndarray]:
    """Indices of the cats without accessory ``task`` and, for each, a random donor with it.

    Backs
    -----
    fig6_gan_edits
    """
    rng = np.random.default_rng(seed)
    has = test.attributes[:, task]
    recipients, pool = np.flatnonzero(~has), np.flatnonzero(has)
    if recipients.size == 0 or pool.size == 0:
        raise ValueError(f"the test cats need cats with and without {ACCESSORIES[task]}")
    return recipients, pool[rng.integers(pool.size, size=recipients.size)]


def pictured_edits(
    sparse: TaskMaskGAN,
    dense: TaskMaskGAN,
    test: CatSample,
    task: int,
    cats: np.ndarray,
    donors: np.ndarray,
    readers: AttributeReaders,
    seed,
) -> dict[str, list]:
    """The edits of :func:`score_edits` for a few ``cats`` (indices into ``test``) and their
    ``donors``, each picture with its own measures: ``{method: [(image, measures), ...]}``
    with the methods of :func:`edit_images` and ``"procedural"``, plus ``"recon:l1_block"``
    and ``"recon:dense_block"`` (each model's reconstruction, what its edits are compared
    with).

    Backs
    -----
    fig6_gan_edits
    """
    name = ACCESSORIES[task]
    size = test.images.shape[1]
    f_rec, f_don = test.factors.take(cats), test.factors.take(donors)
    envelope = accessory_envelope(f_rec, name, size)
    donor_values = f_don.accessory_values(name)
    edits = edit_images(sparse, dense, test.images[cats], test.images[donors], task, seed=seed)
    edits["procedural"] = (
        test.images[cats],
        render_cats(f_rec.with_accessory_from(f_don, name), size),
        math.nan,
    )
    out: dict[str, list] = {
        "recon:l1_block": [(img, None) for img in edits["l1_block"][0]],
        "recon:dense_block": [(img, None) for img in edits["dense_block"][0]],
    }
    for method, (before, after, _) in edits.items():
        direction = method.startswith("direction")
        out[method] = [
            (
                after[i],
                edit_measures(
                    readers, before[i : i + 1], after[i : i + 1], task, envelope[i : i + 1],
                    None if direction else donor_values[i : i + 1],
                ),
            )
            for i in range(len(cats))
        ]  # fmt: skip
    return out
