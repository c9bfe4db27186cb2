"""The artefact pipeline: jupytext notebook → papermill → results folder + executed notebook.

``python -m specialist reproduce [--profile quick|paper] [--only A …] [--force] [--set A.K=V]``
runs every artefact (or the chosen ones) whose cache is stale; ``python -m specialist list``
shows the artefacts and their cache state. See the book's *Reproduce* page.

An artefact is a jupytext notebook ``notebooks/<artefact>.py`` with a ``parameters`` cell. Its
cache key combines the notebook text, the resolved parameters, the hashes of the ``specialist``
modules its kernel imported (recorded at run time, with the modules they import) and the hash of
any data file a string parameter names. Each run happens in a staging folder and replaces the
previous result folder only when it succeeded, so an error or Ctrl-C never leaves a half-written
or mixed result behind.

``--scheduler local:N`` starts a Dask ``LocalCluster`` of N single-threaded workers for the
whole command and ``--scheduler tcp://HOST:PORT`` uses a running one: the sweeps' runs go there
(:func:`specialist.sweep.get_executor`), the notebooks stay here. Completed runs are kept in the
artefact's run store (:meth:`Workspace.run_store`) so that an interrupted artefact resumes, and
two commands on one profile take a lock in turn.
"""

from __future__ import annotations

import argparse
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
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from specialist import claims, pages, sweep
from specialist import provenance as prov
from specialist.io import write_json, write_text
from specialist.params import (
    RESERVED,
    ConfigError,
    Param,
    available_profiles,
    load_profile,
    parse_override,
    parse_parameters_cell,
    resolve_parameters,
)
from specialist.paths import REPO_ROOT, Workspace

DEFAULT_PROFILE = "paper"
KERNEL = "python3"
_INJECTED_TAG = "specialist-injected"
_HEARTBEAT_S = 60.0
_INTERNAL_FILES = {"source.ipynb", "executed.ipynb", "_runtime.json"}

# Records the kernel's peak memory; appended before execution, removed from the page after.
_RUNTIME_CELL = """\
import json as _json, resource as _resource, sys as _sys
with open("_runtime.json", "w") as _fh:
    _json.dump({"peak_rss_kb": max(_resource.getrusage(_resource.RUSAGE_SELF).ru_maxrss,
                                   _resource.getrusage(_resource.RUSAGE_CHILDREN).ru_maxrss),
                "modules": sorted(m for m in list(_sys.modules)
                                  if m == "specialist" or m.startswith("specialist."))}, _fh)
"""
#: artefacts that measure time: their runs always stay on this machine
TIMING_ARTEFACTS = ("tab2_runtime",)


# ---------------------------------------------------------------------------------------------
# Artefacts and plans
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Artefact:
    """A notebook that regenerates one paper artefact."""

    name: str
    notebook: Path
    parameters: dict[str, Param]
    title: str


@dataclass
class Plan:
    """One artefact with its resolved parameters for one profile."""

    artefact: Artefact
    profile: str
    params: dict[str, Any]
    cache: dict[str, Any] = field(default_factory=dict)
    data_inputs: dict[str, str] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return self.artefact.name


def regenerate_command(artefact: str, profile: str) -> str:
    return f"python -m specialist reproduce --profile {profile} --only {artefact}"


def discover(ws: Workspace) -> dict[str, Artefact]:
    """Every ``<notebooks>/<artefact>.py`` with a parameters cell declaring the runner's keys."""
    import jupytext

    artefacts = {}
    for path in sorted(ws.notebooks.glob("*.py")):
        nb = jupytext.read(path)
        cells = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
        if len(cells) != 1:
            raise ConfigError(f"{path}: needs exactly one cell tagged 'parameters'")
        params = parse_parameters_cell(cells[0].source, where=f"{path.name} parameters cell")
        missing = [k for k in RESERVED if k not in params]
        if missing:
            raise ConfigError(f"{path.name}: the parameters cell must declare {missing}")
        title = next(
            (
                line.lstrip("# ").strip()
                for c in nb.cells
                if c.cell_type == "markdown"
                for line in c.source.splitlines()
                if line.startswith("# ")
            ),
            path.stem,
        )
        artefacts[path.stem] = Artefact(path.stem, path, params, title)
    return artefacts


