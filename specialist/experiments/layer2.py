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
  above 0 when latents are correlated);
* ``random``: the chance level: a random Gaussian projection of the observations to ``d``
  dimensions (no training), each task's block as many of its columns as the ℓ1-auto model's
  block holds, read by the same regressor on the same fresh draw (paired per data set).

With ``attacks=True`` a run also scores the alternative choices the claims page attacks the
verdict with (:func:`verdict_of` reads them the same way): the support threshold
(:data:`ATTACK_THRESHOLDS`, methods ``"<method>@t<thr>"``), the penalty one path step below
and above the λ that "auto" chose (``l1_down``, ``l1_up``, each with its own chance block
``random:l1_down``, ``random:l1_up``) and a linear reader of R² (ridge on the block's codes,
methods ``"<method>@linear"``).

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

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from specialist import claims, labels, metrics
from specialist.experiments.tables import scores_long
from specialist.models import SparseTaskVAE
from specialist.models._common import support_from_sensitivity, support_matrix
from specialist.simulate.mixing import MixingSample, simulate_mixing
from specialist.stats import Interval, mean_interval, paired_difference

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
    "random": "random projection, same block size (chance)",
    "random_dense": "random projection, the generalist's block size (chance)",
    "random_top": "random projection, the true block size (chance)",
}
#: the chance reference of each compared block: a random block of that block's own size
CHANCE_OF = {
    "l1_auto": "random",
    "l1_fixed": "random",
    "l0": "random",
    "generalist": "random_dense",
    "generalist_top": "random_top",
    "l1_down": "random:l1_down",
    "l1_up": "random:l1_up",
}
#: what each method is given beyond the observations (keys of :data:`specialist.labels.INFORMATION`):
#: every VAE is trained with the tasks as targets (its heads fit them), so both the sparse and
#: the dense model are *supervised*; the read-out control is also given the true block size
GIVEN = {
    "generalist": ("supervision",),
    "generalist_top": ("supervision", "size"),
    "l1_auto": ("supervision",),
    "l1_fixed": ("supervision",),
    "l0": ("supervision",),
    "truth": ("truth",),
    "random": ("size",),
    "random_dense": ("size",),
    "random_top": ("size",),
}
#: the support thresholds scored besides the model's own (0.1), for the attacks
ATTACK_THRESHOLDS = (0.05, 0.2)
#: the metrics every method gets in a run
METRICS = ("r2_relevant", "r2_irrelevant", "r2_irrelevant_max", "block_size", "support_f1")


def _check_settings(model_settings: dict, data_settings: dict) -> None:
    unknown = set(model_settings) - set(MODEL_KEYS)
    if unknown:
        raise ValueError(f"unknown model setting(s) {sorted(unknown)}; accepted: {MODEL_KEYS}")
    unknown = set(data_settings) - set(DATA_KEYS)
    if unknown:
        raise ValueError(f"unknown data setting(s) {sorted(unknown)}; accepted: {DATA_KEYS}")


#: readers of R² (:func:`specialist.metrics.block_r2_columns`): the nonlinear one of the page
#: and the linear one of the attack
READERS = ("nonlinear", "linear")


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
    _check_settings(model_settings, data)
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


#: how much R² relevant the sparse model may lose against the generalist and still "keep" the
#: relevant block (a non-inferiority margin, in R²)
KEEP_MARGIN = 0.05
#: the two comparisons behind the Fig. 5 claim
PARTS = ("irrelevant", "relevant")


def _shift(iv: Interval, by: float) -> Interval:
    return Interval(iv.estimate + by, iv.low + by, iv.high + by, iv.n)


