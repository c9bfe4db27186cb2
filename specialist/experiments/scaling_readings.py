"""What the scaling page reads from its runs: its tables, exponents, memory estimate,
sentences and claims. The runs come from
:func:`specialist.experiments.scaling.scaling_study`; nothing here times anything (Table 2's
readings: :mod:`specialist.experiments.runtime_readings`).

Backs
-----
fig_scaling
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from specialist import claims
from specialist.ci.fisherz import CHUNK_SIZE
from specialist.experiments.scaling import RULE_LABELS, RULES, fit_exponent
from specialist.stats import paired_difference


def accuracy_table(runs: pd.DataFrame) -> pd.DataFrame:
    """One row per run and decision rule: ``condition, T, K, data_set, rule, accuracy, mcc,
    marked`` (share of entries marked) and ``relevant`` (share of relevant entries), from
    :func:`~specialist.experiments.scaling.algorithm1_scaling` runs with ``condition`` and
    ``data_set`` columns.

    Backs
    -----
    fig_scaling
    """
    rows = []
    for run in runs.to_dict("records"):
        for rule in RULES:
            rows.append(
                {
                    "condition": run["condition"],
                    "T": run["n_steps"],
                    "K": run["n_segments"],
                    "data_set": run["data_set"],
                    "rule": rule,
                    "accuracy": run[f"{rule}:accuracy"],
                    "mcc": run[f"{rule}:mcc"],
                    "marked": run[f"{rule}:marked"],
                    "relevant": run["true_rate"],
                }
            )
    return pd.DataFrame(rows)


def scaling_table(runs: pd.DataFrame, sweep: str) -> pd.DataFrame:
    """The timed runs of one sweep (``"T"`` or ``"n"``) as the page's table: the setting, every
    rule's seconds, peak memory and data size, causal-learn's seconds and our ratios to them.

    Backs
    -----
    fig_scaling
    """
    t = pd.DataFrame(
        {
            "sweep": sweep,
            "T": runs["n_steps"],
            "M": runs["n_tasks"],
            "n": runs["n_samples"],
            "tests": runs["n_tests"],
        }
    )
    for rule in RULES:
        t[f"{rule} (s)"] = runs[f"{rule}:seconds"]
    t["peak MB"] = runs["peak_mb"]
    t["data MB"] = runs["data_mb"]
    t["causal-learn, one CIT per run (s)"] = runs["causal_learn:seconds"]
    t["causal-learn, one CIT per test (s)"] = runs["causal_learn_per_test:seconds"]
    t["ours / causal-learn per run"] = runs["any:seconds"] / runs["causal_learn:seconds"]
    t["ours / causal-learn per test"] = runs["any:seconds"] / runs["causal_learn_per_test:seconds"]
    return t


def exponent_fits(runs: pd.DataFrame, x: str, min_x: float) -> dict[str, dict]:
    """The exponent of time in ``x`` (:func:`~specialist.experiments.scaling.fit_exponent`,
    on the points with ``x >= min_x``): on each setting's fastest run of any rule
    (``"fastest"``: the rules share all but a negligible last step, and the fastest run is the
    one least disturbed by other processes) and per rule on its medians.

    Backs
    -----
    fig_scaling
    """
    return {
        "fastest": fit_exponent(runs[x], runs["fastest_seconds"], min_x=min_x),
        **{rule: fit_exponent(runs[x], runs[f"{rule}:seconds"], min_x=min_x) for rule in RULES},
    }


def fit_points(runs: pd.DataFrame, x: str, fit: dict, used: bool = True) -> str:
    """The values of ``x`` a fit used (or, with ``used=False``, left out), as text.

    Backs
    -----
    fig_scaling
    """
    chosen = sorted(v for v in set(runs[x]) if (v >= fit["x_min"]) == used)
    return ", ".join(f"{v:,}" for v in chosen)


def fisherz_width(state_dim: int = 1, task_dim: int = 1) -> int:
    """The side of Fisher-z's largest submatrix in a band-set query: the two tested states,
    the four states of the band (two neighbours of each) and the task, each with its own
    dimension.

    Backs
    -----
    fig_scaling
    """
    return (2 + 4) * state_dim + task_dim


def stack_mb(n_tests: float, width: int) -> float:
    """MB of ``n_tests`` float64 submatrices of side ``width`` and their inverses: what
    answering every test in one stack would hold.

    Backs
    -----
    fig_scaling
    """
    return n_tests * 2 * width**2 * 8 / 1e6


def timing_sentences(
    by_steps: pd.DataFrame,
    by_samples: pd.DataFrame,
    fits: dict[str, dict],
    fixed: dict[str, str],
    width: int,
    causal_learn_max_steps: int | None,
) -> list[str]:
    """The scaling page's sentences on time (one per sweep), on memory and on the causal-learn
    yardstick (``causal_learn_max_steps=None``: it was not installed). ``fixed`` describes the
    settings each sweep holds fixed (``{"T": ..., "n": ...}``), ``width`` the side of the
    largest Fisher-z submatrix (:func:`fisherz_width`).

    Backs
    -----
    fig_scaling
    """
    sentences = []
    for sweep, runs, x in [("T", by_steps, "n_steps"), ("n", by_samples, "n_samples")]:
        fit = fits[sweep]["fastest"]
        others = [fits[sweep][r]["exponent"] for r in RULES]
        top = runs.loc[runs[x].idxmax()]
        left_out = fit_points(runs, x, fit, used=False)
        sentences.append(
            f"Against {sweep} ({fixed[sweep]}), the time of one run grows as "
            f"{sweep}^{fit['exponent']:.2f}"
            + (f" ± {fit['stderr']:.2f} (standard error)" if np.isfinite(fit["stderr"]) else "")
            + f": least-squares slope of log time on log {sweep} over {sweep} = "
            f"{fit_points(runs, x, fit)}"
            + (
                f", leaving out {sweep} = {left_out}, where fixed per-run costs dominate"
                if left_out
                else ""
            )
            + f" (fitted on each setting's fastest run of any rule; on the four rules' median "
            f"times {min(others):.2f} to {max(others):.2f}). The largest "
            f"setting, {sweep} = {int(top[x]):,} ({int(top['n_tests']):,} tests), takes "
            f"{top['any:seconds']:.3g} s with the paper's rule."
        )
    big = by_steps.loc[by_steps["n_steps"].idxmax()]
    big_n = by_samples.loc[by_samples["n_samples"].idxmax()]
    sentences.append(
        f"Peak memory of one run (tracemalloc, above what was held before it): "
        f"{big['peak_mb']:.0f} MB at T = {int(big['n_steps']):,} ({int(big['n_tests']):,} "
        f"tests), {big['peak_mb'] / big['data_mb']:.2f} times the {big['data_mb']:.0f} MB of "
        f"data (the fit centres one copy of it); answering all tests in one stack would take up "
        f"to {stack_mb(big['n_tests'], width):,.0f} MB for the submatrices and their inverses "
        f"alone, while stacks of {CHUNK_SIZE:,} tests take under "
        f"{stack_mb(CHUNK_SIZE, width):.0f} MB. At n = {int(big_n['n_samples']):,}: "
        f"{big_n['peak_mb']:.0f} MB, {big_n['peak_mb'] / big_n['data_mb']:.2f} times its data."
    )
    if causal_learn_max_steps is None:
        sentences.append(
            "causal-learn is not installed in this environment, so the yardstick was not "
            "measured (install the dev dependencies: pip install -e '.[dev]')."
        )
        return sentences
    ref = pd.concat([by_steps, by_samples])
    ref = ref[ref["causal_learn:seconds"].notna()]
    head = ref.sort_values(["n_tests", "n_samples"]).iloc[-1]
    ratio_run = ref["any:seconds"] / ref["causal_learn:seconds"]
    per = ref[ref["causal_learn_per_test:seconds"].notna()]
    ratio_test = per["any:seconds"] / per["causal_learn_per_test:seconds"]
    text = (
        f"Yardstick, at the {len(ref)} settings with T ≤ {causal_learn_max_steps}: our time "
        f"is {ratio_run.min():.3f} to {ratio_run.max():.3f} of causal-learn's with one CIT per "
        f"run (at T = {int(head['n_steps'])}, M = {int(head['n_tasks'])}, "
        f"n = {int(head['n_samples']):,}: {head['any:seconds'] * 1e3:.1f} ms against "
        f"{head['causal_learn:seconds'] * 1e3:.1f} ms)"
    )
    if len(per):
        text += (
            f", and {ratio_test.min():.4f} to {ratio_test.max():.4f} of its time with a fresh "
            f"CIT per test (n ≤ {int(per['n_samples'].max()):,})"
        )
    sentences.append(
        text + f"; the p-values agree to {ref['causal_learn:max_abs_diff'].max():.0e}."
    )
    return sentences


def rule_sentence(
    accuracy: pd.DataFrame, condition: str, description: str
) -> tuple[str, pd.DataFrame]:
    """The decision rules' accuracy at the largest T under ``condition``: one computed
    sentence (with Holm against the paper's rule, paired over data sets where there are
    several) and the per-rule means.

    Backs
    -----
    fig_scaling
    """
    part = accuracy[(accuracy["condition"] == condition)]
    t_max = part["T"].max()
    top = part[part["T"] == t_max]
    mean = top.groupby("rule")[["accuracy", "mcc", "marked", "relevant"]].mean()
    k = int(top["K"].iloc[0])
    n_sets = top["data_set"].nunique()
    fp = 1 - 0.95 ** (k - 1)
    collapsed = part[part["rule"] == "any"].groupby("T")["marked"].mean()
    first = collapsed[collapsed >= 0.99]
    marked, relevant = mean.loc["any", "marked"], mean.loc["any", "relevant"]
    text = (
        f"{description}, T = {t_max:,} (K = {k}, {n_sets} data set"
        f"{'s' if n_sets > 1 else ''}): accuracy "
        + ", ".join(
            f"{RULE_LABELS[r]} {mean.loc[r, 'accuracy']:.3f} (MCC {mean.loc[r, 'mcc']:.2f})"
            for r in RULES
        )
        + f". The paper's rule marks {marked:.0%} of the entries, while {relevant:.1%} are "
        "relevant"
        + (
            ", so its accuracy is little more than the fraction of relevant entries"
            if marked >= 0.9
            else ""
        )
        + f": each entry is tested K − 1 = {k - 1} times at α = 0.05, and an entry of no task "
        f"is marked with probability up to 1 − 0.95^{k - 1} = {fp:.3f}."
    )
    if len(first):
        text += (
            f" The paper's rule marks ≥ 99% of the entries from T = {int(first.index.min())} on."
        )
    if n_sets > 1:
        pivot = top.pivot_table(index="data_set", columns="rule", values="accuracy")
        iv = paired_difference(pivot["any_holm"], pivot["any"])
        text += (
            f" Holm minus the paper's rule, paired over the {n_sets} data sets: "
            f"{iv.text(3)} (95% t interval)" + (", a tie." if iv.covers_zero else ".")
        )
    else:
        text += " (One data set per T: no interval over runs.)"
    return text, mean


def default_structures_note(default_mean: pd.DataFrame, t_top: int, n_samples: int) -> str:
    """Whether any rule recovers the default structures at the largest T, and why not.

    Backs
    -----
    fig_scaling
    """
    best = default_mean["mcc"].idxmax()
    if default_mean.loc[best, "mcc"] < 0.2:
        corrected = default_mean.drop(index="any")["marked"]
        return (
            f"On the default structures no rule recovers the structure at T = {t_top:,}: the "
            f"best MCC is {default_mean.loc[best, 'mcc']:.2f} ({RULE_LABELS[best]}). A task "
            "spread over up to K segments depends on each of its steps only weakly (it sums all "
            f"of them), too weakly to be seen with n = {n_samples:,}; the corrected rules then "
            f"mark {corrected.min():.0%} to {corrected.max():.0%} of the entries, the paper's "
            f"rule {default_mean.loc['any', 'marked']:.0%}."
        )
    return (
        f"On the default structures the best rule at T = {t_top:,} is {RULE_LABELS[best]} "
        f"(MCC {default_mean.loc[best, 'mcc']:.2f})."
    )


def scaling_claims(
    by_steps: pd.DataFrame,
    accuracy: pd.DataFrame,
    fits: dict[str, dict],
    local_mean: pd.DataFrame,
    settings: dict,
) -> list[claims.Claim]:
    """The scaling page's two entries, both beyond the paper: Algorithm 1 at long sequences
    and large samples (time, exponents, memory), and the paper's decision rule on long
    sequences against the best constant. ``settings``: ``scaling_tasks``,
    ``scaling_samples``, ``samples_steps``, ``samples_tasks``, ``local_max_segments`` and
    ``accuracy_seeds`` of the page.

    Backs
    -----
    fig_scaling
    """
    s = settings
    big = by_steps.loc[by_steps["n_steps"].idxmax()]
    t_fit, n_fit = fits["T"]["fastest"], fits["n"]["fastest"]
    t_top = accuracy["T"].max()
    # the chance level of the accuracy: the best constant matrix (all 0 or all 1) per data set
    top_local = accuracy[(accuracy["condition"] == "local") & (accuracy["T"] == t_top)]
    top_local = top_local.drop_duplicates("data_set")
    chance_local = float(np.maximum(top_local["relevant"], 1 - top_local["relevant"]).mean())
    rule_given = {f"Algorithm 1, {RULE_LABELS[r]}": "the task variables g" for r in RULES}
    return [
        claims.claim(
            "Algorithm 1 with Fisher-z runs at long sequences and large samples",
            claims.BEYOND,
            f"{big['any:seconds']:.2f} s at T = {int(big['n_steps']):,} "
            f"({int(big['n_tests']):,} tests); time ∝ T^{t_fit['exponent']:.2f} and "
            f"n^{n_fit['exponent']:.2f}; peak memory {big['peak_mb']:.0f} MB",
            n_runs=1,
            chance="no chance level: a wall time and a memory peak are not scores",
            given=rule_given,
            conditions=f"this machine; M = {s['scaling_tasks']}, n = "
            f"{s['scaling_samples']:,} (T sweep) and T = {s['samples_steps']}, M = "
            f"{s['samples_tasks']} (n sweep); linear-Gaussian collider data; each time the "
            "median of repeats on one data set",
        ),
        claims.claim(
            "The paper's decision rule (any dependent pair, α = 0.05 uncorrected) on long "
            "sequences",
            claims.BEYOND,
            f"local tasks, T = {t_top:,}: accuracy "
            + ", ".join(f"{RULE_LABELS[r]} {local_mean.loc[r, 'accuracy']:.3f}" for r in RULES),
            n_runs=int(len(top_local)),
            chance=f"best constant (given the base rate), same data sets: accuracy "
            f"{chance_local:.3f} (MCC 0)",
            given={**rule_given, "Best constant": "the true share of positive entries"},
            conditions=f"Fisher-z, n = {s['scaling_samples']:,}, M = {s['scaling_tasks']}, "
            f"tasks on 2 to {s['local_max_segments']} segments; {s['accuracy_seeds']} data "
            "set(s) per T",
        ),
    ]


def scaling_metrics(
    by_steps: pd.DataFrame,
    by_samples: pd.DataFrame,
    fits: dict[str, dict],
    means: dict[str, pd.DataFrame],
    causal_learn: bool,
    summary: str,
) -> dict:
    """The scaling page's ``metrics.json`` numbers (``means``: the per-rule means of
    :func:`rule_sentence` by condition, ``"default"`` and ``"local"``).

    Backs
    -----
    fig_scaling
    """
    big = by_steps.loc[by_steps["n_steps"].idxmax()]
    big_n = by_samples.loc[by_samples["n_samples"].idxmax()]
    return {
        "exponent_T": fits["T"]["fastest"],
        "exponent_n": fits["n"]["fastest"],
        "exponents_T_by_rule": {r: round(fits["T"][r]["exponent"], 4) for r in RULES},
        "exponents_n_by_rule": {r: round(fits["n"][r]["exponent"], 4) for r in RULES},
        "largest_T": {
            "T": int(big["n_steps"]),
            "n_tests": int(big["n_tests"]),
            "seconds": {r: round(float(big[f"{r}:seconds"]), 4) for r in RULES},
            "peak_mb": round(float(big["peak_mb"]), 2),
            "data_mb": round(float(big["data_mb"]), 2),
        },
        "largest_n": {
            "n": int(big_n["n_samples"]),
            "seconds": round(float(big_n["any:seconds"]), 4),
            "peak_mb": round(float(big_n["peak_mb"]), 2),
        },
        "accuracy_largest_T": {
            condition: {r: round(float(mean.loc[r, "accuracy"]), 4) for r in RULES}
            for condition, mean in means.items()
        },
        "causal_learn_available": causal_learn,
        "chunk_size": CHUNK_SIZE,
        "memory_measure": "tracemalloc peak during one run, above the memory held before it",
        "summary": summary,
    }
