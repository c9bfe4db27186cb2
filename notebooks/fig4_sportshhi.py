# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Fig. 4 — Interleaved interactions in multi-person scenes (simulated SportsHHI)
#
# The paper's real-data experiment runs on **SportsHHI** (basketball and volleyball videos
# annotated with human–human interactions: per keyframe, two person boxes and an interaction
# class). It compares Algorithm 1 on raw observations (*Base*), on the latents of LEAP, a
# sequential VAE with a learned transition prior, and on the latents of the paper's specialist
# model (*Ours*), scoring detections by mAP: Ours 0.25, LEAP 0.12, Base 0.09.
#
# **The real SportsHHI data was not used here.** It is gated and cannot be downloaded in our
# build. This page simulates SportsHHI-style scenes instead (players on a court, pairwise
# interactions of several classes that interleave in time, each interaction's outcome a
# collider of its two players' actions, seen only through rendered frames) and asks two
# questions:
#
# 1. Does the paper's ordering, Ours > LEAP > Base, hold? And does each of the three do better
#    than **chance**, i.e. than random evidence written in the same prediction format?
# 2. Ours is trained with the interactions' outcomes and the other two are not. **How much of
#    its advantage is the sparsity, and how much is the supervision?** Two controls answer it:
#    the *same* VAE with the same task weight and no ℓ1 penalty (trained side by side with
#    Ours, same initialisation and batches), and a *supervised linear* model (one PCA direction
#    regressed on the outcomes, no VAE, no sparsity). A third reads the dense VAE at the
#    dimension Ours chose, to separate the penalty from the size of the read-out.
#
# The protocol keeps the test honest:
#
# * **a chance row**: the same candidate pairs, rows, keyframes and detected boxes as every
#   method, but with Algorithm 1's evidence replaced by uniform random numbers (five draws per
#   play, their mean mAP), scored by the same evaluator. Many candidate pairs are true on these
#   scenes, so chance is far from 0; a method that does not beat this row on the same plays
#   (paired interval above 0) detects nothing. **A link between two methods at chance is no
#   evidence, nor is one whose method found ahead is at chance**: such a link is *untestable*;
# * **what each row is given**: Algorithm 1 conditions on the outcomes $g$ of the held-out
#   episodes for every row, so every row is "given g". Ours, the dense VAE and the linear
#   control are also *supervised*: their features are fitted with the training episodes'
#   outcomes as targets. Base (PCA) and LEAP-style are not. The paper's comparison of Ours
#   with LEAP and Base is therefore a comparison across different information; the tables
#   and the claims page say so;
# * every representation is fitted on the same **fit episodes** (training episodes);
#   Algorithm 1 runs on **disjoint test episodes**, one block at a time, and each block's
#   p-values rank the detections of that block only, so the ranking depends on the held-out
#   data;
# * **Ours' λ is chosen by a rule that sees no annotation and no test score**: the dense VAE
#   and one ℓ1 model per λ of a path are trained together on the fit episodes; the rest of
#   the training episodes (`validation_fraction`) are *validation episodes*; Ours is the
#   largest λ whose held-out task and reconstruction losses there stay within 0.05 of the
#   dense model's (the package's `l1="auto"` rule; the dense model if no λ qualifies). Two
#   other ways of choosing λ run as attacks: the best validation mAP (which reads the play's
#   annotations: every episode of a play shares its interaction structure, so these are the
#   test's labels) and the λ with the best mean test mAP (*tuned on the test plays*). The whole
#   path's test scores are shown;
# * detections are written in SportsHHI's official prediction format and scored by our
#   implementation of the official pair-IoU mAP (`specialist.data.sportshhi.evaluate_map`,
#   official protocol) at IoU 0.5 and 0.9;
# * **test dimensions**: Fisher-z on vector features is the multivariate Wilks–Bartlett test,
#   whose χ² reference grows with the dimension, so every method's p-values are calibrated at
#   its own dimension; the dimension changes power only, and the tables list it;
# * **refits**: Ours' score on one play can swing widely from one fit to the next, so the
#   specialist's path (Ours, the dense VAE and its read-out at Ours' dimension) is fitted
#   `n_fits` times per play from different seeds on the same episodes; a play's score is the
#   mean over its fits and every interval is over plays. The page reports how much of Ours'
#   spread is between fits and how much between plays;
# * five **difficulties**, each changing one thing: the standard scenes; a quarter of the
#   training episodes (`few_fraction`); a jersey shade that follows each player's
#   episode-mean state, a nuisance correlated with the state, at two strengths
#   (`nuisance_coupling`, `strong_coupling`); and **non-Gaussian, state-dependent noise**.
#   LEAP identifies latent processes when the transition noise is non-Gaussian or changes
#   across time or domains, which cannot hold in the other four (linear-Gaussian states,
#   constant noise). Here every state innovation is Laplace and its scale follows the previous
#   state, while every variance and covariance, hence the true structure, stays that of the
#   standard scenes. It moves the scenes towards LEAP's setting but is **not** a verified
#   instance of its conditions (the [Reconstruction notes](../reconstruction.md) say why).
#   LEAP-style is fitted once per play.
#
# The simulated benchmark and every setting are described on the
# [Reconstruction notes](../reconstruction.md) page.

