"""From features to detections: Algorithm 1's evidence per player, the candidate pairs' scores,
the predictions in SportsHHI's format, and the chance reference (random evidence).

Backs
-----
fig4_sportshhi
"""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd

from specialist.data.sportshhi import PREDICTION_COLUMNS
from specialist.simulate.sports import SportsSample
from specialist.structure import discover_task_structure


def player_evidence(features: np.ndarray, outcomes: np.ndarray, segment_length: int) -> np.ndarray:
    """Smallest Algorithm-1 p-value of each (player, interaction, segment): (P, M, K)."""
    evidence = []
    for p in range(features.shape[2]):
        res = discover_task_structure(features[:, :, p], outcomes, segment_length, test="fisherz")
        evidence.append(np.nanmin(res.pvalues, axis=2))
    return np.stack(evidence)


#: the smallest p-value a score distinguishes (a p-value that underflowed to 0 scores as this)
_P_FLOOR = 1e-300


def score_of(p_a: float, p_b: float) -> float:
    """A candidate pair's score from its two players' evidence (p-values): ``−log10 max(p)``.

    Higher is stronger evidence. A score of ``1 − max(p)`` would order the same way in float64,
    but the official evaluator reads scores as float32, where every p below about 6e-8 gives
    exactly 1.0: the strongest detections would tie, and their order would fall to its tie rule.
    The logarithm keeps them apart.
    """
    return float(-np.log10(max(p_a, p_b, _P_FLOOR))) + 0.0  # + 0.0: no "-0.0" for p = 1


def distinct_scores(score) -> np.ndarray:
    """``score`` with every tie broken and the order of distinct scores kept: no two rows share
    a score, as float64 or as float32 (the official evaluator ranks float32 scores, and ranks
    their ties in an order that depends on NumPy's sort, not on the file).

    Every score is rounded to float32 (a relative change below 6e-8); where no two rows then
    share a value, that is all. Otherwise the rows are ranked by decreasing score, ties in row
    order (the earlier row first), and going down that ranking each score that is not strictly
    below the previous row's is lowered to the float32 value just below it: a row moves down
    by at most as many float32 steps as there are rows tied with it or pushed by such a tie
    (a tie at 0 ends just below 0). Returned as float64 (float32 values, exact in both).
    """
    score = np.asarray(score, dtype=np.float64)
    if score.size == 0:
        return score.copy()
    order = np.argsort(-score, kind="stable")
    bits = score[order].astype(np.float32).view(np.int32).astype(np.int64)
    key = np.where(bits >= 0, bits, -(bits & 0x7FFFFFFF))  # monotone in the float value
    step = np.arange(score.size, dtype=np.int64)
    key = np.minimum.accumulate(key + step) - step  # strictly decreasing, each as high as it can
    bits = np.where(key >= 0, key, (-key) | 0x80000000).astype(np.uint32).view(np.float32)
    out = np.empty(score.size, dtype=np.float64)
    out[order] = bits
    return out


def predictions(evidence: np.ndarray, sample: SportsSample, episodes: np.ndarray) -> pd.DataFrame:
    """Every (interaction, segment, pair) candidate on every keyframe of ``episodes``.

    Rows follow SportsHHI's official prediction format (the keyframe index in the second
    column; person 1 = the lower player index, as in the ground truth); boxes are the players'
    detected boxes. A candidate's score (:func:`score_of`) is the same on every keyframe and
    episode; :func:`distinct_scores` breaks these ties (in row order), so no two rows share a
    score and the official evaluator's ranking does not depend on how NumPy orders ties.
    """
    scenario = sample.scenario
    L = scenario.segment_length
    pairs = list(itertools.combinations(range(scenario.n_players), 2))
    template = np.array(
        [
            (inter.label, t, a, b, score_of(evidence[a, i, k], evidence[b, i, k]))
            for i, inter in enumerate(scenario.interactions)
            for k in range(scenario.n_segments)
            for a, b in pairs
            for t in range(k * L, (k + 1) * L)
        ]
    )
    label, step, a, b = (template[:, j].astype(int) for j in range(4))
    score = template[:, 4]
    boxes = sample.detected_boxes[episodes]  # (E, T, P, 4)
    box1 = boxes[:, step, a].reshape(-1, 4)
    box2 = boxes[:, step, b].reshape(-1, 4)
    n_rows = len(template)
    return pd.DataFrame(
        {
            "video_id": np.repeat(np.asarray(sample.video_ids)[episodes], n_rows),
            "frame_id": np.tile(step, len(episodes)),
            **dict(zip(PREDICTION_COLUMNS[2:6], box1.T, strict=True)),
            **dict(zip(PREDICTION_COLUMNS[6:10], box2.T, strict=True)),
            "label": np.tile(label, len(episodes)),
            "score": distinct_scores(np.tile(score, len(episodes))),
        }
    )