def plan(
    ws: Workspace,
    profile: str = DEFAULT_PROFILE,
    only: list[str] | None = None,
    overrides: list[str] | None = None,
) -> list[Plan]:
    """Validate the whole request and return one :class:`Plan` per artefact to consider.

    Raises :class:`ConfigError` (before anything runs) on an unknown profile, artefact or
    parameter, or a value of the wrong type.
    """
    profile_values = load_profile(ws.profiles, profile)
    artefacts = discover(ws)
    accepted = ", ".join(artefacts)
    for name in profile_values:
        if name not in artefacts:
            raise ConfigError(
                f"profile {profile!r} names unknown artefact {name!r}; artefacts: {accepted}"
            )
    chosen = list(artefacts) if not only else list(dict.fromkeys(only))
    for name in chosen:
        if name not in artefacts:
            raise ConfigError(f"--only: unknown artefact {name!r}; artefacts: {accepted}")
    by_artefact: dict[str, dict[str, Any]] = {}
    for text in overrides or []:
        name, key, value = parse_override(text)
        if name not in artefacts:
            raise ConfigError(f"--set {text!r}: unknown artefact {name!r}; artefacts: {accepted}")
        by_artefact.setdefault(name, {})[key] = value
    plans = []
    for name in chosen:
        art = artefacts[name]
        params = resolve_parameters(
            name,
            art.parameters,
            profile_values.get(name, {}),
            by_artefact.get(name, {}),
            profile,
        )
        plans.append(Plan(art, profile, params))
    # overrides for artefacts that were not chosen would be silently ignored: refuse them
    ignored = sorted(set(by_artefact) - set(chosen))
    if ignored:
        raise ConfigError(f"--set names artefact(s) {ignored} that are not selected by --only")
    for p in plans:
        p.data_inputs = _data_inputs(p.params)
        p.cache = {
            "notebook": prov.sha256_bytes(p.artefact.notebook.read_bytes()),
            "parameters": prov.hash_json({"profile": profile, **p.params}),
            "data": prov.hash_json(p.data_inputs),
        }
    return plans


def _data_inputs(params: dict[str, Any]) -> dict[str, str]:
    """Hashes of the files or folders that string parameters point to (the data inputs)."""
    out = {}
    for key, value in params.items():
        if isinstance(value, str) and value and ("/" in value or "." in value):
            path = Path(value) if Path(value).is_absolute() else REPO_ROOT / value
            if path.exists():
                out[key] = prov.hash_path(path)
    return out


# ---------------------------------------------------------------------------------------------
# Cache
# ---------------------------------------------------------------------------------------------
_CACHE_PARTS = {
    "notebook": "notebook changed",
    "parameters": "parameters changed",
    "data": "data inputs changed",
}


def _module_file(package: Path, module: str) -> Path | None:
    """The source file of ``specialist[.a.b]`` below ``package`` (``None`` if there is none)."""
    parts = module.split(".")[1:]
    candidates = [package.joinpath(*parts, "__init__.py")]
    if parts:
        candidates.append(package.joinpath(*parts).with_suffix(".py"))
    return next((c for c in candidates if c.is_file()), None)


