"""Cases and a harness that compare ``evaluate_map(protocol="official")`` with the transcription
of SportsHHI's official evaluation code (:mod:`tests._hhi_reference`).

The harness writes both inputs as official CSV files at full precision (each float as Python
writes it back exactly), a label map in the official multi-line layout, runs the reference on
the files, and compares mAP, per-class AP and Recall@K. The reference reports one recall per
run, ``recall@{pred_max}``; ``evaluate_map``'s ``recall[K]`` is compared with the reference run
at ``pred_max = K`` (``min(K, pred_max)`` when a ``pred_max`` is set).
"""

from __future__ import annotations

import csv
import math
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from specialist.data.sportshhi import ANNOTATION_COLUMNS, PREDICTION_COLUMNS, evaluate_map
from tests._hhi_reference import hhi_eval

_INTEGER = {"frame_id", "label", "p1_id", "p2_id"}


def write_rows(frame: pd.DataFrame, path: Path, columns) -> Path:
    """``frame`` as an official CSV without header, every float at full precision."""
    with open(path, "w", newline="") as handle:
        out = csv.writer(handle)
        for row in frame.loc[:, list(columns)].itertuples(index=False):
            out.writerow(
                [
                    str(int(v)) if c in _INTEGER else v if c == "video_id" else repr(float(v))
                    for c, v in zip(columns, row, strict=True)
                ]
            )
    return path


def write_label_map(ids, path: Path) -> Path:
    """A label map in the layout the official reader reads (one field per line)."""
    text = "".join(f'item {{\n  name: "class {i}"\n  id: {i}\n}}\n' for i in ids)
    path.write_text(text)
    return path


def files(gt: pd.DataFrame, pred: pd.DataFrame, folder: Path, classes=None):
    """(gt path, pred path, label map path, custom_classes) for the reference."""
    folder.mkdir(parents=True, exist_ok=True)
    labels = set(gt["label"].astype(int)) | set(pred["label"].astype(int)) | set(classes or [])
    gt_path = write_rows(gt, folder / "gt.csv", ANNOTATION_COLUMNS)
    pred_path = write_rows(pred, folder / "pred.csv", PREDICTION_COLUMNS)
    label_path = write_label_map(sorted(labels), folder / "labels.pbtxt")
    # a class subset goes the official way: custom_classes, with HHIMetric's leading placeholder
    custom = None if classes is None else [0, *classes]
    return gt_path, pred_path, label_path, custom


def reference_numbers(gt, pred, folder, iou=0.9, classes=None, pred_max=None, recall_at=(1,)):
    """mAP, per-class AP and Recall@K of the reference (the official code's logic)."""
    gt_path, pred_path, label_path, custom = files(gt, pred, folder, classes)

    def run(cut):
        with warnings.catch_warnings():  # its np.nanmean of no class, or of NaNs only
            warnings.simplefilter("ignore", RuntimeWarning)
            return hhi_eval(pred_path, label_path, gt_path, custom, cut, threshold=iou)

    try:
        main = run(-1 if pred_max is None else pred_max)
    except ZeroDivisionError:
        # the official run fails at its recall when no predicted class has ground truth; its
        # mAP, computed just before, is then the NaN-mean of NaNs (every class: NaN)
        main = {"overall": math.nan, "per_class": None}
    recall = {}
    for k in recall_at:
        cut = k if pred_max is None else min(k, pred_max)
        try:
            recall[k] = float(run(cut)[f"recall@{cut}"])
        except ZeroDivisionError:  # no predicted class has ground truth: 0 / 0
            recall[k] = math.nan
    per_class = main["per_class"]
    return {
        "map": float(main["overall"]),
        "per_class": None if per_class is None else {int(k): float(ap) for k, _, ap in per_class},
        "recall": recall,
    }


def our_numbers(gt, pred, iou=0.9, classes=None, pred_max=None, recall_at=(1,), evaluate=None):
    """The same numbers from ``evaluate_map`` (or ``evaluate``, e.g. an older version)."""
    result = (evaluate or evaluate_map)(
        gt, pred, iou_threshold=iou, classes=classes, pred_max=pred_max, recall_at=recall_at
    )
    return {
        "map": float(result.map),
        "per_class": {int(k): float(v) for k, v in result.per_class.items()},
        "recall": {int(k): float(v) for k, v in result.recall.items()},
    }


def _gap(a: float, b: float) -> float:
    if math.isnan(a) and math.isnan(b):
        return 0.0
    if math.isnan(a) or math.isnan(b):
        return math.inf
    return abs(a - b)


def difference(a: dict, b: dict) -> float:
    """Largest absolute difference between two sets of numbers (a missing class, or NaN
    against a number: infinite)."""
    gaps = [_gap(a["map"], b["map"])]
    for key in ("per_class", "recall"):
        if a[key] is None or b[key] is None:  # unknown (the reference failed): all NaN
            known = a[key] if b[key] is None else b[key]
            gaps += [_gap(v, math.nan) for v in (known or {}).values()]
            continue
        for k in set(a[key]) | set(b[key]):
            gaps.append(_gap(a[key].get(k, math.nan), b[key].get(k, -math.inf)))
    return max(gaps)


# -- hand-made cases ----------------------------------------------------------------------------
_SCORES = (0.25, 0.5, 0.5 + 1e-9, 0.75, 0.9)  # 0.5 + 1e-9: a different float64, the same float32
_SHRINK = (1.0, 1.0, 0.9, 0.9, 0.95, 0.8, 0.5)  # width kept at this share: IoU at the threshold


