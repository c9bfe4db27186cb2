"""Execute one plan: jupytext → papermill in a staging folder, provenance, and the swap into
the result folder (only when it succeeded, so an error or Ctrl-C never leaves a half-written or
mixed result behind). The notebook is run by an executor function (papermill by default), so
that the staging, provenance and swap can be tested without a kernel.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import os
import shutil
import sys
import threading
import time
import traceback
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from specialist import provenance as prov
from specialist import sweep
from specialist.io import write_json, write_text
from specialist.paths import REPO_ROOT, Workspace
from specialist.pipeline.cache import module_hashes
from specialist.pipeline.plan import TIMING_ARTEFACTS, Plan, regenerate_command
from specialist.site import pages

KERNEL = "python3"


_INJECTED_TAG = "specialist-injected"


_HEARTBEAT_S = 60.0


_INTERNAL_FILES = {"source.ipynb", "executed.ipynb", "_runtime.json"}


_RUNTIME_CELL = """\
import json as _json, resource as _resource, sys as _sys
with open("_runtime.json", "w") as _fh:
    _json.dump({"peak_rss_kb": max(_resource.getrusage(_resource.RUSAGE_SELF).ru_maxrss,
                                   _resource.getrusage(_resource.RUSAGE_CHILDREN).ru_maxrss),
                "modules": sorted(m for m in list(_sys.modules)
                                  if m == "specialist" or m.startswith("specialist."))}, _fh)
