"""The claims page, generated from the runs the book shows: a computed summary (the tally and
three sentences), one summary figure (each paper claim's key effect with its interval, coloured
by its verdict), a compact table with one line per claim, and each claim's details (conditions,
what each method is given, the attacks) in a part the reader expands.

Nothing here is typed by hand: every sentence is computed from the ``claims`` entries of the
artefacts' ``metrics.json`` (:class:`specialist.claims.Claim`).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from specialist import claims
from specialist.io import write_text
from specialist.paths import Workspace

#: the generated files of the page (in ``book/generated``)
SUMMARY_MD = "claims_summary.md"
TABLE_MD = "claims_table.md"
DETAILS_MD = "claims_details.md"
#: the figure's axis: differences of scores in [0, 1] or of MCCs in [-1, 1] fit in ±2; a longer
#: interval is drawn clipped, with an arrow
AXIS_LIMIT = 2.0
FIGURE = "claims_summary"  # .png and .svg
#: one colour per verdict (Okabe–Ito, readable by colour-blind readers); the page's badges
#: use the same colours (book/_static/claims.css)
VERDICT_COLOURS = {
    claims.AGREES: "#009E73",
    claims.DISAGREES: "#D55E00",
    claims.MIXED: "#E69F00",
    claims.INCONCLUSIVE: "#7F7F7F",
    claims.NOT_TESTABLE: "#56B4E9",
    claims.BEYOND: "#CC79A7",
}
#: how far an attack's verdict lies from a main verdict: the attack the page names as the
#: strongest counter-evidence is the one farthest from it (against the paper first, where the
#: main verdict is neither agrees nor disagrees)
_OPPOSITE = {
    claims.AGREES: (claims.DISAGREES, claims.MIXED, claims.INCONCLUSIVE, claims.NOT_TESTABLE),
    claims.DISAGREES: (claims.AGREES, claims.MIXED, claims.INCONCLUSIVE, claims.NOT_TESTABLE),
    claims.MIXED: (claims.DISAGREES, claims.AGREES, claims.INCONCLUSIVE, claims.NOT_TESTABLE),
    claims.INCONCLUSIVE: (claims.DISAGREES, claims.AGREES, claims.MIXED, claims.NOT_TESTABLE),
    claims.NOT_TESTABLE: (claims.DISAGREES, claims.AGREES, claims.MIXED, claims.INCONCLUSIVE),
}


@dataclass(frozen=True)
class Row:
    """One claims entry as the page shows it."""

    entry: claims.Claim | None  # None: an invalid entry (``error`` says why)
    artefact: str
    figure: str  # the paper's figure number ("Fig. 3") or a B number
    profile: str
    theory: tuple[str, ...]
    number: int = 1  # the entry's place among its artefact's entries
    commit: str = ""  # the commit of the run the page shows ("abc1234", "+" if uncommitted)
    raw_text: str = ""
    error: str = ""

    @property
    def anchor(self) -> str:
        return f"claim-{self.artefact.replace('_', '-')}-{self.number}"

    @property
    def text(self) -> str:
        return self.entry.claim if self.entry else self.raw_text


def short_title(text: str, limit: int = 80) -> str:
    """A claim's short name: what comes before its first colon (a theorem's name) or its first
    parenthesis, cut at a word near ``limit`` characters ("Theorem 1", "Ours recovers which
    segments serve which task better than CCA")."""
    head, sep, rest = text.partition(":")
    if sep and len(head) <= 40:
        text = rest.strip() if head.strip().lower() == "beyond the paper" else head
    text = " ".join(re.sub(r"\s*\([^()]*\)", "", text).split())
    text = re.split(r" \(", text, maxsplit=1)[0].strip()
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0] + "…"