def block_predictions(
    features: np.ndarray,
    sample: SportsSample,
    episodes: np.ndarray,
    n_blocks: int,
    n_scored: int,
) -> pd.DataFrame:
    """Algorithm 1 on each block of held-out ``episodes``, detections of its scored episodes.

    ``features`` (len(episodes), T, P, d) belong to ``episodes`` (indices into ``sample``),
    which are cut into ``n_blocks`` consecutive blocks. Each block's p-values rank the
    candidates (:func:`predictions`) emitted on the block's first ``n_scored // n_blocks``
    episodes (at least one), so no block borrows evidence from another.
    """
    episodes = np.asarray(episodes)
    L = sample.scenario.segment_length
    frames = []
    for positions, shown in _blocks(len(episodes), n_blocks, n_scored):
        block = episodes[positions]
        evidence = player_evidence(features[positions], sample.outcomes[block], L)
        frames.append(predictions(evidence, sample, episodes[shown]))
    return _without_ties(pd.concat(frames, ignore_index=True))


def chance_predictions(
    sample: SportsSample,
    episodes: np.ndarray,
    n_blocks: int,
    n_scored: int,
    rng: np.random.Generator,
) -> pd.DataFrame:
    """The chance reference: :func:`block_predictions` with random evidence.

    Each block's evidence (one value per player, interaction and segment, as
    :func:`player_evidence` returns) is drawn uniformly from ``[0, 1)`` by ``rng`` instead of
    computed by Algorithm 1, and goes through the same score rule and format
    (:func:`predictions`): the same candidate pairs, rows, keyframes and detected boxes as
    every method, with scores that carry no information.
    """
    episodes = np.asarray(episodes)
    scenario = sample.scenario
    shape = (scenario.n_players, scenario.n_interactions, scenario.n_segments)
    frames = [
        predictions(rng.uniform(size=shape), sample, episodes[shown])
        for _, shown in _blocks(len(episodes), n_blocks, n_scored)
    ]
    return _without_ties(pd.concat(frames, ignore_index=True))


def _without_ties(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with :func:`distinct_scores` over all its rows. Each block is tie-free on
    its own (:func:`predictions`), but two blocks can share a score: the earlier row keeps
    it, so a block's scores can move by float32 steps with another block's scores, never
    their order among themselves."""
    return frame.assign(score=distinct_scores(frame["score"].to_numpy()))


def _blocks(n: int, n_blocks: int, n_scored: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """Positions of each of ``n_blocks`` consecutive blocks of ``n``, and of its scored ones."""
    per_block = max(1, n_scored // n_blocks)
    return [(b, b[:per_block]) for b in np.array_split(np.arange(n), n_blocks)]


def scored_episodes(episodes: np.ndarray, n_blocks: int, n_scored: int) -> np.ndarray:
    """The episodes :func:`block_predictions` emits detections on, in order."""
    episodes = np.asarray(episodes)
    return np.concatenate([episodes[s] for _, s in _blocks(len(episodes), n_blocks, n_scored)])
