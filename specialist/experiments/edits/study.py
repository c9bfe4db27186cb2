"""One seed of the edit study (:func:`edit_study_run`): the data it draws, the model pair it
trains and the scores of every method; the runs' columns and the pair they hold.

Backs
-----
fig6_gan_edits, tab_edit_specificity
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from specialist.experiments.edits.design import GAN_KEYS, METHODS, METRICS
from specialist.experiments.edits.operators import donor_pairs, edit_images, edit_measures
from specialist.models.gan import TaskMaskGAN
from specialist.models.readers import AttributeReaders, trained_readers
from specialist.simulate.cats import (
    ACCESSORIES,
    CatSample,
    accessory_envelope,
    render_cats,
    simulate_cats,
)
from specialist.validate import check_int, check_real


def score_edits(
    sparse: TaskMaskGAN, dense: TaskMaskGAN, test: CatSample, readers: AttributeReaders, seed
) -> dict[str, float]:
    """Every method's measures on ``test`` (module docstring): keys
    ``"<metric>:<method>:<accessory>"`` with the accessories and their ``mean``."""
    size = test.images.shape[1]
    rows: dict[tuple[str, str], dict[str, float]] = {}
    for k, name in enumerate(ACCESSORIES):
        recipients, donors = donor_pairs(test, k, [seed, k])
        f_rec, f_don = test.factors.take(recipients), test.factors.take(donors)
        envelope = accessory_envelope(f_rec, name, size)
        donor_values = f_don.accessory_values(name)
        edits = edit_images(
            sparse, dense, test.images[recipients], test.images[donors], k, seed=[seed, k, 1]
        )
        perfect = render_cats(f_rec.with_accessory_from(f_don, name), size)
        edits["procedural"] = (test.images[recipients], perfect, math.nan)
        for method, (before, after, block) in edits.items():
            direction = method.startswith("direction")
            rows[method, name] = edit_measures(
                readers, before, after, k, envelope, None if direction else donor_values
            )
            rows[method, name]["block_size"] = float(block)
    out = {}
    for method in METHODS:
        for metric in METRICS:
            values = [rows[method, name][metric] for name in ACCESSORIES]
            for name, v in zip(ACCESSORIES, values, strict=True):
                out[f"{metric}:{method}:{name}"] = v
            finite = [v for v in values if np.isfinite(v)]
            out[f"{metric}:{method}:mean"] = float(np.mean(finite)) if finite else math.nan
    return out


def fit_pair(
    train: CatSample, n_latent: int, l1: float, seed: int, **gan_settings
) -> tuple[TaskMaskGAN, TaskMaskGAN]:
    """The sparse (``l1``) and the dense model of one seed, on the same data and
    initialisation, with the accessories' presence and attributes as vector tasks."""
    unknown = set(gan_settings) - set(GAN_KEYS)
    if unknown:
        raise ValueError(f"unknown GAN setting(s) {sorted(unknown)}; accepted: {GAN_KEYS}")
    if l1 <= 0:
        raise ValueError(f"l1 must be > 0 for the sparse model, got {l1!r}")
    args = (train.images, train.attributes, train.task_values)
    sparse = TaskMaskGAN(n_latent, l1=l1, seed=seed, **gan_settings).fit(*args)
    dense = TaskMaskGAN(n_latent, l1=0.0, seed=seed, **gan_settings).fit(*args)
    return sparse, dense


def data_seeds(seed: int) -> tuple[int, int, int, int]:
    """Independent seeds (training cats, test cats, model, donors) derived from ``seed``.

    Backs
    -----
    fig6_gan_edits
    """
    return tuple(int(s) for s in np.random.SeedSequence(seed).generate_state(4))


def edit_study_run(
    n_train: int,
    n_test: int,
    size: int,
    n_latent: int,
    l1: float,
    correlation: float,
    reader_samples: int,
    reader_epochs: int,
    seed: int,
    reader_seed: int = 0,
    **gan_settings,
) -> dict[str, float]:
    """One seed of the study: train the pair (:func:`fit_pair`) on ``n_train`` cats with
    ``correlation``, and score every method (:func:`score_edits`) on ``n_test`` independent
    cats. Every method of a seed sees the same data: the runs are paired by ``seed``.

    Backs
    -----
    fig6_gan_edits, tab_edit_specificity
    """
    n_train = check_int("n_train", n_train, 64)
    n_test = check_int("n_test", n_test, 16)
    correlation = check_real("correlation", correlation, 0.0, 1.0, True, True)
    s_train, _, s_model, s_donor = data_seeds(seed)
    train = simulate_cats(n_train, size=size, correlation=correlation, seed=s_train)
    test = held_out_cats(n_test, size, seed)
    sparse, dense = fit_pair(train, n_latent, l1, s_model % 2**31, **gan_settings)
    readers = trained_readers(reader_samples, size, reader_epochs, reader_seed)
    result = score_edits(sparse, dense, test, readers, s_donor)
    for name, model in (("sparse", sparse), ("dense", dense)):
        result[f"final_recon:{name}"] = float(model.loss_history_["reconstruction"].iloc[-1])
        for k, acc in enumerate(ACCESSORIES):
            result[f"support:{name}:{acc}"] = " ".join(map(str, model.relevant_latents()[k]))
    result.update({f"reader {k}": v for k, v in readers.scores(test).items()})
    result[MODEL_COLUMNS[0]], result[MODEL_COLUMNS[1]] = sparse, dense
    return result


