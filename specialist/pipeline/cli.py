"""The command line: ``python -m specialist reproduce [--profile quick|paper] [--only A …]
[--force] [--set A.K=V] [--scheduler local:N|tcp://HOST:PORT]`` runs every artefact (or the
chosen ones) whose cache is stale; ``python -m specialist list`` shows the artefacts and their
cache state; ``python -m specialist sportshhi-eval GT.csv PRED.csv [--label-map F] [--iou X]
[--protocol official|strict]`` scores SportsHHI-format predictions; ``python -m specialist
discover STATES.csv TASKS.csv [--segment-length L] [--alpha A]`` runs Algorithm 1 on the
user's files; ``--version``. See the
book's *Reproduce* page.

``--scheduler local:N`` starts a Dask ``LocalCluster`` of N single-threaded workers for the
whole command and ``--scheduler tcp://HOST:PORT`` uses a running one: the sweeps' runs go there
(:func:`specialist.sweep.get_executor`), the notebooks stay here. Completed runs are kept in the
artefact's run store (:meth:`Workspace.run_store`) so that an interrupted artefact resumes, and
two commands on one profile take a lock in turn.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import sys
import time
from typing import TYPE_CHECKING

from specialist.paths import Workspace
from specialist.pipeline.params import ConfigError, available_profiles
from specialist.pipeline.plan import DEFAULT_PROFILE, TIMING_ARTEFACTS, Plan, plan

# The runner's modules (execution, cache, sweeps, site) are imported by the commands that use
# them, so that `discover`, `sportshhi-eval` and `--version` need only the core library.
if TYPE_CHECKING:
    from specialist.pipeline.execute import NotebookRunner, Outcome


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
    from specialist import sweep
    from specialist.pipeline.execute import announce

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

    announce(f"starting a Dask LocalCluster with {value} single-threaded workers")
    with LocalCluster(
        n_workers=int(value), threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster:
        yield cluster.scheduler_address
    sweep.close_clients()


@contextlib.contextmanager
def profile_lock(ws: Workspace, profile: str):
    """Hold the profile's lock for the whole command; wait (saying who holds it) if taken."""
    import fcntl

    from specialist.pipeline.execute import announce

    path = ws.lock_file(profile)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a+", encoding="utf-8") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            fh.seek(0)
            holder = fh.read().strip() or "unknown"
            announce(
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
    run_notebook: NotebookRunner | None = None,
) -> list[Outcome]:
    """Bring every selected artefact up to date; returns one :class:`Outcome` per artefact.

    A failing artefact is reported and the others still run; nothing already computed is lost.
    ``scheduler``: ``None`` (local processes), ``"local:N"`` or ``"tcp://HOST:PORT"`` (Dask);
    ``run_notebook``: what executes a notebook (:func:`specialist.pipeline.execute.execute`;
    default: papermill).
    """
    if run_notebook is None:
        from specialist.pipeline.execute import papermill_notebook as run_notebook
    ws = ws or Workspace()
    plans = plan(ws, profile, only, overrides)  # every validation happens here, before running
    spec = parse_scheduler(scheduler)
    with profile_lock(ws, profile), _scheduler(spec) as address:
        return _reproduce(ws, profile, plans, force, address, run_notebook)


