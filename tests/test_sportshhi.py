"""SportsHHI format and pair-IoU mAP: hand-built cases with known AP, and malformed files."""

from __future__ import annotations

import io
import warnings

import numpy as np
import pandas as pd
import pytest

from specialist.data.sportshhi import (
    ANNOTATION_COLUMNS,
    PREDICTION_COLUMNS,
    FormatError,
    average_precision,
    box_iou,
    evaluate_map,
    read_annotations,
    read_label_map,
    read_predictions,
    write_csv,
)
from tests._hhi_cases import difference, hand_made_case, our_numbers, reference_numbers

A = (0.10, 0.10, 0.30, 0.50)  # person boxes (x1, y1, x2, y2)
B = (0.60, 0.20, 0.80, 0.60)
C = (0.40, 0.50, 0.55, 0.90)
LABEL_MAP = 'item {\n  name: "pass"\n  id: 1\n}\nitem {\n  name: "block"\n  id: 2\n}\n'


def gt_row(video, frame, p1, p2, label, ids=(1, 2)):
    return {"video_id": video, "frame_id": frame, **_boxes(p1, p2), "label": label,
            "p1_id": ids[0], "p2_id": ids[1]}  # fmt: skip


def pred_row(video, frame, p1, p2, label, score):
    return {"video_id": video, "frame_id": frame, **_boxes(p1, p2), "label": label, "score": score}


def _boxes(p1, p2):
    return dict(zip(ANNOTATION_COLUMNS[2:10], (*p1, *p2), strict=True))


@pytest.fixture
def gt():
    return pd.DataFrame(
        [
            gt_row("v1", 10, A, B, 1),  # keyframe 2
            gt_row("v1", 20, A, C, 1),  # keyframe 4
            gt_row("v1", 20, B, C, 2),
            gt_row("v2", 5, C, A, 2),  # keyframe 1
        ]
    )


def perfect(gt):
    """Perfect predictions as the official writer puts them: the keyframe index in column 2."""
    return pd.DataFrame(
        [pred_row(r.video_id, r.frame_id // 5, (r.x11, r.y11, r.x12, r.y12),
                  (r.x21, r.y21, r.x22, r.y22), r.label, 0.9) for r in gt.itertuples()]
    )  # fmt: skip


def test_perfect_predictions_score_one(gt):
    result = evaluate_map(gt, perfect(gt))
    assert result.protocol == "official" and result.iou_threshold == 0.9
    assert result.map == 1.0 and result.per_class == {1: 1.0, 2: 1.0}
    # official Recall@1 is hhi_eval(pred_max=1)'s: keyframe 4 keeps one prediction and also
    # only one ground-truth pair, so nothing is missed; strict: top-1 misses one of keyframe 4
    assert result.n_gt == {1: 2, 2: 2} and result.recall == {1: 1.0, 5: 1.0, 10: 1.0}
    strict = evaluate_map(gt, perfect(gt), protocol="strict")
    assert strict.recall == {1: 0.75, 5: 1.0, 10: 1.0}
    # ground-truth frames 20..24 share keyframe 4: a pair annotated at frame 22 is matched by
    # a prediction on keyframe 4
    moved = gt.assign(frame_id=lambda d: d["frame_id"] + 2)
    assert evaluate_map(moved, perfect(gt)).map == 1.0
    assert evaluate_map(gt, perfect(gt), protocol="strict").map == 1.0


