"""Layer-2 runs: one data set, every method of :data:`~specialist.experiments.layer2.design.METHODS`
trained side by side and scored on a fresh draw (:func:`layer2_run`, :func:`layer2_runs`), and
the runs as a long table (:func:`runs_by_method`).

Backs
-----
fig5_l1_ablation, fig5_l1_path
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from specialist import metrics
from specialist.experiments.layer2.design import (
    ATTACK_THRESHOLDS,
    METRICS,
    READERS,
    check_settings,
)
from specialist.experiments.tables import scores_long
from specialist.models import SparseTaskVAE
from specialist.models._common import support_from_sensitivity, support_matrix
from specialist.simulate.mixing import MixingSample, simulate_mixing


def block_scores(
    blocks: list[np.ndarray],
    codes: np.ndarray,
    sample: MixingSample,
    seed: int = 0,
    reader: str = "nonlinear",
) -> dict[str, float]:
    """R² relevant, R² irrelevant (mean and max over the other latents), block size, averaged
    over tasks, for task blocks ``blocks`` (index arrays into the columns of ``codes``) read
    from ``codes`` ``(n, d)`` on ``sample`` (the rows ``codes`` were computed from), with the
    reader ``reader`` (:data:`READERS`)."""
    if reader not in READERS:
        raise ValueError(f"reader must be one of {READERS}, got {reader!r}")
    relevant, irr_mean, irr_max = [], [], []
    for k, block in enumerate(blocks):
        r2 = metrics.block_r2_columns(codes[:, block], sample.latents, seed=seed, reader=reader)
        true = sample.support[k]
        relevant.append(float(r2[true].mean()))
        if (~true).any():
            irr_mean.append(float(r2[~true].mean()))
            irr_max.append(float(r2[~true].max()))
    nan = float("nan")
    return {
        "r2_relevant": float(np.mean(relevant)),
        "r2_irrelevant": float(np.mean(irr_mean)) if irr_mean else nan,
        "r2_irrelevant_max": float(np.mean(irr_max)) if irr_max else nan,
        "block_size": float(np.mean([b.size for b in blocks])),
    }


def random_codes(observations: np.ndarray, n_latent: int, seed: int) -> np.ndarray:
    """The chance representation: a random Gaussian projection of ``observations`` to
    ``n_latent`` columns (seeded by ``seed``; nothing is learned)."""
    rng = np.random.default_rng([int(seed), 7919])
    w = rng.normal(size=(observations.shape[1], n_latent)) / np.sqrt(observations.shape[1])
    return np.asarray(observations, dtype=float) @ w


def first_blocks(sizes) -> list[np.ndarray]:
    """Per task, the first ``sizes[k]`` columns (of a representation whose columns are
    exchangeable, such as :func:`random_codes`)."""
    return [np.arange(int(s)) for s in sizes]


def top_blocks(model: SparseTaskVAE, sizes) -> list[np.ndarray]:
    """Per task, the ``sizes[k]`` latents the model's head ``k`` is most sensitive to."""
    order = np.argsort(-model.task_sensitivity_, axis=1, kind="stable")
    return [np.sort(order[k, : int(s)]) for k, s in enumerate(sizes)]


def fit_run_models(
    train: MixingSample,
    seed: int,
    l1_fixed: float,
    l0: float,
    **model_settings,
) -> tuple[dict[str, SparseTaskVAE], pd.DataFrame, list[SparseTaskVAE]]:
    """The models of one run, trained together on the same rows.

    ``SparseTaskVAE(l1="auto")``'s split of ``train``: the path (dense, every λ of the model's
    ``auto_path``, and ``l1_fixed``) and the ℓ0 model are fitted on its
    training rows, the λ is chosen on its validation rows. Returns the models by method, the
    path's table (:meth:`SparseTaskVAE.path_table`) and the path's models (dense first).
    """
    return fit_runs_models([train], [seed], l1_fixed, l0, **model_settings)[0]


