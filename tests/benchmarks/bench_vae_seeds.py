"""The λ paths of several data sets as one ensemble against the same paths fitted one by one.

``SparseTaskVAE.fit_paths`` trains the paths of several data sets (each with its own seed) as one
batched ensemble; each data set's models equal those of its own ``fit_path``, so the only
question is wall time. This is how the λ path page and the ℓ1 ablation train their runs
(``run_grid`` with ``layer2_run.many``). Prints both times and their ratio, in the same process,
at the λ path page's paper scale (4,000 training rows after the validation split, 40 epochs,
batches of 128, 7 models per path, 10 data sets), with one torch thread as in the artefacts.

Run: ``.venv/bin/python tests/benchmarks/bench_vae_seeds.py``
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))

from _timing import median_seconds  # noqa: E402

from specialist.models import SparseTaskVAE  # noqa: E402
from specialist.simulate.mixing import simulate_mixing  # noqa: E402

PATH = (0.1, 0.3, 1.0, 3.0, 10.0, 30.0)
SEEDS = tuple(range(10))


def main() -> None:
    samples = [simulate_mixing(4000, seed=s) for s in SEEDS]
    data = [(s.observations, [s.task(k) for k in range(s.n_tasks)]) for s in samples]
    template = SparseTaskVAE(8, epochs=40, batch_size=128)

    def together():
        return template.fit_paths(data, list(SEEDS), l1=PATH)

    def one_by_one():
        return [
            SparseTaskVAE(8, epochs=40, batch_size=128, seed=s).fit_path(obs, tasks, l1=PATH)
            for (obs, tasks), s in zip(data, SEEDS, strict=True)
        ]

    a, b = together(), one_by_one()
    worst = max(
        float(np.abs(x.task_mask_ - y.task_mask_).max())
        for xs, ys in zip(a, b, strict=True)
        for x, y in zip(xs, ys, strict=True)
    )
    t_together = median_seconds(together, repeats=1, warmup=0)
    t_solo = median_seconds(one_by_one, repeats=1, warmup=0)
    print(f"{len(SEEDS)} data sets x {len(PATH) + 1} models, n = 4,000, 40 epochs, batch 128")
    print(f"  one data set after another : {t_solo:7.2f} s")
    print(f"  one ensemble               : {t_together:7.2f} s")
    print(f"  speed-up                   : {t_solo / t_together:7.2f}x")
    print(f"  largest mask difference, together vs alone: {worst:.2e}")


if __name__ == "__main__":
    main()
