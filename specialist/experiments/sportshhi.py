"""Fig. 4 on simulated SportsHHI-style scenes: who interacts with whom, when, and how well.

Three methods share everything except the per-player features Algorithm 1 runs on:

``base``
    the raw observations: each player's pixel crop, reduced by PCA to ``n_features``
    components (Fisher-z needs far fewer dimensions than samples);
``leap``
    the posterior means of a LEAP-style sequential VAE (:class:`~specialist.models.SequentialVAE`,
    a learned transition prior, no task information) trained on players' crop sequences;
``ours``
    the posterior means of the specialist model (:class:`~specialist.models.SparseTaskVAE`)
    trained on crops with the interaction outcomes as tasks, restricted to the latents its
    ℓ1 mask keeps for at least one task.

For every player ``p`` Algorithm 1 (:func:`~specialist.structure.discover_task_structure`,
Fisher-z, vector states) tests its features against the outcomes; the evidence that ``p``
takes part in interaction ``i`` at segment ``k`` is the smallest p-value of a pair involving
``k``. Every pair of players is then a candidate for ``(i, k)`` with score
``1 − max(evidence of its two players)`` (both must be involved), emitted on every keyframe of
segment ``k`` of every held-out episode with the players' *detected* boxes, in SportsHHI's
prediction schema, and scored by :func:`~specialist.data.sportshhi.evaluate_map`.
"""

from __future__ import annotations

import itertools
import time

import numpy as np
import pandas as pd

from specialist.data.sportshhi import PREDICTION_COLUMNS, evaluate_map
from specialist.models import SequentialVAE, SparseTaskVAE
from specialist.simulate.sports import SportsSample, random_scenario, simulate_sports
from specialist.structure import discover_task_structure

METHODS = ("base", "leap", "ours")
METHOD_LABELS = {"base": "Base", "leap": "LEAP-style", "ours": "Ours"}
#: mAP values the paper reports in Fig. 4, shown beside ours as a reference, never a target
PAPER_MAP = {"base": 0.09, "leap": 0.12, "ours": 0.25}


def _flat(crops: np.ndarray) -> np.ndarray:
    """(n, T, P, h, w) crops -> (n, T, P, h * w) pixel vectors."""
    return crops.reshape(*crops.shape[:3], -1).astype(float)


def base_features(crops: np.ndarray, n_features: int, seed: int) -> np.ndarray:
    """PCA of the pixels of every crop (fit on all of them): (n, T, P, n_features)."""
    from sklearn.decomposition import PCA

    x = _flat(crops)
    pca = PCA(n_components=n_features, random_state=seed).fit(x.reshape(-1, x.shape[-1]))
    return pca.transform(x.reshape(-1, x.shape[-1])).reshape(*x.shape[:3], n_features)


def leap_features(crops: np.ndarray, n_features: int, seed: int, epochs: int) -> np.ndarray:
    """Sequential-VAE means; one sequence per (episode, player): (n, T, P, n_features)."""
    x = _flat(crops)
    n, steps, players, d = x.shape
    sequences = x.transpose(0, 2, 1, 3).reshape(n * players, steps, d)
    model = SequentialVAE(n_features, epochs=epochs, seed=seed).fit(sequences)
    z = model.transform(sequences).reshape(n, players, steps, n_features)
    return z.transpose(0, 2, 1, 3)


def ours_features(
    crops: np.ndarray,
    outcomes: np.ndarray,
    n_features: int,
    l1: float,
    seed: int,
    epochs: int,
    task_weight: float = 100.0,
) -> tuple[np.ndarray, np.ndarray]:
    """Specialist latents kept by the mask for some task: (n, T, P, kept), and the kept indices.

    The model sees one player's crop sequence at a time (encoder shared over steps) and predicts
    the episode's interaction outcomes from the masked latents of all steps; the ℓ1 mask over
    latent dimensions is shared by steps and players.
    """
    x = _flat(crops)
    n, steps, players, d = x.shape
    sequences = x.transpose(0, 2, 1, 3).reshape(n * players, steps, d)
    model = SparseTaskVAE(
        n_features, l1=l1, task_weight=task_weight, epochs=epochs, batch_size=64, seed=seed
    )
    model.fit(sequences, np.repeat(outcomes, players, axis=0))
    kept = np.unique(np.concatenate(model.relevant_latents()))
    if kept.size == 0:  # every mask row is zero: the mask says nothing, keep every latent
        kept = np.arange(n_features)
    z = model.transform(sequences).reshape(n, players, steps, n_features).transpose(0, 2, 1, 3)
    return z[..., kept], kept


