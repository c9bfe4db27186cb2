import pandas as pd
import pytest

from specialist.sweep import derive_seed, expand_grid, run_grid
from tests._sweep_fns import noisy_square, not_a_mapping


def test_expand_grid_is_the_cartesian_product_in_order():
    assert expand_grid({"a": [1, 2], "b": ["x"]}) == [{"a": 1, "b": "x"}, {"a": 2, "b": "x"}]
    assert expand_grid([{"a": 1}, {"a": 5}]) == [{"a": 1}, {"a": 5}]
    with pytest.raises(ValueError, match=r"grid\['a'\] must be a list"):
        expand_grid({"a": 3})


def test_seeds_depend_only_on_setting_and_replicate():
    s = derive_seed({"T": 8, "M": 2}, 0)
    assert s == derive_seed({"M": 2, "T": 8}, 0)  # key order does not matter
    seeds = {derive_seed({"T": t}, r) for t in (8, 10, 12) for r in range(5)}
    assert len(seeds) == 15
    assert derive_seed({"T": 8}, 0, base_seed=1) != derive_seed({"T": 8}, 0)


def test_results_do_not_depend_on_processes_or_grid_order():
    local = run_grid(noisy_square, {"x": [1, 2, 3]}, n_seeds=2)
    assert list(local.columns) == ["x", "replicate", "seed", "y", "noise"]
    assert len(local) == 6 and local["y"].tolist() == [1, 1, 4, 4, 9, 9]
    parallel = run_grid(noisy_square, {"x": [1, 2, 3]}, n_seeds=2, n_jobs=2)
    pd.testing.assert_frame_equal(local, parallel)
    reversed_grid = run_grid(noisy_square, [{"x": 3}, {"x": 2}, {"x": 1}], n_seeds=2)
    merged = reversed_grid.sort_values(["x", "replicate"]).reset_index(drop=True)
    pd.testing.assert_frame_equal(local, merged)
    assert local["noise"].nunique() == 6  # every run got its own seed


def test_bad_arguments():
    with pytest.raises(ValueError, match="n_seeds must be an integer >= 1"):
        run_grid(noisy_square, {"x": [1]}, n_seeds=0)
    with pytest.raises(ValueError, match="n_jobs must be an integer >= 1"):
        run_grid(noisy_square, {"x": [1]}, n_jobs=0)
    with pytest.raises(TypeError, match="must return a mapping"):
        run_grid(not_a_mapping, {"x": [1]})


def test_seed_keys_pair_runs_that_differ_only_in_other_keys():
    runs = run_grid(noisy_square, {"x": [1, 2], "label": ["a", "b"]}, n_seeds=2, seed_keys=[])
    # no key feeds the seed: every setting shares the replicate's seed (common random numbers)
    assert runs.groupby("replicate")["seed"].nunique().eq(1).all()
    assert runs["seed"].nunique() == 2
    paired = run_grid(noisy_square, {"x": [1, 2], "label": ["a", "b"]}, n_seeds=1, seed_keys=["x"])
    assert paired.groupby("x")["seed"].nunique().eq(1).all()
    assert paired["seed"].nunique() == 2
    with pytest.raises(ValueError, match=r"seed_keys \['y'\] are not keys"):
        run_grid(noisy_square, {"x": [1]}, seed_keys=["y"])


def test_worker_pool_persists_across_grids():
    # what a worker pays once (imports, numba compilation) must not be paid again per grid
    from specialist.sweep import get_executor, shutdown_executors
    from tests._sweep_fns import worker_pid

    first = set(run_grid(worker_pid, {"x": list(range(8))}, n_jobs=2)["pid"])
    second = set(run_grid(worker_pid, {"x": list(range(8))}, n_jobs=2)["pid"])
    assert first == second and len(first) <= 2
    assert get_executor(2) is get_executor(2)
    shutdown_executors()
    third = set(run_grid(worker_pid, {"x": list(range(4))}, n_jobs=2)["pid"])
    assert not third & first  # a fresh pool after shutdown
    shutdown_executors()


def test_blas_threads_cap_applies_in_workers_and_leaves_results_unchanged():
    from tests._sweep_fns import blas_threads_seen

    capped = run_grid(blas_threads_seen, {"x": [1, 2, 3]}, n_jobs=2, blas_threads=1)
    free = run_grid(blas_threads_seen, {"x": [1, 2, 3]}, n_jobs=2)
    assert capped["threads"].eq(1).all()
    pd.testing.assert_series_equal(capped["trace"], free["trace"])
    with pytest.raises(ValueError, match="blas_threads must be None or an integer >= 1"):
        run_grid(blas_threads_seen, {"x": [1]}, blas_threads=0)


def test_batched_form_gives_the_same_runs_grouped_by_setting():
    from tests._sweep_fns import bad_many, batched_square

    plain = run_grid(noisy_square, {"x": [1, 2, 3]}, n_seeds=4)
    one = run_grid(batched_square, {"x": [1, 2, 3]}, n_seeds=4, seed_batch=1)
    assert one["batch"].eq(1).all()  # seed_batch=1: the per-run function
    for kwargs, sizes in (
        ({"n_jobs": 1}, {4}),  # one worker: a call per setting
        ({"n_jobs": 2, "seed_batch": 3}, {3, 1}),  # at most 3 seeds per call
        ({"n_jobs": 2}, {4}),  # three settings keep two workers busy
    ):
        runs = run_grid(batched_square, {"x": [1, 2, 3]}, n_seeds=4, **kwargs)
        pd.testing.assert_frame_equal(runs.drop(columns="batch"), plain)
        assert set(runs["batch"]) == sizes
    single = run_grid(batched_square, {"x": [1]}, n_seeds=4, n_jobs=2)
    assert set(single["batch"]) == {2}  # one setting, two workers: two calls of two seeds
    with pytest.raises(ValueError, match="seed_batch must be None or an integer >= 1"):
        run_grid(batched_square, {"x": [1]}, seed_batch=0)
    with pytest.raises(TypeError, match="must return one mapping of results per seed"):
        run_grid(bad_many, {"x": [1]}, n_seeds=2)
