"""The λ path as one batched ensemble against the same models trained one after another.

``SparseTaskVAE.fit_path`` trains models that differ only in their penalty side by side (every
layer a batched matrix product over members). Each member follows exactly the updates of a solo
fit, so the only question is wall time. Prints the time of both ways and their ratio, in the
same process, on Fig. 5's generator at the λ path page's paper scale (5,000 samples, 40 epochs,
batches of 128), with one torch thread as in the artefacts.

Run: ``.venv/bin/python tests/benchmarks/bench_vae_path.py``
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


def main() -> None:
    sample = simulate_mixing(5000, seed=0)
    tasks = [sample.task(k) for k in range(sample.n_tasks)]
    template = SparseTaskVAE(8, epochs=40, batch_size=128, seed=0)

    def ensemble():
        return template.fit_path(sample.observations, tasks, l1=PATH)

    def one_by_one():
        return [
            SparseTaskVAE(8, l1=v, epochs=40, batch_size=128, seed=0).fit(
                sample.observations, tasks
            )
            for v in (0.0, *PATH)
        ]

    together = ensemble()
    alone = one_by_one()
    worst = max(
        float(np.abs(a.task_mask_ - b.task_mask_).max())
        for a, b in zip(together, alone, strict=True)
    )
    t_ens = median_seconds(ensemble, repeats=3, warmup=0)
    t_solo = median_seconds(one_by_one, repeats=3, warmup=0)
    print(f"{len(PATH) + 1} models, n = 5,000, 40 epochs, batch 128, 1 torch thread")
    print(f"  one after another : {t_solo:7.2f} s")
    print(f"  batched ensemble  : {t_ens:7.2f} s")
    print(
        f"  speed-up          : {t_solo / t_ens:7.2f}x  (ensemble / one model: "
        f"{t_ens / (t_solo / (len(PATH) + 1)):.2f}x)"
    )
    print(f"  largest mask difference member vs solo: {worst:.2e}")


if __name__ == "__main__":
    main()