def test_perfect_predictions_in_official_files_score_one(tmp_path, gt):
    # written the way the official writer does: the keyframe index in the second column
    write_csv(gt, tmp_path / "gt.csv", ANNOTATION_COLUMNS)
    write_csv(perfect(gt), tmp_path / "pred.csv", PREDICTION_COLUMNS)
    assert read_predictions(tmp_path / "pred.csv")["keyframe"].tolist() == [2, 4, 4, 1]
    assert evaluate_map(tmp_path / "gt.csv", tmp_path / "pred.csv").map == 1.0
    # the old reading (the prediction frame column divided by 5) would miss every keyframe
    wrong = perfect(gt).assign(frame_id=lambda d: d["frame_id"] // 5)
    assert evaluate_map(gt, wrong, protocol="strict").map == 0.0


def test_wrong_class_wrong_keyframe_and_wrong_boxes(gt):
    pred = perfect(gt)
    assert evaluate_map(gt, pred.assign(label=3 - pred["label"])).map == 0.0
    # predictions only on keyframes without ground truth: nothing is scored (official) ...
    away = pred.assign(frame_id=pred["frame_id"] + 50)
    assert np.isnan(evaluate_map(gt, away).map)
    # ... and every one is a false positive (strict)
    assert evaluate_map(gt, away, protocol="strict").map == 0.0
    shifted = pred.copy()
    shifted[["x11", "x12"]] = shifted[["x11", "x12"]] + 0.02  # IoU of person 1: 0.76 to 0.82
    assert evaluate_map(gt, shifted, iou_threshold=0.5).map == 1.0
    assert evaluate_map(gt, shifted, iou_threshold=0.9).map == 0.0
    assert evaluate_map(gt, shifted).map == 0.0  # the official default threshold is 0.9


def test_swapped_pair_is_a_false_positive(gt):
    # interactions are directed: person 1 <-> person 2 swapped does not match
    swapped = pd.DataFrame([pred_row("v1", 2, B, A, 1, 0.9)])
    result = evaluate_map(gt, swapped, classes=[1])
    assert result.per_class == {1: 0.0}
    swapped_all = perfect(gt)
    cols1, cols2 = list(ANNOTATION_COLUMNS[2:6]), list(ANNOTATION_COLUMNS[6:10])
    swapped_all[cols1 + cols2] = swapped_all[cols2 + cols1].to_numpy()
    assert evaluate_map(gt, swapped_all).map == 0.0
    # the swapped detection ranked above the right one: precision 1/2 at full recall of that GT
    both = pd.DataFrame([pred_row("v1", 2, B, A, 1, 0.9), pred_row("v1", 2, A, B, 1, 0.8)])
    assert evaluate_map(gt, both, classes=[1]).per_class[1] == pytest.approx(0.5 * 0.5)


def test_duplicates_count_once(gt):
    one = gt.iloc[[0]]
    dup = pd.DataFrame([pred_row("v1", 2, A, B, 1, 0.9), pred_row("v1", 2, A, B, 1, 0.8)])
    result = evaluate_map(one, dup)
    # TP then FP: precision envelope 1 at recall 1 -> AP 1; the duplicate costs nothing here
    assert result.map == 1.0
    # but a duplicate ranked above a second true pair lowers AP: TP, FP, TP over 2 GT pairs
    two = gt.iloc[[1]].assign(frame_id=10)
    gt2 = pd.concat([one, two])
    pred = pd.DataFrame([
        pred_row("v1", 2, A, B, 1, 0.9), pred_row("v1", 2, A, B, 1, 0.8),
        pred_row("v1", 2, A, C, 1, 0.7),
    ])  # fmt: skip
    assert evaluate_map(gt2, pred).map == pytest.approx(0.5 * 1.0 + 0.5 * (2 / 3))


def test_predictions_on_keyframes_without_ground_truth(gt):
    extra = pd.concat([perfect(gt), pd.DataFrame([pred_row("v3", 0, A, B, 1, 0.95)])])
    # official: the keyframe has no ground truth, so the row changes nothing
    official = evaluate_map(gt, extra)
    assert official.per_class == evaluate_map(gt, perfect(gt)).per_class
    assert official.recall == evaluate_map(gt, perfect(gt)).recall
    # strict: it is a false positive ranked first, then 2 TPs: precision 1/2, 2/3
    strict = evaluate_map(gt, extra, protocol="strict")
    assert strict.per_class[2] == 1.0
    assert strict.per_class[1] == pytest.approx(2 / 3)


def test_a_class_that_is_never_predicted(gt):
    only_1 = perfect(gt).iloc[[0, 1]]  # class 2 has ground truth but no prediction
    official = evaluate_map(gt, only_1)
    assert official.per_class == {1: 1.0} and official.map == 1.0  # left out
    strict = evaluate_map(gt, only_1, protocol="strict")
    assert strict.per_class == {1: 1.0, 2: 0.0} and strict.map == 0.5  # AP 0
    # a predicted class without ground truth is NaN (official) and leaves the mean alone
    ghost = pd.concat([perfect(gt), pd.DataFrame([pred_row("v1", 2, A, C, 7, 0.5)])])
    result = evaluate_map(gt, ghost)
    assert np.isnan(result.per_class[7]) and result.map == 1.0
    # no detections at all: nothing scored (official), AP 0 for every class (strict)
    empty = pd.DataFrame(columns=list(PREDICTION_COLUMNS))
    assert np.isnan(evaluate_map(gt, empty).map)
    nothing = evaluate_map(gt, empty, protocol="strict")
    assert nothing.map == 0.0 and nothing.recall[10] == 0.0
    # half the pairs found, one of each class
    assert evaluate_map(gt, perfect(gt).iloc[[0, 2]]).map == pytest.approx(0.5)


def test_pred_max_keeps_each_keyframes_top_rows(gt):
    # keyframe 4 has two true pairs; a high-scoring wrong row pushes one of them out
    decoy = pd.DataFrame([pred_row("v1", 4, C, A, 2, 0.99)])
    pred = pd.concat([perfect(gt).assign(score=[0.9, 0.8, 0.7, 0.9]), decoy])
    full = evaluate_map(gt, pred)
    cut = evaluate_map(gt, pred, pred_max=2)  # keyframe 4 keeps the decoy and the 0.8 row
    assert full.per_class[1] == cut.per_class[1] == 1.0
    # class 2: FP, TP, TP (envelope 2/3 at both recalls) against FP, TP (1/2 at recall 1/2)
    assert full.per_class[2] == pytest.approx(2 / 3)
    assert cut.per_class[2] == pytest.approx(0.25)
    assert cut.n_pred == {1: 2, 2: 2}
    with pytest.raises(ValueError, match="pred_max must be None or an integer >= 1"):
        evaluate_map(gt, pred, pred_max=0)


def test_hand_computed_example_under_both_protocols():
    # two keyframes with ground truth (class 1 on both, class 2 on one), one empty keyframe
    truth = pd.DataFrame(
        [gt_row("v", 0, A, B, 1), gt_row("v", 5, A, C, 1), gt_row("v", 5, B, C, 2)]
    )
    pred = pd.DataFrame(
        [
            pred_row("v", 2, A, B, 1, 0.95),  # keyframe 2 has no ground truth
            pred_row("v", 0, A, B, 1, 0.90),  # TP
            pred_row("v", 1, B, C, 1, 0.80),  # FP: wrong boxes for class 1
            pred_row("v", 1, A, C, 1, 0.60),  # TP
        ]
    )
    # official: class 1 ranks TP, FP, TP (precision 1, 1/2, 2/3): AP = 1/2 * 1 + 1/2 * 2/3;
    # class 2 is never predicted: left out
    official = evaluate_map(truth, pred)
    assert official.per_class == {1: pytest.approx(0.5 + 1 / 3)}
    assert official.map == pytest.approx(0.5 + 1 / 3)
    # strict: the empty keyframe's row is a FP ranked first: FP, TP, FP, TP (precision 0, 1/2,
    # 1/3, 1/2; envelope 1/2 at both recalls): AP 1/2; class 2 gets 0; mAP 1/4
    strict = evaluate_map(truth, pred, protocol="strict")
    assert strict.per_class == {1: pytest.approx(0.5), 2: 0.0}
    assert strict.map == pytest.approx(0.25)


def test_classes_restrict_the_evaluation(gt):
    result = evaluate_map(gt, perfect(gt).iloc[[0, 1]], classes=[1, 7])
    assert result.per_class == {1: 1.0}  # class 7 is neither annotated nor predicted
    assert result.table().columns.tolist() == ["label", "name", "ap", "n_gt", "n_pred"]


def test_box_iou_and_average_precision():
    assert box_iou([A], [A])[0, 0] == 1.0
    assert box_iou([A], [B])[0, 0] == 0.0
    half = (0.10, 0.10, 0.20, 0.50)
    assert box_iou([A], [half])[0, 0] == pytest.approx(0.5)
    assert average_precision(np.array([1, 1]), 2) == 1.0
    assert average_precision(np.array([0, 1]), 1) == 0.5
    assert average_precision(np.array([1, 0]), 2) == 0.5
    assert np.isnan(average_precision(np.array([1]), 0))


def test_files_round_trip(tmp_path, gt):
    path = tmp_path / "gt.csv"
    write_csv(gt, path, ANNOTATION_COLUMNS)
    back = read_annotations(path, read_label_map(LABEL_MAP))
    assert back["keyframe"].tolist() == [2, 4, 4, 1]
    pd.testing.assert_frame_equal(back[list(ANNOTATION_COLUMNS)], gt, check_dtype=False)
    pred_path = tmp_path / "pred.csv"
    write_csv(perfect(gt), pred_path, PREDICTION_COLUMNS)
    assert evaluate_map(path, pred_path).map == 1.0
    # a header row with the official names is accepted
    text = ",".join(ANNOTATION_COLUMNS) + "\n" + path.read_text()
    assert len(read_annotations(io.StringIO(text))) == 4


def test_label_map():
    assert read_label_map(LABEL_MAP) == {1: "pass", 2: "block"}
    with pytest.raises(FormatError, match="item 1 needs both a quoted name and an integer id"):
        read_label_map('item { name: "pass" }')
    with pytest.raises(FormatError, match="repeats id 1"):
        read_label_map('item { name: "a" id: 1 } item { name: "b" id: 1 }')


GOOD = "v1,10,0.1,0.1,0.3,0.5,0.6,0.2,0.8,0.6,1,1,2"


@pytest.mark.parametrize(
    "line, message",
    [
        ("v1,10,0.1,0.1,0.3,0.5,0.6,0.2,0.8,0.6,1,1", r"row 2: expected 13 columns"),
        (
            "v1,ten,0.1,0.1,0.3,0.5,0.6,0.2,0.8,0.6,1,1,2",
            r"row 2: column frame_id must be a number, got 'ten'",
        ),
        (
            "v1,10,0.1,0.1,1.3,0.5,0.6,0.2,0.8,0.6,1,1,2",
            r"row 2: box coordinate x12 = 1.3 is outside \[0, 1\]",
        ),
        ("v1,10,0.1,0.1,0.3,0.5,0.8,0.2,0.6,0.6,1,1,2", r"row 2: the box of person 2 is inverted"),
        (
            "v1,10,0.1,0.1,0.3,0.5,0.6,0.2,0.8,0.6,9,1,2",
            r"row 2: unknown label 9 \(the label map has \[1, 2\]\)",
        ),
        (
            "v1,10,0.1,0.1,0.3,0.5,0.6,0.2,0.8,0.6,1.5,1,2",
            r"row 2: column label must be an integer",
        ),
    ],
)
def test_malformed_annotation_rows_name_file_and_row(tmp_path, line, message):
    path = tmp_path / "bad.csv"
    path.write_text(GOOD + "\n" + line + "\n")
    with pytest.raises(FormatError, match=str(path).replace(".", r"\.") + ", " + message):
        read_annotations(path, read_label_map(LABEL_MAP))


def test_malformed_predictions_and_arguments(tmp_path, gt):
    with pytest.raises(FormatError, match=r"<predictions>, row 1: expected 12 columns"):
        read_predictions(io.StringIO(GOOD))
    with pytest.raises(FileNotFoundError, match="annotations file not found"):
        read_annotations(tmp_path / "missing.csv")
    with pytest.raises(ValueError, match=r"iou_threshold must be a number in \(0, 1\]"):
        evaluate_map(gt, perfect(gt), iou_threshold=0)
    with pytest.raises(ValueError, match="protocol must be one of"):
        evaluate_map(gt, perfect(gt), protocol="ava")
    with pytest.raises(ValueError, match=r"pred is missing column\(s\) \['score'\]"):
        evaluate_map(gt, perfect(gt).drop(columns="score"))


def _greedy_reference(gt: pd.DataFrame, pred: pd.DataFrame, iou: float) -> np.ndarray:
    """The matching rule written as a plain loop, one (video, keyframe, class) at a time:
    detections in score order (file order on ties), each to the free GT pair of largest pair
    overlap (the first of equal ones) whose two boxes reach ``iou``. Returns the TP flags of
    ``pred`` rows in score order."""
    pred = pred.sort_values("score", ascending=False, kind="stable").reset_index(drop=True)
    gt = gt.assign(keyframe=gt["frame_id"] // 5)
    cols = list(ANNOTATION_COLUMNS[2:10])
    tp = np.zeros(len(pred), dtype=bool)
    for key, dets in pred.groupby(["video_id", "frame_id", "label"], sort=False).indices.items():
        rows = gt[(gt["video_id"] == key[0]) & (gt["keyframe"] == key[1]) & (gt["label"] == key[2])]
        free = np.ones(len(rows), dtype=bool)
        truth = rows[cols].to_numpy(float)
        for d in np.sort(dets):
            box = pred.loc[d, cols].to_numpy(float)[None]
            overlap = np.minimum(
                box_iou(box[:, :4], truth[:, :4]), box_iou(box[:, 4:], truth[:, 4:])
            )[0]
            ok = free & (overlap >= iou)
            if ok.any():
                best = int(np.argmax(np.where(ok, overlap, -1.0)))
                free[best] = False
                tp[d] = True
    return tp


@pytest.mark.parametrize("trial", range(6))
def test_the_matching_of_every_keyframe_at_once_equals_the_plain_loop(trial):
    """The evaluator matches all (video, keyframe, class) groups together; on random files
    with tied scores, duplicate detections and equal overlaps its AP equals the plain loop's."""
    rng = np.random.default_rng(trial)
    grid = 3  # coarse coordinates: equal IoUs and duplicates occur

    def boxes(n):
        lo = rng.integers(0, grid, (n, 2)) / (2 * grid)
        return np.hstack([lo, lo + rng.integers(1, grid, (n, 2)) / (2 * grid)])

    n_gt, n_pred = 30, 150
    gt = pd.DataFrame({"video_id": rng.choice(["a", "b"], n_gt),
                       "frame_id": rng.integers(0, 3, n_gt) * 5})  # fmt: skip
    for col, values in zip(
        ANNOTATION_COLUMNS[2:10], np.hstack([boxes(n_gt), boxes(n_gt)]).T, strict=True
    ):
        gt[col] = values
    gt = gt.assign(label=rng.integers(1, 3, n_gt), p1_id=1, p2_id=2)
    copy = rng.integers(0, n_gt, n_pred)
    pred = gt.iloc[copy].drop(columns=["p1_id", "p2_id"]).reset_index(drop=True)
    pred["frame_id"] = pred["frame_id"] // 5
    moved = rng.random(n_pred) < 0.4
    pred.loc[moved, list(ANNOTATION_COLUMNS[2:6])] = boxes(int(moved.sum()))
    pred["label"] = np.where(rng.random(n_pred) < 0.2, 3 - pred["label"], pred["label"])
    pred["score"] = rng.integers(0, 4, n_pred) / 4  # many ties
    for iou in (0.3, 0.5, 0.9):
        tp = _greedy_reference(gt, pred, iou)
        result = evaluate_map(gt, pred, iou_threshold=iou, protocol="strict")
        ordered = pred.sort_values("score", ascending=False, kind="stable").reset_index(drop=True)
        for label, ap in result.per_class.items():
            mask = (ordered["label"] == label).to_numpy()
            assert ap == average_precision(tp[mask], int((gt["label"] == label).sum()))


# -- the official protocol against a transcription of the official code -------------------------
@pytest.mark.parametrize("chunk", range(8))
def test_official_protocol_equals_the_official_code_on_hand_made_files(tmp_path, chunk):
    """Random small files with tied scores (float64 ties and float32-only ties), IoUs at the
    threshold, duplicated ground truth (equal overlaps, also more than 16 in one group),
    predictions on keyframes without ground truth, pred_max cuts and class subsets (given to
    the reference as a label map and custom_classes): mAP, per-class AP and Recall@K equal
    the reference's to 1e-12, from data frames and from the files the reference read."""
    for seed in range(25 * chunk, 25 * (chunk + 1)):
        gt, pred, settings = hand_made_case(seed)
        expected = reference_numbers(gt, pred, tmp_path / str(seed), **settings)
        assert difference(our_numbers(gt, pred, **settings), expected) <= 1e-12, (seed, settings)
        folder = tmp_path / str(seed)
        from_files = our_numbers(folder / "gt.csv", folder / "pred.csv", **settings)
        assert difference(from_files, expected) <= 1e-12, (seed, settings)


def test_float32_boxes_turn_an_iou_at_the_threshold_into_a_miss():
    """IoU exactly 0.9 in float64 is 0.89999999 once the detection box is float32 (official)."""
    box, inner = (0.0, 0.1, 0.15, 0.95), (0.0, 0.1, 0.135, 0.95)
    assert box_iou([box], [inner])[0, 0] == 0.9
    truth = pd.DataFrame([gt_row("v", 0, inner, inner, 1)])
    pred = pd.DataFrame([pred_row("v", 0, box, inner, 1, 0.9)])
    assert evaluate_map(truth, pred, protocol="strict").map == 1.0
    assert evaluate_map(truth, pred).map == 0.0  # official: a false positive


def test_tied_scores_are_ranked_as_numpys_argsort_ranks_them():
    """Official: per class, the detections of every scored keyframe (keyframes in the order the
    ground truth first meets them) ranked by np.argsort(float32 scores)[::-1]; strict: ties
    (and float32-only ties) keep row order."""
    truth = pd.DataFrame([gt_row("v", 0, A, B, 1), gt_row("v", 5, A, B, 1)])
    pred = pd.DataFrame(
        [
            pred_row("v", 0, A, B, 1, 0.5),  # TP
            pred_row("v", 0, B, C, 1, 0.5),  # FP
            pred_row("v", 1, B, C, 1, 0.5 + 1e-9),  # FP; float32: 0.5
            pred_row("v", 1, A, B, 1, 0.3),  # TP
            pred_row("v", 1, C, A, 1, 0.5),  # FP
        ]
    )
    # the official keyframe order sorts each keyframe by float64 score (stable), then ranks the
    # class's float32 scores with NumPy's (unstable) argsort, reversed
    within = [0, 1, 2, 4, 3]
    scores = pred["score"].to_numpy()[within].astype(np.float32)
    tp = np.array([1, 0, 0, 1, 0])[within][np.argsort(scores)[::-1]]
    assert evaluate_map(truth, pred).per_class[1] == average_precision(tp, 2)
    strict = pred.sort_values("score", ascending=False, kind="stable")
    tp = np.isin(strict.index, [0, 3])
    assert evaluate_map(truth, pred, protocol="strict").per_class[1] == average_precision(tp, 2)


def test_equal_overlaps_take_the_pair_first_in_the_official_order():
    """Two ground-truth pairs at exactly the same overlap (15/17) with the first detection; the
    second detection reaches only the second pair. Strict: the first detection takes the first
    pair, both are TPs. Official: it takes the pair first in np.argsort(overlap)[::-1] (for two
    equal values after an insertion sort, the last one); if that is the second pair, the
    second detection is a FP."""
    u = 1 / 64  # binary fractions: every IoU below is exact
    person_2 = (0.5, 0.25, 0.75, 0.75)
    left, right = (0.5 - u, 0.25, 0.75 - u, 0.75), (0.5 + u, 0.25, 0.75 + u, 0.75)
    further = (0.5 + 2 * u, 0.25, 0.75 + 2 * u, 0.75)  # IoU 15/17 with right, 13/19 with left
    truth = pd.DataFrame([gt_row("v", 0, A, left, 1), gt_row("v", 0, A, right, 1)])
    pred = pd.DataFrame(
        [pred_row("v", 0, A, person_2, 1, 0.9), pred_row("v", 0, A, further, 1, 0.8)]
    )
    assert box_iou([person_2], [left, right]).tolist() == [[15 / 17, 15 / 17]]
    strict = evaluate_map(truth, pred, iou_threshold=0.8, protocol="strict")
    assert strict.map == 1.0
    first = int(np.argsort(np.array([15 / 17, 15 / 17]))[::-1][0])
    official = evaluate_map(truth, pred, iou_threshold=0.8)
    assert official.map == (0.5 if first == 1 else 1.0)  # TP, FP: precision 1 at recall 1/2


def test_the_class_filter_comes_before_pred_max_and_pred_max_cuts_ground_truth(gt):
    # keyframe 4: a high-scoring row of class 2, then the class-1 row
    pred = perfect(gt).assign(score=[0.9, 0.5, 0.95, 0.9])
    # classes=[1] drops the class-2 row first: the class-1 row survives pred_max=1
    for protocol in ("official", "strict"):
        result = evaluate_map(gt, pred, classes=[1], pred_max=1, protocol=protocol)
        assert result.per_class == {1: 1.0} and result.n_pred == {1: 2}
    # official: pred_max also keeps each keyframe's first ground-truth row only, so class 2
    # loses keyframe 4's pair (file order) and its AP counts one pair, not two
    official = evaluate_map(gt, pred, pred_max=1)
    assert official.n_gt == {1: 2, 2: 1}
    strict = evaluate_map(gt, pred, pred_max=1, protocol="strict")
    assert strict.n_gt == {1: 2, 2: 2}


def test_official_recall_is_hhi_evals_recall_at_pred_max_k(gt):
    """Recall@K (official) = hhi_eval(pred_max=K)'s recall: both files cut to K rows per
    keyframe, TP over the ground truth of the classes predicted."""
    only_1 = perfect(gt).iloc[[0, 1]]  # class 2 never predicted: out of both counts
    assert evaluate_map(gt, only_1).recall == {1: 1.0, 5: 1.0, 10: 1.0}
    assert evaluate_map(gt, only_1, protocol="strict").recall == {1: 0.5, 5: 0.5, 10: 0.5}


def test_label_map_layouts():
    """The layout the official reader reads is accepted; one it reads differently (the
    one-line layout: 0 classes) is refused."""
    assert read_label_map(LABEL_MAP) == {1: "pass", 2: "block"}
    with_label_id = 'item {\n  name: "pass"\n  label_id: 1\n}\n'
    assert read_label_map(with_label_id) == {1: "pass"}
    with pytest.raises(FormatError, match=r"official reader reads 0 class\(es\)"):
        read_label_map('item { name: "pass" id: 1 }')
    # indented by 4: the official reader keeps the previous name for id 2
    with pytest.raises(FormatError, match=r"reads 2 class\(es\) \{1: 'pass', 2: 'pass'\}"):
        read_label_map(LABEL_MAP.replace('  name: "block"', '    name: "block"'))
    with pytest.raises(FormatError, match="double quotes"):
        read_label_map("item {\n  name: 'pass'\n  id: 1\n}\n")
    with pytest.raises(ValueError, match="classes must name at least one label"):
        evaluate_map(pd.DataFrame([gt_row("v", 0, A, B, 1)]), pd.DataFrame(), classes=[])


def test_the_command_scores_official_files_and_refuses_a_bad_one(tmp_path, gt, capsys):
    from specialist.pipeline import cli

    gt_file, pred_file = tmp_path / "gt.csv", tmp_path / "pred.csv"
    write_csv(gt, gt_file, ANNOTATION_COLUMNS)
    write_csv(perfect(gt), pred_file, PREDICTION_COLUMNS)
    labels_file = tmp_path / "labels.pbtxt"
    labels_file.write_text(LABEL_MAP)
    assert cli.main(["sportshhi-eval", str(gt_file), str(pred_file)]) == 0
    out = capsys.readouterr().out
    assert "mAP@0.9 (official protocol): 1.0000" in out
    args = ["sportshhi-eval", str(gt_file), str(pred_file), "--label-map", str(labels_file)]
    assert cli.main([*args, "--iou", "0.5", "--protocol", "strict"]) == 0
    out = capsys.readouterr().out
    assert "pass" in out and "block" in out and "mAP@0.5 (strict protocol): 1.0000" in out
    pred_file.write_text("v1,2,not-a-number\n")
    assert cli.main(["sportshhi-eval", str(gt_file), str(pred_file)]) == 2
    assert "error:" in capsys.readouterr().err


def test_predictions_keyed_on_frame_ids_are_warned_about(gt):
    # the second column of a prediction file is the keyframe index; frame ids there put every
    # row on a keyframe without ground truth, which the official protocol silently ignores
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert evaluate_map(gt, perfect(gt)).map == 1.0  # keyed right: no warning
    frame_ids = perfect(gt).assign(frame_id=gt["frame_id"].to_numpy())
    with pytest.warns(UserWarning, match="may hold frame ids where the keyframe index belongs"):
        evaluate_map(gt, frame_ids)
