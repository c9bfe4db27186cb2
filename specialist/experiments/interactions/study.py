"""One play at one difficulty (:func:`play_run`), and the study over plays and difficulties
(:func:`run_study`) as tidy tables.

Backs
-----
fig4_sportshhi
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from specialist.data.sportshhi import evaluate_map
from specialist.experiments.interactions.design import (
    _PLAY_KEYS,
    CHANCE_DRAWS,
    MIN_BLOCK,
    REFITTED,
    ROW_CHANCE,
    SCORED,
    check_difficulties,
    check_settings,
)
from specialist.experiments.interactions.detections import (
    block_predictions,
    chance_predictions,
    distinct_scores,
    scored_episodes,
)
from specialist.experiments.interactions.features import (
    base_features,
    choose_l1,
    crop_sequences,
    encode,
    fit_seeds,
    flat_crops,
    kept_latents,
    leap_features,
    linear_features,
    specialist_features,
    specialist_paths,
)
from specialist.simulate.sports import random_scenario, simulate_sports


def play_run(
    difficulty: str,
    n_train: int,
    n_test: int,
    n_blocks: int,
    n_scored: int,
    n_players: int,
    n_steps: int,
    n_interactions: int,
    n_classes: int,
    n_latent: int,
    n_linear_components: int,
    l1_path: tuple[float, ...],
    task_weight: float,
    epochs: int,
    box_noise: float,
    iou_thresholds: tuple[float, ...],
    seed: int,
    validation_fraction: float = 0.25,
    few_fraction: float = 0.25,
    nuisance_coupling: float = 0.4,
    strong_coupling: float = 0.7,
    n_fits: int = 1,
) -> dict[str, list[dict]]:
    """One play at one difficulty: every method fitted on training episodes, tested on others.

    Returns ``{"rows": [...]}``, one dict per (method, iou, metric): ``metric`` is ``"map"``
    or ``"recall10"`` (with ``iou``), ``"dims"`` (the feature dimension Algorithm 1 saw) or
    ``"seconds"`` (wall time to fit and encode; ``iou`` is NaN for both), and ``fit``: the
    specialist's path (:data:`REFITTED`) is fitted ``n_fits`` times from different seeds
    (:func:`fit_seeds`) on the same episodes, one row per fit; every other method has
    ``fit = 0``. Rows of method
    ``"path"`` carry an ``l1`` key: every model of the specialist's path (λ = 0 is the dense
    model) with its ``"val_map"`` (mAP on the validation episodes at the first IoU threshold,
    what :func:`choose_l1` reads), ``"val_worst_excess"`` (its largest held-out loss excess
    over the dense model's, what the label-free rule reads), its ``"map"`` on the test
    episodes at every threshold (shown, never used to choose), its ``"block"`` size,
    ``"chosen"`` (1 for Ours' λ), ``"chosen_annotated"`` (1 for the annotated rule's λ),
    ``"chosen_closed"`` (1 for the λ of the label-free rule when closed masks are allowed, an
    attack), ``"qualifies"`` (held-out losses within tolerance and the mask open: the rule's
    candidates) and ``"closed"`` (1 when the model's mask keeps no latent for any task).

    The training episodes are cut in two: the first ``1 − validation_fraction`` (the *fit*
    episodes) fit every representation, Base and LEAP-style included, so that every row sees
    the same data; the rest (the *validation* episodes) only serve to choose λ. Ours is the
    path's model picked by the label-free rule of ``l1="auto"``
    (:meth:`SparseTaskVAE.path_table`: the largest λ whose held-out task and reconstruction
    losses stay within ``auto_tolerance`` of the dense model's and whose mask keeps at least
    one latent; the dense model if none does; the rule that also takes closed masks is
    recorded as an attack, ``"chosen_closed"``),
    which reads the outcomes g and the crops, never an annotation. :func:`choose_l1` (by the
    validation episodes' mAP, which reads the play's annotations) is recorded as an attack.

    ``difficulty="few_episodes"`` fits the representations on ``few_fraction`` of the
    ``n_train`` training episodes; ``"nuisance"`` draws the scenes with
    ``jersey_coupling=nuisance_coupling`` (:func:`~specialist.simulate.sports.simulate_sports`),
    ``"strong_nuisance"`` with ``jersey_coupling=strong_coupling``; ``"state_dependent_noise"`` draws
    the states with ``transitions="state_dependent_laplace"`` (non-Gaussian innovations whose
    scale follows the previous state); ``"standard"`` uses none.

    Backs
    -----
    fig4_sportshhi
    """
    difficulty = check_difficulties([difficulty])[0]
    train_fraction = few_fraction if difficulty == "few_episodes" else 1.0
    coupling = {"nuisance": nuisance_coupling, "strong_nuisance": strong_coupling}.get(
        difficulty, 0.0
    )
    scenario = random_scenario(
        n_players=n_players,
        n_steps=n_steps,
        n_interactions=n_interactions,
        n_classes=n_classes,
        seed=seed,
    )
    used_train = max(MIN_BLOCK, int(round(n_train * train_fraction)))
    sample = simulate_sports(
        scenario,
        used_train + n_test,
        box_noise=box_noise,
        jersey_coupling=coupling,
        transitions="state_dependent_laplace"
        if difficulty == "state_dependent_noise"
        else "gaussian",
        seed=seed,
    )
    n_fit_episodes = used_train - max(1, int(round(validation_fraction * used_train)))
    train, valid = np.arange(n_fit_episodes), np.arange(n_fit_episodes, used_train)
    test = np.arange(used_train, used_train + n_test)
    crops = sample.crops(12, detected=True)
    train_crops, test_crops = crops[train], crops[test]
    outcomes = sample.outcomes[train]

    features: dict[str, np.ndarray] = {}
    seconds: dict[str, float] = {}

    def timed(name: str, make) -> None:
        start = time.perf_counter()
        features[name] = make()
        seconds[name] = time.perf_counter() - start

    timed("base", lambda: base_features(train_crops, test_crops, n_latent, seed))
    timed("leap", lambda: leap_features(train_crops, test_crops, n_latent, seed, epochs))
    timed(
        "linear",
        lambda: linear_features(train_crops, outcomes, test_crops, n_linear_components, seed),
    )
    start = time.perf_counter()
    paths = specialist_paths(
        train_crops, outcomes, n_latent, l1_path, fit_seeds(seed, n_fits), epochs, task_weight
    )
    elapsed = time.perf_counter() - start
    lambdas = (0.0, *(float(v) for v in l1_path))
    features["oracle"] = sample.states[test][..., None]

    val_blocks = max(1, min(n_blocks, len(valid) // MIN_BLOCK))
    val_scored = scored_episodes(valid, val_blocks, n_scored)
    val_gt = sample.annotations[
        sample.annotations["video_id"].isin(np.asarray(sample.video_ids)[val_scored])
    ]
    scored = np.asarray(sample.video_ids)[scored_episodes(test, n_blocks, n_scored)]
    gt = sample.annotations[sample.annotations["video_id"].isin(scored)]
    rows: list[dict] = []

    def score(method: str, feats: np.ndarray, fit: int) -> list[float]:
        pred = block_predictions(feats, sample, test, n_blocks, n_scored)
        maps = []
        for iou in iou_thresholds:
            result = evaluate_map(gt, pred, iou_threshold=float(iou), recall_at=(10,))
            rows.append(_row(method, iou, "map", result.map, fit))
            rows.append(_row(method, iou, "recall10", result.recall[10], fit))
            maps.append(result.map)
        rows.append(_row(method, np.nan, "dims", feats.shape[-1], fit))
        if method in seconds:
            rows.append(_row(method, np.nan, "seconds", seconds[method], fit))
        return maps

    for method in SCORED:
        if method not in REFITTED:
            score(method, features[method], 0)
    for fit, path in enumerate(paths):
        # the annotated rule (an attack): Algorithm 1's mAP on the validation episodes
        val_map = []
        for model in path:
            feats = encode(model, crops[valid])[..., kept_latents(model)]
            pred = block_predictions(feats, sample, valid, val_blocks, n_scored)
            val_map.append(evaluate_map(val_gt, pred, iou_threshold=float(iou_thresholds[0])).map)
        annotated = 1 + choose_l1(val_map[1:], lambdas[1:])
        # Ours: the label-free rule (held-out task and reconstruction losses, as l1="auto")
        losses = path[0].path_table(
            path,
            crop_sequences(flat_crops(crops[valid])),
            np.repeat(sample.outcomes[valid], n_players, axis=0),
        )
        # a closed mask (no latent for any task) has no block: the rule never takes it
        # (SparseTaskVAE.path_table); the rule that allows closed masks is kept as an attack
        closed = losses["closed"].to_numpy(dtype=bool)
        qualifies = losses["qualifies"].to_numpy(dtype=bool)
        chosen = int(losses["chosen"].to_numpy().argmax())
        within = losses["within_tolerance"].to_numpy(dtype=bool)
        chosen_closed = int(np.flatnonzero(within).max())
        scored_maps = {}
        for name, (feats, _) in specialist_features(path[0], path[chosen], test_crops).items():
            if name != "dense_matched":  # a read-out of the dense model: no time of its own
                seconds[name] = elapsed / len(path) / len(paths)  # one ensemble, every path
            scored_maps[name] = score(name, feats, fit)
        # the whole path on the test episodes: shown beside the rule's choice, never used by it
        for j, (model, lam) in enumerate(zip(path, lambdas, strict=True)):
            if j == 0 or j == chosen:  # the dense model and Ours are scored above
                maps = scored_maps["dense" if j == 0 else "ours"]
            else:
                feats = encode(model, test_crops)[..., kept_latents(model)]
                pred = block_predictions(feats, sample, test, n_blocks, n_scored)
                maps = [evaluate_map(gt, pred, iou_threshold=float(v)).map for v in iou_thresholds]
            for iou, value in zip(iou_thresholds, maps, strict=True):
                rows.append(_path_row(lam, iou, "map", value, fit))
            rows.append(_path_row(lam, iou_thresholds[0], "val_map", val_map[j], fit))
            rows.append(
                _path_row(lam, np.nan, "val_worst_excess", losses["worst_excess"].iloc[j], fit)
            )
            rows.append(_path_row(lam, np.nan, "block", kept_latents(model).size, fit))
            rows.append(_path_row(lam, np.nan, "chosen", float(j == chosen), fit))
            rows.append(_path_row(lam, np.nan, "chosen_closed", float(j == chosen_closed), fit))
            rows.append(_path_row(lam, np.nan, "qualifies", float(qualifies[j]), fit))
            rows.append(_path_row(lam, np.nan, "closed", float(closed[j]), fit))
            rows.append(_path_row(lam, np.nan, "chosen_annotated", float(j == annotated), fit))
    # chance: the mean score of CHANCE_DRAWS sets of random evidence (its own seed stream)
    rng = np.random.default_rng([seed, 4])
    draws = [chance_predictions(sample, test, n_blocks, n_scored, rng) for _ in range(CHANCE_DRAWS)]
    for iou in iou_thresholds:
        results = [evaluate_map(gt, p, iou_threshold=float(iou), recall_at=(10,)) for p in draws]
        rows.append(_row("chance", iou, "map", np.mean([r.map for r in results])))
        rows.append(_row("chance", iou, "recall10", np.mean([r.recall[10] for r in results])))
    rows.append(_row("chance", np.nan, "dims", 0))
    # the other chance reference: every prediction row scored alone (another seed stream)
    rng = np.random.default_rng([seed, 5])
    draws = [p.assign(score=distinct_scores(rng.uniform(size=len(p)))) for p in draws]
    for iou in iou_thresholds:
        results = [evaluate_map(gt, p, iou_threshold=float(iou), recall_at=(10,)) for p in draws]
        rows.append(_row(ROW_CHANCE, iou, "map", np.mean([r.map for r in results])))
        rows.append(_row(ROW_CHANCE, iou, "recall10", np.mean([r.recall[10] for r in results])))
    return {"rows": rows}


def _row(method: str, iou: float, metric: str, value: float, fit: int = 0) -> dict:
    return {
        "method": method, "iou": float(iou), "metric": metric, "value": float(value), "fit": fit
    }  # fmt: skip


def _path_row(l1: float, iou: float, metric: str, value: float, fit: int) -> dict:
    return {**_row("path", iou, metric, value, fit), "l1": float(l1)}


@dataclass(frozen=True)
class InteractionStudy:
    """Tidy results of :func:`run_study`.

    Attributes
    ----------
    scores : one row per (difficulty, replicate, method, iou, metric) with columns
        ``difficulty, replicate, seed, method, iou, metric, value``; ``metric`` is ``"map"``,
        ``"recall10"`` or ``"dims"`` (``iou`` NaN). Rows with the same ``seed`` share a play
        and its episodes, so methods compare on paired data; a refitted method's value is the
        mean over its fits (the play is the unit of every interval)
    timings : wall time of every method's features per run (``difficulty, replicate, seed,
        method, seconds``), kept apart so that ``scores`` is the same on every machine
    path : the specialist's path per run and fit (``difficulty, replicate, seed, fit, l1, iou,
        metric, value``; metrics ``map`` on the test episodes, ``val_map`` on the validation
        episodes, ``block`` and ``chosen``, as :func:`play_run` describes)
    fits : the scores of the refitted methods (:data:`REFITTED`) per fit, with a ``fit``
        column (what :func:`fit_variance` splits)
    """

    scores: pd.DataFrame
    timings: pd.DataFrame
    path: pd.DataFrame
    fits: pd.DataFrame


def run_study(
    settings: dict,
    difficulties: Sequence[str],
    n_seeds: int,
    base_seed: int = 0,
    n_jobs: int = 1,
) -> InteractionStudy:
    """Every difficulty × ``n_seeds`` plays of :func:`play_run`, as tidy tables.

    ``settings`` holds every argument of :func:`play_run` but ``difficulty`` and
    ``seed``. Replicate ``r`` uses the same seed, so the same play, at every difficulty and
    whatever the difficulty knobs (:data:`DIFFICULTY_DEFAULTS`) and the model settings are:
    seeds derive from the play's settings alone (:data:`_PLAY_KEYS`), so that runs with other
    amounts or other models are paired with this one.

    Backs
    -----
    fig4_sportshhi
    """
    from specialist.sweep import run_grid

    difficulties = check_difficulties(difficulties)
    check_settings(settings)
    grid = [{"difficulty": d, **settings} for d in difficulties]
    runs = run_grid(
        play_run,
        grid,
        n_seeds,
        base_seed=base_seed,
        n_jobs=n_jobs,
        seed_keys=[k for k in _PLAY_KEYS if k in settings],
        blas_threads=1,
    )
    records = [
        {"difficulty": run.difficulty, "replicate": run.replicate, "seed": run.seed, **row}
        for run in runs.itertuples()
        for row in run.rows
    ]
    tidy = pd.DataFrame(records)
    on_path = tidy["method"] == "path"
    keys = ["difficulty", "replicate", "seed"]
    path = tidy[on_path].loc[:, [*keys, "fit", "l1", "iou", "metric", "value"]]
    tidy = tidy[~on_path].drop(columns="l1")
    timed = tidy["metric"] == "seconds"
    timings = (
        tidy[timed]
        .groupby([*keys, "method"], sort=False, as_index=False)["value"]
        .mean()
        .rename(columns={"value": "seconds"})
    )
    tidy = tidy[~timed]
    fits = tidy[tidy["method"].isin(REFITTED)].reset_index(drop=True)
    # the play is the unit: a refitted method's score of a play is the mean over its fits
    scores = tidy.groupby([*keys, "method", "iou", "metric"], sort=False, dropna=False)[
        "value"
    ].mean()
    return InteractionStudy(scores.reset_index(), timings, path.reset_index(drop=True), fits)
