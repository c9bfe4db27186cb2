"""SportsHHI's annotation format and its pair-IoU mAP evaluation.

SportsHHI (Wu et al., CVPR 2024) annotates human–human interactions in basketball and volleyball
videos: per keyframe, a (person-1 box, person-2 box, interaction class) triple. The data is
gated; this module reads and evaluates files in its official format, so that users who have the
data can score predictions, and so that our simulated benchmark is scored by the same code.

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

Evaluation (:func:`evaluate_map`)
---------------------------------
Rows of classes outside ``classes`` are dropped first. Per keyframe and class, detections are
taken in decreasing score; each is matched to the free ground-truth pair of largest pair
overlap ``min(IoU(box 1), IoU(box 2))`` among those whose two boxes **both** reach
``iou_threshold`` (person 1 to person 1, person 2 to person 2: an interaction is directed;
the official threshold is 0.9). A detection without such a pair (a duplicate of a matched pair
included) is a false positive. Per class, the detections of all scored keyframes are ranked
by score; AP is the VOC all-points area under the precision envelope (precision made
non-increasing from the right, summed over the recall steps), recall being TP over the
class's ground-truth pairs; AP is NaN for a class without ground truth. mAP is the mean of
the per-class APs, NaNs left out.

``protocol="official"`` (the default) reproduces ``hhi_eval`` of SportsHHI's evaluation code
(``MCG-NJU/SportsHHI``, ``mmaction/evaluation/functional/hhi_utils.py``, with the settings of
its ``HHIMetric``: ``ignore_empty_frames=True``, no exclusion file) to the last digit, its
quirks included. What it does, and what ``protocol="strict"`` (the corrected rules) does
instead:

1. *Scored keyframes*: only those with ground truth (of the kept classes); predictions
   elsewhere are ignored. Strict: every prediction counts, a false positive where there is
   no ground truth.
2. *Scored classes*: those predicted on a scored keyframe. A class with ground truth and no
   such prediction is left out of the mean (and of the recall); a predicted class without
   ground truth has AP NaN. The mean is ``np.nanmean`` over the classes in the order the
   official code first meets them. Strict: every class with ground truth, AP 0 without a
   prediction.
3. *Class filter, then* ``pred_max``: each keyframe's rows are sorted by decreasing float64
   score (Python's stable sort: ties keep row order), then cut to the first ``pred_max``.
   Strict: the same.
4. ``pred_max`` *also cuts the ground truth*: each keyframe keeps its first ``pred_max``
   ground-truth rows (row order), and AP counts only these. Strict: ground truth is never cut.
5. *float32*: detection boxes and scores are rounded to float32 (ground-truth boxes stay
   float64; the detection's box area is a float32 product): an IoU of exactly 0.9 can come
   out just below (0.8999999...), a miss. Strict: float64 throughout.
6. *Tied scores*: per class, the detections of the scored keyframes (keyframes in the order
   the ground truth first meets them, each keyframe's rows in its sorted order) are ranked by
   ``np.argsort(float32 scores)[::-1]``: NumPy's default sort is not stable, so ties (float32
   ties included) come out in an order that depends on the array, the NumPy version and the
   CPU (NumPy <= 1.23 sorts up to 16 elements by insertion, so there short ties come out in
   reverse order; NumPy 2 on x86 uses SIMD sorts that do not). The same call on the same
   array is made here, so the numbers are those of the official code run with the installed
   NumPy; the official code itself needs NumPy < 1.24 (it uses ``np.float``), and on files
   with ties its numbers can differ between the two. Without ties (distinct float32 scores,
   as Fig. 4's writers make them) they cannot. Strict: a stable sort, ties in row order.
7. *Equal overlaps*: a detection whose best free pairs tie takes the one first in
   ``np.argsort(overlap)[::-1]`` over the keyframe's pairs of that class (for a short row
   after an insertion sort, the last). Strict: the first in row order.
8. *Recall@K* is ``hhi_eval(pred_max=K)``'s recall: both inputs cut to ``K`` rows per
   keyframe (``min(K, pred_max)`` with ``pred_max``), matched pairs over ground-truth pairs,
   summed over the classes predicted on scored keyframes (NaN where there are none; the
   official code divides by zero). Strict: the share of all ground-truth pairs matched by the
   ``K`` highest-scoring detections of their keyframe (nothing cut).
9. *Threshold*: the official code always uses 0.9 (``tpfp_single``'s default);
   ``iou_threshold`` is applied as given under both protocols.

Not reproduced: the official exclusion file (its keyframes are not scored, but their ground
truth still counts in the AP denominators) and its failures: no ground truth at all, no
predicted class with ground truth, or a label map read as 0 classes make it raise; here they
give NaN, and a label map it would misread is refused (:func:`read_label_map`).
"""