def middle_cut(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters in its middle (both ends tell claims apart:
    "Ours recovers which … task better than CCA")."""
    if len(text) <= limit:
        return text
    head, tail = text[: limit // 2].rsplit(" ", 1)[0], text[-(limit - limit // 2) :]
    return f"{head} … {tail.split(' ', 1)[-1]}"


def one_line(entry: claims.Claim, limit: int = 140) -> str:
    """The key number in one line: the effect the verdict rests on with its interval, or the
    key number's first clause."""
    if entry.effect is not None:
        return entry.effect.text()
    first = entry.key_number.split("; ")[0]
    if first.count("(") > first.count(")"):
        first = first[: first.rfind("(")].rstrip(" :,") + " …"
    return first if len(first) <= limit else first[:limit].rsplit(" ", 1)[0] + "…"


def checked_by(entry: claims.Claim) -> str:
    """How the claim is checked: an exact check against the truth, a proof, or runs."""
    if entry.kind == "oracle":
        return "exact check (oracle on our reconstructed graph)"
    if entry.kind == "proof":
        return "proof"
    if entry.kind == "timing":
        return f"timing (median of {entry.n_runs} repeats on this machine)"
    n = entry.n_runs
    few = f" (fewer than {claims.MIN_RUNS}: decides nothing)" if n < claims.MIN_RUNS else ""
    return f"{n} run{'s' if n != 1 else ''}{few}"


def counter_evidence(entry: claims.Claim) -> str:
    """The strongest evidence against the entry's verdict the run holds: the main comparison
    where it lies against the paper while the verdict does not say disagrees, the run's own
    counter-evidence (:attr:`specialist.claims.Claim.counter`), and the attack whose verdict lies farthest
    from the main one (or that none moves it)."""
    found = []
    e = entry.effect
    if e is not None and e.high < 0 and entry.verdict != claims.DISAGREES:
        found.append(f"the main comparison lies against the paper: {e.text()}")
    if entry.counter:
        found.append(f"the run's own: {entry.counter}")
    if not entry.is_paper_claim:
        found.append("a study beyond the paper: no paper verdict to move")
    elif entry.moved:
        rank = {v: i for i, v in enumerate(_OPPOSITE[entry.verdict])}
        worst = min(entry.moved, key=lambda a: rank.get(a.verdict, len(rank)))
        more = len(entry.moved) - 1
        found.append(
            f"under {worst.choice}: {worst.verdict}"
            + (
                f" (and {more} more attack{'s' if more > 1 else ''} that move{'' if more > 1 else 's'} it)"
                if more
                else ""
            )
        )
    elif entry.verdict == claims.NOT_TESTABLE:
        n = len(entry.attacks)
        found.append(f"no attack of {n} makes it testable" if n else "nothing was tested")
    else:
        n = len(entry.attacks)
        found.append(f"none of our {n} attack{'s' if n != 1 else ''} moves the verdict")
    return "; ".join(found)


def badge(verdict: str) -> str:
    """The verdict as a coloured badge (raw HTML; colours in book/_static/claims.css)."""
    css = verdict.replace(" ", "-")
    return f'<span class="verdict-badge verdict-{css}">{verdict}</span>'


def _cell(text: str) -> str:
    return " ".join(str(text).split())


#: a verdict as the verb of one claim and of several
_VERB = {
    claims.AGREES: ("agrees", "agree"),
    claims.DISAGREES: ("disagrees", "disagree"),
    claims.MIXED: ("is mixed", "are mixed"),
    claims.INCONCLUSIVE: ("is inconclusive", "are inconclusive"),
    claims.NOT_TESTABLE: ("is not testable here", "are not testable here"),
}


_LABEL = {claims.AGREES: "Agree", claims.DISAGREES: "Disagree", claims.MIXED: "Mixed",
          claims.INCONCLUSIVE: "Inconclusive"}  # fmt: skip


def _named(row: Row) -> str:
    how = {"oracle": ", exact check", "timing": ", timing", "proof": ", proof"}
    return f"{short_title(row.text, 60)} ({row.figure}{how.get(row.entry.kind, '')})"


def summary_sentences(rows: list[Row]) -> list[str]:
    """The page's first sentences: the tally of the paper's claims, which agree and which
    disagree, and what our own attacks move."""
    valid = [r for r in rows if r.entry is not None]
    paper = [r for r in valid if r.entry.is_paper_claim]
    beyond = len(valid) - len(paper)
    counts = Counter(r.entry.verdict for r in paper)
    parts = [f"{counts[v]} {_VERB[v][counts[v] != 1]}" for v in _VERB if counts[v]]
    profiles = sorted({r.profile for r in valid})
    out = [
        f"Of the paper's {len(paper)} claim{'s' if len(paper) != 1 else ''} examined here, "
        + (", ".join(parts[:-1]) + " and " + parts[-1] if len(parts) > 1 else "".join(parts))
        + f"; {beyond} {'entries go' if beyond != 1 else 'entry goes'} beyond the paper "
        f"({' and '.join(profiles)} profile{'s' if len(profiles) > 1 else ''})."
    ]
    for verdict in (claims.AGREES, claims.DISAGREES, claims.MIXED, claims.INCONCLUSIVE):
        named = [_named(r) for r in paper if r.entry.verdict == verdict]
        if named:
            out.append(f"{_LABEL[verdict]}: " + "; ".join(named) + ".")
    moved = [r for r in paper if r.entry.moved]
    decided = [r for r in paper if r.entry.attacks and r.entry.verdict != claims.NOT_TESTABLE]
    out.append(
        f"Our own alternative choices (attacks) move the verdict of {len(moved)} of the "
        f"{len(decided)} claim{'s' if len(decided) != 1 else ''} with a decided verdict and "
        "attacks"
        + (": " + "; ".join(_named(r) for r in moved) if moved else "")
        + " (an attack on a claim that is not testable here decides nothing either)."
    )
    invalid = len(rows) - len(valid)
    if invalid:
        out.append(f"{invalid} entr{'ies are' if invalid > 1 else 'y is'} invalid (shown below).")
    return out


def draw_summary(rows: list[Row], path_stem: Path) -> list[Path]:
    """The summary figure: one line per paper claim, its key effect and interval in its own
    units (values right of the dashed line go the paper's way), coloured by verdict; claims
    without an interval (exact checks, timings) are named with their key number. Text on the
    left (the claim, the effect's label and numbers), intervals on the right."""
    import matplotlib

    matplotlib.use("agg")
    import matplotlib.pyplot as plt
    from matplotlib.lines import Line2D
    from matplotlib.transforms import blended_transform_factory

    paper = [r for r in rows if r.entry is not None and r.entry.is_paper_claim]
    n = max(len(paper), 1)
    fig = plt.figure(figsize=(8.0, 0.5 * n + 1.4), dpi=200)
    ax = fig.add_axes((0.56, 0.9 / (0.5 * n + 1.4), 0.42, 1 - 1.35 / (0.5 * n + 1.4)))
    text_at = blended_transform_factory(fig.transFigure, ax.transData)
    ends = [
        abs(v) for r in paper if r.entry.effect for v in (r.entry.effect.low, r.entry.effect.high)
    ]
    lim = min(max([0.25, *ends]), AXIS_LIMIT) * 1.08
    for i, r in enumerate(paper):
        y, e = n - 1 - i, r.entry.effect
        colour = VERDICT_COLOURS[r.entry.verdict]
        if i % 2 == 0:
            ax.axhspan(y - 0.5, y + 0.5, color="#f2f2f2", zorder=0)
        ax.text(0.01, y + 0.17, f"{r.figure} · {middle_cut(short_title(r.text, 200), 50)}", transform=text_at,
                fontsize=9, va="center", ha="left", fontweight="bold")  # fmt: skip
        if e is not None:
            label = re.sub(r"\((part \d+ of \d+)[^)]*\)", r"(\1)", e.label)
            label = re.sub(r" \(the paper's headline link[^)]*\)", " (one link)", label)
            if len(label) > 40:  # keep the part's number: cut the middle
                label = middle_cut(label, 40)
            runs = f", n = {r.entry.n_runs}" if r.entry.n_runs else ""
            detail = f"{label}: {e.estimate:+.2f} [{e.low:+.2f}, {e.high:+.2f}]{runs}"
        else:
            detail = "no single interval: " + one_line(r.entry)
            if len(detail) > 62:
                detail = detail[:62].rsplit(" ", 1)[0] + "…"
        ax.text(0.01, y - 0.2, detail, transform=text_at, fontsize=9, va="center", ha="left",
                color="#333333", style="normal" if e is not None else "italic")  # fmt: skip
        if e is None:  # a tag in the verdict's colour, over the zero line
            ax.text(0, y, f"{r.entry.verdict}, {checked_by(r.entry).split(' (')[0]}",
                    fontsize=9, va="center", ha="center", color="white" if r.entry.verdict in
                    (claims.AGREES, claims.DISAGREES, claims.BEYOND) else "black",
                    bbox=dict(boxstyle="round,pad=0.25", fc=colour, ec="none"))  # fmt: skip
            continue
        untested = r.entry.verdict == claims.NOT_TESTABLE  # drawn hollow and dashed
        ax.plot([max(e.low, -lim), min(e.high, lim)], [y, y], color=colour, lw=3.2,
                solid_capstyle="butt", ls=(0, (2, 1)) if untested else "-")  # fmt: skip
        for end, side in ((e.low, -1), (e.high, 1)):
            if abs(end) > lim:  # clipped: an arrow at the axis' end
                ax.annotate("", (side * lim, y), (side * lim * 0.9, y),
                            arrowprops=dict(arrowstyle="-|>", color=colour, lw=1.5))  # fmt: skip
        ax.plot([min(max(e.estimate, -lim), lim)], [y], "o", mfc="white" if untested else colour,
                color=colour, ms=8, mec=colour if untested else "black", mew=1.2)  # fmt: skip
    ax.axvline(0, color="#444444", ls="--", lw=1)
    ax.set_xlim(-lim, lim)
    ax.set_ylim(-0.5, n - 0.5)
    ax.set_yticks([])
    for side in ("left", "right", "top"):
        ax.spines[side].set_visible(False)
    ax.set_xlabel("effect in its own units\n(right of 0: the paper's way)", fontsize=9.5)
    ax.tick_params(axis="x", labelsize=9)
    profiles = sorted({r.profile for r in paper})
    fig.text(0.01, 0.995, f"{', '.join(profiles)} profile; hollow, dashed: not testable here",
             fontsize=9, va="top", ha="left", color="#333333")  # fmt: skip
    used = [v for v in VERDICT_COLOURS if any(r.entry.verdict == v for r in paper)]
    handles = [Line2D([], [], color=VERDICT_COLOURS[v], lw=3, marker="o", label=v) for v in used]
    fig.legend(handles=handles, title="verdict", fontsize=9, title_fontsize=9, ncols=len(handles),
               loc="upper center", bbox_to_anchor=(0.6, 1.0), frameon=False)  # fmt: skip
    if not paper:
        ax.text(0, 0, "no paper claim in this build", ha="center", fontsize=10)
    written = []
    for ext in ("png", "svg"):
        out = path_stem.with_suffix(f".{ext}")
        fig.savefig(out, dpi=200, metadata={"Date": None} if ext == "svg" else None)
        written.append(out)
    plt.close(fig)
    return written


def _details(row: Row, theory: str) -> str:
    """A claim's section: its text, verdict, key number, counter-evidence visible; the rest in
    a part the reader expands."""
    e = row.entry
    head = f"({row.anchor})=\n### {row.figure} · {short_title(row.text)}\n\n"
    if e is None:
        return head + f"**invalid entry**: {_cell(row.error)}\n\n{_cell(row.text)}\n\n"
    lines = [
        head,
        f"{badge(e.verdict)} {_cell(e.claim)}\n\n",
        f"- **Key number:** {_cell(e.key_number)}\n",
        f"- **Checked by:** {checked_by(e)}; **chance level:** {_cell(e.chance)}\n",
        f"- **Strongest counter-evidence:** {_cell(counter_evidence(e))}\n",
        f"- **Source:** {{doc}}`{row.figure} </generated/{row.artefact}>`, "
        f"`{row.profile}` profile"
        + (f", commit `{row.commit}`" if row.commit else "")
        + (f"; theory: {theory}" if theory else "")
        + "\n\n",
    ]
    more = []
    if e.tally:
        more.append(f"- **Outcomes behind the verdict:** {_cell(e.tally)}\n")
    if e.reason:
        more.append(f"- **Why not testable:** {_cell(e.reason)}\n")
    more.append(f"- **Holds under:** {_cell(e.conditions)}\n")
    more.append(
        "- **What each method is given:** "
        + "; ".join(f"{_cell(k)}: {_cell(v)}" for k, v in e.given.items())
        + "\n"
    )
    if e.attacks:
        more.append("- **Robust to (our alternative choices):**\n")
        more.extend(
            f"  - {'**moved** ' if a in e.moved else ''}{_cell(a.choice)}: {a.verdict} "
            f"({_cell(a.key_number)})\n"
            for a in e.attacks
        )
    else:
        more.append(
            "- **Robust to:** "
            + ("no attack: nothing was tested" if e.verdict == claims.NOT_TESTABLE
               else "no attack: a study beyond the paper") + "\n"
        )  # fmt: skip
    body = "".join(more)
    return "".join(lines) + (
        f":::{{dropdown}} Conditions, what each method is given, attacks\n{body}:::\n\n"
    )


def write_page(ws: Workspace, rows: list[Row], missing: list[str], theory_of) -> list[Path]:
    """Write the summary, the figure and the table with the details (see the module)."""
    gen = ws.generated
    gen.mkdir(parents=True, exist_ok=True)
    written = [write_text(gen / SUMMARY_MD, " ".join(summary_sentences(rows)) + "\n")]
    written += draw_summary(rows, gen / FIGURE)
    if not rows:
        body = "*No artefact with claims has been generated in this build.*\n"
    else:
        head = ["Claim", "Verdict", "Key number (one line)", "Strongest counter-evidence",
                "Checked by", "Source"]  # fmt: skip
        out = [
            "```{list-table}\n:header-rows: 1\n:class: claims-list\n:widths: 26 10 22 22 10 10\n\n"
        ]
        out.append("* - " + "\n  - ".join(head) + "\n")
        for r in rows:
            link = f"{{doc}}`{r.figure} </generated/{r.artefact}>`"
            title = f"[{short_title(r.text)}](#{r.anchor})"
            if r.entry is None:
                cells = [title, f"**invalid entry**: {_cell(r.error)}", "–", "–", "–", link]
            else:
                e = r.entry
                cells = [title, badge(e.verdict), _cell(one_line(e)), _cell(counter_evidence(e)),
                         checked_by(e), link]  # fmt: skip
            out.append("* - " + "\n  - ".join(cells) + "\n")
        out.append("```\n")
        body = "".join(out)
    if missing:
        body += f"\nNot generated in this build: {', '.join(f'`{m}`' for m in missing)}.\n"
    written.append(write_text(gen / TABLE_MD, body))
    details = "".join(_details(r, theory_of(r)) for r in rows) or "*No claim in this build.*\n"
    written.append(write_text(gen / DETAILS_MD, details))
    return written