def _reproduce(
    ws: Workspace,
    profile: str,
    plans: list[Plan],
    force: bool,
    address: str | None,
    run_notebook: NotebookRunner,
) -> list[Outcome]:
    from specialist import sweep
    from specialist.pipeline.cache import cache_state
    from specialist.pipeline.execute import (
        Outcome,
        announce,
        execute,
        fmt_seconds,
        publish_notebook,
    )
    from specialist.site.index import (
        write_changelog,
        write_claims,
        write_findings,
        write_overview,
    )

    shutil.rmtree(ws.staging_root(profile), ignore_errors=True)  # leftovers of an interrupted run
    outcomes = []
    t_all = time.perf_counter()
    # --force: runs stored before this command are not reused (shared stores included)
    runs_after = time.time() if force else None
    for i, p in enumerate(plans, 1):
        hit, reason = cache_state(ws, p)
        head = f"[{i}/{len(plans)}] {p.name} (profile {profile})"
        if hit and not force:
            announce(f"{head}: cache hit — {reason}")
            publish_notebook(ws, profile, p.name)
            outcomes.append(Outcome(p.name, "cached"))
            continue
        announce(f"{head}: {'--force' if force else 'cache miss'} — {reason}; running …")
        if address and p.name in TIMING_ARTEFACTS:
            announce("    its runs stay on this machine: it measures time")
        outcome = execute(ws, p, address, runs_after, run_notebook)
        reused, total = sweep.reuse_counts(ws.run_store(profile, p.name))
        if total:
            announce(f"    {reused} of {total} runs reused from the run store")
        if outcome.status == "ok":
            announce(
                f"    done in {fmt_seconds(outcome.seconds)} → {ws.artefact_dir(profile, p.name)}"
            )
        else:
            announce(f"    FAILED after {fmt_seconds(outcome.seconds)}: {outcome.error}")
            announce(f"    log: {outcome.log}")
        outcomes.append(outcome)
    write_overview(ws)
    write_findings(ws)
    write_claims(ws)
    write_changelog(ws)
    failed = [o for o in outcomes if o.status == "failed"]
    ran = sum(o.status == "ok" for o in outcomes)
    cached = sum(o.status == "cached" for o in outcomes)
    announce(
        f"{len(outcomes)} artefacts: {ran} ran, {cached} cached, {len(failed)} failed "
        f"({fmt_seconds(time.perf_counter() - t_all)})"
    )
    for o in failed:
        announce(f"  failed: {o.name}: {o.error} (log: {o.log})")
    return outcomes


def list_artefacts(ws: Workspace | None = None, profile: str = DEFAULT_PROFILE) -> list[dict]:
    from specialist.pipeline.cache import cache_state, read_provenance

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