#: the columns of :func:`edit_study_run`'s runs that hold the trained pair (objects, not
#: numbers: Figs. 6–7 draw their pictures from them; :func:`measures_of` drops them)
MODEL_COLUMNS = ("model:sparse", "model:dense")


def measures_of(runs: pd.DataFrame) -> pd.DataFrame:
    """The runs of :func:`edit_study_run` without the trained models (a table of numbers).

    Backs
    -----
    fig6_gan_edits, tab_edit_specificity
    """
    return runs.drop(columns=[c for c in MODEL_COLUMNS if c in runs])


def pair_of(runs: pd.DataFrame, replicate: int = 0) -> tuple[TaskMaskGAN, TaskMaskGAN, int]:
    """``(sparse, dense, seed)``: the model pair one run of :func:`edit_study_run` trained.

    Backs
    -----
    fig6_gan_edits
    """
    row = runs[runs["replicate"] == replicate]
    if row.empty or any(c not in runs for c in MODEL_COLUMNS):
        raise ValueError(f"no run with replicate {replicate} holds a trained model pair")
    row = row.iloc[0]
    return row[MODEL_COLUMNS[0]], row[MODEL_COLUMNS[1]], int(row["seed"])


def study_setting(
    n_train: int,
    n_test: int,
    size: int,
    n_latent: int,
    l1: float,
    correlation: float,
    reader_samples: int,
    reader_epochs: int,
    **gan_settings,
) -> dict:
    """The setting of :func:`edit_study_run`, checked before any training (each error names
    the parameter). Figs. 6–7 and the specificity table build it from the same values, so
    they share the runs.

    Backs
    -----
    fig6_gan_edits, tab_edit_specificity
    """
    TaskMaskGAN(n_latent, l1=l1, **gan_settings).check_params()  # n_latent, l1, GAN settings
    if l1 <= 0:
        raise ValueError(f"l1 must be > 0 (the sparse model's penalty), got {l1!r}")
    if size not in (32, 64):
        raise ValueError(f"size must be 32 or 64, got {size!r}")
    check_int("n_train", n_train, 64)
    check_int("n_test", n_test, 16)
    check_int("reader_samples", reader_samples, 64)
    check_int("reader_epochs", reader_epochs, 1)
    check_real("correlation", correlation, 0.0, 1.0, True, True)
    return {
        "n_train": n_train, "n_test": n_test, "size": size, "n_latent": n_latent, "l1": l1,
        "correlation": correlation, "reader_samples": reader_samples,
        "reader_epochs": reader_epochs, **gan_settings,
    }  # fmt: skip


#: the run store Figs. 6–7 and the specificity table share (:func:`edit_runs`)
SHARED_STORE = "edit_study"


def edit_runs(setting: dict, n_seeds: int, base_seed: int = 0, n_jobs: int = 1) -> pd.DataFrame:
    """The runs of the edit study for ``setting`` (:func:`study_setting`): ``n_seeds`` seeds of
    :func:`edit_study_run`, in the run store both pages share, so they are computed once.

    Backs
    -----
    fig6_gan_edits, tab_edit_specificity
    """
    from specialist.sweep import run_grid

    if isinstance(n_seeds, bool) or not isinstance(n_seeds, int) or n_seeds < 1:
        raise ValueError(f"n_seeds must be an integer >= 1, got {n_seeds!r}")
    return run_grid(
        edit_study_run, [setting], n_seeds, base_seed=base_seed, n_jobs=n_jobs, blas_threads=1,
        store=SHARED_STORE,
    )  # fmt: skip


def train_model_run(
    n_train: int, size: int, n_latent: int, l1: float, correlation: float, seed: int,
    **gan_settings,
) -> dict:  # fmt: skip
    """One model of a seed's pair, on the training cats :func:`edit_study_run` draws for
    ``seed`` (``l1 = 0``: the dense model): ``{"model": TaskMaskGAN}``.

    Used by ``tests/benchmarks/bench_gan.py`` (one model per process).
    """
    unknown = set(gan_settings) - set(GAN_KEYS)
    if unknown:
        raise ValueError(f"unknown GAN setting(s) {sorted(unknown)}; accepted: {GAN_KEYS}")
    s_train, _, s_model, _ = data_seeds(seed)
    train = simulate_cats(n_train, size=size, correlation=correlation, seed=s_train)
    model = TaskMaskGAN(n_latent, l1=l1, seed=s_model % 2**31, **gan_settings)
    return {"model": model.fit(train.images, train.attributes, train.task_values)}


def held_out_cats(n_test: int, size: int, seed: int) -> CatSample:
    """The independent test cats :func:`edit_study_run` draws for ``seed``.

    Backs
    -----
    fig6_gan_edits
    """
    return simulate_cats(n_test, size=size, correlation=0.0, seed=data_seeds(seed)[1])
