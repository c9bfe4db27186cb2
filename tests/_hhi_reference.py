"""Test oracle: the SportsHHI evaluation, transcribed from the official code.

This module transcribes the logic of ``mmaction/evaluation/functional/hhi_utils.py`` of the
official repository ``MCG-NJU/SportsHHI`` (function ``hhi_eval`` and what it calls:
``read_csv_hhi``, ``read_labelmap_hhi``, ``make_image_key_hhi``,
``get_overlaps_and_scores_box_mode_hhi``, ``tpfp_single``), together with the helpers it
imports from ``mmaction/evaluation/functional/hhi_evaluation/`` (``np_box_ops.iou`` and
``metrics.compute_precision_recall`` / ``metrics.compute_average_precision``). It is written
for this project (not copied) and keeps the official structure, one function per official
function under the same name, so a reader can compare the two side by side. Every step keeps
the official data types and orders: prediction boxes and scores as float32, ground-truth
boxes as float64, ``np.argsort(...)[::-1]`` for the IoU ranking and the score ranking, Python's
stable ``sorted`` for each keyframe's rows, the class filter before the ``pred_max`` cut, the
cut applied to ground truth too, ``np.nanmean`` over the classes in the order they were first
met.

The only departures, none of which changes a number:

* no ``multiprocessing.Pool``: the keyframes are processed by a plain ``map``, in the same order;
* ``threshold`` is a parameter of :func:`hhi_eval` (the official ``pool.map(tpfp_single, ...)``
  always uses ``tpfp_single``'s default, 0.9); the default here is 0.9;
* ``ignore_empty_frames=True`` only (the value the official ``HHIMetric`` passes) and no
  exclusion file (``exclude_file=None``);
* no timing prints; the per-class APs are returned as well (``"per_class"``);
* ``np.bool``, ``np.float`` and ``np.NAN`` of the official helpers (gone from NumPy >= 1.24
  and 2.0) are written ``bool``, ``np.float64`` and ``np.nan``.

Failures are kept: an empty ground-truth file, a label map read as 0 classes, or a run where no
predicted class has ground truth (``recall`` divides 0 by 0) raise, as they do officially.

It is the reference the tests compare :func:`specialist.data.sportshhi.evaluate_map`
(``protocol="official"``) with; the package does not import it.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from functools import partial

import numpy as np


# -- hhi_evaluation/metrics.py ----------------------------------------------------------------
def compute_precision_recall(scores, labels, num_gt):
    """Precision and recall of detections ranked by ``np.argsort(scores)[::-1]``."""
    if not isinstance(labels, np.ndarray) or labels.dtype != bool or labels.ndim != 1:
        raise ValueError("labels: a 1-d bool array")
    if not isinstance(scores, np.ndarray) or scores.ndim != 1:
        raise ValueError("scores: a 1-d array")
    if num_gt < np.sum(labels):
        raise ValueError("more true positives than ground truth")
    if len(scores) != len(labels):
        raise ValueError("scores and labels differ in length")
    if num_gt == 0:
        return None, None, None, None
    ranked = np.argsort(scores)[::-1]
    hits = labels.astype(int)[ranked]
    misses = 1 - hits
    cum_hits = np.cumsum(hits)
    cum_misses = np.cumsum(misses)
    precision = cum_hits.astype(float) / (cum_hits + cum_misses)
    recall = cum_hits.astype(float) / num_gt
    return precision, recall, np.sum(hits), num_gt


def compute_average_precision(precision, recall):
    """VOC all-points AP: area under the non-increasing envelope of precision."""
    if precision is None:
        if recall is not None:
            raise ValueError("precision None but recall not")
        return np.nan
    if precision.dtype != np.float64 or recall.dtype != np.float64:
        raise ValueError("float arrays expected")
    if len(precision) != len(recall):
        raise ValueError("precision and recall differ in length")
    if not precision.size:
        return 0.0
    if np.amin(precision) < 0 or np.amax(precision) > 1:
        raise ValueError("precision outside [0, 1]")
    if np.amin(recall) < 0 or np.amax(recall) > 1:
        raise ValueError("recall outside [0, 1]")
    if not all(recall[i] <= recall[i + 1] for i in range(len(recall) - 1)):
        raise ValueError("recall must not decrease")
    recall = np.concatenate([[0], recall, [1]])
    precision = np.concatenate([[0], precision, [0]])
    for i in range(len(precision) - 2, -1, -1):  # right to left: the envelope
        precision[i] = np.maximum(precision[i], precision[i + 1])
    steps = np.where(recall[1:] != recall[:-1])[0] + 1
    return np.sum((recall[steps] - recall[steps - 1]) * precision[steps])


# -- hhi_evaluation/np_box_ops.py (boxes as [y_min, x_min, y_max, x_max]) ---------------------
def area(boxes):
    return (boxes[:, 2] - boxes[:, 0]) * (boxes[:, 3] - boxes[:, 1])


def intersection(boxes1, boxes2):
    y_min1, x_min1, y_max1, x_max1 = np.split(boxes1, 4, axis=1)
    y_min2, x_min2, y_max2, x_max2 = np.split(boxes2, 4, axis=1)
    top = np.minimum(y_max1, np.transpose(y_max2))
    bottom = np.maximum(y_min1, np.transpose(y_min2))
    heights = np.maximum(np.zeros(bottom.shape), top - bottom)  # zeros: float64
    right = np.minimum(x_max1, np.transpose(x_max2))
    left = np.maximum(x_min1, np.transpose(x_min2))
    widths = np.maximum(np.zeros(left.shape), right - left)
    return heights * widths


def iou(boxes1, boxes2):
    inter = intersection(boxes1, boxes2)
    union = np.expand_dims(area(boxes1), axis=1) + np.expand_dims(area(boxes2), axis=0) - inter
    return inter / union


def _box_array(data):
    """``np_box_list.BoxList``'s checks on its data (the list itself only hands it back)."""
    if not isinstance(data, np.ndarray) or data.ndim != 2 or data.shape[1] != 4:
        raise ValueError("boxes: an (N, 4) array")
    if data.dtype not in (np.float32, np.float64):
        raise ValueError("boxes: float data")
    for v in data:
        if v[0] > v[2] or v[1] > v[3]:
            raise ValueError("boxes: [y_min, x_min, y_max, x_max] with min <= max")
    return data


