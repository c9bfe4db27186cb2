"""Run an artefact's grid of independent (setting, seed) runs and collect a tidy table.

This is the one place where runs are scheduled: locally in processes today, and the place where a
distributed backend (e.g. Dask) will plug in. Each run's seed is derived from its grid point and
replicate index alone, so results do not depend on the order or the process a run lands in.
"""

from __future__ import annotations

import atexit
import itertools
import json
import sys
import zlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from typing import Any

import numpy as np
import pandas as pd


def expand_grid(grid: Mapping[str, Sequence[Any]] | Iterable[Mapping[str, Any]]) -> list[dict]:
    """``{"T": [8, 10], "M": [2]}`` → the Cartesian product as a list of dicts.

    A sequence of dicts is taken as the explicit list of settings.
    """
    if isinstance(grid, Mapping):
        for key, values in grid.items():
            if isinstance(values, str | bytes) or not isinstance(values, Sequence):
                raise ValueError(f"grid[{key!r}] must be a list of values, got {values!r}")
        keys = list(grid)
        return [dict(zip(keys, combo, strict=True)) for combo in itertools.product(*grid.values())]
    settings = [dict(s) for s in grid]
    if not all(isinstance(s, dict) for s in settings):
        raise ValueError("grid must be a mapping of lists or a sequence of mappings")
    return settings


def derive_seed(setting: Mapping[str, Any], replicate: int, base_seed: int = 0) -> int:
    """A 32-bit seed that depends only on ``(base_seed, setting, replicate)``."""
    key = json.dumps(dict(setting), sort_keys=True, default=str).encode()
    seq = np.random.SeedSequence([int(base_seed), zlib.crc32(key), int(replicate)])
    return int(seq.generate_state(1)[0])


#: worker pools kept for the life of the process, one per size: a notebook's grids share them,
#: so what a worker pays once (imports, skglm's numba compilation, ~10 s) is paid once per
#: worker and not once per grid
_POOLS: dict[int, ProcessPoolExecutor] = {}


def get_executor(n_jobs: int) -> ProcessPoolExecutor:
    """The process pool of ``n_jobs`` workers, created on first use and reused afterwards.

    A pool whose worker died (``BrokenProcessPool``) is replaced. Pools are shut down when the
    process exits. This is the one function through which :func:`run_grid` gets its executor.
    """
    pool = _POOLS.get(n_jobs)
    if pool is None or getattr(pool, "_broken", False):
        if pool is None and not _POOLS:
            atexit.register(shutdown_executors)
        pool = _POOLS[n_jobs] = ProcessPoolExecutor(max_workers=n_jobs)
    return pool


def shutdown_executors() -> None:
    """Shut down every pool :func:`get_executor` created (also run at interpreter exit)."""
    while _POOLS:
        _POOLS.popitem()[1].shutdown(wait=True, cancel_futures=True)


def _call(
    fn: Callable[..., Mapping[str, Any]], setting: dict, seed: int, blas_threads: int | None = None
) -> dict:
    if blas_threads is None:
        result = fn(**setting, seed=seed)
    else:
        from threadpoolctl import threadpool_limits

        with threadpool_limits(limits=blas_threads, user_api="blas"):
            result = fn(**setting, seed=seed)
    if not isinstance(result, Mapping):
        raise TypeError(f"{getattr(fn, '__name__', fn)!r} must return a mapping of results")
    return dict(result)


def run_grid(
    fn: Callable[..., Mapping[str, Any]],
    grid: Mapping[str, Sequence[Any]] | Iterable[Mapping[str, Any]],
    n_seeds: int = 1,
    base_seed: int = 0,
    n_jobs: int = 1,
    progress: bool | None = None,
    seed_keys: Sequence[str] | None = None,
    blas_threads: int | None = None,
) -> pd.DataFrame:
    """Call ``fn(**setting, seed=seed)`` for every setting × replicate; one row per run.

    Parameters
    ----------
    fn : a module-level function (so that worker processes can import it) returning a mapping
        of scalar results.
    grid : mapping of parameter lists (Cartesian product) or a sequence of settings.
    n_seeds : replicates per setting; replicate ``r`` runs with ``derive_seed(setting, r)``.
    base_seed : changes every derived seed at once.
    n_jobs : worker processes; 1 runs in this process (easiest to debug).
    progress : show a tqdm bar; default only when stderr is a terminal.
    seed_keys : derive seeds from these setting keys only (default: all keys). Settings that
        agree on them get the same seed per replicate, i.e. a paired design (common random
        numbers): e.g. ``seed_keys=["n_samples"]`` fits models with and without a penalty on
        the same data sets.
    blas_threads : cap the BLAS threads (NumPy, SciPy, scikit-learn) of every run in worker
        processes (``n_jobs > 1``), e.g. 1 so that ``n_jobs`` workers on ``n_jobs`` cores do not
        oversubscribe them (each worker's BLAS would otherwise start one thread per core: on 2
        cores, Fig. 3's grid ran 1.6 times slower). ``None`` keeps the libraries' defaults.

    Returns
    -------
    DataFrame with the setting's columns, ``replicate``, ``seed`` and ``fn``'s results, in grid
    order whatever order the runs finished in.
    """
    if not callable(fn):
        raise TypeError("fn must be callable")
    if not isinstance(n_seeds, int) or n_seeds < 1:
        raise ValueError(f"n_seeds must be an integer >= 1, got {n_seeds!r}")
    if not isinstance(n_jobs, int) or n_jobs < 1:
        raise ValueError(f"n_jobs must be an integer >= 1, got {n_jobs!r}")
    if blas_threads is not None and (not isinstance(blas_threads, int) or blas_threads < 1):
        raise ValueError(f"blas_threads must be None or an integer >= 1, got {blas_threads!r}")
    settings = expand_grid(grid)
    if seed_keys is not None:
        seed_keys = list(seed_keys)
        missing = sorted({k for s in settings for k in seed_keys if k not in s})
        if missing:
            raise ValueError(f"seed_keys {missing} are not keys of the grid's settings")

    def seed_of(setting: dict, replicate: int) -> int:
        key = setting if seed_keys is None else {k: setting[k] for k in seed_keys}
        return derive_seed(key, replicate, base_seed)

    runs = [(s, r, seed_of(s, r)) for s in settings for r in range(n_seeds)]
    from tqdm import tqdm  # not tqdm.auto: its notebook bar needs ipywidgets

    show = sys.stderr.isatty() if progress is None else progress
    bar = tqdm(total=len(runs), disable=not show, desc=getattr(fn, "__name__", "runs"))
    results: list[dict | None] = [None] * len(runs)
    if n_jobs == 1:
        for i, (s, _, seed) in enumerate(runs):
            results[i] = _call(fn, s, seed)
            bar.update()
    else:
        pool = get_executor(n_jobs)
        futures = {
            pool.submit(_call, fn, s, seed, blas_threads): i for i, (s, _, seed) in enumerate(runs)
        }
        try:
            for fut in as_completed(futures):
                results[futures[fut]] = fut.result()
                bar.update()
        except BaseException:
            for fut in futures:  # a failed run stops the grid; queued runs are dropped
                fut.cancel()
            raise
    bar.close()
    rows = [
        {**s, "replicate": r, "seed": seed, **res}
        for (s, r, seed), res in zip(runs, results, strict=True)
    ]
    return pd.DataFrame(rows)
