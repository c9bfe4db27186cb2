"""Artefacts and plans: which notebooks regenerate which artefact, with which parameters.

An artefact is a jupytext notebook ``notebooks/<artefact>.py`` with a ``parameters`` cell; a
plan is one artefact with its parameters resolved for one profile (and the ``--set``
overrides), validated before anything runs.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from specialist import provenance as prov
from specialist.paths import REPO_ROOT, Workspace
from specialist.pipeline.params import (
    RESERVED,
    ConfigError,
    Param,
    load_profile,
    parse_override,
    parse_parameters_cell,
    resolve_parameters,
)

DEFAULT_PROFILE = "paper"


#: artefacts that measure time: their runs always stay on this machine
TIMING_ARTEFACTS = ("tab2_runtime", "fig_scaling")


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
    #: the ``--set`` texts that changed this artefact's parameters, in the order given
    overrides: list[str] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.artefact.name


def regenerate_command(
    artefact: str, profile: str, overrides: Sequence[str] = (), tag: str | None = None
) -> str:
    """The command that regenerates one artefact as it was run, ``--set`` overrides and the
    run's ``--tag`` included (each quoted for a POSIX shell)."""
    import shlex

    command = f"python -m specialist reproduce --profile {profile} --only {artefact}"
    command += "".join(f" --set {shlex.quote(text)}" for text in overrides)
    return command + (f" --tag {tag}" if tag else "")


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
    texts: dict[str, list[str]] = {}
    for text in overrides or []:
        name, key, value = parse_override(text)
        if name not in artefacts:
            raise ConfigError(f"--set {text!r}: unknown artefact {name!r}; artefacts: {accepted}")
        by_artefact.setdefault(name, {})[key] = value
        texts.setdefault(name, []).append(text)
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
        plans.append(Plan(art, profile, params, overrides=texts.get(name, [])))
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