# %% tags=["parameters"]
profile = "paper"  # set by the runner: which parameter profile produced this page
output_dir = "../results/interactive/fig4_sportshhi"  # a hand run writes here; the runner injects its own folder
difficulties = [
    "standard",
    "few_episodes",
    "nuisance",
    "strong_nuisance",
    "state_dependent_noise",
]  # see DIFFICULTIES [each one of: standard, few_episodes, nuisance, strong_nuisance, state_dependent_noise]
n_train = 2000  # training episodes every representation is fitted on ("standard") [>= 10]
few_fraction = 0.25  # share of them the "few_episodes" difficulty keeps [open 0..1]
nuisance_coupling = 0.4  # how much a jersey follows the state in "nuisance" (0..1) [0..1]
strong_coupling = 0.7  # the same in "strong_nuisance" [0..1]
n_test = 2000  # held-out episodes Algorithm 1 runs on [>= 10]
n_blocks = 2  # held-out blocks; Algorithm 1 runs on each alone and ranks its own detections [>= 1]
n_scored = 300  # held-out episodes that get detections (spread evenly over the blocks) [>= 1]
n_players = 4  # players per scene [>= 2]
n_steps = 12  # keyframes per episode [>= 4]
n_interactions = 4  # interactions in a play [>= 1]
n_classes = 3  # interaction classes [>= 1]
n_latent = 4  # feature dimension of Base, LEAP and the VAEs (PCA components or latents) [>= 1]
n_linear_components = 20  # PCA components the supervised linear control regresses on [>= 1]
l1_path = [30.0, 100.0, 300.0, 1000.0, 3000.0]  # ℓ1 weights Ours' λ is chosen from [each >= 0]
validation_fraction = (
    0.25  # share of the training episodes kept to choose λ (never fitted on) [open 0..1]
)
task_weight = 100.0  # weight of the supervised VAEs' task term (crops have 144 pixels) [> 0]
epochs = 20  # training epochs of the neural models [>= 1]
n_fits = 2  # fits of the specialist's path per play (different seeds, same episodes) [>= 1]
box_noise = 0.005  # std of the detected boxes' corners (normalised units) [>= 0]
iou_thresholds = [0.5, 0.9]  # pair-IoU thresholds (the official code uses 0.9) [each open 0..1]
n_seeds = 10  # plays (each with new episodes), the same plays at every difficulty [>= 1]
seed = 0  # base seed [>= 0]
n_jobs = 2  # worker processes [>= 1]

# %%
import numpy as np
import pandas as pd

from specialist.experiments import interactions as study
from specialist.experiments.interactions.figures import (
    contrasts_figure,
    frames_figure,
    map_figure,
    path_figure,
)
from specialist.outputs import notebook_outputs, say
from specialist.plotting import use_style
from specialist.simulate.sports import random_scenario, simulate_sports