from __future__ import annotations

import csv
import io
import re
import warnings
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
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


@dataclass(frozen=True)
class _Rows:
    """One input as arrays, rows in the order given: video codes (shared by both inputs, see
    :func:`_video_codes`), keyframes, boxes ``(n, 8)``, labels and scores (``None`` for GT)."""

    video: np.ndarray
    keyframe: np.ndarray
    boxes: np.ndarray
    label: np.ndarray
    score: np.ndarray | None

    def take(self, index) -> _Rows:
        return _Rows(
            self.video[index],
            self.keyframe[index],
            self.boxes[index],
            self.label[index],
            None if self.score is None else self.score[index],
        )


def _as_frame(
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


def _keyframes(frame: pd.DataFrame, stride: int) -> np.ndarray:
    if "keyframe" in frame.columns:
        return frame["keyframe"].to_numpy().astype(np.int64)
    return frame["frame_id"].to_numpy().astype(np.int64) // stride


def _video_codes(gt: pd.DataFrame, pred: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Integer codes of the video ids of both inputs, equal where ``str(video_id)`` is."""
    codes, uniques = pd.factorize(
        np.concatenate([gt["video_id"].to_numpy(object), pred["video_id"].to_numpy(object)]),
        use_na_sentinel=False,
    )
    names, _ = pd.factorize(np.array([str(u) for u in uniques], dtype=object))
    codes = names[codes]
    return codes[: len(gt)], codes[len(gt) :]


def _arrays(frame: pd.DataFrame, video: np.ndarray, stride: int, scored: bool) -> _Rows:
    return _Rows(
        video,
        _keyframes(frame, stride),
        frame.loc[:, list(BOX_COLUMNS)].to_numpy(np.float64),
        frame["label"].to_numpy().astype(np.int64),
        frame["score"].to_numpy(np.float64) if scored else None,
    )


def _codes(*keys: np.ndarray) -> np.ndarray:
    """Dense codes of the rows' key tuples, numbered in the order first met."""
    if len(keys[0]) == 0:
        return np.zeros(0, dtype=np.int64)
    combined = np.zeros(len(keys[0]), dtype=np.int64)
    span = 1
    for key in keys:
        lo, hi = int(key.min()), int(key.max())
        width = hi - lo + 1
        if span * width >= 2**62:  # too wide to pack: factorize the tuples
            index = pd.MultiIndex.from_arrays(list(keys))
            return pd.factorize(index)[0].astype(np.int64)
        combined = combined * width + (key - lo)
        span *= width
    return pd.factorize(combined)[0].astype(np.int64)


def _rank_within(group: np.ndarray) -> np.ndarray:
    """0-based position of each row among the rows of its group, in row order."""
    if group.size == 0:
        return np.zeros(0, dtype=np.int64)
    order = np.argsort(group, kind="stable")
    sorted_group = group[order]
    first = np.flatnonzero(np.r_[True, sorted_group[1:] != sorted_group[:-1]])
    starts = np.repeat(first, np.diff(np.r_[first, group.size]))
    rank = np.empty(group.size, dtype=np.int64)
    rank[order] = np.arange(group.size) - starts
    return rank


# -- evaluation ------------------------------------------------------------------------------
def box_iou(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """IoU of every box in ``a`` ``(n, 4)`` with every box in ``b`` ``(m, 4)``: ``(n, m)``.

    Boxes are ``(x1, y1, x2, y2)``; two empty boxes have IoU 0.
    """
    a, b = np.asarray(a, float).reshape(-1, 4), np.asarray(b, float).reshape(-1, 4)
    return _iou_rows(a[:, None, :], b[None, :, :])


def average_precision(tp: np.ndarray, n_gt: int) -> float:
    """VOC (2010+) AP of detections already sorted by decreasing score.

    ``tp`` marks true positives (1) and false positives (0); AP is the area under the
    precision envelope over all recall points. ``n_gt = 0`` is undefined: ``nan``.
    """
    if n_gt == 0:
        return float("nan")
    tp = np.asarray(tp, dtype=float)
    if tp.size == 0:
        return 0.0
    cum_tp = np.cumsum(tp)
    recall = np.concatenate([[0.0], cum_tp / n_gt, [1.0]])
    precision = np.concatenate([[0.0], cum_tp / np.arange(1, tp.size + 1), [0.0]])
    precision = np.maximum.accumulate(precision[::-1])[::-1]  # envelope
    steps = np.flatnonzero(recall[1:] != recall[:-1])
    return float(np.sum((recall[steps + 1] - recall[steps]) * precision[steps + 1]))


def _iou_rows(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """IoU of boxes ``a`` and ``b`` (``(..., 4)``, broadcast) in float64; 0 where the union
    is empty (the strict protocol)."""
    lo = np.maximum(a[..., :2], b[..., :2])
    hi = np.minimum(a[..., 2:], b[..., 2:])
    side = np.clip(hi - lo, 0.0, None)
    inter = side[..., 0] * side[..., 1]
    area_a = (a[..., 2] - a[..., 0]) * (a[..., 3] - a[..., 1])
    area_b = (b[..., 2] - b[..., 0]) * (b[..., 3] - b[..., 1])
    union = area_a + area_b - inter
    return np.divide(inter, union, out=np.zeros_like(inter), where=union > 0)


def _iou_official(det: np.ndarray, gt: np.ndarray) -> np.ndarray:
    """IoU as the official code computes it, bit for bit: ``det`` float32, ``gt`` float64.

    Intersections are float64 (the float32 coordinates are widened), the detection's area is a
    float32 product, the union ``(area_det + area_gt) - intersection`` and the ratio are
    float64; an empty union gives NaN (0 / 0), as there.
    """
    lo = np.maximum(det[..., :2], gt[..., :2])  # float32 with float64: float64
    hi = np.minimum(det[..., 2:], gt[..., 2:])
    side = np.maximum(hi - lo, 0.0)
    inter = side[..., 1] * side[..., 0]
    area_det = (det[..., 3] - det[..., 1]) * (det[..., 2] - det[..., 0])  # float32
    area_gt = (gt[..., 3] - gt[..., 1]) * (gt[..., 2] - gt[..., 0])
    union = area_det + area_gt - inter
    with np.errstate(divide="ignore", invalid="ignore"):
        return inter / union


def _match(
    gt_group: np.ndarray,
    gt_boxes: np.ndarray,
    det_group: np.ndarray,
    det_boxes: np.ndarray,
    iou_threshold: float,
    official: bool,
) -> tuple[np.ndarray, np.ndarray]:
    """Greedy matching of detections to ground truth, per (video, keyframe, class) group.

    ``gt_group`` holds each ground-truth row's group (``0 .. n_groups - 1``); ``det_group``
    each detection's group, or -1 for a group without ground truth. Within a group, the
    detections are taken in row order (the caller sorts them by score); each takes, among the
    free ground-truth pairs whose two boxes both reach ``iou_threshold``, the one of largest
    pair overlap ``min(IoU_1, IoU_2)``. Between pairs of equal overlap: ``official`` the one
    first in ``np.argsort(overlap)[::-1]`` over the group's pairs (the official loop's order;
    for a short row the last of them), otherwise the first in row order. ``official`` also
    computes IoUs as :func:`_iou_official` does (detection boxes rounded to float32).

    Every group is matched at once: step ``r`` handles the ``r``-th detection of every
    group, so the Python loop runs over the largest number of detections of one group.
    Returns ``(is_tp, matched_gt)``: per detection, whether it is a true positive and the
    ground-truth row it matched (-1 if none).
    """
    n_det = len(det_group)
    is_tp = np.zeros(n_det, dtype=bool)
    matched_gt = np.full(n_det, -1, dtype=np.int64)
    dets = np.flatnonzero(det_group >= 0)
    if dets.size == 0 or gt_group.size == 0:
        return is_tp, matched_gt
    n_groups = int(gt_group.max()) + 1
    # ground-truth rows of every group, in row order, padded with -1
    order = np.argsort(gt_group, kind="stable")
    counts = np.bincount(gt_group, minlength=n_groups)
    width = int(counts.max())
    starts = np.cumsum(counts) - counts
    slot = np.arange(order.size) - np.repeat(starts, counts)
    members = np.full((n_groups, width), -1, dtype=np.int64)
    members[gt_group[order], slot] = order
    det_g = det_group[dets]
    cand = members[det_g]  # (n_dets, width) ground-truth rows
    valid = cand >= 0
    boxes = gt_boxes[np.where(valid, cand, 0)]  # (n_dets, width, 8)
    if official:
        own = det_boxes[dets].astype(np.float32)[:, None, :]
        iou_1 = _iou_official(own[..., :4], boxes[..., :4])
        iou_2 = _iou_official(own[..., 4:], boxes[..., 4:])
        eligible = valid & (iou_1 >= iou_threshold) & (iou_2 >= iou_threshold)
        overlap = np.minimum(iou_1, iou_2)
    else:
        own = det_boxes[dets][:, None, :]
        overlap = np.minimum(
            _iou_rows(own[..., :4], boxes[..., :4]), _iou_rows(own[..., 4:], boxes[..., 4:])
        )
        eligible = valid & (overlap >= iou_threshold)
    keep = eligible.any(axis=1)  # a detection without an eligible pair is a FP: skip it
    rank = _rank_within(det_g)
    free = np.ones((n_groups, width), dtype=bool)
    by_rank = np.argsort(rank, kind="stable")
    bounds = np.searchsorted(rank[by_rank], np.arange(int(rank.max()) + 2))
    for r in range(int(rank.max()) + 1):
        at = by_rank[bounds[r] : bounds[r + 1]]
        at = at[keep[at]]
        if at.size == 0:
            continue
        g = det_g[at]
        values = np.where(free[g] & eligible[at], overlap[at], -np.inf)
        best = np.argmax(values, axis=1)
        top = values[np.arange(at.size), best]
        hit = top > -np.inf
        if official:
            tied = np.flatnonzero(hit & ((values == top[:, None]).sum(axis=1) > 1))
            for j in tied:  # the official loop's order decides (rare: exact ties)
                row, group = at[j], g[j]
                ranked = np.argsort(overlap[row, : counts[group]])[::-1]
                ok = free[group, ranked] & eligible[row, ranked]
                best[j] = ranked[np.argmax(ok)]
        free[g[hit], best[hit]] = False
        rows = dets[at[hit]]
        is_tp[rows] = True
        matched_gt[rows] = cand[at[hit], best[hit]]
    return is_tp, matched_gt


@dataclass(frozen=True)
class MapResult:
    """Outcome of :func:`evaluate_map`.

    Attributes
    ----------
    map : the NaN-mean of ``per_class`` (``nan`` if no class is scored)
    per_class : ``{label: AP}`` of every scored class (official protocol: the classes predicted
        on scored keyframes, NaN for one without ground truth; strict: every class with ground
        truth)
    n_gt, n_pred : ``{label: count}`` of the ground-truth pairs that AP counts (official with
        ``pred_max``: after the cut) and of the detections scored
    recall : ``{K: Recall@K}`` (see the module docstring: the two protocols differ)
    iou_threshold : the threshold used
    protocol : ``"official"`` or ``"strict"``
    """

    map: float
    per_class: dict[int, float]
    n_gt: dict[int, int]
    n_pred: dict[int, int]
    recall: dict[int, float] = field(default_factory=dict)
    iou_threshold: float = 0.9
    protocol: str = "official"

    def table(self, label_map: Mapping[int, str] | None = None) -> pd.DataFrame:
        """Per-class AP, ground-truth and detection counts as a DataFrame."""
        rows = [
            {
                "label": k,
                "name": (label_map or {}).get(k, str(k)),
                "ap": ap,
                "n_gt": self.n_gt.get(k, 0),
                "n_pred": self.n_pred.get(k, 0),
            }
            for k, ap in sorted(self.per_class.items())
        ]
        return pd.DataFrame(rows, columns=["label", "name", "ap", "n_gt", "n_pred"])


#: the accepted values of ``evaluate_map(protocol=...)``: ``"official"`` (SportsHHI's
#: evaluation code, quirks included) and ``"strict"`` (the corrected rules)
PROTOCOLS = ("official", "strict")


def evaluate_map(
    gt,
    pred,
    iou_threshold: float = 0.9,
    classes: Iterable[int] | None = None,
    recall_at: Sequence[int] = (1, 5, 10),
    protocol: str = "official",
    pred_max: int | None = None,
) -> MapResult:
    """Pair-IoU mAP of interaction detections (see the module docstring for the rules).

    Parameters
    ----------
    gt : DataFrame with the annotation columns, or a path / buffer of an annotation CSV
        (rows key on ``frame_id // 5``)
    pred : DataFrame with the prediction columns, or a path / buffer of a prediction CSV
        (rows key on their second column as given: the keyframe index)
    iou_threshold : IoU both person boxes must reach, in (0, 1]; 0.9 is the official default
        (the official code fixes it), 0.5 also appears
    classes : labels to evaluate (default: every label in ``gt`` or ``pred``; the official
        code's label-map ids or ``custom_classes``); rows of other labels are dropped first,
        before ``pred_max``
    recall_at : the ``K`` of ``Recall@K``
    protocol : ``"official"`` (SportsHHI's evaluation code, its quirks included) or
        ``"strict"`` (the corrected rules); see :data:`PROTOCOLS`
    pred_max : keep only each keyframe's ``pred_max`` highest-scoring predictions (>= 1)
        (official: and its first ``pred_max`` ground-truth rows), or ``None`` for all
    """
    if (
        isinstance(iou_threshold, bool)
        or not isinstance(iou_threshold, int | float)
        or not 0 < iou_threshold <= 1
    ):
        raise ValueError(f"iou_threshold must be a number in (0, 1], got {iou_threshold!r}")
    if protocol not in PROTOCOLS:
        raise ValueError(f"protocol must be one of {PROTOCOLS}, got {protocol!r}")
    if pred_max is not None and (
        isinstance(pred_max, bool) or not isinstance(pred_max, int) or pred_max < 1
    ):
        raise ValueError(f"pred_max must be None or an integer >= 1, got {pred_max!r}")
    ks = [int(k) for k in recall_at]
    if any(k < 1 for k in ks):
        raise ValueError(f"recall_at must hold integers >= 1, got {list(recall_at)!r}")
    if classes is not None:
        classes = sorted({int(c) for c in classes})
        if not classes:
            raise ValueError("classes must name at least one label (or be None for all)")
    gt_frame = _as_frame(gt, ANNOTATION_COLUMNS[:11], ANNOTATION_COLUMNS, "gt", KEYFRAME_STRIDE)
    pred_frame = _as_frame(pred, PREDICTION_COLUMNS, PREDICTION_COLUMNS, "pred", 1)
    gt_video, pred_video = _video_codes(gt_frame, pred_frame)
    g = _arrays(gt_frame, gt_video, KEYFRAME_STRIDE, scored=False)
    p = _arrays(pred_frame, pred_video, 1, scored=True)
    if classes is None:
        labels = sorted(set(g.label.tolist()) | set(p.label.tolist()))
    else:  # the class filter comes first (the official reader drops such rows on reading)
        labels = classes
        g = g.take(np.isin(g.label, labels))
        p = p.take(np.isin(p.label, labels))
    threshold = float(iou_threshold)
    if protocol == "official":
        return _evaluate_official(g, p, labels, threshold, ks, pred_max)
    return _evaluate_strict(g, p, labels, threshold, ks, pred_max)


def _evaluate_strict(g: _Rows, p: _Rows, labels, threshold, ks, pred_max) -> MapResult:
    """The corrected protocol (module docstring)."""
    # every detection in decreasing float64 score, ties in row order; then each keyframe's
    # first pred_max rows
    p = p.take(np.argsort(-p.score, kind="stable"))
    keyframe = _codes(np.r_[g.video, p.video], np.r_[g.keyframe, p.keyframe])
    g_kf, p_kf = keyframe[: len(g.label)], keyframe[len(g.label) :]
    rank = _rank_within(p_kf)
    if pred_max is not None:
        kept = rank < pred_max
        p, p_kf, rank = p.take(kept), p_kf[kept], rank[kept]
    gt_group, det_group = _groups(g_kf, g.label, p_kf, p.label)
    is_tp, matched_gt = _match(gt_group, g.boxes, det_group, p.boxes, threshold, official=False)

    per_class, n_gt, n_pred = {}, {}, {}
    for label in labels:
        n = int(np.count_nonzero(g.label == label))
        mask = p.label == label
        n_pred[label] = int(np.count_nonzero(mask))
        if n > 0:
            n_gt[label] = n
            per_class[label] = average_precision(is_tp[mask], n)  # 0 without a prediction
    values = [v for v in per_class.values() if np.isfinite(v)]
    mean_ap = float(np.mean(values)) if values else float("nan")
    recall = {}
    for k in ks:
        hit = np.unique(matched_gt[(rank < k) & is_tp])
        recall[k] = float(hit.size / len(g.label)) if len(g.label) else float("nan")
    return MapResult(mean_ap, per_class, n_gt, n_pred, recall, threshold, "strict")


def _groups(g_kf, g_label, p_kf, p_label) -> tuple[np.ndarray, np.ndarray]:
    """Group codes of (keyframe, class): ground truth ``0 .. n - 1``, detections -1 where
    their group has no ground truth."""
    codes = _codes(np.r_[g_kf, p_kf], np.r_[g_label, p_label])
    gt_group, det_group = codes[: len(g_kf)], codes[len(g_kf) :]
    n_groups = int(gt_group.max()) + 1 if gt_group.size else 0
    return gt_group, np.where(det_group < n_groups, det_group, -1)


def _evaluate_official(g: _Rows, p: _Rows, labels, threshold, ks, pred_max) -> MapResult:
    """SportsHHI's ``hhi_eval`` (module docstring), on the class-filtered rows."""
    # keyframes numbered in the order the ground truth first meets them: the official order
    keyframe = _codes(np.r_[g.video, p.video], np.r_[g.keyframe, p.keyframe])
    g_kf, p_kf = keyframe[: len(g.label)], keyframe[len(g.label) :]
    n_scored = int(g_kf.max()) + 1 if g_kf.size else 0
    scored = p_kf < n_scored  # predictions on keyframes without ground truth are ignored
    p, p_kf = p.take(scored), p_kf[scored]
    # each keyframe's rows by decreasing float64 score, ties in row order (Python's sorted),
    # the keyframes in their official order
    by_score = np.argsort(-p.score, kind="stable")
    order = by_score[np.argsort(p_kf[by_score], kind="stable")]
    p, p_kf = p.take(order), p_kf[order]
    p_rank, g_rank = _rank_within(p_kf), _rank_within(g_kf)  # g: in row order
    limit = _cut_limit(pred_max, p_rank, g_rank)
    run = _official_run(g, g_kf, g_rank, p, p_kf, p_rank, labels, threshold, limit)
    is_tp, kept, gt_count = run

    # per class: the detections of every scored keyframe, keyframes in order, each in its
    # order, ranked by np.argsort(float32 scores)[::-1] as the official code ranks them
    d_label, d_score, d_kf = p.label[kept], p.score[kept], p_kf[kept]
    per_class: dict[int, float] = {}
    for label in np.unique(d_label).tolist():
        mask = d_label == label
        ranked = np.argsort(d_score[mask].astype(np.float32))[::-1]
        n = gt_count[label]
        per_class[label] = average_precision(is_tp[mask][ranked], n) if n else float("nan")
    aps = [per_class[c] for c in _official_class_order(d_label, d_kf)]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all NaN (or none): NaN
        mean_ap = float(np.nanmean(aps)) if aps else float("nan")
    n_gt = {c: n for c, n in gt_count.items() if n > 0}
    n_pred = {c: int(np.count_nonzero(d_label == c)) for c in labels}

    recall = {}
    for k in ks:
        cut = _cut_limit(k if pred_max is None else min(k, pred_max), p_rank, g_rank)
        if cut == limit:
            tp_k, kept_k, count_k = run
        else:
            tp_k, kept_k, count_k = _official_run(
                g, g_kf, g_rank, p, p_kf, p_rank, labels, threshold, cut
            )
        predicted = [c for c in np.unique(p.label[kept_k]).tolist() if count_k[c] > 0]
        total_gt = sum(count_k[c] for c in predicted)
        total_tp = int(np.count_nonzero(tp_k & np.isin(p.label[kept_k], predicted)))
        recall[k] = total_tp / total_gt if total_gt else float("nan")
    per_class = dict(sorted(per_class.items()))
    return MapResult(mean_ap, per_class, n_gt, n_pred, recall, threshold, "official")


def _cut_limit(pred_max, p_rank, g_rank) -> int | None:
    """``pred_max`` as a cut, or ``None`` where it removes no row of either input."""
    longest = max(
        int(p_rank.max()) + 1 if p_rank.size else 0, int(g_rank.max()) + 1 if g_rank.size else 0
    )
    return None if pred_max is None or pred_max >= longest else int(pred_max)


def _official_run(g, g_kf, g_rank, p, p_kf, p_rank, labels, threshold, limit):
    """One ``hhi_eval`` matching with each keyframe cut to its first ``limit`` rows (both
    inputs; ``None``: no cut). Returns the TP flags of the kept detections, the mask of the
    kept detections and ``{label: ground-truth pairs kept}``."""
    if limit is None:
        g_keep = np.ones(g_rank.size, dtype=bool)
        kept = np.ones(p_rank.size, dtype=bool)
    else:
        g_keep, kept = g_rank < limit, p_rank < limit
    gt_group, det_group = _groups(g_kf[g_keep], g.label[g_keep], p_kf[kept], p.label[kept])
    is_tp, _ = _match(gt_group, g.boxes[g_keep], det_group, p.boxes[kept], threshold, official=True)
    kept_labels = g.label[g_keep]
    gt_count = {c: int(np.count_nonzero(kept_labels == c)) for c in labels}
    return is_tp, kept, gt_count


def _official_class_order(label: np.ndarray, keyframe: np.ndarray) -> list[int]:
    """The classes in the order the official code first meets them (the order its mean
    adds them up): by the first keyframe (in keyframe order) that predicts them, and within
    a keyframe in the iteration order of ``set(labels)`` of that keyframe's rows."""
    if label.size == 0:
        return []
    classes, first = np.unique(label, return_index=True)  # rows are in keyframe order
    out: list[int] = []
    for kf in sorted(set(keyframe[first].tolist())):
        rows = np.flatnonzero(keyframe == kf)
        new = set(classes[keyframe[first] == kf].tolist())
        out.extend(c for c in set(label[rows].tolist()) if c in new)
    return out