def fit_runs_models(
    trains: list[MixingSample], seeds: list[int], l1_fixed: float, l0: float, **model_settings
) -> list[tuple[dict[str, SparseTaskVAE], pd.DataFrame, list[SparseTaskVAE]]]:
    """:func:`fit_run_models` for several runs (data set, seed) at once: every run's models
    are one group of a single ensemble (:meth:`SparseTaskVAE.fit_paths`), so each run's models
    are those it would get alone, at a fraction of the time."""
    template = SparseTaskVAE(trains[0].latents.shape[1], seed=seeds[0], **model_settings)
    path = sorted(set(template.auto_path))
    extra = [] if l1_fixed in path else [l1_fixed]
    splits, datasets = [], []
    for train, seed in zip(trains, seeds, strict=True):
        fit_rows, val_rows = template._with(seed=seed).validation_split(train.observations.shape[0])
        tasks = [train.task(k) for k in range(train.n_tasks)]
        splits.append((val_rows, tasks))
        datasets.append((train.observations[fit_rows], [t[fit_rows] for t in tasks]))
    fitted = template.fit_paths(
        datasets, list(seeds), l1=[*path, *extra], l0=[l0] if l0 > 0 else []
    )
    out = []
    for train, members, (val_rows, tasks) in zip(trains, fitted, splits, strict=True):
        path_models = members[: 1 + len(path)]
        table = members[0].path_table(
            path_models, train.observations[val_rows], [t[val_rows] for t in tasks]
        )
        by_l1 = {m.l1: m for m in members if m.l0 == 0}
        models = {
            "generalist": members[0],
            "l1_auto": path_models[int(table["chosen"].to_numpy().argmax())],
            "l1_fixed": by_l1[float(l1_fixed)],
        }
        if l0 > 0:
            models["l0"] = members[-1]
        out.append((models, table, path_models))
    return out


def layer2_run(seed: int, **settings) -> dict[str, Any]:
    """One data set, every method of :data:`METHODS`, scored on a fresh draw.

    Returns a flat mapping: ``"<metric>:<method>"`` for every metric of :data:`METRICS`, the
    λ that "auto" chose (``auto_l1``), the true mean block size, and with ``score_path`` also
    ``"<metric>:path=<λ>"`` for every model of the path (for the λ path page), and the λ that
    the truth would pick (``oracle_l1``: the path's λ with the best support F1, ties broken by
    the smallest R² irrelevant max, then the smaller λ). Every run also scores the chance
    reference ``random`` (module docstring); with ``attacks`` also the attack variants (module
    docstring). With ``return_mask`` also the generalist's and
    the auto model's sensitivity matrices (columns matched to the true latents) and the true
    support, as nested lists, for display. ``settings`` are those of :func:`layer2_runs`
    (data, methods and the model's settings), which gives the same result for several seeds
    at once, faster; :func:`~specialist.sweep.run_grid` uses it.

    Backs
    -----
    fig5_l1_ablation, fig5_l1_path
    """
    return layer2_runs([seed], **settings)[0]


def layer2_runs(
    seeds: list[int],
    n_samples: int,
    n_test: int,
    n_latent: int,
    n_tasks: int,
    l1_fixed: float = 3.0,
    l0: float = 3.0,
    score_path: bool = False,
    return_mask: bool = False,
    attacks: bool = False,
    task_kind: str = "vector",
    latent_correlation: float = 0.0,
    mixing_layers: int = 3,
    **model_settings,
) -> list[dict[str, Any]]:
    """:func:`layer2_run` for every seed of ``seeds``: the runs' models are trained as one
    ensemble (:func:`fit_runs_models`), each run from its own seed, so every result equals
    the one :func:`layer2_run` returns for that seed.

    Backs
    -----
    fig5_l1_ablation, fig5_l1_path
    """
    data = {
        "task_kind": task_kind,
        "latent_correlation": latent_correlation,
        "mixing_layers": mixing_layers,
    }
    check_settings(model_settings, data)
    samples = []
    for seed in seeds:
        gen = {"n_latent": n_latent, "n_tasks": n_tasks, "seed": seed, **data}
        samples.append(
            (simulate_mixing(n_samples, draw=0, **gen), simulate_mixing(n_test, draw=1, **gen))
        )
    fitted = fit_runs_models([s[0] for s in samples], seeds, l1_fixed, l0, **model_settings)
    return [
        _run_scores(test, seed, *fit, n_latent, score_path, return_mask, attacks)
        for (_, test), seed, fit in zip(samples, seeds, fitted, strict=True)
    ]


layer2_run.many = layer2_runs  # run_grid's batched form (same results, one ensemble)


