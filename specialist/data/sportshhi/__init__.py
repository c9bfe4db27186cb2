"""SportsHHI's annotation format and its pair-IoU mAP evaluation.

SportsHHI (Wu et al., CVPR 2024) annotates human–human interactions in basketball and volleyball
videos: per keyframe, a (person-1 box, person-2 box, interaction class) triple. The data is
gated; this package reads and evaluates files in its official format, so that users who have the
data can score predictions, and so that our simulated benchmark is scored by the same code.

* :mod:`specialist.data.sportshhi.files`: the file formats, their readers and a writer;
* :mod:`specialist.data.sportshhi.evaluation`: :func:`~specialist.data.sportshhi.evaluation.evaluate_map` under the official
  protocol (SportsHHI's ``hhi_eval``, quirks included) or the strict one;
* :mod:`specialist.data.sportshhi.matching`: what both protocols share (box and pair overlaps,
  the matching of detections to ground-truth pairs, the average precision).

Every public name is importable from here.

Backs
-----
fig4_sportshhi
"""

from specialist.data.sportshhi.evaluation import PROTOCOLS, MapResult, evaluate_map
from specialist.data.sportshhi.files import (
    ANNOTATION_COLUMNS,
    BOX_COLUMNS,
    KEYFRAME_STRIDE,
    PREDICTION_COLUMNS,
    FormatError,
    read_annotations,
    read_label_map,
    read_predictions,
    write_csv,
)
from specialist.data.sportshhi.matching import average_precision, box_iou

__all__ = [
    "ANNOTATION_COLUMNS",
    "BOX_COLUMNS",
    "KEYFRAME_STRIDE",
    "PREDICTION_COLUMNS",
    "PROTOCOLS",
    "FormatError",
    "MapResult",
    "average_precision",
    "box_iou",
    "evaluate_map",
    "read_annotations",
    "read_label_map",
    "read_predictions",
    "write_csv",
]
