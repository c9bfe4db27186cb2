"""Pair-IoU mAP of predictions against ground truth (:func:`evaluate_map`), under the official
protocol of SportsHHI's evaluation code or the strict one.

Rules
-----
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

Protocols
---------
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
give NaN, and a label map it would misread is refused (:func:`~specialist.data.sportshhi.files.read_label_map`).
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from os import PathLike
from typing import IO

import numpy as np
import pandas as pd

from specialist.data.sportshhi.files import (
    ANNOTATION_COLUMNS,
    KEYFRAME_STRIDE,
    PREDICTION_COLUMNS,
    as_frame,
)
from specialist.data.sportshhi.matching import (
    Rows,
    as_rows,
    average_precision,
    key_codes,
    match_detections,
    rank_within,
    video_codes,
)


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
    gt: pd.DataFrame | str | PathLike[str] | IO[str],
    pred: pd.DataFrame | str | PathLike[str] | IO[str],
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

    Examples
    --------
    Two ground-truth interactions on frame 10 (keyframe ``10 // 5 = 2``) and two predictions
    on keyframe 2: class 3 finds its pair, class 4 swaps the two persons (an interaction is
    directed, so that is a miss).

    >>> import io
    >>> gt = io.StringIO(
    ...     "v1,10,0.1,0.1,0.3,0.5,0.5,0.1,0.7,0.5,3,1,2\\n"
    ...     "v1,10,0.2,0.2,0.4,0.6,0.6,0.2,0.8,0.6,4,1,3\\n"
    ... )
    >>> pred = io.StringIO(
    ...     "v1,2,0.1,0.1,0.3,0.5,0.5,0.1,0.7,0.5,3,0.9\\n"
    ...     "v1,2,0.6,0.2,0.8,0.6,0.2,0.2,0.4,0.6,4,0.8\\n"
    ... )
    >>> result = evaluate_map(gt, pred, iou_threshold=0.9)
    >>> print(result.map)
    0.5
    >>> print(result.table().to_string(index=False))
     label name  ap  n_gt  n_pred
         3    3 1.0     1       1
         4    4 0.0     1       1
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
    gt_frame = as_frame(gt, ANNOTATION_COLUMNS[:11], ANNOTATION_COLUMNS, "gt", KEYFRAME_STRIDE)
    pred_frame = as_frame(pred, PREDICTION_COLUMNS, PREDICTION_COLUMNS, "pred", 1)
    gt_video, pred_video = video_codes(gt_frame, pred_frame)
    g = as_rows(gt_frame, gt_video, KEYFRAME_STRIDE, scored=False)
    p = as_rows(pred_frame, pred_video, 1, scored=True)
    if classes is None:
        labels = sorted(set(g.label.tolist()) | set(p.label.tolist()))
    else:  # the class filter comes first (the official reader drops such rows on reading)
        labels = classes
        g = g.take(np.isin(g.label, labels))
        p = p.take(np.isin(p.label, labels))
    _warn_on_frame_ids(g, p)
    threshold = float(iou_threshold)
    if protocol == "official":
        return _evaluate_official(g, p, labels, threshold, ks, pred_max)
    return _evaluate_strict(g, p, labels, threshold, ks, pred_max)


def _warn_on_frame_ids(g: Rows, p: Rows) -> None:
    """Warn when the predictions look keyed on frame ids: most of their rows fall on keyframes
    without ground truth, while their second column divided by the keyframe stride would put
    most of them on keyframes with ground truth (the second column of a prediction file holds
    the keyframe index, ``frame_id // 5``)."""
    if len(p.label) == 0 or len(g.label) == 0:
        return
    has_gt = set(zip(g.video.tolist(), g.keyframe.tolist(), strict=True))

    def share(keyframes: np.ndarray) -> float:
        pairs = zip(p.video.tolist(), keyframes.tolist(), strict=True)
        return float(np.mean([pair in has_gt for pair in pairs]))

    as_given, as_frames = share(p.keyframe), share(p.keyframe // KEYFRAME_STRIDE)
    if as_given < 0.5 and as_frames > max(0.5, 2 * as_given):
        warnings.warn(
            f"{1 - as_given:.0%} of the prediction rows fall on keyframes without ground truth, "
            f"while their second column divided by {KEYFRAME_STRIDE} would put {as_frames:.0%} "
            "on keyframes with ground truth: the file may hold frame ids where the keyframe "
            f"index belongs (a prediction file's second column is frame_id // {KEYFRAME_STRIDE})",
            stacklevel=3,
        )


def _evaluate_strict(g: Rows, p: Rows, labels, threshold, ks, pred_max) -> MapResult:
    """The corrected protocol (module docstring)."""
    # every detection in decreasing float64 score, ties in row order; then each keyframe's
    # first pred_max rows
    p = p.take(np.argsort(-p.score, kind="stable"))
    keyframe = key_codes(np.r_[g.video, p.video], np.r_[g.keyframe, p.keyframe])
    g_kf, p_kf = keyframe[: len(g.label)], keyframe[len(g.label) :]
    rank = rank_within(p_kf)
    if pred_max is not None:
        kept = rank < pred_max
        p, p_kf, rank = p.take(kept), p_kf[kept], rank[kept]
    gt_group, det_group = _groups(g_kf, g.label, p_kf, p.label)
    is_tp, matched_gt = match_detections(
        gt_group, g.boxes, det_group, p.boxes, threshold, official=False
    )

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
    codes = key_codes(np.r_[g_kf, p_kf], np.r_[g_label, p_label])
    gt_group, det_group = codes[: len(g_kf)], codes[len(g_kf) :]
    n_groups = int(gt_group.max()) + 1 if gt_group.size else 0
    return gt_group, np.where(det_group < n_groups, det_group, -1)


def _evaluate_official(g: Rows, p: Rows, labels, threshold, ks, pred_max) -> MapResult:
    """SportsHHI's ``hhi_eval`` (module docstring), on the class-filtered rows."""
    # keyframes numbered in the order the ground truth first meets them: the official order
    keyframe = key_codes(np.r_[g.video, p.video], np.r_[g.keyframe, p.keyframe])
    g_kf, p_kf = keyframe[: len(g.label)], keyframe[len(g.label) :]
    n_scored = int(g_kf.max()) + 1 if g_kf.size else 0
    scored = p_kf < n_scored  # predictions on keyframes without ground truth are ignored
    p, p_kf = p.take(scored), p_kf[scored]
    # each keyframe's rows by decreasing float64 score, ties in row order (Python's sorted),
    # the keyframes in their official order
    by_score = np.argsort(-p.score, kind="stable")
    order = by_score[np.argsort(p_kf[by_score], kind="stable")]
    p, p_kf = p.take(order), p_kf[order]
    p_rank, g_rank = rank_within(p_kf), rank_within(g_kf)  # g: in row order
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
    is_tp, _ = match_detections(
        gt_group, g.boxes[g_keep], det_group, p.boxes[kept], threshold, official=True
    )
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