def separation(
    long: pd.DataFrame,
    sparse: str = "l1_auto",
    dense: str = "generalist",
    chance: str | Mapping[str, str] | None = None,
    margin: float = KEEP_MARGIN,
) -> dict:
    """The comparisons behind the Fig. 5 claim on one condition, paired per data set.

    ``long`` is :func:`runs_by_method` output of one condition (one row per run and method;
    ``seed`` identifies the data set). Four paired t intervals (:func:`specialist.stats.
    paired_difference`):

    * ``chance:<method>``: R² relevant of ``sparse`` and of ``dense`` minus that of its chance
      reference (a random representation with blocks of *that method's* size, same reader,
      same rows: ``chance`` maps method → reference, default :data:`CHANCE_OF`; a string
      gives both the same). A method *beats chance* (:func:`specialist.claims.beats_chance`)
      when the interval lies above 0;
    * ``irrelevant``: R² irrelevant max of ``dense`` minus that of ``sparse`` (> 0: the sparse
      blocks leak less about the other latents); its outcome (:func:`specialist.claims.
      outcome`) is the first comparison;
    * ``relevant``: R² relevant of ``sparse`` minus that of ``dense``; the second comparison
      is non-inferiority: its outcome is read from the interval shifted up by ``margin``
      (*agree*: the relevant block is kept within ``margin``; *disagree*: it is lost by more
      than ``margin``; *tie*: the data cannot tell).

    Each comparison goes through the book's one chance rule
    (:func:`specialist.claims.gated_outcome`, chance judged on R² relevant): it is
    *untestable* when neither model beats its chance block, or when the model found better is
    at chance itself.
    The claim needs both parts, so the condition's outcome is their conjunction
    (:func:`specialist.claims.conjoin`: separation shown but the relevant block undecided is a
    tie, not half an agreement).

    Returns
    -------
    dict
        ``irrelevant``, ``relevant`` and ``chance`` (by method) intervals, ``outcomes`` (by
        part), ``outcome`` (their conjunction), ``reason`` (why untestable, else ``""``) and
        ``verdict`` (:func:`specialist.claims.combine` of ``outcome``).

    Backs
    -----
    fig5_l1_ablation, fig5_l1_path
    """
    from specialist.experiments.verdicts import paired

    refs = _chance_refs(chance, sparse, dense)
    above = {m: paired(long, m, refs[m], "r2_relevant") for m in (sparse, dense)}
    irrelevant = paired(long, dense, sparse, "r2_irrelevant_max")
    relevant = paired(long, sparse, dense, "r2_relevant")
    beats = {m: claims.beats_chance(above[m]) for m in (sparse, dense)}
    # both parts read with the sparse model as "a": above 0 means it is the better one (it
    # leaks less; it keeps the relevant block within the margin)
    names = (METHODS.get(sparse, sparse), METHODS.get(dense, dense))
    outcomes, reasons = {}, []
    for part, iv in (("irrelevant", irrelevant), ("relevant", _shift(relevant, margin))):
        outcomes[part], why = claims.gated_outcome(iv, beats[sparse], beats[dense])
        text = claims.explain(why, *names, "a random block of its size on R² relevant")
        if text and text not in reasons:
            reasons.append(text)
    reason = "; ".join(reasons)
    if reason:
        reason += (
            " ("
            + "; ".join(f"{METHODS.get(m, m)} − chance {above[m].text()}" for m in (sparse, dense))
            + ")"
        )
    return {
        "irrelevant": irrelevant,
        "relevant": relevant,
        "chance": above,
        "outcomes": outcomes,
        "outcome": claims.conjoin(outcomes.values()),
        "reason": reason,
        "verdict": claims.combine([claims.conjoin(outcomes.values())]),
    }


def _chance_refs(chance, sparse: str, dense: str) -> dict[str, str]:
    """``{method: chance reference}`` for :func:`separation` (see there).

    A variant ``"<method>@<suffix>"`` (an attack's threshold or reader) gets its method's
    reference with the same suffix (``"l1_auto@t0.2"`` → ``"random@t0.2"``).
    """
    if isinstance(chance, str):
        return {sparse: chance, dense: chance}
    table = {**CHANCE_OF, **(chance or {})}
    refs = {}
    for m in (sparse, dense):
        base, at, suffix = m.partition("@")
        if m in table:
            refs[m] = table[m]
        elif base in table:
            refs[m] = table[base] + (at + suffix if at else "")
        else:
            raise ValueError(f"no chance reference for {m!r}; pass chance={{method: reference}}")
    return refs


def verdict_of(
    conditions: Mapping[str, pd.DataFrame],
    sparse: str = "l1_auto",
    dense: str = "generalist",
    chance: str | Mapping[str, str] | None = None,
    margin: float = KEEP_MARGIN,
) -> tuple[str, str, str, dict]:
    """The one verdict rule of the Fig. 5 claim, for the main verdict and every attack.

    ``conditions`` maps a condition's name to its :func:`runs_by_method` rows; every condition
    gives one outcome (:func:`separation`: the conjunction of its two comparisons), and the
    verdict is :func:`specialist.claims.combine` of the conditions' outcomes ("mixed" when the
    conditions disagree).

    Returns
    -------
    tuple
        ``(verdict, key_number, tally, results by condition)``.

    Backs
    -----
    fig5_l1_ablation, fig5_l1_path
    """
    results = {
        name: separation(part, sparse, dense, chance, margin) for name, part in conditions.items()
    }
    outcomes = [r["outcome"] for r in results.values()]
    verdict = claims.combine(outcomes)
    if len(results) == 1:
        r = next(iter(results.values()))
        key = (
            f"R² irrelevant max lower by {r['irrelevant'].text()}, R² relevant changed by "
            f"{r['relevant'].text()} ({METHODS.get(sparse, sparse)} − "
            f"{METHODS.get(dense, dense)}; paired t, {r['irrelevant'].n} data sets)"
        )
        if r["reason"]:
            key += f"; untestable: {r['reason']}"
    else:
        key = "; ".join(f"{name}: {r['verdict']}" for name, r in results.items())
    return verdict, key, claims.tally(outcomes), results


