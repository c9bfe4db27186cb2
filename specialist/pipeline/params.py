"""Artefact parameters: the notebook's ``parameters`` cell, the profiles and ``--set`` overrides.

Everything here runs before any notebook executes, so that a typo in a profile or on the command
line is reported at once, with the list of what is accepted.
"""

from __future__ import annotations

import ast
import io
import re
import tokenize
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

#: parameters the runner sets itself; profiles and ``--set`` may not touch them
RESERVED = ("profile", "output_dir")


class ConfigError(ValueError):
    """A profile, an override or an artefact name is not acceptable."""


#: a range declared at the end of a parameter's comment: ``[>= 1]``, ``[> 0]``, ``[<= 1]``,
#: ``[0..1]`` (both ends included), ``[open 0..1]`` (neither), ``[one of: a, b]``; ``each`` before it applies it to every
#: item of a list (``[each >= 2]``)
_RANGE = re.compile(
    r"\[(?P<each>each )?(?P<rule>(?:>=|>|<=|<) *-?[\d.e+]+|(?:open )?-?[\d.e+]+ *\.\. *-?[\d.e+]+|one of: [^\]]+)\]\s*$"
)


@dataclass(frozen=True)
class Param:
    """One parameter of a notebook: its default (which fixes its type), its help text and the
    range its comment declares (checked by :meth:`coerce`, by the runner before any notebook
    starts and by the notebook itself, :func:`check_namespace`)."""

    name: str
    default: Any
    help: str = ""

    @property
    def type_name(self) -> str:
        return _type_name(self.default)

    @property
    def accepted(self) -> str:
        """The declared range as written (``">= 1"``, ``"each >= 2"``), or ``""``."""
        m = _RANGE.search(self.help)
        return f"{m['each'] or ''}{m['rule']}" if m else ""

    def _in_range(self, value: Any) -> bool:
        m = _RANGE.search(self.help)
        if m is None:
            return True
        rule = m["rule"]
        items = value if m["each"] and isinstance(value, list | tuple) else [value]
        for item in items:
            if rule.startswith("one of:"):
                if str(item) not in [w.strip() for w in rule[len("one of:") :].split(",")]:
                    return False
                continue
            if not isinstance(item, int | float) or isinstance(item, bool):
                return False
            if ".." in rule:
                low, high = (float(v) for v in rule.removeprefix("open ").split(".."))
                ok = low < item < high if rule.startswith("open ") else low <= item <= high
            else:
                op, bound = re.match(r"(>=|>|<=|<) *(.+)", rule).groups()
                b = float(bound)
                ok = {">=": item >= b, ">": item > b, "<=": item <= b, "<": item < b}[op]
            if not ok:
                return False
        return True

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
        if not self._in_range(value):
            rule = self.accepted
            want = f"a list whose every item is {rule[5:]}" if rule.startswith("each ") else rule
            raise ConfigError(
                f"{where}: {self.name} must be {want} (declared in the notebook's parameters "
                f"cell), got {value!r}"
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
        lines = range(node.lineno, (node.end_lineno or node.lineno) + 1)
        help_ = " ".join(comments[i] for i in lines if i in comments)
        params[name] = Param(name, default, help_)
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


def check_namespace(
    artefact: str, namespace: dict[str, Any], notebooks: Path | None = None
) -> None:
    """Check the values a notebook runs with (its ``globals()`` after the parameters cell and
    anything papermill injected) against its declared parameters: the same types, ranges and
    messages as the runner's, for a notebook run by hand (``papermill -p seed abc``).

    Raises :class:`ConfigError` naming the parameter and what is accepted.
    """
    for name, param in declared_parameters(artefact, notebooks).items():
        if name in RESERVED or name not in namespace:
            continue
        param.coerce(namespace[name], where=f"{artefact} (run by hand)")


def declared_parameters(artefact: str, notebooks: Path | None = None) -> dict[str, Param]:
    """The parameters ``notebooks/<artefact>.py`` declares in its parameters cell."""
    import jupytext

    from specialist.paths import NOTEBOOKS_DIR

    path = Path(notebooks or NOTEBOOKS_DIR) / f"{artefact}.py"
    cells = [c for c in jupytext.read(path).cells if "parameters" in c.metadata.get("tags", [])]
    if not cells:
        raise ConfigError(f"{path.name}: no cell tagged 'parameters'")
    return parse_parameters_cell(cells[0].source, where=f"{path.name} parameters cell")
