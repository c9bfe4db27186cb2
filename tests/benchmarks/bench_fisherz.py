"""Time Algorithm 1's query set (T=20, L=2, M=4): our batched FisherZ vs causal-learn's loop.

Run: ``.venv/bin/python tests/benchmarks/bench_fisherz.py``. Both sides compute their
correlation matrix inside the timed region (our ``fit``, causal-learn's constructor), since
both cache p-values and would otherwise answer repeats from the cache.
"""

from __future__ import annotations

import time

import numpy as np
from causallearn.utils.cit import CIT

from specialist.ci.fisherz import FisherZ

N, T, L, M, REPEATS = 10_000, 20, 2, 4, 50


def dataset(seed: int = 0) -> np.ndarray:
    """Columns s_0..s_{T-1}, g_0..g_{M-1}: correlated Gaussians (a random mixing)."""
    rng = np.random.default_rng(seed)
    k = T + M
    return rng.normal(size=(N, k)) @ (np.eye(k) + 0.3 * rng.normal(size=(k, k)))


def queries() -> list[tuple[tuple, tuple, tuple]]:
    """One query per task i and segment pair k < v, conditioned on the band set plus g_i."""
    reps = [(k + 1) * L - 1 for k in range(T // L)]
    out = []
    for i in range(M):
        for a, r in enumerate(reps):
            for s in reps[a + 1 :]:
                band = sorted({t for u in (r, s) for t in (u - 1, u + 1) if 0 <= t < T})
                out.append((("s", r), ("s", s), (*(("s", t) for t in band), ("g", i))))
    return out


def median_ms(fn) -> float:
    times = []
    for _ in range(REPEATS):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return 1e3 * float(np.median(times))


def main() -> None:
    data = dataset()
    names = [("s", t) for t in range(T)] + [("g", i) for i in range(M)]
    column = {name: j for j, name in enumerate(names)}
    variables = {name: data[:, j] for name, j in column.items()}
    qs = queries()
    indexed = [(column[x], column[y], [column[v] for v in z]) for x, y, z in qs]

    def ours() -> list:
        return FisherZ().fit(variables).test_many(qs)

    def causal_learn() -> list:
        cit = CIT(data, "fisherz")
        return [cit(x, y, z) for x, y, z in indexed]

    fitted = FisherZ().fit(variables)
    cit = CIT(data, "fisherz")

    def ours_queries_only() -> list:
        fitted._cache.clear()  # answer every query afresh
        return fitted.test_many(qs)

    def causal_learn_queries_only() -> list:
        # keep only causal-learn's metadata entries, drop the cached p-values
        meta = ("data_hash", "method_name", "parameters_hash")
        cit.pvalue_cache = {k: cit.pvalue_cache[k] for k in meta}
        return [cit(x, y, z) for x, y, z in indexed]

    agree = np.max(np.abs(np.array([r.pvalue for r in ours()]) - np.array(causal_learn())))
    t_ours, t_cl = median_ms(ours), median_ms(causal_learn)
    print(f"n={N}, T={T}, L={L}, M={M}: {len(qs)} queries, median of {REPEATS} repeats")
    print(f"max |p_ours - p_causal-learn| = {agree:.2e}")
    print(f"ours (fit + test_many):         {t_ours:8.2f} ms")
    print(f"causal-learn (CIT + loop):      {t_cl:8.2f} ms")
    print(f"ratio causal-learn / ours:      {t_cl / t_ours:8.1f}x")
    q_ours, q_cl = median_ms(ours_queries_only), median_ms(causal_learn_queries_only)
    print(
        f"queries only (correlation matrix already computed): ours {q_ours:.2f} ms, "
        f"causal-learn {q_cl:.2f} ms, ratio {q_cl / q_ours:.1f}x"
    )


if __name__ == "__main__":
    main()
