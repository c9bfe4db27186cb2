"""Artefact parameters: the notebook's ``parameters`` cell, the profiles and ``--set`` overrides.

Everything here runs before any notebook executes, so that a typo in a profile or on the command
line is reported at once, with the list of what is accepted.
"""

from __future__ import annotations

import ast
import io
import tokenize
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

#: parameters the runner sets itself; profiles and ``--set`` may not touch them
RESERVED = ("profile", "output_dir")


class ConfigError(ValueError):
    """A profile, an override or an artefact name is not acceptable."""


@dataclass(frozen=True)
class Param:
    """One parameter of a notebook: its default (which fixes its type) and its help text."""

    name: str
    default: Any
    help: str = ""

    @property
    def type_name(self) -> str:
        return _type_name(self.default)

    def coerce(self, value: Any, where: str) -> Any:
        """Return ``value`` checked against the default's type, or raise :class:`ConfigError`."""
        default = self.default
        if default is None:
            return value
        ok: bool
        if isinstance(default, bool):
            ok = isinstance(value, bool)
        elif isinstance(default, int):
            ok = isinstance(value, int) and not isinstance(value, bool)
        elif isinstance(default, float):
            ok = isinstance(value, int | float) and not isinstance(value, bool)
            value = float(value) if ok else value
        elif isinstance(default, list | tuple):
            ok = isinstance(value, list | tuple)
            value = list(value) if ok else value
        else:
            ok = isinstance(value, type(default))
        if not ok:
            raise ConfigError(
                f"{where}: {self.name} must be {self.type_name} (like the default "
                f"{default!r}), got {_type_name(value)} {value!r}"
            )
        return value


def _type_name(value: Any) -> str:
    if value is None:
        return "None"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list | tuple):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__


def parse_parameters_cell(source: str, where: str = "parameters cell") -> dict[str, Param]:
    """Read ``name = literal  # help`` assignments from a notebook's parameters cell."""
    try:
        tree = ast.parse(source)
    except SyntaxError as err:
        raise ConfigError(f"{where}: not valid Python ({err.msg}, line {err.lineno})") from err
    comments = _line_comments(source)
    params: dict[str, Param] = {}
    for node in tree.body:
        if not (
            isinstance(node, ast.Assign)
            and len(node.targets) == 1
            and isinstance(node.targets[0], ast.Name)
        ):
            raise ConfigError(
                f"{where}, line {node.lineno}: only simple assignments `name = literal` "
                "are allowed in a parameters cell"
            )
        name = node.targets[0].id
        try:
            default = ast.literal_eval(node.value)
        except ValueError as err:
            raise ConfigError(
                f"{where}, line {node.lineno}: the default of {name} must be a literal"
            ) from err
        params[name] = Param(name, default, comments.get(node.lineno, ""))
    return params


def _line_comments(source: str) -> dict[int, str]:
    out = {}
    for tok in tokenize.generate_tokens(io.StringIO(source).readline):
        if tok.type == tokenize.COMMENT:
            out[tok.start[0]] = tok.string.lstrip("#").strip()
    return out


def available_profiles(profiles_dir: Path) -> list[str]:
    return sorted(p.stem for p in profiles_dir.glob("*.yaml"))


def load_profile(profiles_dir: Path, profile: str) -> dict[str, dict[str, Any]]:
    """Read ``<profiles_dir>/<profile>.yaml``: ``{artefact: {parameter: value}}``."""
    names = available_profiles(profiles_dir)
    if not names:
        raise ConfigError(
            f"no parameter profiles in {profiles_dir}: the notebooks and their profiles are not "
            "there (the installed package does not carry them). Run the command from a checkout "
            "of the repository, which holds notebooks/ and notebooks/params/"
        )
    if profile not in names:
        raise ConfigError(f"unknown profile {profile!r}; available profiles: {', '.join(names)}")
    path = profiles_dir / f"{profile}.yaml"
    try:
        data = yaml.safe_load(path.read_text()) or {}
    except yaml.YAMLError as err:
        raise ConfigError(f"{path}: not valid YAML: {err}") from err
    if not isinstance(data, dict) or not all(isinstance(v, dict | None) for v in data.values()):
        raise ConfigError(f"{path}: must map each artefact name to a mapping of parameters")
    return {k: dict(v or {}) for k, v in data.items()}


def parse_override(text: str) -> tuple[str, str, Any]:
    """``"fig3_structure.n_runs=3"`` → ``("fig3_structure", "n_runs", 3)`` (value read as YAML)."""
    key, sep, raw = text.partition("=")
    artefact, dot, param = key.strip().partition(".")
    if not sep or not dot or not artefact or not param:
        raise ConfigError(f"--set {text!r}: expected ARTEFACT.KEY=VALUE, e.g. fig2_band_set.seed=1")
    try:
        value = yaml.safe_load(raw) if raw.strip() else ""
    except yaml.YAMLError as err:
        raise ConfigError(f"--set {text!r}: value is not valid YAML: {err}") from err
    return artefact, param.strip(), value


def resolve_parameters(
    artefact: str,
    declared: dict[str, Param],
    profile_values: dict[str, Any],
    overrides: dict[str, Any],
    profile: str,
) -> dict[str, Any]:
    """Defaults, then the profile's values, then overrides; every key and type checked."""
    accepted = [n for n in declared if n not in RESERVED]
    resolved = {n: p.default for n, p in declared.items() if n not in RESERVED}
    for source, values in ((f"profile {profile!r}", profile_values), ("--set", overrides)):
        for key, value in values.items():
            where = f"{source}, artefact {artefact}"
            if key in RESERVED:
                raise ConfigError(f"{where}: {key} is set by the runner and cannot be changed")
            if key not in declared:
                raise ConfigError(
                    f"{where}: unknown parameter {key!r}; accepted: {', '.join(accepted)}"
                )
            resolved[key] = declared[key].coerce(value, where)
    return resolved
