"""run_grid on every executor (serial, processes, a Dask LocalCluster), the worker package
check, and resumable sweeps through the run store."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pandas as pd
import pytest

from specialist import sweep
from specialist.sweep import SCHEDULER_ENV, STORE_ENV, reuse_counts, run_grid
from tests._sweep_fns import fails_on_three, noisy_square


@pytest.fixture(scope="module")
def cluster():
    from distributed import LocalCluster

    with LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    ) as c:
        yield c
    sweep.close_clients()


def test_results_are_identical_on_every_executor(cluster, monkeypatch):
    grid = {"x": [1, 2, 3, 4]}
    serial = run_grid(noisy_square, grid, n_seeds=3)
    pool = run_grid(noisy_square, grid, n_seeds=3, n_jobs=2)
    monkeypatch.setenv(SCHEDULER_ENV, cluster.scheduler_address)
    dask = run_grid(noisy_square, grid, n_seeds=3, n_jobs=2, blas_threads=1)
    assert serial.to_csv(index=False) == pool.to_csv(index=False) == dask.to_csv(index=False)


def test_a_worker_exception_comes_back_with_its_type_and_message(cluster, monkeypatch):
    monkeypatch.setenv(SCHEDULER_ENV, cluster.scheduler_address)
    with pytest.raises(KeyError, match="no value for x=3"):
        run_grid(fails_on_three, {"x": [1, 2, 3]}, n_jobs=2)


def test_workers_with_another_package_are_refused(cluster, monkeypatch):
    client = sweep.dask_client(cluster.scheduler_address)
    sweep.check_workers(client)  # same checkout: accepted
    with pytest.raises(RuntimeError, match=r"2 of 2 Dask worker\(s\) import a different") as err:
        sweep.check_workers(client, expected="not-the-workers-hash")
    for address in client.scheduler_info()["workers"]:
        assert address in str(err.value)  # every mismatching worker is named


def test_the_store_reuses_completed_runs(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv(STORE_ENV, str(tmp_path / "store"))
    first = run_grid(noisy_square, {"x": [1, 2]}, n_seeds=2)
    assert reuse_counts(tmp_path / "store") == (0, 4)
    again = run_grid(noisy_square, {"x": [1, 2, 3]}, n_seeds=2, n_jobs=2)
    assert reuse_counts(tmp_path / "store") == (4, 10)  # the first 4 of 6 reused
    pd.testing.assert_frame_equal(first, again.iloc[:4])
    monkeypatch.delenv(STORE_ENV)
    assert run_grid(noisy_square, {"x": [1, 2, 3]}, n_seeds=2).equals(again)
    # the store is keyed by the code too: another package hash reuses nothing
    monkeypatch.setenv(STORE_ENV, str(tmp_path / "store"))
    monkeypatch.setattr(sweep, "package_hash", lambda: "other code")
    (tmp_path / "store" / "_reuse.jsonl").unlink()
    run_grid(noisy_square, {"x": [1]}, n_seeds=1)
    assert reuse_counts(tmp_path / "store") == (0, 1)


def test_a_shared_store_serves_two_artefacts_and_force_ignores_older_runs(tmp_path, monkeypatch):
    import time

    monkeypatch.setenv(STORE_ENV, str(tmp_path / "fig_a"))
    first = run_grid(noisy_square, {"x": [1, 2]}, n_seeds=2, store="study")
    shared = tmp_path / "_shared-study"
    assert len(list(shared.glob("*.pkl"))) == 4 and not list((tmp_path / "fig_a").glob("*.pkl"))
    monkeypatch.setenv(STORE_ENV, str(tmp_path / "fig_b"))  # another artefact, same runs
    again = run_grid(noisy_square, {"x": [1, 2]}, n_seeds=2, store="study")
    pd.testing.assert_frame_equal(first, again)
    assert reuse_counts(tmp_path / "fig_b") == (4, 4)  # logged in the artefact's own folder
    assert reuse_counts(tmp_path / "fig_a") == (0, 4)
    # its own store (no name) is another folder: nothing to reuse there
    run_grid(noisy_square, {"x": [1]}, n_seeds=1)
    assert reuse_counts(tmp_path / "fig_b") == (4, 5)
    # --force: runs stored before the given time are recomputed, later ones reused
    monkeypatch.setenv(sweep.RUNS_AFTER_ENV, repr(time.time() + 1))
    (tmp_path / "fig_b" / "_reuse.jsonl").unlink()
    run_grid(noisy_square, {"x": [1, 2]}, n_seeds=2, store="study")
    assert reuse_counts(tmp_path / "fig_b") == (0, 4)
    with pytest.raises(ValueError, match="store must be None or a name"):
        run_grid(noisy_square, {"x": [1]}, store="../elsewhere")


SCRIPT = textwrap.dedent(
    """
    import sys
    from specialist.sweep import run_grid
    from tests._sweep_fns import dies_on_marker
    grid = [{{"x": x, "marker": sys.argv[1]}} for x in (1, 2, 3, 4)]
    runs = run_grid(dies_on_marker, grid, n_seeds=1, n_jobs={n_jobs}, seed_keys=["x"])
    print(runs.to_csv(index=False), end="")
    """
)


@pytest.mark.parametrize("n_jobs", [1, 2])
def test_a_killed_sweep_resumes_with_the_runs_it_completed(tmp_path, n_jobs):
    from specialist.paths import REPO_ROOT

    marker = tmp_path / "kill"
    marker.write_text("")
    store = tmp_path / "store"
    env = {"PATH": "/usr/bin:/bin", STORE_ENV: str(store), "PYTHONPATH": str(REPO_ROOT)}
    script = SCRIPT.format(n_jobs=n_jobs)

    def run():
        return subprocess.run(
            [sys.executable, "-c", script, str(marker)],
            env=env, capture_output=True, text=True, cwd=REPO_ROOT, timeout=120,
        )  # fmt: skip

    killed = run()
    assert killed.returncode != 0  # the sweep died at x == 3
    completed = len(list(store.glob("*.pkl")))
    assert (1 <= completed <= 3) if n_jobs == 2 else completed == 2  # pool: order varies
    marker.unlink()
    (store / "_reuse.jsonl").unlink()
    resumed = run()
    assert resumed.returncode == 0, resumed.stderr
    assert reuse_counts(store) == (completed, 4)
    out = pd.read_csv(pd.io.common.StringIO(resumed.stdout))
    assert out["y"].tolist() == [10, 20, 30, 40]
    # the same table as a sweep that never died
    clean = subprocess.run(
        [sys.executable, "-c", script, str(marker)],
        env={**env, STORE_ENV: str(tmp_path / "fresh")},
        capture_output=True, text=True, cwd=REPO_ROOT, timeout=120,
    )  # fmt: skip
    assert clean.stdout == resumed.stdout
