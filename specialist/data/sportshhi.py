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
    ``item { name: "pass" id: 3 }`` blocks, as in AVA-style label maps.

Keying
------
Ground-truth rows key on ``(video_id, frame_id // 5)``; prediction rows key on
``(video_id, <second column>)`` as given. DataFrame inputs follow the same rule (a ``keyframe``
column, if present, is used as it is for either).

Evaluation (:func:`evaluate_map`)
---------------------------------
Per keyframe and class, detections are taken in decreasing score; each is matched to the
unmatched ground-truth pair with the largest pair overlap ``min(IoU(box 1), IoU(box 2))``,
provided **both** boxes reach ``iou_threshold`` (person 1 to person 1, person 2 to person 2: an
interaction is directed; the official default threshold is 0.9). A detection without such a pair
(including a duplicate of an already matched pair) is a false positive. AP per class is the area
under the precision envelope (VOC 2010+, all points). Two protocols:

``protocol="official"`` (default), as SportsHHI's evaluation code computes it
    only keyframes that have ground truth are scored (predictions on other keyframes are
    ignored, like its ``ignore_empty_frames=True``); mAP is the NaN-mean over the classes
    predicted on scored keyframes: a class with ground truth and no prediction is left out, a
    predicted class without ground truth has AP NaN. ``pred_max`` keeps each keyframe's
    ``pred_max`` highest-scoring rows, as the official code can.
``protocol="strict"``
    every prediction counts (a detection on a keyframe without ground truth is a false
    positive), and every class with ground truth is scored (no prediction: AP 0).

``Recall@K`` is the share of ground-truth pairs matched by the ``K`` highest-scoring scored
detections of their keyframe (all classes together).
"""

from __future__ import annotations

import csv
import io
import re
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
    """``{id: name}`` from an AVA-style ``.pbtxt`` label map (path or text)."""
    if isinstance(source, str | Path) and Path(source).is_file():
        name, text = str(source), Path(source).read_text()
    elif isinstance(source, str) and "item" in source:
        name, text = "<label map>", source
    else:
        raise FileNotFoundError(f"label map file not found: {source}")
    items = re.findall(r"item\s*\{(.*?)\}", text, flags=re.S)
    if not items:
        raise FormatError(f"{name}: no 'item {{ name: ... id: ... }}' entries found")
    out: dict[int, str] = {}
    for k, body in enumerate(items, start=1):
        label = re.search(r"\bname\s*:\s*[\"']([^\"']*)[\"']", body)
        ident = re.search(r"\b(?:label_)?id\s*:\s*(-?\d+)", body)
        if label is None or ident is None:
            raise FormatError(f"{name}: item {k} needs both a quoted name and an integer id")
        if int(ident.group(1)) in out:
            raise FormatError(f"{name}: item {k} repeats id {ident.group(1)}")
        out[int(ident.group(1))] = label.group(1)
    return out


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
    """Write ``frame`` in the official schema (no header, ``columns`` in order)."""
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(f"cannot write {path}: missing column(s) {missing}")
    frame.loc[:, list(columns)].to_csv(path, header=False, index=False, float_format="%.6f")


def _as_frame(
    data, columns: Sequence[str], file_columns: Sequence[str], what: str, stride: int
) -> pd.DataFrame:
    """``data`` as a DataFrame: a frame needs ``columns``; a file must have ``file_columns``.
    The keyframe is ``frame_id // stride`` unless a ``keyframe`` column is given."""
    if isinstance(data, pd.DataFrame):
        missing = [c for c in columns if c not in data.columns]
        if missing:
            raise ValueError(f"{what} is missing column(s) {missing}; expected {list(columns)}")
        frame = data.copy()
        if "keyframe" not in frame.columns:
            frame["keyframe"] = frame["frame_id"].astype(np.int64) // stride
        frame["video_id"] = frame["video_id"].astype(str)
        return frame
    return _parse(data, file_columns, what, None, stride)


# -- evaluation ------------------------------------------------------------------------------
def box_iou(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """IoU of every box in ``a`` ``(n, 4)`` with every box in ``b`` ``(m, 4)``: ``(n, m)``.

    Boxes are ``(x1, y1, x2, y2)``; two empty boxes have IoU 0.
    """
    a, b = np.asarray(a, float).reshape(-1, 4), np.asarray(b, float).reshape(-1, 4)
    lo = np.maximum(a[:, None, :2], b[None, :, :2])
    hi = np.minimum(a[:, None, 2:], b[None, :, 2:])
    inter = np.prod(np.clip(hi - lo, 0.0, None), axis=2)
    area_a = np.prod(a[:, 2:] - a[:, :2], axis=1)
    area_b = np.prod(b[:, 2:] - b[:, :2], axis=1)
    union = area_a[:, None] + area_b[None, :] - inter
    return np.divide(inter, union, out=np.zeros_like(inter), where=union > 0)


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


def _match(gt: pd.DataFrame, pred: pd.DataFrame, iou_threshold: float):
    """Greedy matching of ``pred`` (in score order) to ``gt``, per (video, keyframe, class).

    Within each group, detections are taken in row order (``pred`` is sorted by score); each
    takes the free ground-truth pair of largest pair overlap (the first of equal ones, in
    ``gt`` row order) among those whose two boxes reach ``iou_threshold``. Every group is
    matched at once: step ``r`` handles the ``r``-th detection of every group, so the Python
    loop runs over the largest number of detections of one group, not over detections.

    Returns ``(is_tp, matched_gt)``: per prediction row, whether it is a true positive and
    the ``gt`` row it matched (-1 if none).
    """
    n_pred = len(pred)
    is_tp = np.zeros(n_pred, dtype=bool)
    matched_gt = np.full(n_pred, -1)
    if n_pred == 0 or len(gt) == 0:
        return is_tp, matched_gt
    keys = ["video_id", "keyframe", "label"]
    gt_keys = pd.MultiIndex.from_frame(gt[keys].astype({"keyframe": np.int64, "label": np.int64}))
    pred_keys = pd.MultiIndex.from_frame(
        pred[keys].astype({"keyframe": np.int64, "label": np.int64})
    )
    gt_code, uniques = pd.factorize(gt_keys)
    group_of = uniques.get_indexer(pred_keys)  # -1: no ground truth in the group
    dets = np.flatnonzero(group_of >= 0)  # in score order
    if dets.size == 0:
        return is_tp, matched_gt
    # ground-truth rows of every group, in row order, padded with -1
    order = np.argsort(gt_code, kind="stable")
    counts = np.bincount(gt_code, minlength=len(uniques))
    width = int(counts.max())
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    slot = np.arange(len(order)) - np.repeat(starts, counts)
    members = np.full((len(uniques), width), -1)
    members[gt_code[order], slot] = order
    gt_boxes = gt.loc[:, list(BOX_COLUMNS)].to_numpy(float)
    pred_boxes = pred.loc[:, list(BOX_COLUMNS)].to_numpy(float)
    cand = members[group_of[dets]]  # (n_dets, width) gt rows
    valid = cand >= 0
    boxes = gt_boxes[np.where(valid, cand, 0)]  # (n_dets, width, 8)
    own = pred_boxes[dets][:, None, :]
    overlap = np.minimum(
        _iou_rows(own[..., :4], boxes[..., :4]), _iou_rows(own[..., 4:], boxes[..., 4:])
    )
    eligible = valid & (overlap >= iou_threshold)
    # rank of each detection within its group (score order)
    det_group = group_of[dets]
    rank = pd.Series(det_group).groupby(det_group, sort=False).cumcount().to_numpy()
    free = np.ones((len(uniques), width), dtype=bool)
    for r in range(int(rank.max()) + 1):
        at = np.flatnonzero(rank == r)
        g = det_group[at]
        candidates = np.where(free[g] & eligible[at], overlap[at], -1.0)
        best = np.argmax(candidates, axis=1)
        hit = candidates[np.arange(at.size), best] >= 0
        free[g[hit], best[hit]] = False
        rows = dets[at[hit]]
        is_tp[rows] = True
        matched_gt[rows] = cand[at[hit], best[hit]]
    return is_tp, matched_gt


def _iou_rows(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """IoU of boxes ``a`` and ``b`` (``(..., 4)``, broadcast), as :func:`box_iou` computes it."""
    lo = np.maximum(a[..., :2], b[..., :2])
    hi = np.minimum(a[..., 2:], b[..., 2:])
    side = np.clip(hi - lo, 0.0, None)
    inter = side[..., 0] * side[..., 1]
    area_a = (a[..., 2] - a[..., 0]) * (a[..., 3] - a[..., 1])
    area_b = (b[..., 2] - b[..., 0]) * (b[..., 3] - b[..., 1])
    union = area_a + area_b - inter
    return np.divide(inter, union, out=np.zeros_like(inter), where=union > 0)


@dataclass(frozen=True)
class MapResult:
    """Outcome of :func:`evaluate_map`.

    Attributes
    ----------
    map : the NaN-mean of ``per_class`` (``nan`` if no class is scored)
    per_class : ``{label: AP}`` of every scored class (official protocol: the classes predicted
        on scored keyframes, NaN for one without ground truth; strict: every class with ground
        truth)
    n_gt, n_pred : ``{label: count}`` of ground-truth pairs and of detections
    recall : ``{K: Recall@K}``
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


#: the accepted values of ``evaluate_map(protocol=...)``
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
    iou_threshold : IoU both person boxes must reach, in (0, 1]; 0.9 is the official default,
        0.5 also appears
    classes : labels to evaluate (default: every label in ``gt`` or ``pred``); detections of
        other labels are ignored
    recall_at : the ``K`` of ``Recall@K``
    protocol : ``"official"`` (SportsHHI's evaluation code) or ``"strict"``
    pred_max : keep only each keyframe's ``pred_max`` highest-scoring predictions (>= 1), or
        ``None`` for all
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
    gt = _as_frame(gt, ANNOTATION_COLUMNS[:11], ANNOTATION_COLUMNS, "gt", KEYFRAME_STRIDE)
    pred = _as_frame(pred, PREDICTION_COLUMNS, PREDICTION_COLUMNS, "pred", 1)

    # ties in score keep file order (stable sort)
    pred = pred.sort_values("score", ascending=False, kind="stable").reset_index(drop=True)
    if pred_max is not None:  # per keyframe, over all classes, before anything else
        rank = pred.groupby(["video_id", "keyframe"], sort=False).cumcount()
        pred = pred[rank.to_numpy() < pred_max].reset_index(drop=True)
    if protocol == "official":  # only keyframes with ground truth are scored
        scored = pd.MultiIndex.from_frame(gt[["video_id", "keyframe"]].drop_duplicates())
        keys = pd.MultiIndex.from_frame(pred[["video_id", "keyframe"]])
        pred = pred[keys.isin(scored)].reset_index(drop=True)
    if classes is None:
        labels = sorted(set(gt["label"].astype(int)) | set(pred["label"].astype(int)))
    else:
        labels = sorted({int(c) for c in classes})
    gt = gt[gt["label"].isin(labels)].reset_index(drop=True)
    pred = pred[pred["label"].isin(labels)].reset_index(drop=True)

    # one greedy matching per (video, keyframe, class), all groups at once (_match)
    is_tp, matched_gt = _match(gt, pred, float(iou_threshold))

    per_class, n_gt, n_pred = {}, {}, {}
    for label in labels:
        n = int((gt["label"] == label).sum())
        mask = (pred["label"] == label).to_numpy()
        n_pred[label] = int(mask.sum())
        if n > 0:
            n_gt[label] = n
        if protocol == "official":
            if n_pred[label] == 0:
                continue  # never predicted on a scored keyframe: left out
            per_class[label] = average_precision(is_tp[mask], n)  # NaN without ground truth
        elif n > 0:
            per_class[label] = average_precision(is_tp[mask], n)  # 0 without a prediction
    values = [v for v in per_class.values() if np.isfinite(v)]
    mean_ap = float(np.mean(values)) if values else float("nan")

    recall = {}
    rank = pred.groupby(["video_id", "keyframe"], sort=False).cumcount().to_numpy()
    for k in ks:
        hit = np.unique(matched_gt[(rank < k) & is_tp])
        recall[k] = float(hit.size / len(gt)) if len(gt) else float("nan")
    return MapResult(mean_ap, per_class, n_gt, n_pred, recall, float(iou_threshold), protocol)
