"""Run an artefact's grid of independent (setting, seed) runs and collect a tidy table.

This is the one place where runs are scheduled. :func:`get_executor` gives :func:`run_grid` its
executor: local worker processes by default, or the workers of a Dask cluster
(:mod:`distributed`) when :data:`SCHEDULER_ENV` names a scheduler address (the runner sets it
for ``--scheduler``). Each run's seed is derived from its grid point and replicate index alone,
so results do not depend on the order, the process or the machine a run lands in.

Resumable sweeps: when :data:`STORE_ENV` names a folder (the runner sets it to the artefact's run
store), every completed run is kept there, keyed by the function, its setting, its seed and the
hash of the code it runs (the ``specialist`` modules its module imports, :func:`code_of`), and a
later call with the same runs reuses them. Two
artefacts that report on the same runs (Figs. 6–7 and the edit-specificity table) name one
*shared* store (``run_grid(..., store=NAME)``), a folder beside the artefacts' own, so the runs
are computed once. When :data:`RUNS_AFTER_ENV` holds a time (the runner sets it for
``--force``), runs stored before it are ignored and recomputed.

Backs
-----
fig3_conditions, fig3_nonlinear, fig3_structure, fig5_l1_ablation, fig5_l1_path, fig6_gan_edits,
fig_colliders, fig_finite_sample, tab2_runtime, tab_edit_specificity
"""

from __future__ import annotations

import atexit
import hashlib
import itertools
import json
import os
import pickle
import sys
import uuid
import zlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import Executor, ProcessPoolExecutor, as_completed
from pathlib import Path
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


#: environment variable naming a Dask scheduler address (``tcp://HOST:PORT``); unset, runs go
#: to local processes
SCHEDULER_ENV = "SPECIALIST_SCHEDULER"
#: environment variable naming the run store folder of the current artefact; unset, no store
STORE_ENV = "SPECIALIST_RUN_STORE"
#: environment variable holding a POSIX time; stored runs older than it are not reused
RUNS_AFTER_ENV = "SPECIALIST_RUNS_AFTER"

#: worker pools kept for the life of the process, one per size: a notebook's grids share them,
#: so what a worker pays once (imports, compiled solvers) is paid once per
#: worker and not once per grid
_POOLS: dict[int, ProcessPoolExecutor] = {}
#: Dask clients, one per scheduler address, kept for the life of the process
_CLIENTS: dict[str, Any] = {}


def package_hash() -> str:
    """Hash of the ``specialist`` package's source files (what every worker must share)."""
    from specialist.provenance import hash_tree

    return hash_tree(Path(__file__).resolve().parent)


def dask_client(address: str):
    """The :class:`distributed.Client` of ``address``, connected on first use and kept."""
    client = _CLIENTS.get(address)
    if client is None or client.status not in ("running", "connecting"):
        from distributed import Client

        client = _CLIENTS[address] = Client(address, set_as_default=False)
    return client


def check_workers(client, expected: str | None = None) -> None:
    """Refuse a cluster whose workers see another ``specialist`` package than this process.

    ``expected`` defaults to this process's :func:`package_hash`. Raises a ``RuntimeError``
    naming every mismatching worker (and one if there is no worker).
    """
    hashes = client.run(package_hash)
    if not hashes:
        raise RuntimeError(f"the Dask scheduler {client.scheduler.address} has no workers")
    mine = expected or package_hash()
    bad = sorted(w for w, h in hashes.items() if h != mine)
    if bad:
        raise RuntimeError(
            f"{len(bad)} of {len(hashes)} Dask worker(s) import a different specialist package "
            f"than this process ({mine[:12]}): {', '.join(bad)}; give every worker the same "
            "checkout and environment"
        )


def get_executor(n_jobs: int) -> Executor:
    """The executor :func:`run_grid` submits runs to; the one place that chooses it.

    With :data:`SCHEDULER_ENV` set, the Dask cluster's executor
    (``Client.get_executor(pure=False)``), after :func:`check_workers`; otherwise the process
    pool of ``n_jobs`` workers, created on first use and reused afterwards (a pool whose worker
    died is replaced). Pools are shut down when the process exits.
    """
    address = os.environ.get(SCHEDULER_ENV)
    if address:
        client = dask_client(address)
        check_workers(client)
        return client.get_executor(pure=False)
    pool = _POOLS.get(n_jobs)
    if pool is None or getattr(pool, "_broken", False):
        if pool is None and not _POOLS:
            atexit.register(shutdown_executors)
        pool = _POOLS[n_jobs] = ProcessPoolExecutor(max_workers=n_jobs)
    return pool


def close_clients() -> None:
    """Close every Dask client :func:`dask_client` opened (e.g. before its cluster stops)."""
    while _CLIENTS:
        _CLIENTS.popitem()[1].close()


def shutdown_executors() -> None:
    """Shut down every pool :func:`get_executor` created (also run at interpreter exit)."""
    while _POOLS:
        _POOLS.popitem()[1].shutdown(wait=True, cancel_futures=True)