settings = dict(
    n_train=n_train, n_test=n_test, n_blocks=n_blocks, n_scored=n_scored, n_players=n_players,
    n_steps=n_steps, n_interactions=n_interactions, n_classes=n_classes, n_latent=n_latent,
    n_linear_components=n_linear_components, l1_path=tuple(l1_path),
    validation_fraction=validation_fraction, task_weight=task_weight, epochs=epochs,
    box_noise=box_noise, iou_thresholds=tuple(iou_thresholds), few_fraction=few_fraction,
    nuisance_coupling=nuisance_coupling, strong_coupling=strong_coupling, n_fits=n_fits,
)  # fmt: skip
# every setting is checked before any training
difficulties = study.check_difficulties(difficulties)
study.check_settings(settings)
example_play = random_scenario(n_players, n_steps, 2, n_interactions, n_classes, seed=seed)
out = notebook_outputs("fig4_sportshhi", globals())
use_style()

# %% [markdown]
# ## Every method on the same plays, at every difficulty
#
# Each row of the table and each bar of the figure is labelled with what the method is given
# beyond the frames; the dotted line in each panel is the chance row (random evidence).

# %%
result = study.run_study(settings, difficulties, n_seeds, base_seed=seed, n_jobs=n_jobs)
out.table(result.scores, "scores")
out.table(result.timings, "timings")
means = study.map_table(result.scores)
out.table(means, "map_summary")
paired = pd.concat(
    [study.contrasts(result.scores, iou).assign(iou=iou) for iou in iou_thresholds],
    ignore_index=True,
)
out.table(paired, "contrasts")
# %% mystnb={"figure": {"name": "fig-fig4_sportshhi", "caption": "Pair-IoU mAP on held-out simulated SportsHHI-style episodes (official protocol), per difficulty (rows) and IoU threshold (columns): one dot per play, bars at the mean, whiskers the 95% Student-t interval over plays; the legend says what each method is given beyond the frames (g: the outcomes Algorithm 1 conditions on; supervised: fitted with the training outcomes as targets). Green, light blue and pink bars are controls: a supervised linear model, the same VAE as Ours without the ℓ1 penalty, and that dense VAE read at Ours' dimension. Black ticks: the paper's values on the real SportsHHI (a different data set; a reference, not a target). Dashed line: Algorithm 1 on the true states (an upper bound). Dotted line: chance, random evidence in the same prediction format (mean over plays); a bar below it detects nothing."}}
fig = map_figure(result.scores, difficulties, iou_thresholds)
out.figure(fig, "sportshhi_map")

# %% [markdown]
# ## What a simulated episode looks like
#
# One episode of one play: the court, the players (stick figures: the arm angle shows the
# latent state; the torso shade is a nuisance that follows the state only in the nuisance
# difficulties), two distractor balls, and each keyframe's ground-truth interactions.

# %% mystnb={"figure": {"name": "fig-fig4_sportshhi-frames", "caption": "Six keyframes of one simulated episode (32 × 32 pixels). Every player is labelled P1, P2, … at its box; the two players of each ground-truth interaction active at a keyframe are boxed in that interaction's colour, and the legend names each interaction's class and players."}}
demo = simulate_sports(example_play, 1, box_noise=box_noise, seed=seed)
fig = frames_figure(example_play, demo)
out.figure(fig, "frames")

# %% [markdown]
# ## What sparsity adds beyond supervision
#
# Paired differences of mAP (the same plays and episodes for both methods), with 95% Student-t
# intervals over plays. An interval that covers 0 is a tie. The last three rows compare Ours,
# LEAP-style and Base with the chance row.

# %% mystnb={"figure": {"name": "fig-fig4_sportshhi-contrasts", "caption": "Paired mAP differences at the first IoU threshold, per difficulty: the ℓ1 penalty (Ours − the dense supervised VAE, and − that VAE read at Ours' dimension), supervision alone (the supervised linear control − Base), Ours − the linear control, and the paper's two comparisons, and Ours, LEAP-style and Base against chance (random evidence). Dots: the mean over plays; bars: the 95% Student-t interval; the grey line is no difference."}}
first = paired[np.isclose(paired["iou"], iou_thresholds[0])]
fig = contrasts_figure(first, difficulties, iou_thresholds[0])
out.figure(fig, "sportshhi_contrasts")

# %% [markdown]
# ## How Ours' λ was chosen, and the whole path
#
# In every play the label-free rule chose Ours' λ from the path below by held-out losses on the
# validation episodes. The figure shows the whole path on the test episodes, which no rule saw,
# and the validation mAP the annotated rule (an attack) reads; with a quarter of the training
# episodes in as many blocks, Algorithm 1 has less power there, so those scores sit lower. The
# table compares the ways of choosing λ on the test plays.

