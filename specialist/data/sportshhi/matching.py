"""What both evaluation protocols share: the inputs as arrays (:class:`Rows`), box and pair
overlaps, the greedy matching of detections to ground-truth pairs, and the VOC average
precision. The rules they apply are those of :mod:`specialist.data.sportshhi.evaluation`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from specialist.data.sportshhi.files import BOX_COLUMNS


@dataclass(frozen=True)
class Rows:
    """One input as arrays, rows in the order given: video codes (shared by both inputs, see
    :func:`video_codes`), keyframes, boxes ``(n, 8)``, labels and scores (``None`` for GT)."""

    video: np.ndarray
    keyframe: np.ndarray
    boxes: np.ndarray
    label: np.ndarray
    score: np.ndarray | None

    def take(self, index) -> Rows:
        return Rows(
            self.video[index],
            self.keyframe[index],
            self.boxes[index],
            self.label[index],
            None if self.score is None else self.score[index],
        )


def keyframes(frame: pd.DataFrame, stride: int) -> np.ndarray:
    if "keyframe" in frame.columns:
        return frame["keyframe"].to_numpy().astype(np.int64)
    return frame["frame_id"].to_numpy().astype(np.int64) // stride


def video_codes(gt: pd.DataFrame, pred: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Integer codes of the video ids of both inputs, equal where ``str(video_id)`` is."""
    codes, uniques = pd.factorize(
        np.concatenate([gt["video_id"].to_numpy(object), pred["video_id"].to_numpy(object)]),
        use_na_sentinel=False,
    )
    names, _ = pd.factorize(np.array([str(u) for u in uniques], dtype=object))
    codes = names[codes]
    return codes[: len(gt)], codes[len(gt) :]


def as_rows(frame: pd.DataFrame, video: np.ndarray, stride: int, scored: bool) -> Rows:
    return Rows(
        video,
        keyframes(frame, stride),
        frame.loc[:, list(BOX_COLUMNS)].to_numpy(np.float64),
        frame["label"].to_numpy().astype(np.int64),
        frame["score"].to_numpy(np.float64) if scored else None,
    )


def key_codes(*keys: np.ndarray) -> np.ndarray:
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


def rank_within(group: np.ndarray) -> np.ndarray:
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
    return iou_rows(a[:, None, :], b[None, :, :])


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


def iou_rows(a: np.ndarray, b: np.ndarray) -> np.ndarray:
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


def iou_official(det: np.ndarray, gt: np.ndarray) -> np.ndarray:
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


def match_detections(
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
    computes IoUs as :func:`iou_official` does (detection boxes rounded to float32).

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
        iou_1 = iou_official(own[..., :4], boxes[..., :4])
        iou_2 = iou_official(own[..., 4:], boxes[..., 4:])
        eligible = valid & (iou_1 >= iou_threshold) & (iou_2 >= iou_threshold)
        overlap = np.minimum(iou_1, iou_2)
    else:
        own = det_boxes[dets][:, None, :]
        overlap = np.minimum(
            iou_rows(own[..., :4], boxes[..., :4]), iou_rows(own[..., 4:], boxes[..., 4:])
        )
        eligible = valid & (overlap >= iou_threshold)
    keep = eligible.any(axis=1)  # a detection without an eligible pair is a FP: skip it
    rank = rank_within(det_g)
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