def chance_text(
    long: pd.DataFrame, chance: str | Sequence[str] = ("random", "random_dense")
) -> str:
    """``"random projection …: R² relevant 0.31 [0.25, 0.37], R² irrelevant max …"``: what
    each chance reference scores on these runs (t intervals over data sets, at most 1).

    Backs
    -----
    fig5_l1_ablation, fig5_l1_path
    """
    parts = []
    for ref in [chance] if isinstance(chance, str) else chance:
        part = long[long["method"] == ref]
        if part.empty:
            continue
        rel = mean_interval(part["r2_relevant"], bounds=(-np.inf, 1.0))
        irr = mean_interval(part["r2_irrelevant_max"], bounds=(-np.inf, 1.0))
        parts.append(
            f"{METHODS.get(ref, ref)}: R² relevant {rel.estimate:.2f} [{rel.low:.2f}, "
            f"{rel.high:.2f}], R² irrelevant max {irr.estimate:.2f} [{irr.low:.2f}, "
            f"{irr.high:.2f}] ({rel.n} data sets)"
        )
    if not parts:
        raise ValueError(f"no chance reference {chance!r} in the runs")
    return "; ".join(parts)


def given_of(*methods: str) -> dict[str, str]:
    """The ``given`` field of a claims entry for ``methods`` (:data:`GIVEN`).

    Backs
    -----
    fig5_l1_ablation, fig5_l1_path
    """
    return labels.given_map({METHODS[m]: GIVEN[m] for m in methods})


def legend(method: str) -> str:
    """A method's label with what it is given (:func:`specialist.labels.with_given`).

    Backs
    -----
    fig5_l1_ablation
    """
    return labels.with_given(METHODS[method], GIVEN[method])


def method_summary(long: pd.DataFrame, methods=None) -> pd.DataFrame:
    """Mean and 95% t interval of every metric per method (rows: method, metric).

    Backs
    -----
    fig5_l1_ablation
    """
    rows = []
    methods = methods or [m for m in METHODS if m in set(long["method"])]
    for method in methods:
        part = long[long["method"] == method]
        for metric in METRICS:
            if metric not in part or part[metric].isna().all():
                continue
            iv = mean_interval(part[metric])
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
    chance = "; ".join(
        f"{METHODS.get(m, m)} − chance on R² relevant {iv.text()}"
        for m, iv in result["chance"].items()
    )
    outcomes = result["outcomes"]
    if result["reason"]:
        how = f"the comparison is not testable: {result['reason']}"
    else:
        how = (
            f"separation of the blocks: {outcomes['irrelevant']}; relevant block kept within "
            f"{KEEP_MARGIN:g}: {outcomes['relevant']}"
        )
    return (
        f"{where}: {METHODS.get(sparse, sparse)} against {METHODS.get(dense, dense)}: R² "
        f"irrelevant max lower by {irr.text()}, R² relevant changed by {rel.text()} (paired 95% "
        f"t intervals over {irr.n} data sets; {chance}); {how}; verdict: {result['verdict']}."
    )


def auto_vs_oracle(runs: pd.DataFrame, path: Sequence[float]) -> dict:
    """Where ``l1="auto"`` landed on runs of :func:`layer2_run` (with ``score_path``), against
    the λ the truth picks (``oracle_l1``), paired per data set.

    Returns the λ values of both, how many agree, how many auto choices sit on the path's
    largest λ, the largest of ``path`` (``at_edge``: the rule might have gone further on a
    longer path), and t intervals of the differences
    auto − oracle of R² relevant and of R² irrelevant max (the oracle's model is the path's
    model at its λ, fitted on the same rows).

    Backs
    -----
    fig5_l1_path
    """

    def at_oracle(metric: str) -> np.ndarray:
        return np.array([row[f"{metric}:path={row['oracle_l1']:g}"] for _, row in runs.iterrows()])

    return {
        "auto": runs["auto_l1"].tolist(),
        "oracle": runs["oracle_l1"].tolist(),
        "same": int((runs["auto_l1"] == runs["oracle_l1"]).sum()),
        # the largest λ of the path: a larger one might have qualified too
        "at_edge": int((runs["auto_l1"] >= max(path)).sum()),
        "relevant": paired_difference(runs["r2_relevant:l1_auto"], at_oracle("r2_relevant")),
        "irrelevant_max": paired_difference(
            runs["r2_irrelevant_max:l1_auto"], at_oracle("r2_irrelevant_max")
        ),
    }