def player_evidence(features: np.ndarray, outcomes: np.ndarray, segment_length: int) -> np.ndarray:
    """Smallest Algorithm-1 p-value of each (player, interaction, segment): (P, M, K)."""
    evidence = []
    for p in range(features.shape[2]):
        res = discover_task_structure(features[:, :, p], outcomes, segment_length, test="fisherz")
        evidence.append(np.nanmin(res.pvalues, axis=2))
    return np.stack(evidence)


def predictions(evidence: np.ndarray, sample: SportsSample, episodes: np.ndarray) -> pd.DataFrame:
    """Every (interaction, segment, pair) candidate on every keyframe of ``episodes``.

    Rows follow SportsHHI's prediction schema (person 1 = the lower player index, as in the
    ground truth); boxes are the players' detected boxes.
    """
    scenario = sample.scenario
    L = scenario.segment_length
    pairs = list(itertools.combinations(range(scenario.n_players), 2))
    template = np.array(
        [
            (inter.label, t, a, b, 1.0 - max(evidence[a, i, k], evidence[b, i, k]))
            for i, inter in enumerate(scenario.interactions)
            for k in range(scenario.n_segments)
            for a, b in pairs
            for t in range(k * L, (k + 1) * L)
        ]
    )
    label, step, a, b = (template[:, j].astype(int) for j in range(4))
    score = template[:, 4]
    boxes = sample.detected_boxes[episodes]  # (E, T, P, 4)
    box1 = boxes[:, step, a].reshape(-1, 4)
    box2 = boxes[:, step, b].reshape(-1, 4)
    n_rows = len(template)
    frame = pd.DataFrame(
        {
            "video_id": np.repeat(np.asarray(sample.video_ids)[episodes], n_rows),
            # the official prediction format: the keyframe index in the second column
            "frame_id": np.tile(step, len(episodes)),
            **dict(zip(PREDICTION_COLUMNS[2:6], box1.T, strict=True)),
            **dict(zip(PREDICTION_COLUMNS[6:10], box2.T, strict=True)),
            "label": np.tile(label, len(episodes)),
            "score": np.tile(score, len(episodes)),
        }
    )
    return frame


def sportshhi_run(
    n_train: int,
    n_test: int,
    n_players: int,
    n_steps: int,
    n_interactions: int,
    n_classes: int,
    n_latent: int,
    l1: float,
    task_weight: float,
    epochs: int,
    box_noise: float,
    iou_thresholds: tuple[float, ...],
    seed: int,
) -> dict[str, float]:
    """One simulated play: structure from ``n_train`` episodes, detections scored on ``n_test``.

    Returns, for every method and IoU threshold, ``map_<method>_<iou>`` and
    ``recall10_<method>_<iou>``; ``oracle`` runs Algorithm 1 on the true states (an upper
    bound, not a method). Also the wall time of each method's features, ``time_<method>``,
    and the number of latents the specialist kept, ``ours_kept``. Backs: fig4_sportshhi.
    """
    scenario = random_scenario(
        n_players=n_players,
        n_steps=n_steps,
        n_interactions=n_interactions,
        n_classes=n_classes,
        seed=seed,
    )
    sample = simulate_sports(scenario, n_train + n_test, box_noise=box_noise, seed=seed)
    train, test = np.arange(n_train), np.arange(n_train, n_train + n_test)
    crops = sample.crops(12, detected=True)[train]
    outcomes = sample.outcomes[train]
    test_ids = np.asarray(sample.video_ids)[test]
    gt = sample.annotations[sample.annotations["video_id"].isin(test_ids)]

    features, times = {}, {}
    start = time.perf_counter()
    features["base"] = base_features(crops, n_latent, seed)
    times["base"] = time.perf_counter() - start
    start = time.perf_counter()
    features["leap"] = leap_features(crops, n_latent, seed, epochs)
    times["leap"] = time.perf_counter() - start
    start = time.perf_counter()
    features["ours"], kept = ours_features(
        crops, outcomes, n_latent, l1, seed, epochs, task_weight=task_weight
    )
    times["ours"] = time.perf_counter() - start
    features["oracle"] = sample.states[train][..., None]

    result: dict[str, float] = {"ours_kept": float(kept.size)}
    for method, feats in features.items():
        evidence = player_evidence(feats, outcomes, scenario.segment_length)
        pred = predictions(evidence, sample, test)
        for iou in iou_thresholds:
            scored = evaluate_map(gt, pred, iou_threshold=iou, recall_at=(10,))
            result[f"map_{method}_{iou:g}"] = scored.map
            result[f"recall10_{method}_{iou:g}"] = scored.recall[10]
    result.update({f"time_{m}": t for m, t in times.items()})
    return result