"""


@dataclass
class Outcome:
    name: str
    status: str  # "cached", "ok", "failed"
    seconds: float = 0.0
    error: str = ""
    log: Path | None = None


def announce(msg: str) -> None:
    print(msg, flush=True)


@contextlib.contextmanager
def _heartbeat(name: str, start: float):
    """Print a line every minute while a notebook runs (papermill's bar only shows on a TTY)."""
    stop = threading.Event()

    def beat() -> None:
        while not stop.wait(_HEARTBEAT_S):
            announce(f"    … {name} still running ({fmt_seconds(time.perf_counter() - start)})")

    thread = threading.Thread(target=beat, daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()


fmt_seconds = pages.fmt_seconds


@contextlib.contextmanager
def _kernel_environment(extra: dict[str, str] | None = None):
    """The kernel's environment: ``MPLBACKEND`` unset (agg would drop the page's figures), the
    sweep settings of ``extra`` set (the kernel inherits them), all restored afterwards."""
    names = ["MPLBACKEND", sweep.SCHEDULER_ENV, sweep.STORE_ENV, sweep.RUNS_AFTER_ENV]
    saved = {k: os.environ.pop(k) for k in names if k in os.environ}
    os.environ.update(extra or {})
    try:
        yield
    finally:
        for k in names:
            os.environ.pop(k, None)
        os.environ.update(saved)


@contextlib.contextmanager
def _stderr_to(path: Path):
    """Send this process's file descriptor 2, and so the kernel's stderr, to ``path``.

    The kernel's start-up warnings and shutdown messages land in the artefact's log instead of
    the terminal; Python-level ``sys.stderr`` writes of this process follow too.
    """
    sys.stderr.flush()
    saved = os.dup(2)
    with open(path, "a", encoding="utf-8") as fh:
        os.dup2(fh.fileno(), 2)
    try:
        yield
    finally:
        sys.stderr.flush()
        os.dup2(saved, 2)
        os.close(saved)


@contextlib.contextmanager
def _log_to(path: Path):
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(message)s"))
    logger = logging.getLogger("papermill")
    old_level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        yield
    finally:
        logger.removeHandler(handler)
        logger.setLevel(old_level)
        handler.close()


def executor_of(p: Plan, scheduler: str | None) -> tuple[str, dict[str, str]]:
    """Where the plan's sweep runs go (for provenance) and the environment that sends them."""
    if scheduler and p.name in TIMING_ARTEFACTS:
        return "local processes (a timing artefact always runs here)", {}
    if scheduler:
        return f"dask scheduler {scheduler}", {sweep.SCHEDULER_ENV: scheduler}
    return "local processes", {}


def papermill_notebook(source: Path, executed: Path, parameters: dict, cwd: Path) -> None:
    """Execute ``source`` into ``executed`` with papermill (the default notebook runner)."""
    import papermill as pm

    pm.execute_notebook(
        source,
        executed,
        parameters=parameters,
        kernel_name=KERNEL,
        progress_bar=sys.stderr.isatty(),
        log_output=True,
        cwd=cwd,
    )


#: runs a notebook: ``(source.ipynb, executed.ipynb, parameters, working folder) -> None``,
#: raising on failure
NotebookRunner = Callable[[Path, Path, dict, Path], None]


def execute(
    ws: Workspace,
    p: Plan,
    scheduler: str | None = None,
    runs_after: float | None = None,
    run_notebook: NotebookRunner = papermill_notebook,
) -> Outcome:
    """Run one plan in a staging folder; on success swap it in as the new result folder.

    ``scheduler`` is a Dask scheduler address for the sweeps' runs (``None``: local processes;
    ignored for :data:`~specialist.pipeline.plan.TIMING_ARTEFACTS`). Completed runs go to the
    artefact's run store (or a store it shares); runs stored before the POSIX time
    ``runs_after`` are not reused. ``run_notebook`` executes the notebook (papermill; a test
    may pass a function that writes the executed notebook itself, no kernel needed).
    """
    import jupytext
    import nbformat

    staging = ws.staging_root(p.profile) / f"{p.name}-{uuid.uuid4().hex[:8]}"
    staging.mkdir(parents=True)
    log_path = staging / "run.log"
    nb = jupytext.read(p.artefact.notebook)
    nb.cells.append(
        nbformat.v4.new_code_cell(_RUNTIME_CELL, metadata={"tags": ["remove-cell", _INJECTED_TAG]})
    )
    nbformat.write(nb, staging / "source.ipynb")
    params = {**p.params, "profile": p.profile, "output_dir": str(staging)}
    executor, env = executor_of(p, scheduler)
    store = ws.run_store(p.profile, p.name)
    store.mkdir(parents=True, exist_ok=True)
    (store / "_reuse.jsonl").unlink(missing_ok=True)
    env[sweep.STORE_ENV] = str(store)
    if runs_after is not None:
        env[sweep.RUNS_AFTER_ENV] = repr(runs_after)
    started = dt.datetime.now(dt.UTC)
    t0 = time.perf_counter()
    try:
        with (
            _kernel_environment(env),
            _log_to(log_path),
            _stderr_to(log_path),
            _heartbeat(p.name, t0),
        ):
            run_notebook(staging / "source.ipynb", staging / "executed.ipynb", params, staging)
    except Exception as err:  # the notebook failed: keep its log, keep the old results
        seconds = time.perf_counter() - t0
        with open(log_path, "a", encoding="utf-8") as fh:
            fh.write("\n" + "".join(traceback.format_exception(err)))
        failed = ws.failed_dir(p.profile, p.name)
        shutil.rmtree(failed, ignore_errors=True)
        failed.parent.mkdir(parents=True, exist_ok=True)
        staging.rename(failed)
        return Outcome(p.name, "failed", seconds, _error_line(err), failed / "run.log")
    seconds = time.perf_counter() - t0
    finished = dt.datetime.now(dt.UTC)
    record = _finish(ws, p, staging, started, finished, seconds, executor)
    _swap_in(ws, p, staging)
    publish_notebook(ws, p.profile, p.name)
    shutil.rmtree(ws.failed_dir(p.profile, p.name), ignore_errors=True)
    return Outcome(p.name, "ok", record["wall_time_s"])


def _error_line(err: BaseException) -> str:
    ename = getattr(err, "ename", type(err).__name__)
    evalue = getattr(err, "evalue", str(err))
    return f"{ename}: {evalue}".strip()


def _finish(
    ws: Workspace,
    p: Plan,
    staging: Path,
    started: dt.datetime,
    finished: dt.datetime,
    seconds: float,
    executor: str = "local processes",
) -> dict[str, Any]:
    """Write provenance.json and the book's version of the executed notebook into staging."""
    import json

    import nbformat

    runtime_file = staging / "_runtime.json"
    runtime = json.loads(runtime_file.read_text()) if runtime_file.exists() else {}
    outputs = sorted(
        f.name
        for f in staging.iterdir()
        if f.is_file() and f.name not in _INTERNAL_FILES and f.name != "run.log"
    )
    git = prov.git_state(REPO_ROOT)
    cache = {**p.cache, "modules": module_hashes(ws.package, runtime.get("modules", []))}
    record = {
        "artefact": p.name,
        "profile": p.profile,
        "parameters": p.params,
        "seed": p.params.get("seed"),
        "git_commit": git["commit"],
        "git_dirty": git["dirty"],
        "versions": prov.package_versions(),
        "distributions": prov.installed_distributions(),
        "executor": executor,
        **prov.platform_info(),
        "started_at": started.isoformat(timespec="seconds"),
        "finished_at": finished.isoformat(timespec="seconds"),
        "wall_time_s": round(seconds, 2),
        "peak_memory_mb": round(runtime["peak_rss_kb"] / 1024, 1) if runtime else None,
        "cache": cache,
        "data_inputs": p.data_inputs,
        "outputs": outputs,
        "tag": ws.tag,
        "command": regenerate_command(p.name, p.profile, p.overrides, ws.tag),
    }
    write_json(staging / "provenance.json", record)

    nb = nbformat.read(staging / "executed.ipynb", as_version=4)
    nb.cells = [c for c in nb.cells if _INJECTED_TAG not in c.metadata.get("tags", [])]
    for cell in nb.cells:
        if "injected-parameters" in cell.metadata.get("tags", []):
            # show where the results live, not the temporary staging folder they were written to
            shown = {**p.params, "profile": p.profile, "output_dir": _display_dir(ws, p)}
            cell.source = "# Parameters\n" + "\n".join(f"{k} = {v!r}" for k, v in shown.items())
    nb.metadata["specialist"] = {"provenance": record}
    nbformat.write(nb, staging / "notebook.ipynb")
    for name in _INTERNAL_FILES:
        (staging / name).unlink(missing_ok=True)
    return record


def _display_dir(ws: Workspace, p: Plan) -> str:
    """The results folder as a page shows it: relative to the repository, or, for results kept
    elsewhere, relative to the results root's parent (never a machine's absolute path)."""
    folder = ws.artefact_dir(p.profile, p.name)
    try:
        return folder.relative_to(REPO_ROOT).as_posix()
    except ValueError:
        return folder.relative_to(ws.results.parent).as_posix()


def _swap_in(ws: Workspace, p: Plan, staging: Path) -> None:
    final = ws.artefact_dir(p.profile, p.name)
    old = None
    if final.exists():
        old = ws.staging_root(p.profile) / f"{p.name}-old-{uuid.uuid4().hex[:8]}"
        final.rename(old)
    staging.rename(final)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def publish_notebook(ws: Workspace, profile: str, artefact: str) -> None:
    """Write the book's page for a result, ``book/generated/<artefact>.ipynb``, if different.

    The page is made afresh from the result's executed notebook and ``provenance.json`` by
    :func:`specialist.site.pages.present` (notes, downloads, collapsed code, citation boxes), so a
    change of presentation needs no recomputation.
    """
    import json

    import nbformat

    folder = ws.artefact_dir(profile, artefact)
    nb = nbformat.read(folder / "notebook.ipynb", as_version=4)
    record = json.loads((folder / "provenance.json").read_text(encoding="utf-8"))
    pages.present(nb, record, folder, ws.generated, ws.book)
    text = nbformat.writes(nb) + "\n"
    dst = ws.generated / f"{artefact}.ipynb"
    if not dst.exists() or dst.read_text(encoding="utf-8") != text:
        write_text(dst, text)
