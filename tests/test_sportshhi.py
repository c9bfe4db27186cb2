"""SportsHHI format and pair-IoU mAP: hand-built cases with known AP, and malformed files."""

from __future__ import annotations

import io

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
    return pd.DataFrame(
        [pred_row(r.video_id, r.frame_id, (r.x11, r.y11, r.x12, r.y12),
                  (r.x21, r.y21, r.x22, r.y22), r.label, 0.9) for r in gt.itertuples()]
    )  # fmt: skip


def test_perfect_predictions_score_one(gt):
    result = evaluate_map(gt, perfect(gt))
    assert result.map == 1.0 and result.per_class == {1: 1.0, 2: 1.0}
    assert result.n_gt == {1: 2, 2: 2} and result.recall == {
        1: 0.75,
        5: 1.0,
        10: 1.0,
    }  # top-1 misses one of keyframe 4
    # frames 20..24 share keyframe 4: a detection at frame 22 matches the frame-20 pair
    moved = perfect(gt).assign(frame_id=lambda d: d["frame_id"] + 2)
    assert evaluate_map(gt, moved).map == 1.0


def test_wrong_class_wrong_keyframe_and_wrong_boxes_score_zero(gt):
    pred = perfect(gt)
    assert evaluate_map(gt, pred.assign(label=3 - pred["label"])).map == 0.0
    assert evaluate_map(gt, pred.assign(frame_id=pred["frame_id"] + 50)).map == 0.0
    shifted = pred.copy()
    shifted[["x11", "x12"]] = shifted[["x11", "x12"]] + 0.02  # IoU of person 1: 0.76 to 0.82
    assert evaluate_map(gt, shifted, iou_threshold=0.5).map == 1.0
    assert evaluate_map(gt, shifted, iou_threshold=0.9).map == 0.0


def test_swapped_pair_is_a_false_positive(gt):
    # interactions are directed: person 1 <-> person 2 swapped does not match
    swapped = pd.DataFrame([pred_row("v1", 10, B, A, 1, 0.9)])
    result = evaluate_map(gt, swapped, classes=[1])
    assert result.per_class == {1: 0.0}
    # the swapped detection ranked above the right one: precision 1/2 at full recall of that GT
    both = pd.DataFrame([pred_row("v1", 10, B, A, 1, 0.9), pred_row("v1", 10, A, B, 1, 0.8)])
    assert evaluate_map(gt, both, classes=[1]).per_class[1] == pytest.approx(0.5 * 0.5)


def test_duplicates_count_once(gt):
    one = gt.iloc[[0]]
    dup = pd.DataFrame([pred_row("v1", 10, A, B, 1, 0.9), pred_row("v1", 11, A, B, 1, 0.8)])
    result = evaluate_map(one, dup)
    # TP then FP: precision envelope 1 at recall 1 -> AP 1; the duplicate costs nothing here
    assert result.map == 1.0
    # but a duplicate ranked above a second true pair lowers AP: TP, FP, TP over 2 GT pairs
    two = gt.iloc[[1]].assign(frame_id=10)
    gt2 = pd.concat([one, two])
    pred = pd.DataFrame([
        pred_row("v1", 10, A, B, 1, 0.9), pred_row("v1", 10, A, B, 1, 0.8),
        pred_row("v1", 10, A, C, 1, 0.7),
    ])  # fmt: skip
    assert evaluate_map(gt2, pred).map == pytest.approx(0.5 * 1.0 + 0.5 * (2 / 3))


def test_empty_frames_and_missing_detections(gt):
    # a detection in a keyframe without ground truth is a false positive
    extra = pd.concat([perfect(gt), pd.DataFrame([pred_row("v3", 0, A, B, 1, 0.95)])])
    result = evaluate_map(gt, extra)
    assert result.per_class[2] == 1.0
    assert result.per_class[1] == pytest.approx(2 / 3)  # FP first, then 2 TPs: P = 1/2, 2/3
    # no detections at all: AP 0 for every class, recall 0
    empty = pd.DataFrame(columns=list(PREDICTION_COLUMNS))
    nothing = evaluate_map(gt, empty)
    assert nothing.map == 0.0 and nothing.recall[10] == 0.0
    # half the pairs found
    assert evaluate_map(gt, perfect(gt).iloc[[0, 2]]).map == pytest.approx(0.5)


def test_classes_restrict_the_evaluation(gt):
    result = evaluate_map(gt, perfect(gt).iloc[[0, 1]], classes=[1, 7])
    assert result.per_class == {1: 1.0}  # class 7 has no GT: not averaged
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
    with pytest.raises(ValueError, match=r"pred is missing column\(s\) \['score'\]"):
        evaluate_map(gt, perfect(gt).drop(columns="score"))