# -- the run store ------------------------------------------------------------------------------


def code_of(fn: Callable) -> str:
    """The code hash a run of ``fn`` is stored under: the modules ``fn``'s module imports,
    directly or not (``specialist.pipeline.dependencies.code_hash``), so that an edit elsewhere in
    the package keeps its runs; the whole package's hash for a function outside it."""
    from specialist.pipeline import dependencies

    module = getattr(fn, "__module__", "") or ""
    if module.split(".")[0] == "specialist" and dependencies.module_file(module) is not None:
        return dependencies.code_hash(module)
    return package_hash()


def run_key(fn: Callable, setting: Mapping[str, Any], seed: int, code: str) -> str:
    """The store key of one run: function, setting, seed and code hash (:func:`code_of`)."""
    name = f"{getattr(fn, '__module__', '?')}.{getattr(fn, '__qualname__', repr(fn))}"
    text = json.dumps(
        {"fn": name, "setting": dict(setting), "seed": int(seed), "code": code},
        sort_keys=True,
        default=str,
    )
    return hashlib.sha256(text.encode()).hexdigest()


class RunStore:
    """Completed runs of sweeps, one pickle per run, written atomically (see :func:`run_grid`).

    ``after``: a POSIX time; runs stored before it are treated as missing (``--force``).
    ``log``: the folder of the reuse log (default ``folder``; a shared store logs to the
    artefact's own folder).
    """

    def __init__(self, folder, after: float | None = None, log=None) -> None:
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.after = after
        self.log = Path(log) if log is not None else self.folder

    def _path(self, key: str) -> Path:
        return self.folder / f"{key}.pkl"

    def get(self, key: str) -> dict | None:
        path = self._path(key)
        try:
            if self.after is not None and path.stat().st_mtime < self.after:
                return None
            with open(path, "rb") as fh:
                return pickle.load(fh)
        except (OSError, EOFError, pickle.UnpicklingError):
            return None

    def put(self, key: str, result: dict) -> None:
        tmp = self.folder / f".{key}.{uuid.uuid4().hex[:8]}.tmp"
        with open(tmp, "wb") as fh:
            pickle.dump(result, fh, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, self._path(key))

    def record(self, reused: int, total: int) -> None:
        """Append one sweep's reuse count to ``_reuse.jsonl`` (the runner sums and prints it)."""
        self.log.mkdir(parents=True, exist_ok=True)
        with open(self.log / "_reuse.jsonl", "a", encoding="utf-8") as fh:
            fh.write(json.dumps({"reused": reused, "total": total}) + "\n")


def open_store(shared: str | None = None) -> RunStore | None:
    """The run store of the current artefact (:data:`STORE_ENV`), or the ``shared`` store of its
    profile (a sibling folder ``_shared-NAME``); ``None`` outside the runner."""
    own = os.environ.get(STORE_ENV)
    if not own:
        return None
    after = os.environ.get(RUNS_AFTER_ENV)
    folder = Path(own) if shared is None else Path(own).parent / f"_shared-{shared}"
    return RunStore(folder, after=float(after) if after else None, log=own)


def reuse_counts(folder) -> tuple[int, int]:
    """``(reused, total)`` runs over the sweeps recorded in ``folder`` since it was cleared."""
    path = Path(folder) / "_reuse.jsonl"
    if not path.exists():
        return 0, 0
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
    return sum(r["reused"] for r in rows), sum(r["total"] for r in rows)


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


def _call_many(
    fn: Callable[..., Mapping[str, Any]], setting: dict, seeds: list[int], blas_threads: int | None
) -> list[dict]:
    """``fn.many(seeds, **setting)``: the runs of several seeds of one setting in one call."""
    if blas_threads is None:
        results = fn.many(list(seeds), **setting)
    else:
        from threadpoolctl import threadpool_limits

        with threadpool_limits(limits=blas_threads, user_api="blas"):
            results = fn.many(list(seeds), **setting)
    if len(results) != len(seeds) or not all(isinstance(r, Mapping) for r in results):
        raise TypeError(f"{fn.__name__}.many must return one mapping of results per seed")
    return [dict(r) for r in results]


#: at most this many seeds of one setting share a batched call (``fn.many``)
MAX_SEED_BATCH = 16


