"""Time NeuralCMI on Algorithm 1's query set (T=20, L=2, M=4: 180 queries) at n = 10,000.

Run: ``.venv/bin/python tests/benchmarks/bench_cmi.py``. Target (the CMI issue): fit +
``test_many`` of all 180 queries within 60 s on 2 CPU cores with the default settings. Also
times the first 10 queries asked one by one against the same 10 in one batch (the batching
gain) and checks that a query's p-value is the same alone and inside the batch.
"""

from __future__ import annotations

import time

import numpy as np

from specialist.ci.cmi import NeuralCMI

N, T, L, M, BUDGET_S = 10_000, 20, 2, 4, 60.0


def dataset(seed: int = 0) -> dict[tuple[str, int], np.ndarray]:
    """A Markov chain of states with a mildly nonlinear transition, and tasks driven by them."""
    rng = np.random.default_rng(seed)
    s = np.empty((N, T))
    s[:, 0] = rng.normal(size=N)
    for t in range(1, T):
        s[:, t] = 0.8 * np.tanh(s[:, t - 1]) + 0.6 * rng.normal(size=N)
    weights = rng.normal(size=(T, M)) * (rng.random((T, M)) < 0.3)
    g = np.tanh(s) @ weights + 0.5 * rng.normal(size=(N, M))
    out = {("s", t): s[:, t] for t in range(T)}
    out.update({("g", i): g[:, i] for i in range(M)})
    return out


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


def main() -> None:
    variables, qs = dataset(), queries()
    test = NeuralCMI(seed=0)
    start = time.perf_counter()
    results = test.fit(variables).test_many(qs)
    elapsed = time.perf_counter() - start
    p = np.array([r.pvalue for r in results])
    print(
        f"n={N}, T={T}, L={L}, M={M}: {len(qs)} queries, NeuralCMI defaults "
        f"(max_samples={test.max_samples}, n_steps={test.n_steps}, hidden={test.hidden}, "
        f"B={test.n_permutations})"
    )
    print(f"fit + test_many:          {elapsed:8.2f} s")
    print(f"ratio to the {BUDGET_S:.0f} s budget:  {elapsed / BUDGET_S:8.2f}")
    print(f"share of p < 0.05:        {np.mean(p < 0.05):8.2f}")

    first = qs[:10]
    one = NeuralCMI(seed=0).fit(variables)
    start = time.perf_counter()
    alone = [one.test(*q) for q in first]
    t_alone = time.perf_counter() - start
    batch = NeuralCMI(seed=0).fit(variables)
    start = time.perf_counter()
    together = batch.test_many(first)
    t_batch = time.perf_counter() - start
    same = all(a.pvalue == b.pvalue for a, b in zip(alone, together, strict=True))
    same = same and all(a.pvalue == r.pvalue for a, r in zip(alone, results, strict=False))
    print(
        f"first 10 queries: one by one {t_alone:.2f} s, one batch {t_batch:.2f} s, "
        f"batching gain {t_alone / t_batch:.1f}x; identical p-values alone/in batch: {same}"
    )


if __name__ == "__main__":
    main()
