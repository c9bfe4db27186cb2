"""Where TaskMaskGAN's training time goes on a CPU, and why the pair is not a batched ensemble.

Run: ``.venv/bin/python tests/benchmarks/bench_gan.py``. Prints three measurements (one torch
thread each, as in the sweeps' worker processes):

1. images per second of training at mini-batches of 32, 64 and 128;
2. a *grouped* (two-member) version of the encoder's and generator's convolutions, forward and
   backward, against the two members one after the other in the same process: the speed-up
   a batched ensemble of the sparse and the dense model could give at most (the convolutions
   are nearly all of a step's time). Below 1 means the ensemble is slower;
3. the sparse and the dense model of one seed trained one after the other against the same
   two fits in two worker processes (:func:`specialist.sweep.run_grid`, ``n_jobs=2``), the
   way fig6_gan_edits trains them.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np
import torch
from torch.nn import functional as F

sys.path.insert(0, str(Path(__file__).parent))
from _timing import median_seconds  # noqa: E402

from specialist.experiments.edits import train_model_run  # noqa: E402
from specialist.models import TaskMaskGAN  # noqa: E402
from specialist.simulate.cats import simulate_cats  # noqa: E402
from specialist.sweep import run_grid  # noqa: E402


def throughput(batch_size: int, n: int = 1024) -> float:
    data = simulate_cats(n, size=32, seed=0)
    args = (data.images, data.attributes, data.task_values)
    TaskMaskGAN(24, epochs=1, batch_size=batch_size).fit(*[a[:128] for a in args[:2]],
                                                         [v[:128] for v in args[2]])  # fmt: skip
    start = time.perf_counter()
    TaskMaskGAN(24, epochs=2, batch_size=batch_size).fit(*args)
    return 2 * n / (time.perf_counter() - start)


def grouped_ratio(batch: int = 64, width: int = 16) -> float:
    """(two members one after the other) / (one grouped call), convolutions of one step."""
    shapes = [  # (kind, c_in, c_out, side of the input) for width 16 at 32 x 32
        ("conv", 3, width, 32), ("conv", width, 2 * width, 16), ("conv", 2 * width, 4 * width, 8),
        ("convT", 4 * width, 2 * width, 4), ("convT", 2 * width, width, 8), ("convT", width, 3, 16),
    ]  # fmt: skip

    def run(groups: int):
        tensors = []
        for kind, c_in, c_out, side in shapes:
            x = torch.randn(batch, groups * c_in, side, side, requires_grad=True)
            shape = (groups * c_out, c_in, 4, 4) if kind == "conv" else (groups * c_in, c_out, 4, 4)
            tensors.append((kind, x, torch.randn(shape, requires_grad=True)))

        def step():
            for kind, x, w in tensors:
                f = F.conv2d if kind == "conv" else F.conv_transpose2d
                f(x, w, stride=2, padding=1, groups=groups).sum().backward()

        return step

    single, grouped = run(1), run(2)
    return 2 * median_seconds(single, 10) / median_seconds(grouped, 10)


def pair_in_processes() -> tuple[float, float]:
    setting = {"n_train": 1500, "size": 32, "n_latent": 16, "correlation": 0.8, "epochs": 3,
               "batch_size": 64}  # fmt: skip
    grid = [{**setting, "l1": 10.0}, {**setting, "l1": 0.0}]
    start = time.perf_counter()
    run_grid(train_model_run, grid, 1, n_jobs=1, seed_keys=list(setting))
    sequential = time.perf_counter() - start
    run_grid(train_model_run, grid[:1], 1, n_jobs=2, seed_keys=list(setting))  # warm the pool
    start = time.perf_counter()
    run_grid(train_model_run, grid, 1, n_jobs=2, seed_keys=list(setting))
    return sequential, time.perf_counter() - start


if __name__ == "__main__":
    torch.set_num_threads(1)
    rates = {b: throughput(b) for b in (32, 64, 128)}
    print(
        "training throughput (images/s): "
        + ", ".join(f"batch {b}: {r:.0f}" for b, r in rates.items())
    )
    print(
        f"grouped two-member convolutions, speed-up over one after the other: {grouped_ratio():.2f}x"
    )
    seq, par = pair_in_processes()
    print(f"sparse + dense pair: one after the other {seq:.1f} s, two processes {par:.1f} s "
          f"(speed-up {seq / par:.2f}x)")  # fmt: skip
    print(f"numpy {np.__version__}, torch {torch.__version__}")
