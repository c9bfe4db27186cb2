"""Module-level functions for tests/test_sweep.py (worker processes must import them)."""

import numpy as np


def noisy_square(x, seed, label=None):
    rng = np.random.default_rng(seed)
    return {"y": x * x, "noise": float(rng.normal())}


def not_a_mapping(x, seed):
    return x


def worker_pid(x, seed):
    import os
    import time

    time.sleep(0.05)  # long enough that both workers take runs
    return {"pid": os.getpid()}


def blas_threads_seen(x, seed):
    from threadpoolctl import threadpool_info

    blas = [i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas"]
    rng = np.random.default_rng(seed)
    a = rng.normal(size=(200, 200))
    return {"threads": max(blas) if blas else 0, "trace": float(np.trace(a @ a))}


def fails_on_three(x, seed):
    if x == 3:
        raise KeyError(f"no value for x={x}")
    return {"y": x}


def dies_on_marker(x, seed, marker=""):
    """Kills its own process (like a crash or a kill -9) at x == 3 while ``marker`` exists."""
    import os
    import signal
    from pathlib import Path

    if x == 3 and marker and Path(marker).exists():
        os.kill(os.getpid(), signal.SIGKILL)
    return {"y": x * 10, "noise": float(np.random.default_rng(seed).normal())}


def batched_square(x, seed):
    """``noisy_square``'s results, with a batched form that also says how many seeds it saw."""
    return {**noisy_square(x, seed), "batch": 1}


def _batched_square_many(seeds, x):
    return [{**noisy_square(x, s), "batch": len(seeds)} for s in seeds]


batched_square.many = _batched_square_many


def bad_many(x, seed):
    return {"y": x}


bad_many.many = lambda seeds, x: [{"y": x}]  # one result, whatever the number of seeds