def _discover(args) -> int:
    """``discover``: Algorithm 1 on two CSV files; a bad file or setting is an error (exit 2)."""
    import pandas as pd

    from specialist.io import atomic_write
    from specialist.structure import discover_task_structure

    try:
        states = pd.read_csv(args.states)
        tasks = pd.read_csv(args.tasks)
        result = discover_task_structure(
            states.to_numpy(dtype=float),
            tasks.astype(float),
            args.segment_length,
            test=args.test,
            alpha=args.alpha,
            combine=args.combine,
            correction=args.correction,
        )
    except (OSError, ValueError, pd.errors.ParserError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    print(result.summary())
    table = result.to_frame()
    atomic_write(args.out, lambda p: table.to_csv(p, index=False))
    print(f"wrote {args.out} ({len(table)} rows: segment, steps, task, p-values, decision)")
    return 0


def _sportshhi_eval(args) -> int:
    """``sportshhi-eval``: read, score and print; a malformed file is an error naming its row."""
    from specialist.data.sportshhi import (
        FormatError,
        evaluate_map,
        read_annotations,
        read_label_map,
        read_predictions,
    )

    try:
        labels = read_label_map(args.label_map) if args.label_map else None
        gt = read_annotations(args.annotations, labels)
        pred = read_predictions(args.predictions, labels)
        result = evaluate_map(
            gt,
            pred,
            iou_threshold=args.iou,
            classes=sorted(labels) if labels else None,
            protocol=args.protocol,
        )
    except (FormatError, OSError, ValueError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    print(result.table(labels).to_string(index=False, float_format=lambda v: f"{v:.4f}"))
    print(f"mAP@{args.iou:g} ({args.protocol} protocol): {result.map:.4f}")
    return 0


def _version() -> str:
    """The installed distribution's version (the package's own when it is not installed).

    The distribution is ``specialist-companion`` (:data:`specialist.DISTRIBUTION`); the PyPI
    distribution ``specialist`` is an unrelated project."""
    from importlib.metadata import PackageNotFoundError, version

    import specialist

    try:
        return version(specialist.DISTRIBUTION)
    except PackageNotFoundError:
        return getattr(specialist, "__version__", "unknown")


def tagged_workspace(ws: Workspace, tag: str) -> Workspace:
    """The workspace of ``reproduce --tag TAG`` (:meth:`Workspace.tagged`), with the book's
    sources copied next to its results (its generated pages and build are kept)."""
    try:
        tagged = ws.tagged(tag)
    except ValueError as err:
        raise ConfigError(str(err)) from err
    shutil.copytree(
        ws.book, tagged.book, ignore=shutil.ignore_patterns("_build", "generated"),
        dirs_exist_ok=True,
    )  # fmt: skip
    return tagged


def main(argv: list[str] | None = None, ws: Workspace | None = None) -> int:
    # the installed command's name (specialist-companion), or the module's (python -m specialist)
    command = os.path.basename(sys.argv[0])
    parser = argparse.ArgumentParser(
        prog=command if command.endswith("-companion") else "python -m specialist",
        description="Regenerate the artefacts of 'From Generalist to Specialist Representation'.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
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
        "--tag",
        default=None,
        metavar="NAME",
        help="keep this run apart: results in results/tags/NAME/, with a book of its own; the "
        "published results and the book's pages are left as they are",
    )
    rep.add_argument(
        "--scheduler",
        default=None,
        metavar="local:N|tcp://HOST:PORT",
        help="send the sweeps' runs to Dask: N local workers, or a running scheduler",
    )
    lst = sub.add_parser("list", help="show every artefact, its notebook and cache state")
    lst.add_argument("--profile", default=DEFAULT_PROFILE)
    ev = sub.add_parser(
        "sportshhi-eval",
        help="score SportsHHI-format predictions against annotations (pair-IoU mAP)",
        description="Pair-IoU mAP of a prediction CSV against an annotation CSV in SportsHHI's "
        "official format (specialist.data.sportshhi.evaluate_map); prints the per-class table.",
    )
    ev.add_argument("annotations", help="annotation CSV (13 columns)")
    ev.add_argument("predictions", help="prediction CSV (12 columns, keyframe index second)")
    ev.add_argument("--label-map", default=None, help="label map .pbtxt (names and classes)")
    ev.add_argument("--iou", type=float, default=0.9, help="pair-IoU threshold (official: 0.9)")
    ev.add_argument(
        "--protocol", choices=("official", "strict"), default="official",
        help="official: SportsHHI's evaluation code, quirks included; strict: corrected rules",
    )  # fmt: skip
    dis = sub.add_parser(
        "discover",
        help="run Algorithm 1 on your own CSV files and print which segments serve which task",
        description="Algorithm 1 (specialist.discover_task_structure) on two CSV files with a "
        "header row: STATES has one column per step (n rows, T columns), TASKS one column per "
        "task (its header names the tasks). Prints the summary and writes one row per segment "
        "and task (TaskStructure.to_frame) to --out.",
    )
    dis.add_argument("states", help="CSV, one column per step")
    dis.add_argument("tasks", help="CSV, one column per task")
    dis.add_argument("--segment-length", type=int, default=2, help="steps per segment (L)")
    dis.add_argument("--alpha", type=float, default=0.05, help="significance level")
    dis.add_argument("--test", default="fisherz", help="CI test name (fisherz, cmi, …)")
    dis.add_argument("--combine", default="any", help="decision rule (any, simes, bonferroni)")
    dis.add_argument(
        "--correction", default="none", help="multiplicity correction (none, holm, bh)"
    )
    dis.add_argument("--out", default="task_structure.csv", help="where the table is written")
    args = parser.parse_args(argv)
    if args.command == "sportshhi-eval":
        return _sportshhi_eval(args)
    if args.command == "discover":
        return _discover(args)
    ws = ws or Workspace()
    try:
        if args.command == "list":
            from specialist.pipeline.execute import fmt_seconds

            rows = list_artefacts(ws, args.profile)
            width = max((len(r["artefact"]) for r in rows), default=8)
            print(
                f"profile {args.profile} (available: {', '.join(available_profiles(ws.profiles))})"
            )
            for r in rows:
                t = r["last_wall_time_s"]
                last = f" last run {fmt_seconds(t)}" if t is not None else ""
                print(f"  {r['artefact']:<{width}}  {r['notebook']:<24} {r['state']}{last}")
            return 0
        if args.tag is not None:
            ws = tagged_workspace(ws, args.tag)
        outcomes = reproduce(
            ws, args.profile, args.only, args.force, args.overrides, args.scheduler
        )
        if ws.tag:
            print(
                f"tagged run {ws.tag!r}: results in {ws.results}; build its book with "
                f"`jupyter-book build {ws.book}` (the main book still shows the published run)"
            )
    except ConfigError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    return 1 if any(o.status == "failed" for o in outcomes) else 0
