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
Ratios are printed; nothing here asserts.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
from causallearn.utils.cit import CIT

sys.path.insert(0, str(Path(__file__).parent))
from _timing import median_seconds  # noqa: E402

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


if __name__ == "__main__":
    main()
