"""Each method's features of the players' crops: PCA (Base), the LEAP-style sequential VAE, the
supervised linear control, and the specialist's ℓ1 path (Ours and its dense controls).

Backs
-----
fig4_sportshhi
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from specialist.metrics import ridge_loo
from specialist.models import SequentialVAE, SparseTaskVAE


def flat_crops(crops: np.ndarray) -> np.ndarray:
    """(n, T, P, h, w) crops -> (n, T, P, h * w) pixel vectors."""
    return crops.reshape(*crops.shape[:3], -1).astype(float)


def crop_sequences(x: np.ndarray) -> np.ndarray:
    """(n, T, P, d) -> (n P, T, d): one sequence per (episode, player)."""
    n, steps, players, d = x.shape
    return x.transpose(0, 2, 1, 3).reshape(n * players, steps, d)


def _unsequence(z: np.ndarray, n: int, players: int) -> np.ndarray:
    """(n P, T, d) -> (n, T, P, d)."""
    return z.reshape(n, players, *z.shape[1:]).transpose(0, 2, 1, 3)


def _pca(train: np.ndarray, n_components: int, seed: int):
    from sklearn.decomposition import PCA

    x = flat_crops(train)
    return PCA(n_components=n_components, random_state=seed).fit(x.reshape(-1, x.shape[-1]))


def _project(pca, crops: np.ndarray) -> np.ndarray:
    x = flat_crops(crops)
    return pca.transform(x.reshape(-1, x.shape[-1])).reshape(*x.shape[:3], -1)


def base_features(train: np.ndarray, test: np.ndarray, n_features: int, seed: int) -> np.ndarray:
    """PCA of the crop pixels, fitted on ``train`` crops, applied to ``test``: (n, T, P, d)."""
    return _project(_pca(train, n_features, seed), test)


def leap_features(
    train: np.ndarray, test: np.ndarray, n_features: int, seed: int, epochs: int
) -> np.ndarray:
    """Sequential-VAE means (fitted on ``train`` sequences) of ``test``: (n, T, P, d)."""
    model = SequentialVAE(n_features, epochs=epochs, seed=seed).fit(
        crop_sequences(flat_crops(train))
    )
    z = model.transform(crop_sequences(flat_crops(test)))
    return _unsequence(z, test.shape[0], test.shape[2])


def linear_features(
    train: np.ndarray, outcomes: np.ndarray, test: np.ndarray, n_components: int, seed: int
) -> np.ndarray:
    """The supervised linear control: one PCA direction regressed on ``g``: (n, T, P, 1).

    A ridge regression (penalty chosen by leave-one-out over a log grid) predicts the training
    outcomes from the PCA features of every player and keyframe; its coefficients, one
    ``n_components``-vector per (outcome, keyframe, player), are stacked and their first right
    singular vector is the direction every crop is projected on.
    """
    pca = _pca(train, n_components, seed)
    f_train = _project(pca, train)
    scale = f_train.reshape(-1, n_components).std(axis=0)
    design = (f_train / scale).reshape(f_train.shape[0], -1)
    target = (outcomes - outcomes.mean(axis=0)) / outcomes.std(axis=0)
    ridge = ridge_loo(design, target, np.logspace(-1, 5, 13))
    coef = ridge.coef.T.reshape(-1, n_components)  # (M T P, C)
    direction = np.linalg.svd(coef, full_matrices=False)[2][0] / scale
    return (_project(pca, test) @ direction)[..., None]


def fit_seeds(seed: int, n_fits: int) -> list[int]:
    """The seeds of a play's ``n_fits`` fits of the path: the play's own seed first (so one fit
    is the fit of a single-fit study), then seeds derived from it."""
    extra = np.random.SeedSequence([int(seed), 7]).generate_state(max(0, n_fits - 1))
    return [int(seed), *(int(v) % 2**31 for v in extra)]


def specialist_paths(
    train: np.ndarray,
    outcomes: np.ndarray,
    n_features: int,
    l1_path: Sequence[float],
    seeds: Sequence[int],
    epochs: int,
    task_weight: float,
) -> list[list[SparseTaskVAE]]:
    """Per seed, the dense supervised VAE and one ℓ1 model per weight of ``l1_path``.

    The models see one player's crop sequence at a time (encoder shared over keyframes) and
    predict the episode's outcomes from the latents of all keyframes. A seed's models are one
    path (same initialisation, same batches, differing only in the ℓ1 weight), and every seed's
    path trains in one ensemble (:meth:`SparseTaskVAE.fit_paths`; each path is the one it would
    be alone). Each path is in the order dense, then ``l1_path``.
    """
    sequences = crop_sequences(flat_crops(train))
    tasks = np.repeat(outcomes, train.shape[2], axis=0)
    model = SparseTaskVAE(
        n_features, l1=0.0, task_weight=task_weight, epochs=epochs, batch_size=64, seed=seeds[0]
    )
    return model.fit_paths(
        [(sequences, tasks)] * len(seeds), list(seeds), l1=list(l1_path), dense=True
    )


def kept_latents(model: SparseTaskVAE) -> np.ndarray:
    """The latents :meth:`SparseTaskVAE.relevant_latents` marks for some task (all of them if
    it marks none: an empty support says nothing)."""
    support = np.unique(np.concatenate(model.relevant_latents())).astype(int)
    return support if support.size else np.arange(model.n_latent)


def encode(model: SparseTaskVAE, crops: np.ndarray) -> np.ndarray:
    """The model's posterior means of every player's crop sequence: ``(n, T, P, n_latent)``."""
    return _unsequence(
        model.transform(crop_sequences(flat_crops(crops))), crops.shape[0], crops.shape[2]
    )


def specialist_features(
    dense: SparseTaskVAE, ours: SparseTaskVAE, crops: np.ndarray
) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """``{"dense" | "dense_matched" | "ours": (features, kept)}`` of ``crops``.

    ``dense`` and ``ours`` are members of one path of :func:`specialist_paths`; each keeps
    :func:`kept_latents`. ``dense_matched`` keeps the dense model's latents with the largest
    summed sensitivity, as many as ``ours`` keeps.
    """
    z = {"dense": encode(dense, crops), "ours": encode(ours, crops)}
    kept = {"dense": kept_latents(dense), "ours": kept_latents(ours)}
    order = np.argsort(-dense.task_sensitivity_.sum(axis=0), kind="stable")
    kept["dense_matched"] = np.sort(order[: kept["ours"].size])
    return {name: (z["ours" if name == "ours" else "dense"][..., k], k) for name, k in kept.items()}


def choose_l1(validation_map: Sequence[float], l1_path: Sequence[float]) -> int:
    """The *annotated* rule, run as an attack: the index in ``l1_path`` of the λ whose model
    scores the highest mAP on the validation episodes (a tie goes to the larger λ).

    The validation episodes are training episodes the path was not fitted on, but their
    annotations are the play's interaction structure, which every test episode shares: the
    rule is given the test's labels. Ours' λ is chosen by the label-free rule instead
    (:meth:`SparseTaskVAE.path_table`, held-out losses).
    """
    values = np.asarray(validation_map, dtype=float)
    if values.shape != (len(l1_path),) or not np.all(np.isfinite(values)):
        raise ValueError(
            f"validation_map must hold one finite mAP per λ of l1_path ({len(l1_path)}), "
            f"got {validation_map!r}"
        )
    best = values.max()
    return max((i for i in range(len(values)) if values[i] == best), key=lambda i: l1_path[i])