# %% mystnb={"figure": {"name": "fig-fig4_sportshhi-path", "caption": "The ℓ1 path of the specialist VAE, per difficulty (columns), at the first IoU threshold. Top: mAP on the test episodes (mean over plays, 95% Student-t interval; shown, never used to choose λ) and on the validation episodes (dashed: what the rule reads) against λ; the leftmost point is the dense model (λ = 0); dotted line: chance (random evidence); numbers above the axis: in how many fits (plays × fits) the label-free rule chose each λ (Ours; at the dense point: no λ qualified). Bottom: the block size, the number of latents the model keeps (mean over plays)."}}
path = study.path_table(result.path, iou_thresholds[0])
out.table(result.path, "path_runs")
out.table(path, "path")
fig = path_figure(path, result.scores, difficulties, iou_thresholds[0])
out.figure(fig, "sportshhi_path")

# %%
lambda_sentences = study.path_sentences(path, iou_thresholds[0])
say(*lambda_sentences)
rules = study.rule_contrasts(result.path, result.scores, iou_thresholds[0])
out.table(rules, "lambda_rules")
rules.assign(rule=rules["rule"].map(study.LAMBDA_RULES)).round(3)

# %% [markdown]
# **Between fits or between plays?** Each play's path was fitted `n_fits` times from different
# seeds on the same episodes. The table splits the variance of Ours' and the dense VAE's mAP
# (first IoU threshold) into a part between fits of one play and a part between plays (a
# one-way random-effects analysis of variance); `widest` is the largest gap between two fits of
# one play.

# %%
spread = study.fit_variance(result.fits, iou_thresholds[0])
out.table(spread, "fit_variance")
fit_sentence = study.fit_variance_sentence(spread, iou_thresholds[0])
say(fit_sentence)
study.fit_variance_display(spread)

# %%
sentences = [
    *lambda_sentences,
    fit_sentence,
    *study.sparsity_sentences(first, means, iou_thresholds[0]),
    study.threshold_sentence(paired, iou_thresholds),
    study.chain_sentence(result.scores, iou_thresholds[0]),
]
say(*sentences)
claims = study.claims(result.scores, iou_thresholds[0], iou_thresholds, settings, path=result.path)
main = study.verdict_of(result.scores, iou_thresholds[0])
out.table(main.links, "ordering_links")
attacks = study.attacks_table(claims[0].attacks)
out.table(attacks, "attacks")
attack_sentence = study.attacks_sentence(claims[0].verdict, claims[0].attacks)
out.metrics(
    map_summary=means.to_dict(orient="records"),
    contrasts=paired.to_dict(orient="records"),
    dims=study.mean_dims(result.scores),
    ordering_verdict=main.verdict,
    findings=[*sentences, attack_sentence],
    summary=" ".join([*sentences, attack_sentence]),
    claims=claims,
)

# %%
study.summary_table(means, result.scores, iou_thresholds[0])

# %% [markdown]
# ## The paper's ordering, link by link
#
# Each link of Ours > LEAP > Base at each difficulty (first IoU threshold): its paired
# interval over plays and its outcome; `why` says what made a link *untestable* (both methods
# at chance, or the one found ahead at chance). At one difficulty the chain holds only if both
# links do; the difficulties are then read by the book's one rule (claims page).

# %%
say(study.chain_sentence(result.scores, iou_thresholds[0]))
main.links

# %% [markdown]
# ## Attacks: our own choices, changed
#
# Our choices, each changed and decided by the same function (`verdict_of`): the IoU threshold
# (0.5; the official code uses 0.9), deciding over every difficulty, mAP as the score, the
# chance reference (each prediction row its own random score instead of random evidence per
# player, interaction and segment), and how Ours' λ is chosen.

# %%
say(attack_sentence)
attacks

# %% [markdown]
# ## Running on the real SportsHHI files
#
# The evaluator needs no other part of this package, and scores real predictions in the
# official format; the rest of this page's pipeline still needs four choices from you (person
# tracks, per-keyframe features, task variables, and which clips count as samples of one
# structure). Both are described on the [SportsHHI API page](../api/sportshhi.md). None of the
# numbers on this page come from real video.
