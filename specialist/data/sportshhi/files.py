"""SportsHHI's official file format: read and write annotations, predictions and label maps.

Formats (CSV without header; a header row with exactly these names is also accepted)
---------------------------------------------------------------------------------------
annotations, 13 columns
    ``video_id, frame_id, x11, y11, x12, y12, x21, y21, x22, y22, label, p1_id, p2_id``:
    box of person 1 ``(x11, y11)–(x12, y12)``, box of person 2 ``(x21, y21)–(x22, y22)``,
    normalised to ``[0, 1]`` with ``x1 <= x2`` and ``y1 <= y2``; ``label`` an interaction class
    id; ``p1_id, p2_id`` track ids of the two persons. The keyframe of a row is
    ``frame_id // 5``.
predictions, 12 columns
    the first 11 annotation columns and a ``score`` (higher = more confident). The second
    column holds the **keyframe index** (``frame_id // 5`` of the frame it refers to), as
    SportsHHI's official prediction writer produces it; it is used as given.
label map (``.pbtxt``)
    AVA-style, one field per line, as SportsHHI's official reader needs it
    (:func:`read_label_map`)::

        item {
          name: "pass"
          id: 3
        }

Keying
------
Ground-truth rows key on ``(video_id, frame_id // 5)``; prediction rows key on
``(video_id, <second column>)`` as given. DataFrame inputs follow the same rule (a ``keyframe``
column, if present, is used as it is for either).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

#: the box columns, person 1 then person 2, each ``(x1, y1, x2, y2)``
BOX_COLUMNS = ("x11", "y11", "x12", "y12", "x21", "y21", "x22", "y22")
#: the 13 columns of a ground-truth file, in order
ANNOTATION_COLUMNS = ("video_id", "frame_id", *BOX_COLUMNS, "label", "p1_id", "p2_id")
#: the 12 columns of a prediction file, in order (the second holds the keyframe index)
PREDICTION_COLUMNS = ("video_id", "frame_id", *BOX_COLUMNS, "label", "score")
#: frames per keyframe (SportsHHI's keyframe of a frame is ``frame_id // 5``)
KEYFRAME_STRIDE = 5

_INTEGER = {"frame_id", "label", "p1_id", "p2_id"}


class FormatError(ValueError):
    """A SportsHHI file does not follow the official format; the message names file and row."""


# -- reading ---------------------------------------------------------------------------------
def _rows(source, what: str) -> tuple[str, list[list[str]]]:
    """The rows of a CSV file, path or text buffer, and a name for error messages."""
    if isinstance(source, str | Path):
        path = Path(source)
        if not path.is_file():
            raise FileNotFoundError(f"{what} file not found: {path}")
        with path.open(newline="") as handle:
            return str(path), list(csv.reader(handle))
    if isinstance(source, io.IOBase | io.StringIO):
        return f"<{what}>", list(csv.reader(source))
    raise TypeError(f"{what} must be a path or a text buffer, got {type(source).__name__}")


def _parse(source, columns: Sequence[str], what: str, labels: Iterable[int] | None, stride: int):
    name, rows = _rows(source, what)
    if rows and [c.strip() for c in rows[0]] == list(columns):
        rows, offset = rows[1:], 2  # a header row is accepted
    else:
        offset = 1
    records = []
    for i, row in enumerate(rows):
        line = i + offset
        if not row or all(not c.strip() for c in row):
            continue  # blank line
        if len(row) != len(columns):
            raise FormatError(
                f"{name}, row {line}: expected {len(columns)} columns "
                f"({', '.join(columns)}), got {len(row)}"
            )
        record: dict[str, object] = {"video_id": row[0].strip()}
        for col, cell in zip(columns[1:], row[1:], strict=True):
            try:
                value = float(cell)
            except ValueError:
                raise FormatError(
                    f"{name}, row {line}: column {col} must be a number, got {cell.strip()!r}"
                ) from None
            if not np.isfinite(value):
                raise FormatError(f"{name}, row {line}: column {col} is not finite ({cell!r})")
            if col in _INTEGER:
                if value != int(value):
                    raise FormatError(
                        f"{name}, row {line}: column {col} must be an integer, got {cell.strip()!r}"
                    )
                value = int(value)
            record[col] = value
        _check_boxes(record, name, line)
        if labels is not None and record["label"] not in labels:
            raise FormatError(
                f"{name}, row {line}: unknown label {record['label']} "
                f"(the label map has {sorted(labels)})"
            )
        records.append(record)
    frame = pd.DataFrame.from_records(records, columns=list(columns))
    frame["video_id"] = frame["video_id"].astype(str)
    for col in _INTEGER & set(columns):
        frame[col] = frame[col].astype(np.int64)
    frame["keyframe"] = frame["frame_id"] // stride
    return frame


def _check_boxes(record: Mapping[str, object], name: str, line: int) -> None:
    for person in ("1", "2"):
        x1, y1, x2, y2 = (record[f"{a}{person}{b}"] for a, b in ("x1", "y1", "x2", "y2"))
        for col, value in zip(
            (f"x{person}1", f"y{person}1", f"x{person}2", f"y{person}2"),
            (x1, y1, x2, y2),
            strict=True,
        ):
            if not 0.0 <= value <= 1.0:
                raise FormatError(
                    f"{name}, row {line}: box coordinate {col} = {value} is outside [0, 1] "
                    "(boxes are normalised by the frame size)"
                )
        if x1 > x2 or y1 > y2:
            raise FormatError(
                f"{name}, row {line}: the box of person {person} is inverted "
                f"(x1={x1}, y1={y1}, x2={x2}, y2={y2}; need x1 <= x2 and y1 <= y2)"
            )


def read_label_map(source) -> dict[int, str]:
    """``{id: name}`` from an AVA-style ``.pbtxt`` label map (path or text), exactly as
    SportsHHI's official reader (``read_labelmap_hhi``) reads it.

    The official reader goes line by line and reads only lines that start with two spaces and
    ``name:`` (the name in double quotes) or ``id:`` / ``label_id:``, so each item must be
    written over several lines::

        item {
          name: "pass"
          id: 3
        }

    A file it would read differently is refused (:class:`FormatError`) rather than read some
    other way: the one-line layout ``item { name: "pass" id: 3 }`` (the official reader finds
    0 classes in it, and its evaluation then fails), other indentation, single quotes. So a
    label map accepted here gives the official code the same classes.
    """
    if isinstance(source, str | Path) and Path(source).is_file():
        name, text = str(source), Path(source).read_text()
    elif isinstance(source, str) and "item" in source:
        name, text = "<label map>", source
    else:
        raise FileNotFoundError(f"label map file not found: {source}")
    items = re.findall(r"item\s*\{(.*?)\}", text, flags=re.S)
    if not items:
        raise FormatError(f"{name}: no 'item {{ ... }}' entries found")
    out: dict[int, str] = {}
    for k, body in enumerate(items, start=1):
        label = re.search(r"\bname\s*:\s*[\"']([^\"']*)[\"']", body)
        ident = re.search(r"\b(?:label_)?id\s*:\s*(-?\d+)", body)
        if label is None or ident is None:
            raise FormatError(f"{name}: item {k} needs both a quoted name and an integer id")
        if int(ident.group(1)) in out:
            raise FormatError(f"{name}: item {k} repeats id {ident.group(1)}")
        out[int(ident.group(1))] = label.group(1)
    official = _official_label_lines(text, name)
    if official != list(out.items()):
        raise FormatError(
            f"{name}: SportsHHI's official reader reads {len(official)} class(es) "
            f"{dict(official)} where the file lists {len(out)} {out}; it reads only lines "
            "'  name: \"...\"' and '  id: N' (two spaces, one field per line): write each "
            "item as 'item {', '  name: \"...\"', '  id: N', '}' on lines of their own"
        )
    return out


def _official_label_lines(text: str, name: str) -> list[tuple[int, str]]:
    """The ``(id, name)`` entries the official line-by-line reader finds in ``text``."""
    entries, current = [], ""
    for number, line in enumerate(text.splitlines(keepends=True), start=1):
        if line.startswith("  name:"):
            parts = line.split('"')
            if len(parts) < 2:
                raise FormatError(
                    f"{name}, line {number}: the name must be in double quotes (the official "
                    "reader fails on this line)"
                )
            current = parts[1]
        elif line.startswith("  id:") or line.startswith("  label_id:"):
            try:
                entries.append((int(line.strip().split(" ")[-1]), current))
            except ValueError:
                raise FormatError(
                    f"{name}, line {number}: write the id as 'id: N', nothing after it (the "
                    "official reader fails on this line)"
                ) from None
    return entries


def read_annotations(source, label_map: Mapping[int, str] | None = None) -> pd.DataFrame:
    """Ground truth in the official 13-column schema, validated, plus a ``keyframe`` column
    (``frame_id // 5``)."""
    labels = None if label_map is None else set(label_map)
    return _parse(source, ANNOTATION_COLUMNS, "annotations", labels, KEYFRAME_STRIDE)


def read_predictions(source, label_map: Mapping[int, str] | None = None) -> pd.DataFrame:
    """Predictions in the 12-column schema (annotation boxes + label + score), validated, plus
    a ``keyframe`` column: the second column as given (the official writer puts the keyframe
    index there)."""
    labels = None if label_map is None else set(label_map)
    return _parse(source, PREDICTION_COLUMNS, "predictions", labels, 1)


def write_csv(frame: pd.DataFrame, path, columns: Sequence[str]) -> None:
    """Write ``frame`` in the official schema (no header, ``columns`` in order): coordinates
    with 6 decimals, a ``score`` column at full precision (the shortest text that reads back
    as the same float), so that distinct scores stay distinct in the file."""
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(f"cannot write {path}: missing column(s) {missing}")
    out = frame.loc[:, list(columns)]
    if "score" in out.columns:
        out = out.assign(score=[repr(float(v)) for v in out["score"]])
    out.to_csv(path, header=False, index=False, float_format="%.6f")


def as_frame(
    data, columns: Sequence[str], file_columns: Sequence[str], what: str, stride: int
) -> pd.DataFrame:
    """``data`` as a DataFrame: a frame needs ``columns``; a file must have ``file_columns``.
    The keyframe is ``frame_id // stride`` unless a ``keyframe`` column is given (not copied:
    the caller only reads it)."""
    if isinstance(data, pd.DataFrame):
        missing = [c for c in columns if c not in data.columns]
        if missing:
            raise ValueError(f"{what} is missing column(s) {missing}; expected {list(columns)}")
        return data
    return _parse(data, file_columns, what, None, stride)