def _batches(todo: list[int], n_seeds: int, n_jobs: int, seed_batch: int | None) -> list[list[int]]:
    """Runs still to do, grouped into calls: runs of one setting share a call, at most
    ``seed_batch`` per call; by default as many as keeps ``n_jobs`` workers busy."""
    by_setting: dict[int, list[int]] = {}
    for i in todo:
        by_setting.setdefault(i // n_seeds, []).append(i)  # runs are setting-major
    if seed_batch is None:
        calls_per_setting = -(-n_jobs // max(1, len(by_setting)))
        biggest = max((len(v) for v in by_setting.values()), default=1)
        seed_batch = min(MAX_SEED_BATCH, max(1, -(-biggest // calls_per_setting)))
    return [
        v[j : j + seed_batch] for v in by_setting.values() for j in range(0, len(v), seed_batch)
    ]


def run_grid(
    fn: Callable[..., Mapping[str, Any]],
    grid: Mapping[str, Sequence[Any]] | Iterable[Mapping[str, Any]],
    n_seeds: int = 1,
    base_seed: int = 0,
    n_jobs: int = 1,
    progress: bool | None = None,
    seed_keys: Sequence[str] | None = None,
    blas_threads: int | None = None,
    seed_batch: int | None = None,
    store: str | None = None,
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
    blas_threads : cap the BLAS threads (NumPy, SciPy, scikit-learn) of every run, in worker
        processes and in this process alike (so a run's floating-point sums do not depend on
        where it ran), e.g. 1 so that ``n_jobs`` workers on ``n_jobs`` cores do not
        oversubscribe them (each worker's BLAS would otherwise start one thread per core: on 2
        cores, Fig. 3's grid ran 1.6 times slower). ``None`` keeps the libraries' defaults.
    seed_batch : where ``fn`` has a batched form ``fn.many(seeds, **setting)`` (returning one
        mapping per seed, each equal to ``fn(**setting, seed=seed)``), the runs of one setting
        are done by it, at most ``seed_batch`` seeds per call (1: one call per run). ``None``:
        as many per call as keeps ``n_jobs`` workers busy (at most :data:`MAX_SEED_BATCH`).
        The results, and the run store's keys, are the same either way.
    store : the name of a run store shared with other artefacts of the profile that run the
        same function on the same settings (letters, digits, ``_``, ``-``); ``None``: the
        artefact's own store. Without a store (a hand run) it changes nothing.

    Returns
    -------
    DataFrame with the setting's columns, ``replicate``, ``seed`` and ``fn``'s results, in grid
    order whatever order the runs finished in.

    Backs
    -----
    fig3_conditions, fig3_nonlinear, fig3_structure, fig5_l1_ablation, fig5_l1_path, fig6_gan_edits,
    fig_colliders, fig_finite_sample, tab2_runtime, tab_edit_specificity
    """
    if not callable(fn):
        raise TypeError("fn must be callable")
    if not isinstance(n_seeds, int) or n_seeds < 1:
        raise ValueError(f"n_seeds must be an integer >= 1, got {n_seeds!r}")
    if not isinstance(n_jobs, int) or n_jobs < 1:
        raise ValueError(f"n_jobs must be an integer >= 1, got {n_jobs!r}")
    if seed_batch is not None and (
        not isinstance(seed_batch, int) or isinstance(seed_batch, bool) or seed_batch < 1
    ):
        raise ValueError(f"seed_batch must be None or an integer >= 1, got {seed_batch!r}")
    if blas_threads is not None and (not isinstance(blas_threads, int) or blas_threads < 1):
        raise ValueError(f"blas_threads must be None or an integer >= 1, got {blas_threads!r}")
    if store is not None and (
        not isinstance(store, str) or not store or not all(c.isalnum() or c in "_-" for c in store)
    ):
        raise ValueError(
            f"store must be None or a name of letters, digits, '_' and '-', got {store!r}"
        )
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

    results: list[dict | None] = [None] * len(runs)
    store = open_store(store)
    keys: list[str] = []
    if store is not None:
        code = code_of(fn)
        keys = [run_key(fn, s, seed, code) for s, _, seed in runs]
        for i, key in enumerate(keys):
            results[i] = store.get(key)
    todo = [i for i, res in enumerate(results) if res is None]
    if store is not None:
        store.record(len(runs) - len(todo), len(runs))

    def done(i: int, result: dict) -> None:
        results[i] = result
        if store is not None:
            store.put(keys[i], result)
        bar.update()

    show = sys.stderr.isatty() if progress is None else progress
    bar = tqdm(total=len(runs), initial=len(runs) - len(todo), disable=not show,
               desc=getattr(fn, "__name__", "runs"))  # fmt: skip
    on_cluster = bool(os.environ.get(SCHEDULER_ENV))
    many = getattr(fn, "many", None) if seed_batch != 1 else None
    calls = _batches(todo, n_seeds, n_jobs, seed_batch) if many else [[i] for i in todo]

    def submit(call: list[int]):
        s = runs[call[0]][0]
        if many:
            return _call_many, fn, s, [runs[i][2] for i in call], blas_threads
        return _call, fn, s, runs[call[0]][2], blas_threads

    def finish(call: list[int], result) -> None:
        for i, res in zip(call, result if many else [result], strict=True):
            done(i, res)

    if calls and n_jobs == 1 and not on_cluster:
        for call in calls:
            f, *args = submit(call)
            finish(call, f(*args))  # the same BLAS cap as on workers
    elif calls:
        pool = get_executor(n_jobs)
        futures = {pool.submit(*submit(call)): call for call in calls}
        try:
            for fut in as_completed(futures):
                finish(futures[fut], fut.result())
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
