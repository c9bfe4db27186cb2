"""Layer-2 experiments: does a sparse task–latent mask separate the task-relevant latents?

Every run draws one generator (:func:`~specialist.simulate.mixing.simulate_mixing`: the task
maps and the mixing are fixed by ``seed``), a training draw and a fresh test draw from it. All
models of a run are trained side by side on the same training rows from the same
initialisation (:meth:`SparseTaskVAE.fit_path`), ``l1="auto"`` chooses λ on held-out training
rows exactly as ``SparseTaskVAE(l1="auto")`` does, and every score is computed on the fresh
draw. The ways of reading a task block that a run compares (:data:`METHODS`):

* ``generalist``: the dense model (no penalty), its block = the support of its heads' Jacobian
  (the package's one support rule; Proposition 2 predicts a superset of ``I_k``);
* ``generalist_top``: the same dense model, its ``|I_k|`` most-read latents (sparsity imposed
  only at read-out; it is *given* the true block size, which no user has);
* ``l1_auto``: the default ``SparseTaskVAE`` (λ chosen from the data alone);
* ``l1_fixed``: ℓ1 at a fixed λ (the companion's old default, chosen on this generator);
* ``l0``: hard-concrete ℓ0 gates at a fixed weight;
* ``truth``: the true latents ``s_{I_k}`` themselves, the reference for R² irrelevant (which is
  above 0 when latents are correlated).

Per task and method, R² of each true latent is computed from the block's codes on the test draw
(:func:`specialist.metrics.block_r2_columns`); *R² relevant* averages the columns of ``I_k``,
*R² irrelevant* is reported as the mean and the maximum over the other latents; all are then
averaged over tasks. Module-level functions of keyword settings and ``seed`` for
:func:`specialist.sweep.run_grid`.

Backs
-----
fig5_l1_ablation, fig5_l1_path
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from specialist import metrics
from specialist.experiments.tables import scores_long
from specialist.models import SparseTaskVAE
from specialist.models._common import support_matrix
from specialist.simulate.mixing import MixingSample, simulate_mixing

#: settings of SparseTaskVAE that the experiments pass through
MODEL_KEYS = (
    "hidden",
    "beta",
    "task_weight",
    "noise_var",
    "head_decay",
    "epochs",
    "batch_size",
    "lr",
    "mask_lr_scale",
    "threshold",
    "auto_tolerance",
    "auto_path",
)
#: settings of the generator that the experiments pass through
DATA_KEYS = ("task_kind", "latent_correlation", "mixing_layers")
#: method -> label used in figures and tables
METHODS = {
    "generalist": "generalist (Jacobian block)",
    "generalist_top": "generalist, top-|I_k| latents (given |I_k|)",
    "l1_auto": "ℓ1, λ auto (default)",
    "l1_fixed": "ℓ1, fixed λ",
    "l0": "ℓ0 gates, fixed λ",
    "truth": "true block s_I (reference)",
}
#: the metrics every method gets in a run
METRICS = ("r2_relevant", "r2_irrelevant", "r2_irrelevant_max", "block_size", "support_f1")


def _check_settings(model_settings: dict, data_settings: dict) -> None:
    unknown = set(model_settings) - set(MODEL_KEYS)
    if unknown:
        raise ValueError(f"unknown model setting(s) {sorted(unknown)}; accepted: {MODEL_KEYS}")
    unknown = set(data_settings) - set(DATA_KEYS)
    if unknown:
        raise ValueError(f"unknown data setting(s) {sorted(unknown)}; accepted: {DATA_KEYS}")


def block_scores(
    blocks: list[np.ndarray], codes: np.ndarray, sample: MixingSample, seed: int = 0
) -> dict[str, float]:
    """R² relevant, R² irrelevant (mean and max over the other latents), block size, averaged
    over tasks, for task blocks ``blocks`` (index arrays into the columns of ``codes``) read
    from ``codes`` ``(n, d)`` on ``sample`` (the rows ``codes`` were computed from)."""
    relevant, irr_mean, irr_max = [], [], []
    for k, block in enumerate(blocks):
        r2 = metrics.block_r2_columns(codes[:, block], sample.latents, seed=seed)
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
    template = SparseTaskVAE(train.latents.shape[1], seed=seed, **model_settings)
    path = sorted(set(template.auto_path))
    fit_rows, val_rows = template.validation_split(train.observations.shape[0])
    tasks = [train.task(k) for k in range(train.n_tasks)]
    extra = [] if l1_fixed in path else [l1_fixed]
    members = template.fit_path(
        train.observations[fit_rows],
        [t[fit_rows] for t in tasks],
        l1=[*path, *extra],
        l0=[l0] if l0 > 0 else [],
    )
    path_models = members[: 1 + len(path)]
    table = template.path_table(
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
    return models, table, path_models


def layer2_run(
    n_samples: int,
    n_test: int,
    n_latent: int,
    n_tasks: int,
    seed: int,
    l1_fixed: float = 3.0,
    l0: float = 3.0,
    score_path: bool = False,
    return_mask: bool = False,
    task_kind: str = "vector",
    latent_correlation: float = 0.0,
    mixing_layers: int = 3,
    **model_settings,
) -> dict[str, Any]:
    """One data set, every method of :data:`METHODS`, scored on a fresh draw.

    Returns a flat mapping: ``"<metric>:<method>"`` for every metric of :data:`METRICS`, the
    λ that "auto" chose (``auto_l1``), the true mean block size, and with ``score_path`` also
    ``"<metric>:path=<λ>"`` for every model of the path (for the λ path page), and the λ that
    the truth would pick (``oracle_l1``: the path's λ with the best support F1, ties broken by
    the smallest R² irrelevant max, then the smaller λ). With ``return_mask`` also the generalist's and
    the auto model's sensitivity matrices (columns matched to the true latents) and the true
    support, as nested lists, for display.

    Backs
    -----
    fig5_l1_ablation, fig5_l1_path
    """
    data = {
        "task_kind": task_kind,
        "latent_correlation": latent_correlation,
        "mixing_layers": mixing_layers,
    }
    _check_settings(model_settings, data)
    gen = {"n_latent": n_latent, "n_tasks": n_tasks, "seed": seed, **data}
    train = simulate_mixing(n_samples, draw=0, **gen)
    test = simulate_mixing(n_test, draw=1, **gen)
    models, table, path_models = fit_run_models(train, seed, l1_fixed, l0, **model_settings)
    true_sizes = test.support.sum(axis=1)
    result: dict[str, Any] = {
        "auto_l1": float(table.loc[table["chosen"], "l1"].iloc[0]),
        "true_block_size": float(true_sizes.mean()),
    }

    def score(name: str, model: SparseTaskVAE, blocks=None) -> None:
        codes = model.transform(test.observations)
        blocks = model.relevant_latents() if blocks is None else blocks
        scores = block_scores(blocks, codes, test, seed=seed)
        scores["support_f1"] = metrics.support_f1(
            test.support, support_matrix(blocks, model.n_latent)
        )
        result.update({f"{m}:{name}": scores[m] for m in METRICS})

    for name, model in models.items():
        score(name, model)
    score("generalist_top", models["generalist"], top_blocks(models["generalist"], true_sizes))
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


def long_format(runs: pd.DataFrame) -> pd.DataFrame:
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


#: how much R² relevant the sparse model may lose against the generalist and still "keep" the
#: relevant block (a non-inferiority margin, in R²)
KEEP_MARGIN = 0.05


def separation(long: pd.DataFrame, sparse: str = "l1_auto", dense: str = "generalist") -> dict:
    """Does ``sparse`` separate the task blocks better than ``dense``, on paired runs?

    ``long`` is :func:`long_format` output of one condition (one row per run and method,
    ``seed`` identifies the data set). Two paired differences with bootstrap intervals:
    ``irrelevant`` = R² irrelevant max of ``dense`` minus that of ``sparse`` (> 0: the sparse
    blocks leak less about other latents), ``relevant`` = R² relevant of ``sparse`` minus that
    of ``dense``. The verdict:

    * ``"agrees"``: ``irrelevant`` lies above 0 and ``relevant`` above ``-KEEP_MARGIN``;
    * ``"mixed"``: ``irrelevant`` lies above 0 but ``relevant`` may be lower by more than
      the margin (its interval straddles ``-KEEP_MARGIN``);
    * ``"tie"``: ``irrelevant`` covers 0 (no difference shown either way) and the relevant
      block is not clearly lost;
    * ``"disagrees"``: ``irrelevant`` lies below 0, or ``relevant`` lies wholly below
      ``-KEEP_MARGIN`` (the block is lost).

    ``claim_verdict`` maps this onto the claims page's words (a tie is *mixed*: the run does
    not show the effect, nor its absence).

    Backs
    -----
    fig5_l1_ablation, fig5_l1_path
    """
    from specialist.experiments.verdicts import paired

    irrelevant = paired(long, dense, sparse, "r2_irrelevant_max")
    relevant = paired(long, sparse, dense, "r2_relevant")
    separates = irrelevant.low > 0
    lost = relevant.high < -KEEP_MARGIN
    if separates and relevant.low >= -KEEP_MARGIN:
        verdict = "agrees"
    elif separates and not lost:
        verdict = "mixed"
    elif irrelevant.covers_zero and not lost:
        verdict = "tie"
    else:
        verdict = "disagrees"
    return {"irrelevant": irrelevant, "relevant": relevant, "verdict": verdict}


def claim_verdict(verdict: str) -> str:
    """A :func:`separation` verdict in the words of the claims page.

    Backs
    -----
    fig5_l1_ablation
    """
    return {"tie": "mixed"}.get(verdict, verdict)


def method_summary(long: pd.DataFrame, methods=None) -> pd.DataFrame:
    """Mean and 95% bootstrap interval of every metric per method (rows: method, metric).

    Backs
    -----
    fig5_l1_ablation
    """
    from specialist.stats import bootstrap_mean

    rows = []
    methods = methods or [m for m in METHODS if m in set(long["method"])]
    for method in methods:
        part = long[long["method"] == method]
        for metric in METRICS:
            if metric not in part or part[metric].isna().all():
                continue
            iv = bootstrap_mean(part[metric])
            rows.append(
                {
                    "method": method,
                    "metric": metric,
                    "mean": round(iv.estimate, 4),
                    "low": round(iv.low, 4),
                    "high": round(iv.high, 4),
                    "n": iv.n,
                }
            )
    return pd.DataFrame(rows)


def separation_sentence(result: dict, sparse: str, dense: str, where: str) -> str:
    """One computed sentence for a :func:`separation` result.

    Backs
    -----
    fig5_l1_ablation, fig5_l1_path
    """
    irr, rel = result["irrelevant"], result["relevant"]
    word = {
        "agrees": "separates the blocks and keeps the relevant one, against",
        "mixed": "separates the blocks, but may lose part of the relevant one, against",
        "tie": "shows no separation (a tie) against",
        "disagrees": "separates the blocks less than"
        if irr.high < 0
        else "loses the relevant block against",
    }[result["verdict"]]
    return (
        f"{where}: {METHODS[sparse]} {word} {METHODS[dense]} "
        f"(R² irrelevant max lower by {irr.text()}, R² relevant changed by {rel.text()}; "
        f"paired 95% intervals over {irr.n} data sets; verdict: {result['verdict']})."
    )


def auto_vs_oracle(runs: pd.DataFrame) -> dict:
    """Where ``l1="auto"`` landed on runs of :func:`layer2_run` (with ``score_path``), against
    the λ the truth picks (``oracle_l1``), paired per data set.

    Returns the λ values of both, how many agree, and bootstrap intervals of the differences
    auto − oracle of R² relevant and of R² irrelevant max (the oracle's model is the path's
    model at its λ, fitted on the same rows).

    Backs
    -----
    fig5_l1_path
    """
    from specialist.stats import paired_difference

    def at_oracle(metric: str) -> np.ndarray:
        return np.array([row[f"{metric}:path={row['oracle_l1']:g}"] for _, row in runs.iterrows()])

    return {
        "auto": runs["auto_l1"].tolist(),
        "oracle": runs["oracle_l1"].tolist(),
        "same": int((runs["auto_l1"] == runs["oracle_l1"]).sum()),
        "relevant": paired_difference(runs["r2_relevant:l1_auto"], at_oracle("r2_relevant")),
        "irrelevant_max": paired_difference(
            runs["r2_irrelevant_max:l1_auto"], at_oracle("r2_irrelevant_max")
        ),
    }