def _box(rng) -> list[float]:
    x1, y1 = rng.integers(0, 10, 2) * 0.05
    w, h = rng.integers(2, 11, 2) * 0.05
    return [float(x1), float(y1), float(x1 + w), float(y1 + h)]


def _near(box, rng) -> list[float]:
    """``box`` with its width or height cut to a share in :data:`_SHRINK` (IoU = the share in
    exact arithmetic, either side of it after rounding)."""
    x1, y1, x2, y2 = box
    share = float(rng.choice(_SHRINK))
    if rng.random() < 0.5:
        return [x1, y1, x1 + share * (x2 - x1), y2]
    return [x1, y1, x2, y1 + share * (y2 - y1)]


def hand_made_case(seed: int):
    """A small random case: ``(gt, pred, settings)``.

    Coarse box coordinates and boxes cut to 0.9, 0.8 or 0.5 of a side put IoUs at or next to
    the thresholds; scores drawn from a few values tie (in float64, or only in float32);
    duplicated ground-truth rows give pairs of equal overlap, sometimes more than 16 in one
    keyframe and class (past the length where NumPy's sort changes algorithm); a keyframe
    without ground truth gets predictions; ``pred_max`` and class subsets are drawn too.
    """
    rng = np.random.default_rng(seed)
    n_keyframes = int(rng.integers(1, 5))
    keyframes = [(v, k) for v in ("a", "b") for k in range(n_keyframes)]
    settings = {
        "iou": float(rng.choice([0.9, 0.9, 0.5, 0.8])),
        "pred_max": [None, None, 1, 2, 3, 5][int(rng.integers(6))],
        "classes": [None, None, [1, 2], [2], [1, 3, 4]][int(rng.integers(5))],
        "recall_at": (1, 2, 5),
    }
    gt = []
    for _ in range(int(rng.integers(1, 25))):
        if gt and rng.random() < 0.25:
            gt.append(dict(gt[int(rng.integers(len(gt)))]))  # a duplicate: equal overlaps
            continue
        video, k = keyframes[int(rng.integers(len(keyframes)))]
        gt.append({"video": video, "k": k, "p1": _box(rng), "p2": _box(rng),
                   "label": int(rng.integers(1, 4))})  # fmt: skip
    if settings["classes"] is not None:  # at least one ground-truth row survives the filter
        gt[0]["label"] = settings["classes"][0]
    if rng.random() < 0.3:  # many equal pairs in one keyframe and class
        gt += [dict(gt[0]) for _ in range(int(rng.integers(17, 25)))]
    pred = []
    for _ in range(int(rng.integers(0, 60))):
        if rng.random() < 0.75:
            src = gt[int(rng.integers(len(gt)))]
            video, k = src["video"], src["k"]
            if rng.random() < 0.1:
                k = n_keyframes  # a keyframe without ground truth
            label = src["label"] if rng.random() < 0.85 else int(rng.integers(1, 5))
            p1, p2 = _near(src["p1"], rng), _near(src["p2"], rng)
        else:
            video, k = keyframes[int(rng.integers(len(keyframes)))]
            label, p1, p2 = int(rng.integers(1, 4)), _box(rng), _box(rng)
        score = float(rng.choice(_SCORES)) if rng.random() < 0.7 else float(rng.random())
        pred.append({"video": video, "k": k, "p1": p1, "p2": p2, "label": label, "score": score})
    gt_frame = pd.DataFrame(
        [
            [r["video"], 5 * r["k"] + int(rng.integers(5)), *r["p1"], *r["p2"], r["label"], 1, 2]
            for r in gt
        ],
        columns=list(ANNOTATION_COLUMNS),
    )
    pred_frame = pd.DataFrame(
        [[r["video"], r["k"], *r["p1"], *r["p2"], r["label"], r["score"]] for r in pred],
        columns=list(PREDICTION_COLUMNS),
    )
    return gt_frame, pred_frame, settings


# -- simulated cases ----------------------------------------------------------------------------
def simulated_cases(seed: int = 0, n_scored: int = 6):
    """``[(name, gt, pred)]`` from the simulator (:mod:`specialist.simulate.sports`) and Fig. 4's
    prediction writers (:mod:`specialist.experiments.interactions`): Algorithm 1 on the true
    states (``block_predictions``), random evidence (``chance_predictions``), a random score
    per row, and each of them with its scores rounded to one decimal (ties everywhere, as the
    writer gave before its scores were made distinct)."""
    from specialist.experiments.interactions import (
        block_predictions,
        chance_predictions,
        scored_episodes,
    )
    from specialist.simulate.sports import random_scenario, simulate_sports

    scenario = random_scenario(seed=seed)
    sample = simulate_sports(scenario, 160, box_noise=0.01, seed=seed)
    test = np.arange(40, 160)
    shown = np.asarray(sample.video_ids)[scored_episodes(test, 2, n_scored)]
    gt = sample.annotations[sample.annotations["video_id"].isin(shown)].reset_index(drop=True)
    rng = np.random.default_rng([seed, 1])
    method = block_predictions(sample.states[test][..., None], sample, test, 2, n_scored)
    chance = chance_predictions(sample, test, 2, n_scored, rng)
    rows = chance.assign(score=rng.uniform(size=len(chance)))
    cases = [("states", method), ("chance", chance), ("chance_rows", rows)]
    cases += [(f"{name}_tied", p.assign(score=p["score"].round(1))) for name, p in cases]
    return [(name, gt, pred) for name, pred in cases]
