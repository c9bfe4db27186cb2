"""Algorithm 1 with Fisher-z at T=20, M=4, n=10,000 (scalar states) against causal-learn.

Run: ``make bench`` or ``.venv/bin/python tests/benchmarks/bench_algorithm1.py``.

Targets (issue "Layer 1 at paper scale"): a median of at most 2 ms for a whole run of
Algorithm 1 *including* the covariance, and at least 20x faster than looping causal-learn's
Fisher-z over the same tests. Two causal-learn references are timed in this process:

* ``reuse``: one ``CIT(data, "fisherz")`` object per run (its correlation matrix is computed
  once, then every test inverts a submatrix): the strongest reference;
* ``per test``: a fresh ``CIT`` object for every test, i.e. the correlation matrix recomputed
  per test, as a loop over independent calls does.

Any method that starts from the raw samples must form the Gram matrix ``X'X`` once, so its time
bounds the achievable speed-up over the ``reuse`` reference; it is printed as the floor.

Targets (issue "Scaling of Algorithm 1"): ``T = 1000``, ``M = 10``, ``n = 10,000`` (``K = 500``
segments, 1.25 million tests) in at most 10 s on 2 cores, with peak memory bounded by the data
and the result arrays (the tests are answered in chunks). References in this process: the
generic query path (one Python tuple per query through ``FisherZ.test_many``, the path every
other test takes) at ``T = 200``, against the column-index path Algorithm 1 takes for scalar
Fisher-z; and the size of the data, against the ``tracemalloc`` peak of one run.
Ratios are printed; nothing here asserts.
"""

from __future__ import annotations

import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np
from causallearn.utils.cit import CIT

sys.path.insert(0, str(Path(__file__).parent))
from _timing import median_seconds  # noqa: E402

from specialist.ci import CITest, FisherZ  # noqa: E402
from specialist.simulate.collider import simulate_collider  # noqa: E402
from specialist.structure import band_set, discover_task_structure, representative_step  # noqa: E402

N, T, L, M = 10_000, 20, 2, 4


def main() -> None:
    sample = simulate_collider(N, T, M, L, seed=0)
    states, tasks = sample.states, sample.tasks
    data = np.hstack([states, tasks])
    k = T // L
    queries = [
        (representative_step(a, L), representative_step(b, L), [*band_set(a, b, T, L), T + i])
        for i in range(M)
        for a in range(k)
        for b in range(a + 1, k)
    ]

    def ours():
        return discover_task_structure(states, tasks, L, test="fisherz")

    def causal_learn_reuse():
        cit = CIT(data, "fisherz")
        return [cit(x, y, z) for x, y, z in queries]

    def causal_learn_per_test():
        return [CIT(data, "fisherz")(x, y, z) for x, y, z in queries]

    res = ours()
    ours_p = np.array(
        [res.pvalues[i, a, b] for i in range(M) for a in range(k) for b in range(a + 1, k)]
    )
    agree = np.max(np.abs(ours_p - np.array(causal_learn_reuse())))
    t_ours = median_seconds(ours, 200)
    t_reuse = median_seconds(causal_learn_reuse, 30)
    t_per = median_seconds(causal_learn_per_test, 5, warmup=1)
    centred = np.asfortranarray(data - data.mean(axis=0))
    t_gram = median_seconds(lambda: centred.T @ centred, 200)
    print(f"Algorithm 1, Fisher-z: n={N}, T={T}, L={L}, M={M}, {res.n_tests} tests")
    print(f"  max |p_ours - p_causal-learn|          {agree:.1e}")
    print(
        f"  ours (covariance included), median     {t_ours * 1e3:8.2f} ms"
        f"   = {t_ours / 2e-3:.2f} x the 2 ms target"
    )
    print(
        f"  causal-learn, one CIT per run          {t_reuse * 1e3:8.2f} ms"
        f"   speed-up {t_reuse / t_ours:6.1f} x (target 20 x)"
    )
    print(
        f"  causal-learn, one CIT per test         {t_per * 1e3:8.2f} ms"
        f"   speed-up {t_per / t_ours:6.1f} x (target 20 x)"
    )
    print(
        f"  floor: the Gram matrix X'X alone        {t_gram * 1e3:8.2f} ms"
        f"   i.e. at most {t_reuse / t_gram:5.1f} x over one reused CIT"
    )
    scaling()


class QueryPath(CITest):
    """Fisher-z through the generic path: one query tuple per test, ``FisherZ.test_many``."""

    def __init__(self) -> None:
        super().__init__()
        self.inner = FisherZ()

    def _fit(self, variables) -> None:
        self.inner.fit(variables)

    def _test(self, x, y, z):
        return self.inner.test(x, y, z)

    def test_many(self, queries):
        return self.inner.test_many(queries)


def peak_mb(fn) -> float:
    """tracemalloc peak of one call above the memory held before it (NumPy buffers included)."""
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    fn()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return (peak - before) / 1e6


def scaling() -> None:
    mid = simulate_collider(N, 200, 10, L, seed=0)
    t_index = median_seconds(lambda: discover_task_structure(mid.states, mid.tasks, L), 5, 1)
    t_query = median_seconds(
        lambda: discover_task_structure(mid.states, mid.tasks, L, test=QueryPath()), 3, 1
    )
    print(f"Algorithm 1, Fisher-z: n={N}, T=200, L={L}, M=10, 49,500 tests")
    print(
        f"  column-index path, median              {t_index:8.3f} s "
        f"   speed-up {t_query / t_index:6.1f} x over the query-tuple path ({t_query:.3f} s)"
    )
    t0 = time.perf_counter()
    big = simulate_collider(N, 1000, 10, L, seed=0)
    t_sim = time.perf_counter() - t0
    data_mb = (big.states.nbytes + big.tasks.nbytes) / 1e6
    # the untimed memory run doubles as the warm-up
    peak = peak_mb(lambda: discover_task_structure(big.states, big.tasks, L))
    t_big = median_seconds(lambda: discover_task_structure(big.states, big.tasks, L), 3, 0)
    res = discover_task_structure(big.states, big.tasks, L)
    results_mb = (res.pvalues.nbytes + res.adjusted_pvalues.nbytes) / 1e6
    print(f"Algorithm 1, Fisher-z: n={N}, T=1000, L={L}, M=10, {res.n_tests:,} tests")
    print(
        f"  one run (covariance included), median  {t_big:8.2f} s  "
        f"   = {t_big / 10:.2f} x the 10 s target   (simulating the data: {t_sim:.1f} s)"
    )
    print(
        f"  peak memory of one run (tracemalloc)   {peak:8.1f} MB"
        f"   = {peak / data_mb:.2f} x the data ({data_mb:.1f} MB); result arrays "
        f"{results_mb:.0f} MB; one unchunked stack of 7 x 7 submatrices and inverses "
        f"{res.n_tests * 2 * 49 * 8 / 1e6:.0f} MB"
    )


if __name__ == "__main__":
    main()