def _type_checking_only(node) -> bool:
    """An ``if TYPE_CHECKING:`` block: its imports never run, so they are no dependency."""
    import ast

    test = getattr(node, "test", None)
    return isinstance(node, ast.If) and (
        (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING")
        or (isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")
    )


def _imports_of(path: Path) -> set[str]:
    """Every ``specialist`` module a source file imports, at any depth (functions included).

    Imports under ``if TYPE_CHECKING:`` are left out (they are for type checkers only): the
    package's ``__init__`` names every headline object that way, and would otherwise make every
    artefact depend on every module.
    """
    import ast

    try:
        tree = ast.parse(path.read_text(encoding="utf-8"))
    except (OSError, SyntaxError, ValueError):
        return set()
    found = set()
    stack = [tree]
    nodes = []
    while stack:  # ast.walk, without descending into TYPE_CHECKING blocks
        node = stack.pop()
        nodes.append(node)
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and _type_checking_only(child):
                stack.extend(child.orelse)
            else:
                stack.append(child)
    for node in nodes:
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.split(".")[0] == "specialist"}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            if node.module.split(".")[0] == "specialist":
                found.add(node.module)
                found |= {f"{node.module}.{a.name}" for a in node.names}
    return found


def module_hashes(package: Path, modules) -> dict[str, str]:
    """``{relative path: sha256}`` of ``modules`` and every ``specialist`` module they import.

    ``modules`` are the names a kernel had imported; the static closure adds what is imported
    only inside functions (e.g. code that runs only in worker processes). Names that are not
    modules (``from specialist.x import function``) are ignored.
    """
    seen: dict[Path, None] = {}
    todo = list(modules)
    done: set[str] = set()
    while todo:
        name = todo.pop()
        if name in done:
            continue
        done.add(name)
        path = _module_file(package, name)
        if path is None or path in seen:
            continue
        seen[path] = None
        parent = ".".join(name.split(".")[:-1])
        if parent:
            todo.append(parent)  # importing a.b runs a/__init__.py
        todo.extend(_imports_of(path))
    return {
        path.relative_to(package).as_posix(): prov.sha256_bytes(path.read_bytes())
        for path in sorted(seen)
    }


def read_provenance(ws: Workspace, profile: str, artefact: str) -> dict[str, Any] | None:
    import json

    path = ws.artefact_dir(profile, artefact) / "provenance.json"
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return None


def cache_state(ws: Workspace, p: Plan) -> tuple[bool, str]:
    """``(hit, reason)``: is the stored result of this plan current, and why (not)?"""
    old = read_provenance(ws, p.profile, p.name)
    if old is None:
        return False, "no previous result"
    reasons = []
    for part, message in _CACHE_PARTS.items():
        if old.get("cache", {}).get(part) != p.cache[part]:
            if part == "parameters":
                message += _param_diff(old.get("parameters", {}), p.params)
            reasons.append(message)
    recorded = old.get("cache", {}).get("modules")
    if not isinstance(recorded, dict):
        reasons.append("no record of the specialist modules it imported (an older result)")
    else:
        now = module_hashes(ws.package, _module_names(recorded))
        changed = sorted(f for f in set(recorded) | set(now) if recorded.get(f) != now.get(f))
        if changed:
            reasons.append(f"specialist module(s) changed: {', '.join(changed)}")
    if reasons:
        return False, "; ".join(reasons)
    folder = ws.artefact_dir(p.profile, p.name)
    missing = [f for f in [*old.get("outputs", []), "notebook.ipynb"] if not (folder / f).exists()]
    if missing:
        return False, f"outputs missing: {', '.join(missing)}"
    return True, f"up to date (from {old.get('finished_at', '?')})"


def _module_names(files: dict[str, str]) -> list[str]:
    """``{"experiments/layer2.py": …}`` → ``["specialist.experiments.layer2"]``."""
    names = []
    for rel in files:
        parts = rel.removesuffix(".py").split("/")
        if parts[-1] == "__init__":
            parts = parts[:-1]
        names.append(".".join(["specialist", *parts]))
    return names


def _param_diff(old: dict[str, Any], new: dict[str, Any]) -> str:
    changes = [
        f"{k}: {old.get(k, '∅')!r} → {new.get(k, '∅')!r}"
        for k in sorted(set(old) | set(new))
        if old.get(k) != new.get(k)
    ]
    return f" ({', '.join(changes)})" if changes else ""


# ---------------------------------------------------------------------------------------------
# Execution
# ---------------------------------------------------------------------------------------------
@dataclass
class Outcome:
    name: str
    status: str  # "cached", "ok", "failed"
    seconds: float = 0.0
    error: str = ""
    log: Path | None = None


def _say(msg: str) -> None:
    print(msg, flush=True)


@contextlib.contextmanager
def _heartbeat(name: str, start: float):
    """Print a line every minute while a notebook runs (papermill's bar only shows on a TTY)."""
    stop = threading.Event()

    def beat() -> None:
        while not stop.wait(_HEARTBEAT_S):
            _say(f"    … {name} still running ({_fmt_seconds(time.perf_counter() - start)})")

    thread = threading.Thread(target=beat, daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()


_fmt_seconds = pages.fmt_seconds


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


def execute(
    ws: Workspace, p: Plan, scheduler: str | None = None, runs_after: float | None = None
) -> Outcome:
    """Run one plan in a staging folder; on success swap it in as the new result folder.

    ``scheduler`` is a Dask scheduler address for the sweeps' runs (``None``: local processes;
    ignored for :data:`TIMING_ARTEFACTS`). Completed runs go to the artefact's run store (or a
    store it shares); runs stored before the POSIX time ``runs_after`` are not reused.
    """
    import jupytext
    import nbformat
    import papermill as pm

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
            pm.execute_notebook(
                staging / "source.ipynb",
                staging / "executed.ipynb",
                parameters=params,
                kernel_name=KERNEL,
                progress_bar=sys.stderr.isatty(),
                log_output=True,
                cwd=staging,
            )
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
    _publish_notebook(ws, p.profile, p.name)
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
        "command": regenerate_command(p.name, p.profile),
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
    folder = ws.artefact_dir(p.profile, p.name)
    try:
        return folder.relative_to(REPO_ROOT).as_posix()
    except ValueError:
        return folder.as_posix()


def _swap_in(ws: Workspace, p: Plan, staging: Path) -> None:
    final = ws.artefact_dir(p.profile, p.name)
    old = None
    if final.exists():
        old = ws.staging_root(p.profile) / f"{p.name}-old-{uuid.uuid4().hex[:8]}"
        final.rename(old)
    staging.rename(final)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def _publish_notebook(ws: Workspace, profile: str, artefact: str) -> None:
    """Write the book's page for a result, ``book/generated/<artefact>.ipynb``, if different.

    The page is made afresh from the result's executed notebook and ``provenance.json`` by
    :func:`specialist.pages.present` (notes, downloads, collapsed code, citation boxes), so a
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


_short = pages.short_commit


# ---------------------------------------------------------------------------------------------
# The book's overview of artefacts
# ---------------------------------------------------------------------------------------------
def write_overview(ws: Workspace) -> Path:
    """``book/generated/artefacts.md``: one row per artefact from the notebooks in the book."""
    import json

    lines = [
        "| Artefact | Profile | Wall time | Peak memory | Commit | Generated |",
        "|---|---|---|---|---|---|",
    ]
    for name, art in discover(ws).items():
        nb_path = ws.generated / f"{name}.ipynb"
        rec = None
        if nb_path.exists():
            meta = json.loads(nb_path.read_text(encoding="utf-8")).get("metadata", {})
            rec = meta.get("specialist", {}).get("provenance")
        if rec is None:
            lines.append(f"| {art.title} | not generated | | | | |")
            continue
        mem = f"{rec['peak_memory_mb']:.0f} MB" if rec.get("peak_memory_mb") else "n/a"
        lines.append(
            f"| {{doc}}`{art.title} </generated/{name}>` | `{rec['profile']}` | "
            f"{_fmt_seconds(rec['wall_time_s'])} | {mem} | `{_short(rec['git_commit'])}` | "
            f"{rec['finished_at'][:10]} |"
        )
    return write_text(ws.generated / "artefacts.md", "\n".join(lines) + "\n")


#: artefacts whose computed findings the "Where we may disagree" section of the Reconstruction
#: notes includes: artefact -> key of the list of sentences in its metrics.json
#: the computed verdict sentences the static pages quote: page file (under ``generated/``) ->
#: artefact -> key of its ``metrics.json`` holding a list of sentences
FINDINGS = {
    "findings": {"fig3_structure": "comparison", "fig3_conditions": "findings"},
    "findings_layer2": {"fig5_l1_ablation": "findings", "fig5_l1_path": "findings"},
    "findings_edits": {"fig6_gan_edits": "findings", "tab_edit_specificity": "findings"},
    "findings_fig4": {"fig4_sportshhi": "findings"},
}


def _shown_run(ws: Workspace, name: str) -> tuple[dict | None, dict | None]:
    """Provenance and ``metrics.json`` of the run whose notebook the book shows for ``name``.

    The book's copy of the notebook names the profile that produced it; ``(None, None)`` if the
    book has no page for it yet or its metrics are gone.
    """
    import json

    nb_path = ws.generated / f"{name}.ipynb"
    if not nb_path.exists():
        return None, None
    meta = json.loads(nb_path.read_text(encoding="utf-8")).get("metadata", {})
    rec = meta.get("specialist", {}).get("provenance")
    if rec is None:
        return None, None
    metrics_path = ws.artefact_dir(rec["profile"], name) / "metrics.json"
    if not metrics_path.exists():
        return rec, None
    return rec, json.loads(metrics_path.read_text(encoding="utf-8"))


def write_findings(ws: Workspace) -> list[Path]:
    """``book/generated/<page>.md`` for every page of :data:`FINDINGS`: the computed sentences.

    Each artefact's sentences come from the ``metrics.json`` of the run whose notebook the
    book shows (its profile is in the notebook's provenance), so the static pages can quote
    verdicts without typing a number by hand.
    """
    written = []
    for page, sources in FINDINGS.items():
        parts = []
        for name, key in sources.items():
            rec, metrics = _shown_run(ws, name)
            if metrics is None:
                parts.append(f"*{{doc}}`/generated/{name}`: not generated in this build.*\n")
                continue
            sentences = metrics.get(key, [])
            head = (
                f"From {{doc}}`/generated/{name}` ({rec['profile']} profile, commit "
                f"`{_short(rec['git_commit'])}`):\n\n"
            )
            parts.append(head + "\n".join(f"- {s}" for s in sentences) + "\n")
        written.append(write_text(ws.generated / f"{page}.md", "\n".join(parts)))
    return written


#: the verdicts a ``claims`` entry of ``metrics.json`` may give, and its fields: defined once,
#: in the leaf module :mod:`specialist.claims`, whose constructor every entry goes through
VERDICTS = claims.VERDICTS
CLAIM_FIELDS = claims.FIELDS
#: the results of the book's Theory page (their sphinx-proof labels) that each artefact tests;
#: the claims table links them (a ``claims`` entry may name its own in an optional ``theory``
#: list), and the Theory page links back to the artefacts
THEORY = {
    "fig2_band_set": ("thm-1", "cor-1"),
    "fig3_structure": ("thm-1",),
    "tab2_runtime": ("thm-1",),
    "fig_colliders": ("rem-1",),
    "fig3_conditions": ("thm-1",),
    "fig_finite_sample": ("thm-1",),
    "fig3_nonlinear": ("thm-1",),
    "fig5_l1_ablation": ("prop-2", "thm-2"),
    "fig5_l1_path": ("prop-2", "thm-2"),
    "fig4_sportshhi": ("thm-1", "thm-2"),
    "fig6_gan_edits": ("thm-2",),
    "tab_edit_specificity": ("thm-2",),
}


def _cell(text: str) -> str:
    return str(text).replace("\n", " ").strip()


def _claim_rows(entry: claims.Claim, link: str, theory: str) -> list[str]:
    """The cells of one claims-table row (a ``list-table``: Markdown in every cell)."""
    verdict = f"**{entry.verdict}**"
    if entry.tally:
        verdict += f"<br>{entry.tally}"
    if entry.reason:
        verdict += f"<br>*why:* {entry.reason}"
    runs = (
        "exact check, no runs"
        if entry.n_runs is None
        else f"{entry.n_runs} run{'s' if entry.n_runs != 1 else ''}"
        + (
            f" (fewer than {claims.MIN_RUNS}: no comparison counts)"
            if entry.n_runs < claims.MIN_RUNS
            else ""
        )
    )
    key = f"{entry.key_number}<br>*{entry.kind}, {runs}*<br>*chance:* {entry.chance}"
    given = "<br>".join(f"{name}: {what}" for name, what in entry.given.items())
    if entry.attacks:
        robust = "<br>".join(
            ("**moved** " if a in entry.moved else "") + f"{a.choice}: {a.verdict}"
            for a in entry.attacks
        )
    else:
        robust = (
            "no attack: nothing was tested"
            if entry.verdict == claims.NOT_TESTABLE
            else "no attack: a study beyond the paper"
        )
    text = f"{entry.claim}<br>*holds under:* {entry.conditions}"
    return [_cell(c) for c in (text, verdict, key, given, robust, link, theory)]


def write_claims(ws: Workspace) -> Path:
    """``book/generated/claims_table.md``: one row per ``claims`` entry of every artefact.

    Rows come from the ``metrics.json`` of the run each page shows, in the order of the
    artefacts; paper claims first, then the beyond-the-paper studies. Each entry is read back
    through :meth:`specialist.claims.Claim.from_dict`; an entry that fails (hand-built, a
    missing field, an unknown verdict) is shown as invalid with the reason, not dropped.
    Nothing is typed by hand.
    """
    paper, beyond, missing = [], [], []
    numbers = pages.figure_numbers(ws.book)
    for name in discover(ws):
        rec, metrics = _shown_run(ws, name)
        if metrics is None:
            missing.append(name)
            continue
        for raw in metrics.get("claims", []):
            shown = numbers.get(f"fig-{name}", {}).get("number", name)
            link = f"{{doc}}`{shown} </generated/{name}>` ({rec['profile']})"
            try:
                entry = claims.Claim.from_dict(raw)
            except ValueError as err:
                text = raw.get("claim", "?") if isinstance(raw, dict) else "?"
                paper.append([_cell(text), f"**invalid entry**: {err}", "", "", "", link, ""])
                continue
            labels = entry.theory or THEORY.get(name, ())  # an entry may name its own
            theory = ", ".join(f"{{prf:ref}}`{label}`" for label in labels)
            row = _claim_rows(entry, link, theory)
            (paper if entry.is_paper_claim else beyond).append(row)
    head = [
        "Claim",
        "Verdict",
        "Key number",
        "What each method is given",
        "Robust to (our alternative choices)",
        "Artefact",
        "Theory",
    ]
    if paper or beyond:
        out = [
            "```{list-table}\n:header-rows: 1\n:class: claims-list\n:widths: 22 10 22 14 20 7 5\n\n"
        ]
        for row in [head, *paper, *beyond]:
            out.append("* - " + "\n  - ".join(c if c else "–" for c in row) + "\n")
        out.append("```\n")
        lines = ["".join(out)]
    else:
        lines = ["*No artefact with claims has been generated in this build.*\n"]
    if missing:
        lines.append(f"\nNot generated in this build: {', '.join(f'`{m}`' for m in missing)}.\n")
    return write_text(ws.generated / "claims_table.md", "".join(lines))


# ---------------------------------------------------------------------------------------------
# Commands
# ---------------------------------------------------------------------------------------------
def parse_scheduler(text: str | None) -> tuple[str, int | str] | None:
    """``"local:N"`` → ``("local", N)``, ``"tcp://HOST:PORT"`` → ``("tcp", text)``, ``None``."""
    if text is None or text == "":
        return None
    if text.startswith("local:"):
        n = text.removeprefix("local:")
        if n.isdigit() and int(n) >= 1:
            return ("local", int(n))
    elif text.startswith("tcp://") and ":" in text.removeprefix("tcp://"):
        host, _, port = text.removeprefix("tcp://").rpartition(":")
        if host and port.isdigit():
            return ("tcp", text)
    raise ConfigError(
        f"--scheduler must be local:N (N >= 1 local Dask workers) or tcp://HOST:PORT (a running "
        f"Dask scheduler), got {text!r}"
    )


@contextlib.contextmanager
def _scheduler(spec: tuple[str, int | str] | None):
    """The scheduler address for the whole command: a LocalCluster for ``local:N``, checked."""
    if spec is None:
        yield None
        return
    kind, value = spec
    if kind == "tcp":
        try:
            client = sweep.dask_client(str(value))
            sweep.check_workers(client)  # refuse before any artefact runs
        except (OSError, RuntimeError) as err:
            raise ConfigError(f"--scheduler {value}: {err}") from err
        yield str(value)
        return
    from distributed import LocalCluster

    _say(f"starting a Dask LocalCluster with {value} single-threaded workers")
    with LocalCluster(
        n_workers=int(value), threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster:
        yield cluster.scheduler_address
    sweep.close_clients()


@contextlib.contextmanager
def profile_lock(ws: Workspace, profile: str):
    """Hold the profile's lock for the whole command; wait (saying who holds it) if taken."""
    import fcntl

    path = ws.lock_file(profile)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a+", encoding="utf-8") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            fh.seek(0)
            holder = fh.read().strip() or "unknown"
            _say(
                f"another reproduce command (PID {holder}) is running on profile {profile!r}; "
                f"waiting for it to finish (lock {path})"
            )
            fcntl.flock(fh, fcntl.LOCK_EX)
        fh.seek(0)
        fh.truncate()
        fh.write(str(os.getpid()))
        fh.flush()
        try:
            yield
        finally:
            fh.seek(0)
            fh.truncate()
            fcntl.flock(fh, fcntl.LOCK_UN)


def reproduce(
    ws: Workspace | None = None,
    profile: str = DEFAULT_PROFILE,
    only: list[str] | None = None,
    force: bool = False,
    overrides: list[str] | None = None,
    scheduler: str | None = None,
) -> list[Outcome]:
    """Bring every selected artefact up to date; returns one :class:`Outcome` per artefact.

    A failing artefact is reported and the others still run; nothing already computed is lost.
    ``scheduler``: ``None`` (local processes), ``"local:N"`` or ``"tcp://HOST:PORT"`` (Dask).
    """
    ws = ws or Workspace()
    plans = plan(ws, profile, only, overrides)  # every validation happens here, before running
    spec = parse_scheduler(scheduler)
    with profile_lock(ws, profile), _scheduler(spec) as address:
        return _reproduce(ws, profile, plans, force, address)


def _reproduce(
    ws: Workspace, profile: str, plans: list[Plan], force: bool, address: str | None
) -> list[Outcome]:
    shutil.rmtree(ws.staging_root(profile), ignore_errors=True)  # leftovers of an interrupted run
    outcomes = []
    t_all = time.perf_counter()
    # --force: runs stored before this command are not reused (shared stores included)
    runs_after = time.time() if force else None
    for i, p in enumerate(plans, 1):
        hit, reason = cache_state(ws, p)
        head = f"[{i}/{len(plans)}] {p.name} (profile {profile})"
        if hit and not force:
            _say(f"{head}: cache hit — {reason}")
            _publish_notebook(ws, profile, p.name)
            outcomes.append(Outcome(p.name, "cached"))
            continue
        _say(f"{head}: {'--force' if force else 'cache miss'} — {reason}; running …")
        if address and p.name in TIMING_ARTEFACTS:
            _say("    its runs stay on this machine: it measures time")
        outcome = execute(ws, p, address, runs_after)
        reused, total = sweep.reuse_counts(ws.run_store(profile, p.name))
        if total:
            _say(f"    {reused} of {total} runs reused from the run store")
        if outcome.status == "ok":
            _say(
                f"    done in {_fmt_seconds(outcome.seconds)} → {ws.artefact_dir(profile, p.name)}"
            )
        else:
            _say(f"    FAILED after {_fmt_seconds(outcome.seconds)}: {outcome.error}")
            _say(f"    log: {outcome.log}")
        outcomes.append(outcome)
    write_overview(ws)
    write_findings(ws)
    write_claims(ws)
    failed = [o for o in outcomes if o.status == "failed"]
    ran = sum(o.status == "ok" for o in outcomes)
    cached = sum(o.status == "cached" for o in outcomes)
    _say(
        f"{len(outcomes)} artefacts: {ran} ran, {cached} cached, {len(failed)} failed "
        f"({_fmt_seconds(time.perf_counter() - t_all)})"
    )
    for o in failed:
        _say(f"  failed: {o.name}: {o.error} (log: {o.log})")
    return outcomes


def list_artefacts(ws: Workspace | None = None, profile: str = DEFAULT_PROFILE) -> list[dict]:
    ws = ws or Workspace()
    rows = []
    for p in plan(ws, profile):
        hit, reason = cache_state(ws, p)
        old = read_provenance(ws, profile, p.name) or {}
        rows.append(
            {
                "artefact": p.name,
                "notebook": p.artefact.notebook.name,
                "title": p.artefact.title,
                "cached": hit,
                "state": reason,
                "last_wall_time_s": old.get("wall_time_s"),
            }
        )
    return rows


def main(argv: list[str] | None = None, ws: Workspace | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m specialist",
        description="Regenerate the artefacts of 'From Generalist to Specialist Representation'.",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    rep = sub.add_parser("reproduce", help="run the artefacts whose cached result is stale")
    rep.add_argument("--profile", default=DEFAULT_PROFILE, help="parameter profile (quick|paper)")
    rep.add_argument("--only", nargs="+", action="extend", metavar="ARTEFACT", default=[])
    rep.add_argument("--force", action="store_true", help="re-run even if the cache is current")
    rep.add_argument(
        "--set",
        dest="overrides",
        action="append",
        default=[],
        metavar="ARTEFACT.KEY=VALUE",
        help="override one parameter (value read as YAML); repeatable",
    )
    rep.add_argument(
        "--scheduler",
        default=None,
        metavar="local:N|tcp://HOST:PORT",
        help="send the sweeps' runs to Dask: N local workers, or a running scheduler",
    )
    lst = sub.add_parser("list", help="show every artefact, its notebook and cache state")
    lst.add_argument("--profile", default=DEFAULT_PROFILE)
    args = parser.parse_args(argv)
    ws = ws or Workspace()
    try:
        if args.command == "list":
            rows = list_artefacts(ws, args.profile)
            width = max((len(r["artefact"]) for r in rows), default=8)
            print(
                f"profile {args.profile} (available: {', '.join(available_profiles(ws.profiles))})"
            )
            for r in rows:
                t = r["last_wall_time_s"]
                last = f" last run {_fmt_seconds(t)}" if t is not None else ""
                print(f"  {r['artefact']:<{width}}  {r['notebook']:<24} {r['state']}{last}")
            return 0
        outcomes = reproduce(
            ws, args.profile, args.only, args.force, args.overrides, args.scheduler
        )
    except ConfigError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    return 1 if any(o.status == "failed" for o in outcomes) else 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