def _run_scores(
    test, seed, models, table, path_models, n_latent, score_path, return_mask, attacks
) -> dict[str, Any]:
    """Every score of one run (:func:`layer2_run`) from its fitted models."""
    true_sizes = test.support.sum(axis=1)
    result: dict[str, Any] = {
        "auto_l1": float(table.loc[table["chosen"], "l1"].iloc[0]),
        "true_block_size": float(true_sizes.mean()),
    }

    chance = random_codes(test.observations, n_latent, seed)
    codes_of: dict[int, np.ndarray] = {}

    def score(name: str, model, blocks=None, reader: str = "nonlinear") -> list[np.ndarray]:
        if model is None:  # the chance representation
            codes, width = chance, n_latent
        else:
            if id(model) not in codes_of:
                codes_of[id(model)] = model.transform(test.observations)
            codes, width = codes_of[id(model)], model.n_latent
        blocks = model.relevant_latents() if blocks is None else blocks
        scores = block_scores(blocks, codes, test, seed=seed, reader=reader)
        scores["support_f1"] = metrics.support_f1(test.support, support_matrix(blocks, width))
        result.update({f"{m}:{name}": scores[m] for m in METRICS})
        return blocks

    for name, model in models.items():
        score(name, model)
    score("generalist_top", models["generalist"], top_blocks(models["generalist"], true_sizes))
    auto_blocks = models["l1_auto"].relevant_latents()
    dense_blocks = models["generalist"].relevant_latents()

    def sizes(blocks):
        return first_blocks([b.size for b in blocks])

    # each compared block gets its own chance block, of its own size (CHANCE_OF)
    score("random", None, sizes(auto_blocks))
    score("random_dense", None, sizes(dense_blocks))
    score("random_top", None, sizes(top_blocks(models["generalist"], true_sizes)))
    if attacks:
        for thr in ATTACK_THRESHOLDS:
            for name, ref in (("generalist", "random_dense"), ("l1_auto", "random")):
                blocks = support_from_sensitivity(models[name].task_sensitivity_, thr)
                score(f"{name}@t{thr:g}", models[name], blocks)
                score(f"{ref}@t{thr:g}", None, sizes(blocks))
        for name in ("generalist", "l1_auto"):
            score(f"{name}@linear", models[name], reader="linear")
        score("random@linear", None, sizes(auto_blocks), "linear")
        score("random_dense@linear", None, sizes(dense_blocks), "linear")
        lambdas = [m.l1 for m in path_models]  # the dense model first (λ = 0)
        at = lambdas.index(result["auto_l1"])
        for name, step in (("l1_down", -1), ("l1_up", 1)):
            j = min(max(at + step, 0), len(lambdas) - 1)
            result[f"{name}_l1"] = float(lambdas[j])
            blocks = score(name, path_models[j])
            score(f"random:{name}", None, first_blocks([b.size for b in blocks]))
    truth = block_scores(
        [np.flatnonzero(row) for row in test.support], test.latents, test, seed=seed
    )
    result.update({f"{m}:truth": truth[m] for m in METRICS if m in truth})
    result["support_f1:truth"] = 1.0
    # Proposition 2: the generalist's block is at least as large as the truth, task by task
    result["superset_share:generalist"] = float(
        np.mean(
            [
                b.size >= s
                for b, s in zip(models["generalist"].relevant_latents(), true_sizes, strict=True)
            ]
        )
    )
    if score_path:
        best = None
        for model in path_models:
            score(f"path={model.l1:g}", model)
            key = (
                -result[f"support_f1:path={model.l1:g}"],
                result[f"r2_irrelevant_max:path={model.l1:g}"],
                model.l1,
            )
            best = min(best, (key, model.l1)) if best else (key, model.l1)
        result["oracle_l1"] = float(best[1])
    if return_mask:
        for name in ("generalist", "l1_auto"):
            model = models[name]
            order = metrics.match_latents(test.support, model.support_matrix())
            result[f"sensitivity:{name}"] = model.task_sensitivity_[:, order].tolist()
        result["support"] = test.support.tolist()
    return result


def runs_by_method(runs: pd.DataFrame) -> pd.DataFrame:
    """Runs of :func:`layer2_run` as one row per (run, method) with a column per metric.

    Every setting column of ``runs`` is kept; methods come from the ``"<metric>:<method>"``
    columns (path models appear as ``path=<λ>``).

    Backs
    -----
    fig5_l1_ablation, fig5_l1_path
    """
    scored = [c for c in runs.columns if ":" in c and c.split(":")[0] in METRICS]
    settings = [c for c in runs.columns if ":" not in c and c != "support"]
    return scores_long(runs, scored, ("metric", "method"), keys=settings)