# -- hhi_utils.py ----------------------------------------------------------------------------
def make_image_key_hhi(video_id, timestamp):
    return f"{video_id},{int(timestamp):04d}"


def read_csv_hhi(csv_file, class_whitelist=None, gt=False, pred_max=-1):
    """Rows per keyframe key: boxes as (y1, x1, y2, x2), labels, scores (GT rows: 1.0).

    The class filter drops a row before anything else; each keyframe's rows are then sorted by
    decreasing score (Python's stable sort) and cut to ``pred_max`` (also for ground truth).
    """
    entries = defaultdict(list)
    p1_boxes, p2_boxes = defaultdict(list), defaultdict(list)
    labels, scores = defaultdict(list), defaultdict(list)
    for row in csv.reader(csv_file):
        assert len(row) in (12, 13), row
        if gt:  # the ground truth's second column is a frame; 5 frames per keyframe
            key = make_image_key_hhi(row[0], str(int(row[1]) // 5))
        else:  # a prediction's second column is the keyframe itself
            key = make_image_key_hhi(row[0], row[1])
        x11, y11, x12, y12 = (float(v) for v in row[2:6])
        x21, y21, x22, y22 = (float(v) for v in row[6:10])
        action = int(row[10])
        if class_whitelist and action not in class_whitelist:
            continue
        score = float(row[11]) if len(row) == 12 else 1.0
        entries[key].append((score, action, y11, x11, y12, x12, y21, x21, y22, x22))
    for key, rows in entries.items():
        kept = sorted(rows, key=lambda r: -r[0])
        if 0 < pred_max < len(kept):
            kept = kept[:pred_max]
        p1_boxes[key] = [r[2:6] for r in kept]
        p2_boxes[key] = [r[6:] for r in kept]
        labels[key] = [r[1] for r in kept]
        scores[key] = [r[0] for r in kept]
    return p1_boxes, p2_boxes, labels, scores


def read_labelmap_hhi(labelmap_file):
    """Line by line: a line starting ``'  name:'`` sets the name, one starting ``'  id:'`` or
    ``'  label_id:'`` adds (id, last name). Nothing else is read."""
    labelmap, class_ids = [], set()
    name = ""
    for line in labelmap_file:
        if line.startswith("  name:"):
            name = line.split('"')[1]
        elif line.startswith("  id:") or line.startswith("  label_id:"):
            class_id = int(line.strip().split(" ")[-1])
            labelmap.append({"id": class_id, "name": name})
            class_ids.add(class_id)
    return labelmap, class_ids


def get_overlaps_and_scores_box_mode_hhi(det_p1, det_p2, det_scores, gt_p1, gt_p2):
    det_p1, det_p2 = _box_array(det_p1), _box_array(det_p2)
    gt_p1, gt_p2 = _box_array(gt_p1), _box_array(gt_p2)
    if det_scores.shape[0] != det_p1.shape[0]:
        raise ValueError("one score per detection")
    return iou(det_p1, gt_p1), iou(det_p2, gt_p2), det_scores, det_p1.shape[0]


def _of(label, values, labels):
    """The entries of ``values`` whose label is ``label``, in order."""
    return [v for v, y in zip(values, labels, strict=True) if y == label]


def tpfp_single(tup, threshold=0.9):
    """TP/FP flags of one keyframe's detections, per predicted label."""
    gt_p1_boxes, gt_p2_boxes, gt_labels, p1_boxes, p2_boxes, labels, scores = tup
    out_scores, out_tpfp = {}, {}
    for label in list(set(labels)):
        # ground truth: float64 (built from Python floats); detections: float32
        gt_p1 = np.array(_of(label, gt_p1_boxes, gt_labels)).reshape(-1, 4)
        gt_p2 = np.array(_of(label, gt_p2_boxes, gt_labels)).reshape(-1, 4)
        det_p1 = np.array(_of(label, p1_boxes, labels), dtype=np.float32).reshape(-1, 4)
        det_p2 = np.array(_of(label, p2_boxes, labels), dtype=np.float32).reshape(-1, 4)
        score = np.array(_of(label, scores, labels), dtype=np.float32).reshape(-1)
        iou_p1, iou_p2, _, n_det = get_overlaps_and_scores_box_mode_hhi(
            det_p1, det_p2, score, gt_p1, gt_p2
        )
        overlap = np.minimum(iou_p1, iou_p2)
        if gt_p1.size == 0:
            out_scores[label], out_tpfp[label] = score, np.zeros(n_det, dtype=bool)
            continue
        tpfp = np.zeros(n_det, dtype=bool)
        if overlap.shape[1] > 0:
            taken = np.zeros(overlap.shape[1], dtype=bool)
            for i in range(n_det):  # in the keyframe's order (decreasing float64 score)
                for j in np.argsort(overlap[i])[::-1]:
                    if iou_p1[i, j] >= threshold and iou_p2[i, j] >= threshold:
                        if not taken[j]:
                            tpfp[i] = True
                            taken[j] = True
                            break
        out_scores[label], out_tpfp[label] = score, tpfp
    return out_scores, out_tpfp


def hhi_eval(result_file, label_file, ann_file, custom_classes=None, pred_max=-1, threshold=0.9):
    """``{"overall": mAP, f"recall@{pred_max}": recall, "per_class": [(id, name, AP), ...]}``.

    Files are paths. ``custom_classes`` follows the official convention: its first entry is a
    placeholder that is dropped (``HHIMetric`` prepends 0); the rest must be label-map ids.
    """
    with open(label_file) as handle:
        categories, class_whitelist = read_labelmap_hhi(handle)
    if custom_classes is not None:
        custom_classes = custom_classes[1:]
        assert set(custom_classes).issubset(set(class_whitelist))
        class_whitelist = custom_classes
        categories = [c for c in categories if c["id"] in custom_classes]
    with open(ann_file) as handle:
        gt_p1_boxes, gt_p2_boxes, gt_labels, _ = read_csv_hhi(
            handle, class_whitelist, True, pred_max
        )
    excluded_keys = []
    with open(result_file) as handle:
        p1_boxes, p2_boxes, labels, scores = read_csv_hhi(handle, class_whitelist, False, pred_max)

    all_gt_labels = np.concatenate(list(gt_labels.values()))
    gt_count = {k: np.sum(all_gt_labels == k) for k in class_whitelist}

    # ignore_empty_frames=True: the keyframes with ground truth, in the order first met
    tups = [
        (gt_p1_boxes[k], gt_p2_boxes[k], gt_labels[k], p1_boxes[k], p2_boxes[k], labels[k],
         scores[k])
        for k in gt_p1_boxes
        if k not in excluded_keys
    ]  # fmt: skip
    rets = list(map(partial(tpfp_single, threshold=threshold), tups))

    scores, tpfps = defaultdict(list), defaultdict(list)
    for score, tpfp in rets:
        for k in score:
            scores[k].append(score[k])
            tpfps[k].append(tpfp[k])

    cls_ap = []
    total_tp = 0
    total_gt = 0
    for k in scores:
        scores[k] = np.concatenate(scores[k])
        tpfps[k] = np.concatenate(tpfps[k])
        precision, recall, tp, num_gt = compute_precision_recall(scores[k], tpfps[k], gt_count[k])
        if tp is not None:
            total_tp += tp
            total_gt += num_gt
        ap = compute_average_precision(precision, recall)
        names = [c["name"] for c in categories if c["id"] == k]
        assert len(names) == 1
        cls_ap.append((k, names[0], ap))
    overall = np.nanmean([c[2] for c in cls_ap])
    return {
        "overall": overall,
        f"recall@{pred_max}": total_tp / total_gt,
        "per_class": cls_ap,
    }
